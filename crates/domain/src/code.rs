//! Statuses and kinds are stored as short texts; a row's text is read into
//! its enum once, where the row is read, and compared as an enum after.

/// A stored text that names no variant of the expected enum: the row is
/// corrupt, since only `as_str()` values are ever written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a {kind}: {value:?}")]
pub struct UnknownCode {
    pub kind: &'static str,
    pub value: String,
}

/// `TryFrom<String>` through the enum's `parse`, so a row struct reads the
/// column with `#[sqlx(try_from = "String")]`.
macro_rules! stored_code {
    ($($t:ident),* $(,)?) => {$(
        impl TryFrom<String> for $t {
            type Error = $crate::code::UnknownCode;

            fn try_from(s: String) -> Result<Self, $crate::code::UnknownCode> {
                $t::parse(&s).ok_or_else(|| $crate::code::UnknownCode {
                    kind: stringify!($t),
                    value: s,
                })
            }
        }
    )*};
}

pub(crate) use stored_code;
