//! KAS212: a kubectl image tagged `1.27` floats and may resolve to a broken patch.

use super::deploy_rule;
use super::kubectl_version::kubectl_versions;
use crate::report::diagnostic::Diagnostic;
use crate::rules::{Context, Rule};

deploy_rule!(
    KubectlVersionFloating,
    "KAS212",
    "kubectl-version-floating",
    Info,
    "a kubectl image tag names only `1.27`, which may resolve to a broken patch"
);

impl Rule for KubectlVersionFloating {
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
