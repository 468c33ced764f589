//! Whether a job selects a kube context before its first cluster command, shared by
//! KAS101 (an error: the agent's KUBECONFIG has no current context) and KAS106 (a
//! warning on Kubernetes runners, where kubectl falls back to the pod's service account).

use super::agent::repo_agents;
use super::facts::{Facts, FactsTable};
use super::{kube, Command};
use crate::load::Span;
use crate::model::Pipeline;

/// The visible jobs that `keep` accepts (KAS101: not on a Kubernetes runner; KAS106: on
/// one) whose first cluster command runs with no context selected, in file order.
pub fn unselected_jobs<'c>(
    p: &Pipeline,
    table: &'c FactsTable<'c>,
    keep: impl Fn(&Facts<'_>) -> bool,
) -> Vec<(&'c Facts<'c>, Unselected<'c>)> {
    let facts: Vec<&Facts<'_>> = table.visible().collect();
    let uses_agent = pipeline_uses_agent(p, &facts);
    let agents = repo_agents(p);
    facts
        .into_iter()
        .filter(|f| keep(f))
        .filter_map(|f| unselected(f, uses_agent, &agents).map(|u| (f, u)))
        .collect()
}

/// A cluster command that runs before any context is selected, in a job using the agent.
pub struct Unselected<'f> {
    pub cmd: &'f Command,
    /// A variable the job defines that holds (or names) a context but is never selected.
    pub context_var: Option<ContextVar>,
}

/// A context variable the job defines.
pub struct ContextVar {
    pub name: String,
    pub span: Span,
}

/// Another job selecting a context, or the repository's agent configurations, show the
/// pipeline uses the agent.
fn pipeline_uses_agent(p: &Pipeline, facts: &[&Facts<'_>]) -> bool {
    !repo_agents(p).is_empty()
        || facts.iter().any(|f| {
            f.script
                .commands
                .iter()
                .any(|c| kube::use_context(c).is_some())
                && !f.own_kubeconfig()
        })
}

/// Auto DevOps' deploy image (or its `auto-deploy` script), the one program that reads
/// `KUBE_CONTEXT` and selects it.
fn auto_devops(f: &Facts<'_>) -> bool {
    f.image
        .as_ref()
        .is_some_and(|i| i.raw.contains("auto-deploy-image") || i.raw.contains("AUTO_DEPLOY_IMAGE"))
        || f.script
            .commands
            .iter()
            .any(|c| c.program() == Some("auto-deploy"))
}

/// The context variable the job defines, if any: `KUBE_CONTEXT`, a name holding
/// `KUBECONTEXT`, or a value shaped `<project path>:<agent>` that is provably an agent's
/// context (its name says context or agent, its agent is one of the repository's, or its
/// path is this project's).
fn context_var(f: &Facts<'_>, agents: &[String]) -> Option<ContextVar> {
    let names: Vec<&str> = f.vars.names().collect();
    names.into_iter().find_map(|name| {
        let def = f.vars.defs(name).first()?;
        // `HELM_KUBECONTEXT` is read by helm: a selection, not a stray variable.
        let by_name =
            name == "KUBE_CONTEXT" || (name.contains("KUBECONTEXT") && name != "HELM_KUBECONTEXT");
        let by_value = def.value.as_deref().is_some_and(|v| {
            let Some((path, agent)) = v.rsplit_once(':') else {
                return false;
            };
            let this_project =
                path.starts_with("$CI_PROJECT_PATH") || path.starts_with("${CI_PROJECT_PATH}");
            let proves = name.contains("CONTEXT")
                || name.contains("AGENT")
                || agents.iter().any(|a| a == agent)
                || this_project;
            (path.contains('/') || this_project) && proves && kube::shape_problem(v).is_none()
        });
        (by_name || by_value).then(|| ContextVar {
            name: name.to_string(),
            span: def.span,
        })
    })
}

/// The first cluster command that runs with no context selected, when the job uses the
/// agent. A defined context variable is evidence, not a selection (kubectl, helm and flux
/// do not read `KUBE_CONTEXT`), except for Auto DevOps' deploy image.
fn unselected<'f>(
    f: &'f Facts<'_>,
    pipeline_uses_agent: bool,
    agents: &[String],
) -> Option<Unselected<'f>> {
    if f.script.incomplete {
        return None;
    }
    let cmds = &f.script.commands;
    let first = cmds
        .iter()
        .position(|c| kube::needs_cluster(c) && kube::context_flag(c).is_none())?;
    let context_var = context_var(f, agents).filter(|_| !auto_devops(f));
    if f.own_kubeconfig_besides(context_var.as_ref().map(|v| v.name.as_str())) {
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
        || context_var.is_some()
        || f.vars.names().any(|n| n.contains("KUBECONTEXT"))
        || !f.selected_contexts().is_empty()
        || cmds
            .iter()
            .flat_map(|c| &c.vars)
            .any(|v| v.name.contains("KUBECONTEXT"));
    // A first command guarded with `|| fallback` does not fail the job: the first one
    // that does (before anything that may select a context) is the one to report.
    let failing = if cmds[first].or_next {
        cmds.iter()
            .enumerate()
            .skip(first + 1)
            .take_while(|(_, c)| !selects(c) && !opaque(c))
            .find(|(_, c)| kube::needs_cluster(c) && kube::context_flag(c).is_none() && !c.or_next)
            .map_or(first, |(i, _)| i)
    } else {
        first
    };
    evidence.then_some(Unselected {
        cmd: &cmds[failing],
        context_var,
    })
}

/// `` `kubectl apply` `` for a message.
pub fn command_text(cmd: &Command) -> String {
    let tool = kube::tool(cmd).map_or("kubectl", |t| t.name());
    let sub = kube::positionals(cmd)
        .first()
        .map(|s| format!(" {s}"))
        .unwrap_or_default();
    format!("{tool}{sub}")
}
