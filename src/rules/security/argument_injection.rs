//! KAS404: a chosen value, unquoted, where `git`, `kubectl` or `helm` reads options.

use crate::analysis::{kube, taint};
use crate::rules::prelude::*;

declare_rule!(
    ArgumentInjection,
    "KAS404",
    "argument-injection",
    Info,
    "a value an attacker chooses is unquoted where `git`, `kubectl` or `helm` reads options", uses: [facts]
);

/// git's options (of the usual subcommands) that take the next word as their value.
const GIT_VALUE_FLAGS: &[&str] = &[
    "-b",
    "-B",
    "-C",
    "-c",
    "-m",
    "-F",
    "-o",
    "-u",
    "--branch",
    "--depth",
    "--origin",
    "--message",
    "--file",
    "--upstream",
    "--set-upstream-to",
];

impl Rule for ArgumentInjection {
    fn check_job(&self, _cx: &Context<'_>, job: &Job, f: &Facts<'_>, out: &mut Vec<Diagnostic>) {
        // A value parsed again as code is KAS403's (looked up once, when needed).
        let reparsed = std::cell::OnceCell::new();
        let is_reparsed = |span| {
            reparsed
                .get_or_init(|| {
                    taint::reparsed(&f.script)
                        .into_iter()
                        .map(|r| r.var.span)
                        .collect::<Vec<_>>()
                })
                .contains(&span)
        };
        for cmd in &f.script.commands {
            let program = match cmd.program() {
                Some(p @ ("git" | "kubectl" | "helm" | "helm3")) => p,
                _ => continue,
            };
            let takes_value = |flag: &str| {
                if program == "git" {
                    GIT_VALUE_FLAGS.contains(&flag)
                } else {
                    kube::takes_value(flag)
                }
            };
            // After `--`, no word is an option.
            let end = cmd
                .words
                .iter()
                .position(|w| w.text == "--")
                .unwrap_or(cmd.words.len());
            for v in &cmd.vars {
                let Some(k) = v.word.filter(|&k| k >= 1 && k < end) else {
                    continue;
                };
                if v.quoted {
                    continue;
                }
                let Some(origin) = taint::origin(&f.vars, &v.name) else {
                    continue;
                };
                let word = &cmd.words[k];
                // A whole word a value begins can be an option (`-x`); free text split on
                // its spaces gives new words anywhere.
                let starts_word =
                    word.span.start == v.span.start && !takes_value(&cmd.words[k - 1].text);
                if !(starts_word || origin.free_text) || is_reparsed(v.span) {
                    continue;
                }
                out.push(
                    Diagnostic::new(
                        &META,
                        v.span,
                        format!(
                            "{} is unquoted where `{program}` reads options: a value starting with `-` (or holding spaces) becomes an option",
                            super::script_injection::described(&v.name, origin)
                        ),
                    )
                    .label("may become an option")
                    .job(job.name.clone())
                    .help(format!("quote it and end the options first: `{program} ... -- \"${}\"`", v.name)),
                );
            }
        }
    }
}
