//! a suppression comment suppresses nothing. Reported by the suppression pass (`src/suppress.rs`), which runs after
//! the rules, so this rule has no hook of its own.

use crate::rules::prelude::*;

declare_rule!(
    SuppressionUnused,
    "KAS900",
    "unused-suppression",
    Warning,
    "a suppression comment suppresses nothing"
);

impl Rule for SuppressionUnused {}
