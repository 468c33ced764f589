//! KAS306: start and stop jobs are not in the same `resource_group`.

use crate::rules::prelude::*;


declare_rule!(
    OnStopResourceGroup,
    "KAS306",
    "on-stop-resource-group-differs",
    Info,
    "the stop job is not in its start job's `resource_group`"
);

impl Rule for OnStopResourceGroup {
    fn check_pipeline(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for pair in cx.pipeline.on_stop_pairs() {
            let Some(group) = pair.start.node.get("resource_group") else {
                continue;
            };
            let stop_group = pair.stop.node.get("resource_group");
            if stop_group.and_then(|g| g.scalar_text()) == group.scalar_text() {
                continue;
            }
            let span = stop_group.map_or(pair.stop.key_span, |g| g.span);
            out.push(
                Diagnostic::new(
                    &META,
                    span,
                    format!(
                        "stop job `{}` is not in `{}`'s resource group `{}`",
                        pair.stop.name,
                        pair.start.name,
                        group.scalar_text().unwrap_or_default()
                    ),
                )
                .label("different resource group")
                .job(pair.stop.name.clone())
                .related(group.span, "the start job's resource group")
                .help("put both jobs in the same `resource_group` so a stop cannot run while a deployment is in progress"),
            );
        }
    }
}
