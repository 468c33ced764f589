//! KAS101: a job reaches the cluster through the agent before selecting a kube context.

use super::{deploy_rule, kubernetes_runner, repo_agents, Facts};
use crate::analysis::{kube, Command};
use crate::diagnostic::Diagnostic;
use crate::rules::{Context, Rule};

deploy_rule!(
    ContextNotSelected,
    "KAS101",
    "kube-context-not-selected",
    Error,
    "a cluster command runs before a kube context is selected"
);

impl Rule for ContextNotSelected {
    fn meta(&self) -> &'static crate::rules::RuleMeta {
        &META
    }

    fn check_pipeline(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let p = cx.pipeline;
        let facts: Vec<&Facts<'_>> = cx.facts().visible().collect();
        // Another job selecting a context shows the pipeline uses the agent.
        let pipeline_uses_agent = !repo_agents(p).is_empty()
            || facts.iter().any(|f| {
                f.script
                    .commands
                    .iter()
                    .any(|c| kube::use_context(c).is_some())
                    && !f.own_kubeconfig()
            });
        for f in &facts {
            let Some(cmd) = unselected(f, pipeline_uses_agent) else {
                continue;
            };
            // In a Kubernetes runner's pod kubectl falls back to the pod's service account
            // when the KUBECONFIG selects no context.
            if !kubernetes_runner(p, f.job) {
                let tool = kube::tool(cmd).map_or("kubectl", |t| t.name());
                let sub = kube::positionals(cmd)
                    .first()
                    .map(|s| format!(" {s}"))
                    .unwrap_or_default();
                out.push(
                    Diagnostic::new(
                        &META,
                        cmd.span,
                        format!("`{tool}{sub}` runs before a kube context is selected"),
                    )
                    .label("no current context in the agent's KUBECONFIG")
                    .job(f.job.name.clone())
                    .help(
                        "the agent's KUBECONFIG has no current context: run `kubectl config use-context $AGENT_KUBECONTEXT` \
                         first (in `before_script`), or pass `--context` (helm: `--kube-context`) on each command",
                    ),
                );
            }
        }
    }
}

/// The first cluster command that runs with no context selected, when the job uses the agent.
fn unselected<'f>(f: &'f Facts<'_>, pipeline_uses_agent: bool) -> Option<&'f Command> {
    if f.script.incomplete {
        return None;
    }
    let cmds = &f.script.commands;
    let first = cmds
        .iter()
        .position(|c| kube::needs_cluster(c) && kube::context_flag(c).is_none())?;
    if f.own_kubeconfig() {
        return None;
    }
    let selects = |c: &Command| kube::use_context(c).is_some();
    if cmds[..first].iter().any(selects) {
        return None;
    }
    // A script file or `make` run before may select it; functions run in any order.
    let opaque = |c: &Command| {
        let inline = c
            .args()
            .iter()
            .any(|w| w.text.starts_with('-') && !w.text.starts_with("--") && w.text.contains('c'));
        c.program().is_some_and(|p| {
            p.ends_with(".sh")
                || matches!(
                    p,
                    "source" | "." | "make" | "task" | "just" | "ansible-playbook"
                )
                || (matches!(p, "bash" | "sh") && !inline)
        })
    };
    if cmds[..first].iter().any(opaque) || (f.script.defines_function && cmds.iter().any(selects)) {
        return None;
    }
    let evidence = pipeline_uses_agent
        || f.env_agent().is_some()
        || !f.selected_contexts().is_empty()
        || f.vars.names().any(|n| n.contains("KUBECONTEXT"))
        || cmds
            .iter()
            .flat_map(|c| &c.vars)
            .any(|v| v.name.contains("KUBECONTEXT"));
    evidence.then_some(&cmds[first])
}
