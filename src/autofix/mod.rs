//! `check --fix`, `--unsafe-fixes` and `--diff`: the command side of fixes. It checks,
//! applies the findings' fixes ([`crate::fix`]) in rounds, verifies each result and writes
//! it atomically.
//!
//! - [`run`] fixes one target: rounds, verification, the write;
//! - [`session`] fixes every target of a run and sums up what changed.

pub mod run;
pub mod session;
