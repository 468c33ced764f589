//! KAS305: the stop job of a branch environment fetches the branch, which may be deleted.

use super::on_stop::{env_name, in_merge_requests};
use crate::rules::prelude::*;

declare_rule!(
    OnStopGitStrategy,
    "KAS305",
    "on-stop-git-strategy-missing",
    Info,
    "the stop job of a branch environment does not set `GIT_STRATEGY: none`", uses: [facts]
);

impl Rule for OnStopGitStrategy {
    fn check_pipeline(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let mut seen = std::collections::HashSet::new();
        for pair in cx.pipeline.on_stop_pairs() {
            let Some(name) = env_name(pair.start) else {
                continue;
            };
            let branch_scoped = [
                "CI_COMMIT_REF_SLUG",
                "CI_COMMIT_REF_NAME",
                "CI_COMMIT_BRANCH",
            ]
            .iter()
            .any(|v| name.contains(v))
                || name.starts_with("review/");
            if !branch_scoped || in_merge_requests(pair.start) || seen.contains(pair.stop.name.as_str()) {
                continue;
            }
            let Some(f) = cx.facts().of(pair.stop) else {
                continue;
            };
            let defs = f.vars.defs("GIT_STRATEGY");
            if !defs.is_empty()
                && defs
                    .iter()
                    .all(|d| matches!(d.value.as_deref(), Some("none" | "empty")))
            {
                continue;
            }
            if !defs.is_empty() && defs.iter().any(|d| d.value.is_none()) {
                continue;
            }
            seen.insert(pair.stop.name.as_str());
            out.push(
                Diagnostic::new(
                    &META,
                    pair.stop.key_span,
                    format!(
                        "stop job `{}` fetches the repository: after the branch of `{name}` is deleted it may fail, leaving the environment running",
                        pair.stop.name
                    ),
                )
                .label("no `GIT_STRATEGY: none`")
                .job(pair.stop.name.clone())
                .help("set `variables: {GIT_STRATEGY: none}` (or `empty`) in the stop job")
                .fix_opt(crate::fix::build::git_strategy_none(cx.pipeline, pair.stop, crate::fix::build::reads_repository_files(&f.script))),
            );
        }
    }
}
