//! KAS308: a stop job deletes with `kubectl delete` and fails when the object is gone.

use crate::analysis::kube::{self, Tool};
use super::on_stop::each_stop_job;
use crate::rules::prelude::*;

declare_rule!(
    OnStopDeleteNotIdempotent,
    "KAS308",
    "on-stop-delete-not-idempotent",
    Info,
    "a stop job runs `kubectl delete` without `--ignore-not-found`", uses: [facts]
);

impl Rule for OnStopDeleteNotIdempotent {
    fn check_pipeline(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for pair in each_stop_job(cx.pipeline) {
            let Some(f) = cx.facts().of(pair.stop) else {
                continue;
            };
            for cmd in &f.script.commands {
                let delete = kube::tool(cmd) == Some(Tool::Kubectl)
                    && kube::positionals(cmd).first() == Some(&"delete");
                let ignored = cmd
                    .flag_value(&["--ignore-not-found"])
                    .is_some_and(|w| w.text != "false")
                    || cmd.has_word("--ignore-not-found")
                    || cmd.or_next;
                // Deleting by label or field selector, or `--all`, finds nothing and
                // succeeds ("No resources found"): only named objects fail when gone.
                let by_selector = cmd
                    .flag_value(&["-l", "--selector", "--field-selector"])
                    .is_some()
                    || cmd.has_word("--all")
                    || cmd
                        .args()
                        .iter()
                        .any(|w| w.text.len() > 2 && w.text.starts_with("-l"));
                if delete && !ignored && !by_selector {
                    out.push(
                        Diagnostic::new(&META, cmd.span, "`kubectl delete` fails when the object is already gone, so the environment cannot be stopped twice")
                            .label("no `--ignore-not-found`")
                            .job(pair.stop.name.clone())
                            .help("add `--ignore-not-found` so stopping is idempotent")
                            .fix_opt(cmd.args().iter().find(|w| w.text == "delete").and_then(|w| crate::fix::build::ignore_not_found(cx.pipeline, w))),
                    );
                }
            }
        }
    }
}
