//! KAS205: a job that runs a cluster tool names no image (the runner's default is unknown).

use crate::analysis::kube;
use crate::rules::prelude::*;

declare_rule!(
    ImageMissing,
    "KAS205",
    "image-not-set",
    Info,
    "a job that runs a cluster tool names no image", uses: [facts]
);

impl Rule for ImageMissing {
    fn check_job(&self, cx: &Context<'_>, job: &Job, f: &Facts<'_>, out: &mut Vec<Diagnostic>) {
        let p = cx.pipeline;
        if !p.is_complete() || p.job_value(job, "image").is_some() {
            return;
        }
        let Some(cmd) = f.script.commands.iter().find(|c| kube::tool(c).is_some()) else {
            return;
        };
        let tool = kube::tool(cmd).map_or("kubectl", |t| t.name());
        out.push(
            Diagnostic::new(
                &META,
                job.key_span,
                format!("job `{}` runs `{tool}` but names no image: it runs in the runner's default image", job.name),
            )
            .label("no `image`")
            .job(job.name.clone())
            .related(cmd.span, format!("`{tool}` runs here"))
            .help("name an image that has the tool, so the job does not depend on the runner's configuration"),
        );
    }
}
