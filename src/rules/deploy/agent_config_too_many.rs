//! KAS112: an agent configuration authorises more than 500 projects or groups; GitLab
//! silently ignores the rest.

use crate::analysis::agent_config::repo_ci_access;
use crate::rules::prelude::*;

declare_rule!(
    AgentConfigTooMany,
    "KAS112",
    "agent-config-too-many",
    Warning,
    "an agent's `ci_access` lists more than 500 projects or groups"
);

/// GitLab reads at most this many `ci_access` projects, and as many groups.
pub const MAX_ENTRIES: usize = 500;

impl Rule for AgentConfigTooMany {
    fn check_pipeline(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for (agent, ci_access) in repo_ci_access(cx.pipeline) {
            for key in ["projects", "groups"] {
                let Some(items) = ci_access.get(key).and_then(|v| v.as_seq()) else {
                    continue;
                };
                if items.len() <= MAX_ENTRIES {
                    continue;
                }
                let ignored = items.len() - MAX_ENTRIES;
                out.push(
                    Diagnostic::new(
                        &META,
                        items[MAX_ENTRIES].span,
                        format!(
                            "agent `{}` lists {} {key} in `ci_access.{key}`: GitLab reads the first {MAX_ENTRIES} and silently ignores the other {ignored}",
                            agent.name,
                            items.len()
                        ),
                    )
                    .label(format!("the {}st entry and the ones after it are ignored", MAX_ENTRIES + 1))
                    .help(if key == "projects" {
                        "authorise a group holding the projects (`ci_access.groups`) instead of each project, or split them across agents"
                    } else {
                        "authorise a common parent group instead, or split the groups across agents"
                    }),
                );
            }
        }
    }
}
