//! KAS101: a job reaches the cluster through the agent before selecting a kube context.

use super::kubernetes_runner;
use super::selection::{command_text, unselected_jobs};
use crate::rules::prelude::*;

declare_rule!(
    ContextNotSelected,
    "KAS101",
    "kube-context-not-selected",
    Error,
    "a cluster command runs before a kube context is selected", uses: [facts]
);

impl Rule for ContextNotSelected {
    fn check_pipeline(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        // On a Kubernetes runner kubectl falls back to the pod's service account instead
        // of failing: KAS106.
        for (f, u) in unselected_jobs(cx.pipeline, cx.facts(), |f| !kubernetes_runner(cx.pipeline, f.job)) {
            let what = command_text(u.cmd);
            let mut d = match &u.context_var {
                Some(v) => Diagnostic::new(
                    &META,
                    u.cmd.span,
                    format!("`{what}` runs before a kube context is selected: `{}` is set, but kubectl, helm and flux do not read it", v.name),
                )
                .label("no current context in the agent's KUBECONFIG")
                .related(v.span, format!("`{}` defined here, never selected", v.name))
                .help(format!(
                    "{}: run `kubectl config use-context \"${1}\"` first (in `before_script`), or pass `--context \"${1}\"` (helm: `--kube-context`)",
                    if v.name == "KUBE_CONTEXT" {
                        "only Auto DevOps' deploy image reads `KUBE_CONTEXT`"
                    } else {
                        "defining a variable does not select a context"
                    },
                    v.name
                )),
                None => Diagnostic::new(
                    &META,
                    u.cmd.span,
                    format!("`{what}` runs before a kube context is selected"),
                )
                .label("no current context in the agent's KUBECONFIG")
                .help(
                    "the agent's KUBECONFIG has no current context: run `kubectl config use-context $AGENT_KUBECONTEXT` \
                     first (in `before_script`), or pass `--context` (helm: `--kube-context`) on each command",
                ),
            };
            // `cmd || fallback`: the job goes on and takes the fallback every time; a real
            // bug, but not a failed job.
            if u.cmd.or_next {
                d.severity = crate::diagnostic::Severity::Warning;
                d = d.label(
                    "no current context in the agent's KUBECONFIG; the `||` after it hides the failure",
                );
            }
            d = d.job(f.job.name.clone());
            out.push(d);
        }
    }
}
