//! KAS204: `image: ""` in a job that runs kubectl, helm or flux.

use crate::rules::prelude::*;


declare_rule!(
    ImageEmpty,
    "KAS204",
    "image-empty",
    Error,
    "a job that runs a cluster tool has an empty `image`", uses: [facts]
);

impl Rule for ImageEmpty {
    fn check_job(&self, _cx: &Context<'_>, job: &Job, f: &Facts<'_>, out: &mut Vec<Diagnostic>) {
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
