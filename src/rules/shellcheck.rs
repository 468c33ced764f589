//! KAS500: ShellCheck on job scripts. The work happens in [`crate::shellcheck`], which
//! runs one ShellCheck process beside the rule engine (`check.rs` starts it before the
//! rules and joins it after); findings carry ShellCheck's own code (`SC2086`).

use crate::rules::prelude::*;

declare_rule!(
    Shellcheck,
    "KAS500",
    "shellcheck",
    Warning,
    "shellcheck findings in job scripts, at their exact place in the YAML"
);

impl Rule for Shellcheck {
    /// The part that needs no ShellCheck: directives ShellCheck cannot see.
    fn check_pipeline(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        if cx.options.shellcheck {
            out.extend(crate::shellcheck::yaml_comment_directives(cx.pipeline));
        }
    }
}
