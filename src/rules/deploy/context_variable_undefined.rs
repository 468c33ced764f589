//! KAS103: the variable a kube context is read from is defined nowhere the files show.

use super::context_variable_misspelt::{near_definition, undefined_context_vars};
use crate::rules::prelude::*;

declare_rule!(
    ContextVariableUndefined,
    "KAS103",
    "kube-context-variable-undefined",
    Info,
    "the kube context is read from a variable the pipeline's files do not define", uses: [facts]
);

impl Rule for ContextVariableUndefined {
    fn check_job(&self, cx: &Context<'_>, job: &Job, f: &Facts<'_>, out: &mut Vec<Diagnostic>) {
        if !cx.pipeline.is_complete() {
            return;
        }
        if f.vars.open {
            return;
        }
        // One finding per variable and job: its first use.
        let mut seen = std::collections::HashSet::new();
        for u in undefined_context_vars(f) {
            if near_definition(f, &u.name).is_some() || !seen.insert(u.name.clone()) {
                continue;
            }
            out.push(
                Diagnostic::new(
                    &META,
                    u.span,
                    format!("the kube context is read from `${}`, which the pipeline's files do not define", u.name),
                )
                .label("not defined in the files")
                .job(job.name.clone())
                .help("if it is set in the project's or group's CI/CD settings, declare it as a settings variable in kaslint's configuration; otherwise define it under `variables:`"),
            );
        }
    }
}
