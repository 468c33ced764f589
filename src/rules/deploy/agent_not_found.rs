//! KAS110: a context names an agent of this repository's project that has no
//! configuration folder here.

use super::agent::{agent_uses, repo_agent, ConfigProject};
use super::repo_agents;
use crate::rules::prelude::*;

declare_rule!(
    AgentNotFound,
    "KAS110",
    "agent-not-found",
    Error,
    "a kube context names an agent this project does not configure", uses: [facts]
);

impl Rule for AgentNotFound {
    fn check_job(&self, cx: &Context<'_>, job: &Job, f: &Facts<'_>, out: &mut Vec<Diagnostic>) {
        let p = cx.pipeline;
        // Only a repository that keeps its agents' configurations shows which exist.
        if p.agents.is_empty() {
            return;
        }
        for u in agent_uses(f, cx.options, true) {
            if u.project != ConfigProject::This || repo_agent(p, &u.agent).is_some() {
                continue;
            }
            let known = cx
                .options
                .contexts
                .iter()
                .any(|c| match &cx.options.project {
                    Some(project) => c.eq_ignore_ascii_case(&format!("{project}:{}", u.agent)),
                    None => c.rsplit_once(':').is_some_and(|(_, a)| a == u.agent),
                });
            if known {
                continue;
            }
            let agents = repo_agents(p);
            let list = super::quoted_list(&agents);
            let what = if u.from_environment {
                "`environment:kubernetes:agent`"
            } else {
                "the context"
            };
            let mut help = format!(
                "this repository configures the agents {list} (`.gitlab/agents/<name>/config.yaml`)"
            );
            if let Some(s) = crate::model::suggest(&u.agent, agents.iter().map(String::as_str)) {
                help = format!("did you mean `{s}`? {help}");
            }
            help.push_str(
                "; if the agent is registered without a configuration file, list its context under `contexts` in kaslint.toml",
            );
            out.push(
                Diagnostic::new(
                    &META,
                    u.span,
                    format!(
                        "{what} `{}` names agent `{}` of this project, which has no folder in `.gitlab/agents/`",
                        u.shown, u.agent
                    ),
                )
                .label("agent not found")
                .job(job.name.clone())
                .help(help),
            );
        }
    }
}
