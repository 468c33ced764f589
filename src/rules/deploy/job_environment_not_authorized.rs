//! KAS113: a job's environment matches none of the `environments` its agent's
//! `ci_access` entry for this project lists, so GitLab gives it no context.

use super::agent::{environment_matches, restricted_uses};
use super::with_environment_lists;
use crate::rules::prelude::*;

declare_rule!(
    JobEnvironmentNotAuthorized,
    "KAS113",
    "job-environment-not-authorized",
    Error,
    "a job's environment is not one its agent's `ci_access` allows", uses: [facts]
);

impl Rule for JobEnvironmentNotAuthorized {
    fn check_job(&self, cx: &Context<'_>, job: &Job, f: &Facts<'_>, out: &mut Vec<Diagnostic>) {
        let Some(env) = super::agent::environment_name(f) else {
            return;
        };
        // Names holding variables the files do not give a value are not decided.
        let Some(name) = env.scalar_text().and_then(|t| f.vars.expand(&t)) else {
            return;
        };
        for r in restricted_uses(cx.pipeline, cx.options, f) {
            let pats = r.patterns();
            if pats
                .iter()
                .any(|p| environment_matches(p, &name) != Some(false))
            {
                continue;
            }
            let list = super::quoted_list(&pats);
            let d = Diagnostic::new(
                &META,
                env.span,
                format!(
                    "environment `{name}` is not one of {list}, the environments in which this project may use agent `{}`",
                    r.agent_use.agent
                ),
            )
            .label("GitLab gives this job no context for the agent")
            .job(job.name.clone())
            .related(r.agent_use.span, "the agent is used here")
            .help(format!(
                "deploy to an environment matching {list} (`*` is a wildcard), or add this one to the agent's `ci_access` entry for this project (`.gitlab/agents/{}/config.yaml`)",
                r.config.name
            ));
            out.push(with_environment_lists(d, &r));
        }
    }
}
