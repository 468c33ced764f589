//! KAS408: `ci_access` for a group or the instance lets every job act as the agent itself.

use crate::load::{NodeRef, Span};
use crate::analysis::agent_config::repo_ci_access;
use crate::rules::prelude::*;

declare_rule!(
    AgentAccessAsAgent,
    "KAS408",
    "agent-access-as-agent",
    Warning,
    "`ci_access` for a group or the instance lets every job act with the agent's own service account"
);

/// The entry keeps the default `access_as: {agent: {}}`.
fn acts_as_agent(entry: &NodeRef) -> bool {
    match entry.get("access_as").filter(|a| !a.is_null()) {
        None => true,
        Some(a) => a.get("agent").is_some(),
    }
}

impl Rule for AgentAccessAsAgent {
    fn check_pipeline(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for (agent, ci_access) in repo_ci_access(cx.pipeline) {
            let mut found: Vec<(Span, String)> = Vec::new();
            // One finding per agent for its groups, at the first.
            let groups: Vec<&NodeRef> = ci_access
                .get("groups")
                .and_then(|g| g.as_seq())
                .unwrap_or_default()
                .iter()
                .filter(|g| g.as_map().is_some() && acts_as_agent(g))
                .collect();
            if let Some(first) = groups.first() {
                let id = first.get("id").and_then(|i| i.scalar_text());
                let span = first.get("id").map_or(first.span, |i| i.span);
                let mut who = match id {
                    Some(id) => format!("every project in group `{id}`"),
                    None => "every project in the group".to_string(),
                };
                if groups.len() > 1 {
                    who += &format!(" (and in {} more groups)", groups.len() - 1);
                }
                found.push((span, who));
            }
            let instance = ci_access.as_map().and_then(|m| m.entry("instance"));
            if let Some(e) = instance.filter(|e| e.value.as_map().is_some()) {
                if acts_as_agent(&e.value) {
                    found.push((e.key_span, "every project of the instance".to_string()));
                }
            }
            for (span, who) in found {
                out.push(
                    Diagnostic::new(
                        &META,
                        span,
                        format!("agent `{}` authorises {who} with the default `access_as` (`agent`): their jobs act with the agent's own service account", agent.name),
                    )
                    .label("no `access_as`: the agent's own rights")
                    .help("add `access_as: {ci_job: {}}` and bind RBAC to the groups the jobs carry: `gitlab:ci_job` for every authorised job, or narrower `gitlab:group:<group id>` / `gitlab:project_env_tier:<project id>:production` (`kaslint generate rbac --project-id <id> --tier production` writes the Role and binding)"),
                );
            }
        }
    }
}
