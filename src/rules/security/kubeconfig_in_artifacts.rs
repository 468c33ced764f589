//! KAS406: the kubeconfig is written where `artifacts`, `cache` or a dotenv report picks it up.

use super::kubeconfig::{project_relative, written_to};
use crate::load::{NodeRef, Span, Value};
use crate::model::include::wildcard_regex;
use crate::model::Pipeline;
use crate::rules::prelude::*;

declare_rule!(
    KubeconfigInArtifacts,
    "KAS406",
    "kubeconfig-in-artifacts",
    Error,
    "the kubeconfig is copied where `artifacts`, `cache` or a dotenv report picks it up", uses: [facts]
);

/// What keeps a file after the job: `artifacts:paths`, `cache:paths`, their `untracked`,
/// `artifacts:reports:dotenv`.
struct Keeper {
    /// `artifacts:paths`, `cache:paths`, ...: for the message.
    what: &'static str,
    /// The pattern as written (`None`: `untracked: true`, any file not in Git).
    pattern: Option<String>,
    span: Span,
}

fn strings(node: &NodeRef) -> Vec<&NodeRef> {
    match &node.value {
        Value::Seq(items) => items.iter().filter(|i| i.as_str().is_some()).collect(),
        _ if node.as_str().is_some() => vec![node],
        _ => Vec::new(),
    }
}

fn add(out: &mut Vec<Keeper>, section: &NodeRef, paths: &'static str, untracked: &'static str) {
    if let Some(list) = section.get("paths") {
        for n in strings(list) {
            out.push(Keeper {
                what: paths,
                pattern: n.as_str().map(str::to_string),
                span: n.span,
            });
        }
    }
    if let Some(u) = section
        .get("untracked")
        .filter(|u| u.as_bool() == Some(true))
    {
        out.push(Keeper {
            what: untracked,
            pattern: None,
            span: u.span,
        });
    }
}

fn keepers(p: &Pipeline, job: &Job) -> Vec<Keeper> {
    let mut out = Vec::new();
    if let Some(a) = p.job_value(job, "artifacts") {
        add(&mut out, a, "artifacts:paths", "artifacts:untracked");
        if let Some(d) = a.get("reports").and_then(|r| r.get("dotenv")) {
            for n in strings(d) {
                out.push(Keeper {
                    what: "artifacts:reports:dotenv",
                    pattern: n.as_str().map(str::to_string),
                    span: n.span,
                });
            }
        }
    }
    if let Some(c) = p.job_value(job, "cache") {
        match &c.value {
            Value::Seq(items) => items
                .iter()
                .for_each(|i| add(&mut out, i, "cache:paths", "cache:untracked")),
            _ => add(&mut out, c, "cache:paths", "cache:untracked"),
        }
    }
    out
}

/// Does the pattern keep the file `path` (or, when `path` is a folder, the file copied
/// into it)?
fn keeps(pattern: &str, path: &str) -> bool {
    let Some(pat) = project_relative(pattern) else {
        return false;
    };
    if pat == "." || pat.is_empty() {
        return true;
    }
    let re = wildcard_regex(&pat);
    // (`$KUBECONFIG` is the runner's file `KUBECONFIG`, the name a copy into a folder keeps.)
    let inside = match path {
        "." | "" => "KUBECONFIG".to_string(),
        _ => format!("{path}/KUBECONFIG"),
    };
    [path, inside.as_str()]
        .iter()
        .any(|c| *c == pat || c.starts_with(&format!("{pat}/")) || re.is_match(c))
}

impl Rule for KubeconfigInArtifacts {
    fn check_job(&self, cx: &Context<'_>, job: &Job, f: &Facts<'_>, out: &mut Vec<Diagnostic>) {
        let cmds = &f.script.commands;
        let keepers = keepers(cx.pipeline, job);
        // `artifacts:exclude` drops files from `artifacts:paths` and `untracked`.
        let excludes: Vec<String> = cx
            .pipeline
            .job_value(job, "artifacts")
            .and_then(|a| a.get("exclude"))
            .map(|e| strings(e).iter().filter_map(|n| n.scalar_text()).collect())
            .unwrap_or_default();
        if keepers.is_empty() {
            return;
        }
        for i in 0..cmds.len() {
            let Some(dest) = written_to(cmds, i) else {
                continue;
            };
            let Some(path) = project_relative(&dest.text) else {
                continue;
            };
            // Removed before the upload (which follows `after_script`).
            let removed = cmds[i + 1..].iter().any(|c| {
                matches!(c.program(), Some("rm" | "shred" | "unlink"))
                    && c.args()
                        .iter()
                        .any(|w| project_relative(&w.text).is_some_and(|p| p == path))
            });
            if removed {
                continue;
            }
            let excluded = excludes.iter().any(|e| keeps(e, &path));
            let Some(k) = keepers.iter().find(|k| {
                let by_artifacts =
                    k.what.starts_with("artifacts:paths") || k.what == "artifacts:untracked";
                !(by_artifacts && excluded)
                    && match &k.pattern {
                        Some(p) => keeps(p, &path),
                        None => true,
                    }
            }) else {
                continue;
            };
            let kept = match &k.pattern {
                Some(p) => format!("`{}: {p}`", k.what),
                None => format!("`{}: true`", k.what),
            };
            out.push(
                Diagnostic::new(
                    &META,
                    cmds[i].span,
                    format!("the kubeconfig is written to `{}`, which {kept} keeps after the job: anyone who can download it gets its cluster credentials", dest.text),
                )
                .label("kubeconfig written here")
                .related(k.span, "keeps the file")
                .job(job.name.clone())
                .help("keep the kubeconfig out of the project folder (write it under `/tmp`, or use `$KUBECONFIG` in place), or drop it from the artifact paths"),
            );
        }
    }
}
