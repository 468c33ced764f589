//! KAS106: on a Kubernetes runner, a job that uses the agent runs a cluster command with
//! no context selected, so kubectl talks to the runner's own cluster as the pod's
//! service account (client-go's in-cluster fallback), not through the agent.

use super::kubernetes_runner;
use super::selection::{command_text, unselected_jobs};
use crate::rules::prelude::*;

declare_rule!(
    ContextInClusterFallback,
    "KAS106",
    "kube-context-in-cluster-fallback",
    Warning,
    "on a Kubernetes runner, a cluster command with no context selected uses the pod's service account, not the agent", uses: [facts]
);

impl Rule for ContextInClusterFallback {
    fn check_pipeline(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for (f, u) in unselected_jobs(cx.pipeline, cx.facts(), |f| kubernetes_runner(cx.pipeline, f.job)) {
            let mut d = Diagnostic::new(
                &META,
                u.cmd.span,
                format!(
                    "`{}` runs with no kube context selected on a Kubernetes runner: it falls back to the runner pod's service account, not the agent",
                    command_text(u.cmd)
                ),
            )
            .label("no current context: in-cluster credentials of the runner's pod")
            .job(f.job.name.clone())
            .help(
                "select the agent's context first (`kubectl config use-context $AGENT_KUBECONTEXT`, or `--context`/`--kube-context` on each command): \
                 without it the agent's `ci_access`, environments and impersonation do not apply",
            );
            if let Some(v) = &u.context_var {
                d = d.related(v.span, format!("`{}` defined here, never selected", v.name));
            }
            out.push(d);
        }
    }
}
