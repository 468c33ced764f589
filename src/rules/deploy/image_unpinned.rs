//! KAS206: a cluster-tool image with `latest` or no tag.

use crate::rules::prelude::*;

declare_rule!(
    ImageUnpinned,
    "KAS206",
    "cluster-tool-image-unpinned",
    Info,
    "a cluster-tool image has `latest` or no tag", uses: [facts]
);

impl Rule for ImageUnpinned {
    fn check_job(&self, _cx: &Context<'_>, job: &Job, f: &Facts<'_>, out: &mut Vec<Diagnostic>) {
        let Some((image, info, r)) = f.catalogued_image() else {
            return;
        };
        if !info.cluster_tool || r.digest.is_some() {
            return;
        }
        let tag = r.tag.as_deref().unwrap_or("latest");
        if tag != "latest" {
            return;
        }
        out.push(
            Diagnostic::new(
                &META,
                image.node.span,
                format!("`{}` is not pinned: `{tag}` changes the tool's version under the pipeline", r.repo),
            )
            .label("unpinned")
            .job(job.name.clone())
            .help("pin a version tag (or a digest) so a new release cannot break deployments, e.g. kubectl 1.27.0/1.27.1 fail through the agent"),
        );
    }
}
