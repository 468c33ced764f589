//! KAS102: the variable a kube context is read from is not defined, and a defined name
//! is one typo away (`$AGENT_KUBECONTEXT` used, `AGENTKUBECONTEXT` defined).

use crate::rules::prelude::*;


declare_rule!(
    ContextVariableMisspelt,
    "KAS102",
    "kube-context-variable-misspelt",
    Warning,
    "the kube context is read from an undefined variable whose name is close to a defined one", uses: [facts]
);

impl Rule for ContextVariableMisspelt {
    fn check_job(&self, cx: &Context<'_>, job: &Job, f: &Facts<'_>, out: &mut Vec<Diagnostic>) {
        if !cx.pipeline.is_complete() {
            return;
        }
        for u in undefined_context_vars(f) {
            let Some((near, span)) = near_definition(f, &u.name) else {
                continue;
            };
            out.push(
                Diagnostic::new(
                    &META,
                    u.span,
                    format!("the kube context is read from `${}`, which is not defined; did you mean `{near}`?", u.name),
                )
                .label("not defined")
                .job(job.name.clone())
                .related(span, format!("`{near}` is defined here"))
                .help(format!(
                    "kubectl fails with `error: no context exists with the name: \"\"`; rename one of `{}` and `{near}`",
                    u.name
                ))
                .fix_opt(crate::fix::build::rename_variable(cx.pipeline, u.span, &u.name, &near)),
            );
        }
    }
}

/// An undefined variable a context is read from.
pub struct Undefined {
    pub name: String,
    pub span: crate::load::Span,
}

/// Variables in `use-context`, `--context`, `--kube-context` and `environment:kubernetes:agent`
/// that no file, script or GitLab defines.
pub fn undefined_context_vars(f: &Facts<'_>) -> Vec<Undefined> {
    if f.script.incomplete {
        return Vec::new();
    }
    let mut out: Vec<Undefined> = Vec::new();
    let mut push = |name: String, span| {
        if !f.vars.is_defined(&name) && !out.iter().any(|u| u.name == name && u.span == span) {
            out.push(Undefined { name, span });
        }
    };
    for w in f.selected_contexts() {
        for name in super::var_names(&w.text) {
            let span = f.var_span(&w, &name);
            push(name, span);
        }
    }
    if let Some(agent) = f.env_agent() {
        for name in super::var_names(agent.as_str().unwrap_or_default()) {
            push(name, agent.span);
        }
    }
    out
}

/// A defined name one typo away from `name`, and where it is defined.
pub fn near_definition(f: &Facts<'_>, name: &str) -> Option<(String, crate::load::Span)> {
    let norm = |s: &str| s.replace(['_', '-'], "").to_ascii_lowercase();
    let close = |c: &str| {
        if c == name || c.starts_with(name) || name.starts_with(c) {
            return false;
        }
        norm(c) == norm(name) || (name.len() >= 6 && strsim::damerau_levenshtein(c, name) <= 2)
    };
    let found = f.vars.names().find(|c| close(c))?.to_string();
    let span = f.vars.defs(&found).first()?.span;
    Some((found, span))
}
