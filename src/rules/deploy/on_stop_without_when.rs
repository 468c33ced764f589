//! KAS302: the stop job has no `when`, so it runs as soon as its stage is reached.

use super::on_stop::{each_stop_job, whens};
use crate::rules::prelude::*;

declare_rule!(
    OnStopWithoutWhen,
    "KAS302",
    "on-stop-job-without-when",
    Warning,
    "the stop job has no `when`, so it stops the environment right after deploying"
);

impl Rule for OnStopWithoutWhen {
    fn check_pipeline(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for pair in each_stop_job(cx.pipeline) {
            if !whens(pair.stop).is_empty() {
                continue;
            }
            out.push(
                Diagnostic::new(
                    &META,
                    pair.stop.key_span,
                    format!(
                        "stop job `{}` has no `when`: it runs automatically and stops the environment `{}` starts",
                        pair.stop.name, pair.start.name
                    ),
                )
                .label("no `when` here or in its `rules`")
                .job(pair.stop.name.clone())
                .related(pair.on_stop.span, "named as `on_stop` here")
                .help("add `when: manual` (with `rules`, in the matching rule, plus `allow_failure: true`)")
                .fix_opt(crate::fix::build::when_manual(cx.pipeline, pair.stop)),
            );
        }
    }
}
