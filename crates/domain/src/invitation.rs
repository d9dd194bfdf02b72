//! Invitations: a new user chooses his own password. Nobody types someone
//! else's password: an administrator (any role) or a business manager (a
//! consultant) creates the account, and the person receives by e-mail a
//! personal link, valid 72 hours and usable once, to choose his password.
//! The same link serves an existing user who needs a new password (sent by
//! an administrator from the user's page); a new link replaces the old ones.

use time::{Duration, OffsetDateTime};

use crate::Locale;
use crate::locale::format_datetime;
use crate::role::Role;

/// How long a link works.
pub const VALIDITY: Duration = Duration::hours(72);

/// Whether `inviter` may invite someone of role `invited`: an
/// administrator anyone, a business manager the consultants he places.
pub fn may_invite(inviter: Role, invited: Role) -> bool {
    match inviter {
        Role::Admin => true,
        Role::BusinessManager => invited == Role::Consultant,
        _ => false,
    }
}

/// The roles `inviter` may invite, in the usual order.
pub fn invitable(inviter: Role) -> Vec<Role> {
    Role::ALL
        .into_iter()
        .filter(|r| may_invite(inviter, *r))
        .collect()
}

/// Where a link stands when it is opened or used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Valid,
    Expired,
    Used,
}

impl State {
    pub fn of(now: OffsetDateTime, expires_at: OffsetDateTime, used: bool) -> State {
        if used {
            State::Used
        } else if now >= expires_at {
            State::Expired
        } else {
            State::Valid
        }
    }

    /// The message shown for a link that no longer works.
    pub fn refusal_key(self) -> Option<&'static str> {
        match self {
            State::Valid => None,
            State::Expired => Some("invitation-expired"),
            State::Used => Some("invitation-used"),
        }
    }
}

/// What the e-mail says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts<'a> {
    pub firm_name: &'a str,
    pub name: &'a str,
    pub invited_by: &'a str,
    pub link: &'a str,
    pub expires_at: OffsetDateTime,
    /// An existing account gets a new password rather than a first one.
    pub new_password: bool,
}

/// Subject and plain text of the invitation, in `locale` (the invited
/// user's language when it was set, French otherwise).
pub fn email(f: &Facts, locale: Locale) -> (String, String) {
    let until = format_datetime(f.expires_at, locale);
    match locale {
        Locale::Fr => {
            let (subject, what) = if f.new_password {
                (
                    format!("Choisissez un nouveau mot de passe — {}", f.firm_name),
                    format!(
                        "{} vous envoie un lien pour choisir un nouveau mot de passe de votre compte Régisseur.",
                        f.invited_by
                    ),
                )
            } else {
                (
                    format!("Invitation à Régisseur — {}", f.firm_name),
                    format!(
                        "{} vous invite à rejoindre l'espace Régisseur de {}.",
                        f.invited_by, f.firm_name
                    ),
                )
            };
            (
                subject,
                format!(
                    "Bonjour {},\n\n{what}\n\n\
                     Ouvrez ce lien personnel pour choisir votre mot de passe \
                     (valable jusqu'au {until}, heure de Paris, une seule fois) :\n{}\n\n\
                     Personne d'autre que vous ne connaîtra ce mot de passe. \
                     Si vous n'attendiez pas ce message, ignorez-le.\n\n— Régisseur",
                    f.name, f.link
                ),
            )
        }
        Locale::En => {
            let (subject, what) = if f.new_password {
                (
                    format!("Choose a new password — {}", f.firm_name),
                    format!(
                        "{} sent you a link to choose a new password for your Régisseur account.",
                        f.invited_by
                    ),
                )
            } else {
                (
                    format!("Invitation to Régisseur — {}", f.firm_name),
                    format!(
                        "{} invites you to join {}'s Régisseur workspace.",
                        f.invited_by, f.firm_name
                    ),
                )
            };
            (
                subject,
                format!(
                    "Hello {},\n\n{what}\n\n\
                     Open this personal link to choose your password \
                     (valid until {until}, Paris time, once):\n{}\n\n\
                     Nobody but you will know this password. \
                     If you did not expect this message, ignore it.\n\n— Régisseur",
                    f.name, f.link
                ),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn who_may_invite_whom() {
        assert!(Role::ALL.iter().all(|r| may_invite(Role::Admin, *r)));
        assert_eq!(invitable(Role::BusinessManager), vec![Role::Consultant]);
        for r in Role::ALL {
            if !matches!(r, Role::Admin | Role::BusinessManager) {
                assert!(invitable(r).is_empty(), "{r}");
            }
        }
    }

    #[test]
    fn a_link_works_once_and_for_72_hours() {
        let sent = datetime!(2026-12-07 10:00 UTC);
        let expires = sent + VALIDITY;
        assert_eq!(State::of(sent, expires, false), State::Valid);
        assert_eq!(
            State::of(expires - Duration::seconds(1), expires, false),
            State::Valid
        );
        assert_eq!(State::of(expires, expires, false), State::Expired);
        assert_eq!(State::of(sent, expires, true), State::Used);
        assert_eq!(State::Expired.refusal_key(), Some("invitation-expired"));
    }

    #[test]
    fn the_email_carries_the_link_and_its_limit_in_paris_time() {
        let f = Facts {
            firm_name: "Stafforia Services",
            name: "Léa Petit",
            invited_by: "Bruno Marchand",
            link: "https://regisseur.example/invitation/abc",
            expires_at: datetime!(2026-12-10 10:00 UTC),
            new_password: false,
        };
        let (subject, text) = email(&f, Locale::Fr);
        assert_eq!(subject, "Invitation à Régisseur — Stafforia Services");
        assert!(
            text.contains("https://regisseur.example/invitation/abc"),
            "{text}"
        );
        assert!(text.contains("10/12/2026 11:00"), "{text}");
        assert!(text.contains("Bruno Marchand vous invite"), "{text}");
        let (subject, _) = email(&f, Locale::En);
        assert!(subject.starts_with("Invitation to"), "{subject}");
    }
}
