//! KAS403: a value someone outside the project chooses is parsed as shell code.

use std::collections::HashSet;

use crate::analysis::taint::{self, Controlled};
use crate::load::Span;
use crate::rules::prelude::*;

declare_rule!(
    ScriptInjection,
    "KAS403",
    "script-injection",
    Warning,
    "a value an attacker chooses (branch name, commit message, MR title) is parsed as code", uses: [facts]
);

/// `` `$V` `` or `` `$V` (from `$CI_COMMIT_BRANCH`) ``, and who chooses it.
pub fn described(name: &str, origin: &Controlled) -> String {
    if name == origin.name {
        format!("`${name}` (chosen by {})", origin.by)
    } else {
        format!(
            "`${name}`, which holds `${}` (chosen by {}),",
            origin.name, origin.by
        )
    }
}

/// The variable's own text inside `span` when `span` is a whole word (`'$A $B'`).
fn narrowed(cx: &Context<'_>, span: Span, name: &str) -> Span {
    let text = &cx.pipeline.sources.get(span.file).text;
    let Some(slice) = text.get(span.range()) else {
        return span;
    };
    if slice.starts_with('$') {
        return span;
    }
    let at = |needle: &str| slice.find(needle).map(|i| (i, needle.len()));
    match at(&format!("${{{name}}}")).or_else(|| at(&format!("${name}"))) {
        Some((i, len)) => {
            let start = span.start as usize + i;
            Span::new(span.file, start, start + len)
        }
        None => span,
    }
}

impl Rule for ScriptInjection {
    fn check_job(&self, cx: &Context<'_>, job: &Job, f: &Facts<'_>, out: &mut Vec<Diagnostic>) {
        let mut found = reparsed_values(cx, job, f);
        found.extend(expand_vars(cx, job, f));
        // One finding a place (a value parsed again by two commands, one text twice).
        let mut seen = HashSet::new();
        out.extend(found.into_iter().filter(|d| seen.insert(d.primary)));
    }
}

/// Values someone outside the project chooses that a command parses again as code.
fn reparsed_values(cx: &Context<'_>, job: &Job, f: &Facts<'_>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for r in taint::reparsed(&f.script) {
        let Some(origin) = taint::origin(&f.vars, &r.var.name) else {
            continue;
        };
        let span = narrowed(cx, r.var.span, &r.var.name);
        out.push(
            Diagnostic::new(
                &META,
                span,
                format!("{} is parsed as code {}", described(&r.var.name, origin), r.sink),
            )
            .label("a `;`, `$(...)` or backquote in the value runs as a command")
            .related(f.script.commands[r.command].span, "the value is parsed again here")
            .job(job.name.clone())
            .help("pass the value as data: an argument or environment variable the inner script quotes (`sh -c 'deploy \"$1\"' _ \"$CI_COMMIT_BRANCH\"`), never inside the code text"),
        );
    }
    out
}

/// `$[[ inputs.x | expand_vars ]]` pastes variable values into the script's text.
fn expand_vars(cx: &Context<'_>, job: &Job, f: &Facts<'_>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for cmd in &f.script.commands {
        let text = &cx.pipeline.sources.get(cmd.span.file).text;
        let Some(slice) = text.get(cmd.span.range()) else {
            continue;
        };
        for (start, end, input) in taint::expand_vars_inputs(slice) {
            let at = cmd.span.start as usize;
            out.push(
                Diagnostic::new(
                    &META,
                    Span::new(cmd.span.file, at + start, at + end),
                    format!("input `{input}` with `expand_vars` pastes variable values into the script's text before the shell parses it"),
                )
                .label("a value holding `$CI_COMMIT_BRANCH` or another chosen value becomes code")
                .job(job.name.clone())
                .help("pass the input through a job variable (`variables: {VALUE: $[[ inputs.x ]]}`) and quote `\"$VALUE\"` in the script"),
            );
        }
    }
    out
}
