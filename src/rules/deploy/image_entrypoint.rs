//! KAS202: an image whose ENTRYPOINT is a program, used without `entrypoint: [""]`.

use super::{catalogued_image, deploy_rule};
use crate::report::diagnostic::Diagnostic;
use crate::rules::{Context, Rule};

deploy_rule!(
    ImageEntrypoint,
    "KAS202",
    "image-entrypoint-not-overridden",
    Error,
    "the image's entrypoint is a program and is not overridden with `entrypoint: [\"\"]`"
);

impl Rule for ImageEntrypoint {
    fn meta(&self) -> &'static crate::rules::RuleMeta {
        &META
    }

    fn check_job(&self, cx: &Context<'_>, job: &crate::model::Job, out: &mut Vec<Diagnostic>) {
        if job.hidden || job.node.get("script").is_none() {
            return;
        }
        let Some((image, info, r)) = catalogued_image(cx, job) else {
            return;
        };
        let (Some(program), Some(_)) = (info.entrypoint, info.shell) else {
            return;
        };
        if image.entrypoint.is_some() {
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
            )),
        );
    }
}
