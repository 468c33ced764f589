//! KAS210: kubectl 1.27.0 or 1.27.1 (HTTP 426 on validation through the agent).

use super::broken_kubectl;
use crate::analysis::kubectl::{broken_versions, validation_off};
use crate::rules::prelude::*;

declare_rule!(
    KubectlBrokenVersion,
    "KAS210",
    "kubectl-broken-version",
    Error,
    "kubectl 1.27.0 or 1.27.1 fails validation through the agent (HTTP 426)", uses: [facts]
);

impl Rule for KubectlBrokenVersion {
    fn check_job(&self, cx: &Context<'_>, job: &Job, f: &Facts<'_>, out: &mut Vec<Diagnostic>) {
        if f.script.incomplete || validation_off(f) {
            return;
        }
        for found in broken_versions(f) {
            out.push(
                broken_kubectl(&META, job, &found, "fails manifest validation through the agent with HTTP 426")
                    .help("use another kubectl version (kubernetes/kubernetes#117463); as a workaround pass `--validate=false` to `apply`, `create` and `replace`")
                    .fix_opt(crate::fix::build::kubectl_version(cx.pipeline, found.span, &found.version, found.source == "a download URL")),
            );
        }
    }
}
