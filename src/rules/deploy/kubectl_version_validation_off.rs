//! KAS211: kubectl 1.27.0 or 1.27.1 with validation turned off on every command that validates.

use super::broken_kubectl;
use crate::analysis::kubectl::{broken_versions, validating_commands, validation_off};
use crate::rules::prelude::*;

declare_rule!(
    KubectlBrokenVersionValidationOff,
    "KAS211",
    "kubectl-broken-version-validation-off",
    Info,
    "kubectl 1.27.0 or 1.27.1 is used with `--validate=false` as a workaround", uses: [facts]
);

impl Rule for KubectlBrokenVersionValidationOff {
    fn check_job(&self, _cx: &Context<'_>, job: &Job, f: &Facts<'_>, out: &mut Vec<Diagnostic>) {
        if f.script.incomplete || !validation_off(f) {
            return;
        }
        let validates = validating_commands(f).next().is_some();
        let why = if validates {
            "only works through the agent because validation is off"
        } else {
            "fails validation through the agent; no command of this job validates manifests yet"
        };
        for found in broken_versions(f) {
            out.push(
                broken_kubectl(&META, job, &found, why)
                    .help("move to another kubectl version and drop `--validate=false`, so manifests are validated again"),
            );
        }
    }
}
