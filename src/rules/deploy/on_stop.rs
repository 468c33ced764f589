//! What the `on_stop` rules (KAS3xx) share beyond the model's start/stop pairs
//! (`Pipeline::on_stop_pairs`): conditions compared as text, merge request reach, `when`s.

use std::collections::HashSet;

use crate::load::{NodeRef, Value};
use crate::model::{Job, OnStopPair, Pipeline};

/// The pairs, each stop job once (in its first pair): for the findings on the stop job
/// alone, however many jobs name it.
pub fn each_stop_job(p: &Pipeline) -> impl Iterator<Item = OnStopPair<'_>> {
    let mut seen = HashSet::new();
    p.on_stop_pairs()
        .filter(move |pair| seen.insert(pair.stop.name.as_str()))
}

/// The environment name as written (`review/$CI_COMMIT_REF_SLUG`).
pub fn env_name(job: &Job) -> Option<String> {
    job.environment()?.name_text()
}

/// A node as text, spans ignored (for comparing conditions).
pub fn canon(node: &NodeRef) -> String {
    match &node.value {
        Value::Seq(items) => format!(
            "[{}]",
            items.iter().map(canon).collect::<Vec<_>>().join(",")
        ),
        Value::Map(m) => format!(
            "{{{}}}",
            m.iter()
                .map(|(k, e)| format!("{k}:{}", canon(&e.value)))
                .collect::<Vec<_>>()
                .join(",")
        ),
        _ => format!("{:?}", node.scalar_text().unwrap_or_default()),
    }
}

/// The job may run in merge request pipelines: a rule that adds it tests for one, or
/// `only` lists `merge_requests`.
pub fn in_merge_requests(job: &Job) -> bool {
    let mr = |t: &str| {
        (t.contains("merge_request") || t.contains("CI_MERGE_REQUEST"))
            && !t.contains("!=")
            && !t.contains("null")
    };
    if let Some(rules) = job.rules() {
        return rules.iter().any(|r| {
            r.get("when").and_then(|w| w.as_str()) != Some("never")
                && r.get("if").and_then(|i| i.as_str()).is_some_and(mr)
        });
    }
    job.node
        .get("only")
        .is_some_and(|o| canon(o).contains("merge_requests"))
}

/// The job's `when`, at job level or in any rule.
pub fn whens(job: &Job) -> Vec<&NodeRef> {
    let mut out: Vec<&NodeRef> = job.node.get("when").into_iter().collect();
    if let Some(rules) = job.rules() {
        out.extend(rules.iter().filter_map(|r| r.get("when")));
    }
    out
}
