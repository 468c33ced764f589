//! Includes that cannot be read offline (`project`, `remote`, `template`, `component`).

use super::{Context, Rule, RuleMeta};
use crate::diagnostic::Diagnostic;

pub struct IncludeNotChecked;

super::rule_meta!(
    "KAS008",
    "include-not-checked",
    Info,
    "an include cannot be read offline, so what it defines is not checked"
);

impl Rule for IncludeNotChecked {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_pipeline(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for u in cx.pipeline.unresolved.iter().filter(|u| !u.invalid) {
            out.push(
                Diagnostic::new(
                    &META,
                    u.span,
                    format!(
                        "`{}` include `{}` is not read offline: its jobs, stages and templates are not checked",
                        u.kind, u.location
                    ),
                )
                .help("references to names it may define (`extends`, `needs`, stages, `on_stop`) are not reported as errors"),
            );
        }
    }
}
