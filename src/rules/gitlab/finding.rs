//! What the GitLab validation walks produce, computed once per pipeline and shared by
//! the rules of `rules/reported.rs` (each reports one [`Class`]).

use crate::model::Pipeline;

/// Which rule reports a finding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    UnknownKey,
    Invalid,
    MissingScript,
    NoVisibleJob,
    UndefinedStage,
    Needs,
    Dependencies,
    NeedsCycle,
    OnStop,
    Deprecated,
    InputSpec,
}

/// A finding of GitLab's validation: the model's problem type with a [`Class`].
pub type Finding = crate::model::Problem<Class>;

/// Rails' `String#humanize` as ActiveModel uses it for attribute names.
pub fn humanize(attr: &str) -> String {
    let s = attr.replace('.', "_");
    let s = s.trim_start_matches('_');
    let s = s.strip_suffix("_id").unwrap_or(s);
    s.replace('_', " ")
}

/// Every finding of the GitLab validation for `pipeline` (one walk; the rule context
/// keeps the result, see [`crate::rules::Context::gitlab_findings`]).
pub fn all(pipeline: &Pipeline) -> Vec<Finding> {
    if pipeline.root.is_none() {
        return Vec::new();
    }
    let mut out = super::entries::check(pipeline);
    out.extend(super::logic::check(pipeline));
    out.extend(super::spec::check(pipeline));
    out
}
