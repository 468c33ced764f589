//! KAS307: the stop job selects another kube context than its start job.

use crate::analysis::Word;
use crate::rules::prelude::*;

declare_rule!(
    OnStopContextDiffers,
    "KAS307",
    "on-stop-context-differs",
    Warning,
    "the stop job selects another kube context than its start job", uses: [facts]
);

/// Every context a job selects, expanded; `None` when one cannot be expanded.
fn contexts(f: &Facts<'_>) -> Option<Vec<(String, Word)>> {
    let mut out = Vec::new();
    for w in f.selected_contexts() {
        out.push((f.vars.expand(&w.text)?, w));
    }
    Some(out)
}

impl Rule for OnStopContextDiffers {
    fn check_pipeline(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for pair in cx.pipeline.on_stop_pairs() {
            let Some(start) = cx.facts().of(pair.start) else {
                continue;
            };
            let Some(stop) = cx.facts().of(pair.stop) else {
                continue;
            };
            let (Some(a), Some(b)) = (contexts(start), contexts(stop)) else {
                continue;
            };
            let (Some((first_a, word_a)), Some((value_b, word_b))) = (a.first(), b.first()) else {
                continue;
            };
            if b.iter().any(|(v, _)| a.iter().any(|(u, _)| u == v)) {
                continue;
            }
            out.push(
                Diagnostic::new(
                    &META,
                    word_b.span,
                    format!(
                        "stop job `{}` selects context `{value_b}`, but `{}` deploys with `{first_a}`",
                        pair.stop.name, pair.start.name
                    ),
                )
                .label("another context")
                .job(pair.stop.name.clone())
                .related(word_a.span, "the start job's context")
                .help("stop the environment through the agent that deployed it"),
            );
        }
    }
}
