//! Includes that are not read (`project`, `remote`, `template`, `component` without the
//! include cache, not in it, or not fetched), each named once with the reason.

use crate::rules::prelude::*;

declare_rule!(
    IncludeNotChecked,
    "KAS008",
    "include-not-checked",
    Info,
    "an include cannot be read offline, so what it defines is not checked"
);

impl Rule for IncludeNotChecked {
    fn check_pipeline(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for u in cx.pipeline.unresolved.iter().filter(|u| !u.invalid) {
            let message = match &u.reason {
                // Tried through the include cache (or the network) and not read.
                Some(reason) => format!(
                    "`{}` include `{}` is not checked: {reason}",
                    u.kind, u.location
                ),
                None => format!(
                    "`{}` include `{}` is not read offline: its jobs, stages and templates are not checked",
                    u.kind, u.location
                ),
            };
            out.push(
                Diagnostic::new(&META, u.span, message)
                .help("references to names it may define (`extends`, `needs`, stages, `on_stop`) are not reported as errors"),
            );
        }
    }
}
