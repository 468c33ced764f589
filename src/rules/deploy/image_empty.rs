//! KAS204: `image: ""` in a job that runs kubectl, helm or flux.

use super::deploy_rule;
use crate::report::diagnostic::Diagnostic;
use crate::rules::{Context, Rule};

deploy_rule!(
    ImageEmpty,
    "KAS204",
    "image-empty",
    Error,
    "a job that runs a cluster tool has an empty `image`"
);

impl Rule for ImageEmpty {
    fn meta(&self) -> &'static crate::rules::RuleMeta {
        &META
    }

    fn check_job(&self, cx: &Context<'_>, job: &crate::model::Job, out: &mut Vec<Diagnostic>) {
        if job.hidden {
            return;
        }
        let Some(f) = cx.facts().of(job) else {
            return;
        };
        let Some(image) = f.image.as_ref() else {
            return;
        };
        if !image.raw.trim().is_empty() || !f.uses_cluster_tool() {
            return;
        }
        out.push(
            Diagnostic::new(&META, image.node.span, "the image is empty, but the job runs a cluster tool")
                .label("no image")
                .job(job.name.clone())
                .help("name an image that has kubectl and a shell, e.g. `image: alpine/k8s:1.33.4` (root, bash, kubectl and helm)"),
        );
    }
}
