//! KAS201: a job with `script` runs in an image that has no shell.

use crate::rules::prelude::*;

declare_rule!(
    ImageNoShell,
    "KAS201",
    "image-without-shell",
    Error,
    "the job's image has no shell to run `script` in", uses: [facts]
);

impl Rule for ImageNoShell {
    fn check_job(&self, _cx: &Context<'_>, job: &Job, f: &Facts<'_>, out: &mut Vec<Diagnostic>) {
        if job.script().is_none() {
            return;
        }
        let Some((image, info, r)) = f.catalogued_image() else {
            return;
        };
        if info.shell.is_some() {
            return;
        }
        out.push(
            Diagnostic::new(
                &META,
                image.node.span,
                format!("`{}` has no shell: GitLab Runner cannot run `script` in it", r.repo),
            )
            .label("distroless or scratch image")
            .job(job.name.clone())
            .help("the job fails with `exec: \"/bin/sh\": stat /bin/sh: no such file or directory`; use an image with a shell, e.g. `alpine/k8s:1.33.4`"),
        );
    }
}
