//! GitLab's own configuration validation, offline: the entry checks of
//! `Gitlab::Ci::Config::Entry::*` and the logical checks of `Gitlab::Ci::YamlProcessor`,
//! with GitLab's messages. One walk computes every finding ([`finding::all`]); each
//! class of them is reported by one rule of the table in `rules/reported.rs`.

mod entries;
mod expression;
pub mod finding;
mod logic;
mod spec;
#[cfg(test)]
mod table;
