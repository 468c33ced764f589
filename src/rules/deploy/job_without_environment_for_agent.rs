//! KAS114: a job selects an agent whose `ci_access` entry for this project lists
//! `environments`, but the job has no `environment`, so GitLab gives it no context.

use super::agent::restricted_uses;
use super::with_environment_lists;
use crate::rules::prelude::*;

declare_rule!(
    JobWithoutEnvironmentForAgent,
    "KAS114",
    "job-without-environment-for-agent",
    Error,
    "a job without `environment` uses an agent restricted to environments", uses: [facts]
);

impl Rule for JobWithoutEnvironmentForAgent {
    fn check_job(&self, cx: &Context<'_>, job: &Job, f: &Facts<'_>, out: &mut Vec<Diagnostic>) {
        if super::agent::environment_name(f).is_some() || job.node.get("environment").is_some() {
            return;
        }
        for r in restricted_uses(cx.pipeline, cx.options, f) {
            let list = super::quoted_list(&r.patterns());
            let d = Diagnostic::new(
                &META,
                r.agent_use.span,
                format!(
                    "the job uses agent `{}`, which this project may use only in environments {list}, but the job has no `environment`",
                    r.agent_use.agent
                ),
            )
            .label("no such context in the job's KUBECONFIG")
            .job(job.name.clone())
            .help(format!(
                "give the job an `environment` matching {list}, or remove `environments` from the agent's `ci_access` entry for this project (`.gitlab/agents/{}/config.yaml`)",
                r.config.name
            ));
            out.push(with_environment_lists(d, &r));
        }
    }
}
