//! The account a plan is about, read through the reader's scope.

use domain::ids::CompanyId;

use crate::companies::group::Member;
use crate::{Error, Result, Scope, Tx};

/// The account as its plan needs it: read through the reader's scope
/// (`NotFound` outside it, and for consultants and client contacts), with
/// its group.
pub(crate) struct Account {
    pub id: CompanyId,
    pub name: String,
    pub key_account: bool,
    pub members: Vec<Member>,
}

impl Account {
    /// The account and the entities under it in its group.
    pub fn counted(&self) -> Vec<CompanyId> {
        let Some(at) = self.members.iter().position(|m| m.id == self.id) else {
            return vec![self.id];
        };
        let depth = self.members[at].depth;
        let below = self.members[at + 1..]
            .iter()
            .take_while(|m| m.depth > depth)
            .map(|m| m.id);
        std::iter::once(self.id).chain(below).collect()
    }

    pub fn group(&self) -> Vec<CompanyId> {
        self.members.iter().map(|m| m.id).collect()
    }
}

pub(crate) async fn account(tx: &mut Tx, scope: Scope, id: CompanyId) -> Result<Account> {
    // The plan is the firm's commercial staff's: a consultant or a client
    // contact has none, even of his own company.
    if matches!(scope, Scope::Own(_) | Scope::Company(_)) {
        return Err(Error::NotFound);
    }
    let c = crate::companies::get(tx, scope, id).await?;
    let members = crate::companies::group::members(tx, scope, id).await?;
    Ok(Account {
        id,
        name: c.data.name,
        key_account: c.data.key_account,
        members,
    })
}
