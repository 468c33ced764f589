//! KAS202: an image whose ENTRYPOINT is a program, used without `entrypoint: [""]`.
//!
//! Only the Docker executors run the image's ENTRYPOINT; the Kubernetes executor replaces it
//! with its shell unless `FF_KUBERNETES_HONOR_ENTRYPOINT` is on. The YAML cannot name the
//! executor, so this is a warning, silent when the job's tags name a Kubernetes runner.

use super::kubernetes_runner;
use crate::rules::prelude::*;

declare_rule!(
    ImageEntrypoint,
    "KAS202",
    "image-entrypoint-not-overridden",
    Warning,
    "the image's entrypoint is a program and is not overridden with `entrypoint: [\"\"]`", uses: [facts]
);

impl Rule for ImageEntrypoint {
    fn check_job(&self, cx: &Context<'_>, job: &Job, f: &Facts<'_>, out: &mut Vec<Diagnostic>) {
        if job.script().is_none() {
            return;
        }
        let Some((image, info, r)) = f.catalogued_image() else {
            return;
        };
        let (Some(program), Some(_)) = (info.entrypoint, info.shell) else {
            return;
        };
        if image.entrypoint.is_some() || on_kubernetes_runner(cx, job) {
            return;
        }
        out.push(
            Diagnostic::new(
                &META,
                image.node.span,
                format!("`{}` has the entrypoint `{program}`: the job's shell script is passed to it as arguments", r.repo),
            )
            .label("needs `entrypoint: [\"\"]`")
            .job(job.name.clone())
            .help(format!(
                "write `image: {{name: \"{}\", entrypoint: [\"\"]}}` so GitLab Runner starts the shell itself",
                image.raw
            ))
            .fix_opt(crate::fix::build::image_entrypoint(cx.pipeline, job)),
        );
    }
}

/// The job is tagged for a Kubernetes runner and does not turn on
/// `FF_KUBERNETES_HONOR_ENTRYPOINT`: that executor starts the shell itself.
fn on_kubernetes_runner(cx: &Context<'_>, job: &Job) -> bool {
    let honours = cx.facts().of(job).is_some_and(|f| {
        f.vars
            .value("FF_KUBERNETES_HONOR_ENTRYPOINT")
            .is_some_and(|v| matches!(v.to_ascii_lowercase().as_str(), "true" | "1"))
    });
    kubernetes_runner(cx.pipeline, job) && !honours
}
