//! KAS104: a literal kube context does not have GitLab's `<project full path>:<agent name>` shape.

use std::sync::LazyLock;

use regex::Regex;

use super::{deploy_rule, Facts};
use crate::analysis::Word;
use crate::diagnostic::Diagnostic;
use crate::load::Span;
use crate::rules::Context;

deploy_rule!(
    job ContextInvalid,
    "KAS104",
    "kube-context-invalid",
    Error,
    "an agent kube context is not `<project full path>:<agent name>`"
);

static AGENT_NAME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$").expect("valid regex"));
static PATH_SEGMENT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[a-zA-Z0-9_.][a-zA-Z0-9_.-]*$").expect("valid regex"));

impl ContextInvalid {
    fn check_facts(
        &self,
        _cx: &Context<'_>,
        job: &crate::model::Job,
        f: &super::Facts<'_>,
        out: &mut Vec<Diagnostic>,
    ) {
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

/// What is wrong with a context's shape; parts holding variables are not checked.
pub fn shape_problem(ctx: &str) -> Option<String> {
    if ctx.is_empty() || ctx.trim() != ctx {
        return Some("it is empty or has surrounding spaces".into());
    }
    let Some((path, agent)) = ctx.rsplit_once(':') else {
        if ctx.contains('$') {
            return None;
        }
        return Some("it has no `:` between the project path and the agent name".into());
    };
    if !agent.contains('$') && (agent.len() > 63 || !AGENT_NAME.is_match(agent)) {
        return Some(format!(
            "`{agent}` is not a valid agent name (lowercase letters, digits and `-`, at most 63 characters)"
        ));
    }
    if path.contains('$') {
        return None;
    }
    let segments: Vec<&str> = path.split('/').collect();
    if segments.len() < 2 {
        return Some(format!(
            "`{path}` is not a project's full path (`group/project`)"
        ));
    }
    if segments.len() > 21 {
        return Some(format!("`{path}` has more than 20 ancestor groups"));
    }
    for s in segments {
        if s.len() > 255 || !PATH_SEGMENT.is_match(s) || s.ends_with(".git") || s.ends_with(".atom")
        {
            return Some(format!(
                "`{s}` is not a valid group or project path segment"
            ));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::shape_problem;

    #[test]
    fn shapes() {
        assert!(shape_problem("my-group/optional-subgroup/my-repository:testing").is_none());
        assert!(shape_problem("$CI_PROJECT_PATH:prod-agent").is_none());
        assert!(shape_problem("$CI_PROJECT_PATH:Prod_Agent").is_some());
        assert!(shape_problem("my-group/my-project/testing").is_some());
        assert!(shape_problem("project:agent").is_some());
        assert!(shape_problem("$AGENT").is_none());
    }
}
