//! a suppression comment is malformed or names an unknown rule. Reported by the suppression pass (`src/suppress.rs`), which runs after
//! the rules, so this rule has no hook of its own.

use super::{Rule, RuleMeta, Severity};

pub struct SuppressionMalformed;

pub static META: RuleMeta = RuleMeta {
    code: "KAS901",
    name: "malformed-suppression",
    severity: Severity::Warning,
    summary: "a suppression comment is malformed or names an unknown rule",
    doc: include_str!("../../rules/KAS901.md"),
};

impl Rule for SuppressionMalformed {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
}
