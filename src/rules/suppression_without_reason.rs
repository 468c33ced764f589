//! a suppression comment gives no reason. Reported by the suppression pass (`src/suppress.rs`), which runs after
//! the rules, so this rule has no hook of its own.

use super::{Rule, RuleMeta, Severity};

pub struct SuppressionWithoutReason;

pub static META: RuleMeta = RuleMeta {
    code: "KAS902",
    name: "suppression-without-reason",
    severity: Severity::Warning,
    summary: "a suppression comment gives no reason",
    doc: include_str!("../../rules/KAS902.md"),
};

impl Rule for SuppressionWithoutReason {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
}
