//! KAS106: on a Kubernetes runner, a job that uses the agent runs a cluster command with
//! no context selected, so kubectl talks to the runner's own cluster as the pod's
//! service account (client-go's in-cluster fallback), not through the agent.

use super::selection::{command_text, pipeline_uses_agent, unselected};
use super::{kubernetes_runner, repo_agents, Facts};
use crate::diagnostic::Diagnostic;
use crate::rules::{Context, Rule};

crate::rules::declare_rule!(
    ContextInClusterFallback,
    "KAS106",
    "kube-context-in-cluster-fallback",
    Warning,
    "on a Kubernetes runner, a cluster command with no context selected uses the pod's service account, not the agent", uses: [facts]
);

impl Rule for ContextInClusterFallback {
    fn check_pipeline(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let p = cx.pipeline;
        let facts: Vec<&Facts<'_>> = cx.facts().visible().collect();
        let uses_agent = pipeline_uses_agent(p, &facts);
        let agents = repo_agents(p);
        for f in facts.iter().filter(|f| kubernetes_runner(p, f.job)) {
            let Some(u) = unselected(f, uses_agent, &agents) else {
                continue;
            };
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
