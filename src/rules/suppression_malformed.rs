//! a suppression comment is malformed or names an unknown rule. Reported by the suppression pass (`src/suppress.rs`), which runs after
//! the rules, so this rule has no hook of its own.

use crate::rules::prelude::*;

declare_rule!(
    SuppressionMalformed,
    "KAS901",
    "malformed-suppression",
    Warning,
    "a suppression comment is malformed or names an unknown rule"
);

impl Rule for SuppressionMalformed {}
