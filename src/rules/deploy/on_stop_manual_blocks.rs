//! KAS303: a manual stop job in `rules` without `allow_failure: true` blocks the pipeline.

use super::on_stop::each_stop_job;
use crate::rules::prelude::*;


declare_rule!(
    OnStopManualBlocks,
    "KAS303",
    "on-stop-manual-blocks-pipeline",
    Warning,
    "a manual stop job with `rules` has no `allow_failure: true` and blocks the pipeline"
);

impl Rule for OnStopManualBlocks {
    fn check_pipeline(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for pair in each_stop_job(cx.pipeline) {
            let stop = pair.stop;
            let Some(rules) = stop.rules() else {
                continue;
            };
            if stop
                .node
                .get("allow_failure")
                .is_some_and(|a| a.as_bool() != Some(false))
            {
                continue;
            }
            let manual =
                |n: Option<&crate::load::NodeRef>| n.and_then(|w| w.as_str()) == Some("manual");
            let job_manual = manual(stop.node.get("when"));
            let blocking = rules.iter().find_map(|r| {
                let when = r.get("when");
                let is_manual = manual(when) || (when.is_none() && job_manual);
                let allowed = r.get("allow_failure").and_then(|a| a.as_bool()) == Some(true);
                (is_manual && !allowed).then(|| when.or(stop.node.get("when")))
            });
            let Some(Some(when)) = blocking else { continue };
            out.push(
                Diagnostic::new(
                    &META,
                    when.span,
                    format!(
                        "manual stop job `{}` has `rules` but no `allow_failure: true`: the pipeline stays blocked until the environment is stopped",
                        stop.name
                    ),
                )
                .label("manual without `allow_failure: true`")
                .job(stop.name.clone())
                .help("add `allow_failure: true` to the job (or to this rule)")
                .fix_opt(crate::fix::build::allow_failure(cx.pipeline, stop)),
            );
        }
    }
}
