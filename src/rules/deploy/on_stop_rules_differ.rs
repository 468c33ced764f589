//! KAS301: the stop job is not in the pipelines its start job is in.

use super::on_stop::{canon, in_merge_requests};
use crate::rules::prelude::*;

declare_rule!(
    OnStopRulesDiffer,
    "KAS301",
    "on-stop-rules-differ",
    Warning,
    "the stop job's `rules`/`only`/`except` differ from its start job's"
);

impl Rule for OnStopRulesDiffer {
    fn check_pipeline(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for pair in cx.pipeline.on_stop_pairs() {
            if !missing_where_start_runs(pair.start, pair.stop) {
                continue;
            }
            let key = ["rules", "only", "except"]
                .into_iter()
                .find_map(|k| pair.stop.node.get(k))
                .map_or(pair.stop.key_span, |n| n.span);
            let mut d = Diagnostic::new(
                &META,
                key,
                format!(
                    "stop job `{}` does not have the same `rules`/`only`/`except` as `{}`: it may be missing from pipelines that deploy",
                    pair.stop.name, pair.start.name
                ),
            )
            .label("different conditions")
            .job(pair.stop.name.clone())
            .help("give both jobs the same conditions (outcome keys such as `when: manual` may differ), or the environment cannot be stopped");
            if let Some(n) = ["rules", "only", "except"]
                .into_iter()
                .find_map(|k| pair.start.node.get(k))
            {
                d = d.related(n.span, format!("conditions of `{}`", pair.start.name));
            }
            out.push(d);
        }
    }
}

/// `if` conditions of the rules that add the job (not `when: never`); `None` for a rule
/// without `if` (always matches).
fn positive_ifs(job: &Job) -> Option<Vec<Option<String>>> {
    let rules = job.rules()?;
    Some(
        rules
            .iter()
            .filter(|r| r.get("when").and_then(|w| w.as_str()) != Some("never"))
            .map(|r| {
                r.get("if")
                    .and_then(|i| i.scalar_text())
                    .map(|s| s.trim().to_string())
            })
            .collect(),
    )
}

/// Can the stop job be missing from a pipeline the start job is in? Only said when the
/// files show it: the start job runs in merge request pipelines and the stop job cannot,
/// a start rule's condition has no equal (or broader, or `&&`-narrowed: a deliberate
/// restriction) in the stop job's rules, or `only` refs the stop job's `only` lacks.
pub fn missing_where_start_runs(start: &Job, stop: &Job) -> bool {
    let stop_rules = positive_ifs(stop);
    let stop_in_mr = in_merge_requests(stop)
        || stop_rules
            .as_ref()
            .is_some_and(|r| r.iter().any(Option::is_none));
    if in_merge_requests(start)
        && !stop_in_mr
        && (stop_rules.is_some() || stop.node.get("only").is_none())
    {
        return true;
    }
    if let (Some(a), Some(b)) = (positive_ifs(start), stop_rules) {
        let covered = |cond: &Option<String>| match cond {
            None => b.iter().any(Option::is_none),
            Some(c) => b.iter().any(|s| match s {
                None => true,
                Some(s) => {
                    s == c || s.starts_with(&format!("{c} &&")) || c.starts_with(&format!("{s} &&"))
                }
            }),
        };
        return !a.iter().all(covered);
    }
    let only = |job: &Job| job.node.get("only").map(canon);
    if let (Some(a), Some(b)) = (start.node.get("only"), stop.node.get("only")) {
        let (Some(a), Some(b)) = (a.as_seq(), b.as_seq()) else {
            return false;
        };
        let b: Vec<String> = b.iter().map(canon).collect();
        if !a.iter().all(|x| b.contains(&canon(x))) {
            return true;
        }
    }
    // `except` refs of the stop job that the start job's `except` lacks, when both run on
    // the same `only` refs: the stop job is left out where the start job deploys.
    let no_rules = |job: &Job| job.node.get("rules").is_none();
    if no_rules(start) && no_rules(stop) && only(start) == only(stop) {
        let list = |job: &Job| -> Option<Vec<String>> {
            match job.node.get("except") {
                None => Some(Vec::new()),
                Some(e) => Some(e.as_seq()?.iter().map(canon).collect()),
            }
        };
        if let (Some(a), Some(b)) = (list(start), list(stop)) {
            return b.iter().any(|x| !a.contains(x));
        }
    }
    false
}
