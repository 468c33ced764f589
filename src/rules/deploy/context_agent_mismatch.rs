//! KAS105: the context a job selects differs from its `environment:kubernetes:agent`.

use crate::rules::prelude::*;


declare_rule!(
    ContextAgentMismatch,
    "KAS105",
    "kube-context-agent-mismatch",
    Warning,
    "the selected kube context differs from `environment:kubernetes:agent`", uses: [facts]
);

impl Rule for ContextAgentMismatch {
    fn check_job(&self, _cx: &Context<'_>, job: &Job, f: &Facts<'_>, out: &mut Vec<Diagnostic>) {
        let Some(agent) = f.env_agent() else { return };
        let Some(env) = agent.as_str().and_then(|a| f.vars.expand(a)) else {
            return;
        };
        let selected = f.selected_contexts();
        let mut values = Vec::new();
        for w in &selected {
            match f.vars.expand(&w.text) {
                Some(v) => values.push((v, w)),
                None => return,
            }
        }
        if values.is_empty() || values.iter().any(|(v, _)| *v == env) {
            return;
        }
        let (value, word) = &values[0];
        out.push(
            Diagnostic::new(
                &META,
                word.span,
                format!("the job selects context `{value}`, but its `environment:kubernetes:agent` is `{env}`"),
            )
            .label("selected here")
            .job(job.name.clone())
            .related(agent.span, "the environment's agent")
            .help("deploy with the agent the environment shows, or change `environment:kubernetes:agent`"),
        );
    }
}
