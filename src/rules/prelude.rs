//! What a rule file uses, in one import: `use crate::rules::prelude::*;` (the hooks'
//! types, the finding and the declaration macro).

pub use crate::analysis::facts::Facts;
pub use crate::diagnostic::Diagnostic;
pub use crate::model::Job;
pub(crate) use crate::rules::declare_rule;
pub use crate::rules::{Context, Rule};
