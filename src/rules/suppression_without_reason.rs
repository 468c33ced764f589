//! a suppression comment gives no reason. Reported by the suppression pass (`src/suppress.rs`), which runs after
//! the rules, so this rule has no hook of its own.

use crate::rules::prelude::*;

declare_rule!(
    SuppressionWithoutReason,
    "KAS902",
    "suppression-without-reason",
    Warning,
    "a suppression comment gives no reason"
);

impl Rule for SuppressionWithoutReason {}
