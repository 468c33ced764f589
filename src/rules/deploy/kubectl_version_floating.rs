//! KAS212: a kubectl image tagged `1.27` floats and may resolve to a broken patch.

use crate::analysis::kubectl::kubectl_versions;
use crate::rules::prelude::*;

declare_rule!(
    KubectlVersionFloating,
    "KAS212",
    "kubectl-version-floating",
    Info,
    "a kubectl image tag names only `1.27`, which may resolve to a broken patch", uses: [facts]
);

impl Rule for KubectlVersionFloating {
    fn check_job(&self, _cx: &Context<'_>, job: &Job, f: &Facts<'_>, out: &mut Vec<Diagnostic>) {
        for found in kubectl_versions(f)
            .into_iter()
            .filter(|v| v.floating && v.version == "1.27")
        {
            out.push(
                Diagnostic::new(
                    &META,
                    found.span,
                    "kubectl `1.27` floats: an image built at 1.27.0 or 1.27.1 fails validation through the agent",
                )
                .label("floating minor version")
                .job(job.name.clone())
                .help("pin the patch version (1.27.2 or later)"),
            );
        }
    }
}
