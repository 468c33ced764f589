//! Includes that cannot be read offline (`project`, `remote`, `template`, `component`).

use super::{Context, Rule, RuleMeta, Severity};
use crate::report::diagnostic::Diagnostic;

pub struct IncludeNotChecked;

pub static META: RuleMeta = RuleMeta {
    code: "KAS008",
    name: "include-not-checked",
    severity: Severity::Info,
    summary: "an include cannot be read offline, so what it defines is not checked",
    doc: include_str!("../../rules/KAS008.md"),
};

impl Rule for IncludeNotChecked {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_pipeline(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for u in &cx.pipeline.unresolved {
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
