//! KAS104: a literal kube context does not have GitLab's `<project full path>:<agent name>` shape.

use crate::analysis::kube::shape_problem;
use crate::analysis::Word;
use crate::load::Span;
use crate::rules::prelude::*;

declare_rule!(
    ContextInvalid,
    "KAS104",
    "kube-context-invalid",
    Error,
    "an agent kube context is not `<project full path>:<agent name>`", uses: [facts]
);

impl Rule for ContextInvalid {
    fn check_job(&self, _cx: &Context<'_>, job: &Job, f: &Facts<'_>, out: &mut Vec<Diagnostic>) {
        let mut seen: Vec<Span> = Vec::new();
        let mut report = |span: Span, value: &str, problem: String, what: &str| {
            if seen.contains(&span) {
                return;
            }
            seen.push(span);
            out.push(
                Diagnostic::new(&META, span, format!("{what} `{value}` is not an agent context: {problem}"))
                    .label("not `<project full path>:<agent name>`")
                    .job(job.name.clone())
                    .help("an agent's context is its configuration project's full path and the agent's name, e.g. `my-group/my-project:my-agent`"),
            );
        };
        if let Some(agent) = f.env_agent() {
            let text = agent.as_str().unwrap_or_default();
            let (value, span) = resolve(f, text, agent.span, None);
            if let Some(problem) = shape_problem(&value) {
                report(span, &value, problem, "`environment:kubernetes:agent`");
            }
        }
        if f.own_kubeconfig() {
            return;
        }
        for w in f.selected_contexts() {
            let named_agent = super::var_names(&w.text)
                .iter()
                .any(|n| n.contains("AGENT") || n.contains("KUBECONTEXT"));
            let (value, span) = resolve(f, &w.text, w.span, Some(&w));
            let agent_like = value.matches(':').count() == 1
                && value.split(':').next().is_some_and(|p| p.contains('/'))
                && !value.contains("://");
            if !(named_agent || agent_like || f.env_agent().is_some()) {
                continue;
            }
            if let Some(problem) = shape_problem(&value) {
                report(span, &value, problem, "the context");
            }
        }
    }
}

/// The context's text with what can be expanded expanded, and where it was written (a
/// variable's definition when the context is exactly one variable).
fn resolve(f: &Facts<'_>, text: &str, span: Span, word: Option<&Word>) -> (String, Span) {
    let Some(value) = f.vars.expand(text) else {
        return (text.to_string(), span);
    };
    let names = super::var_names(text);
    let whole_var = names.len() == 1 && {
        let t = text.trim_matches(['{', '}', '$', '"']);
        t == names[0]
    };
    if whole_var {
        if let [def] = f.vars.defs(&names[0]) {
            return (value, def.span);
        }
    }
    let _ = word;
    (value, span)
}
