//! a suppression comment suppresses nothing. Reported by the suppression pass (`src/suppress.rs`), which runs after
//! the rules, so this rule has no hook of its own.

use super::{Rule, RuleMeta, Severity};

pub struct SuppressionUnused;

pub static META: RuleMeta = RuleMeta {
    code: "KAS900",
    name: "unused-suppression",
    severity: Severity::Warning,
    summary: "a suppression comment suppresses nothing",
    doc: include_str!("../../rules/KAS900.md"),
};

impl Rule for SuppressionUnused {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
}
