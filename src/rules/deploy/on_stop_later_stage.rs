//! KAS304: the stop job is in a later stage than its start job and does not `need` it.

use crate::rules::prelude::*;


declare_rule!(
    OnStopLaterStage,
    "KAS304",
    "on-stop-job-in-later-stage",
    Info,
    "the stop job is in a later stage than its start job and does not `need` it"
);

impl Rule for OnStopLaterStage {
    fn check_pipeline(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some(stages) = cx.pipeline.stages() else {
            return;
        };
        for pair in cx.pipeline.on_stop_pairs() {
            let (a, b) = (pair.start.stage_name(), pair.stop.stage_name());
            let (Some(ia), Some(ib)) = (
                stages.iter().position(|s| *s == a),
                stages.iter().position(|s| *s == b),
            ) else {
                continue;
            };
            if ib <= ia {
                continue;
            }
            let needs_start = pair
                .stop
                .node
                .get("needs")
                .and_then(|n| n.as_seq())
                .is_some_and(|items| {
                    items.iter().any(|i| {
                        i.as_str().or_else(|| i.get("job").and_then(|j| j.as_str()))
                            == Some(pair.start.name.as_str())
                    })
                });
            if needs_start {
                continue;
            }
            let span = pair.stop.stage().map_or(pair.stop.key_span, |s| s.span);
            out.push(
                Diagnostic::new(
                    &META,
                    span,
                    format!(
                        "stop job `{}` is in stage `{b}`, after `{}`'s stage `{a}`: if a stage in between fails it is never created",
                        pair.stop.name, pair.start.name
                    ),
                )
                .label("later stage")
                .job(pair.stop.name.clone())
                .help(format!("put it in stage `{a}`, or add `needs: [{}]`", pair.start.name)),
            );
        }
    }
}
