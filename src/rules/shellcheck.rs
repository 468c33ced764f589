//! KAS500: ShellCheck on job scripts. The work happens in [`crate::shellcheck`], which
//! runs one ShellCheck process beside the rule engine (`check.rs` starts it before the
//! rules and joins it after); findings carry ShellCheck's own code (`SC2086`).

use crate::model::Pipeline;
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
            out.extend(yaml_comment_directives(cx.pipeline));
        }
    }
}

/// `# shellcheck disable=...` written as a YAML comment (above a script item, say):
/// ShellCheck never sees it. Reported whether or not ShellCheck is installed.
fn yaml_comment_directives(p: &Pipeline) -> Vec<Diagnostic> {
    const KEYS: &[&str] = &[
        "disable=",
        "enable=",
        "shell=",
        "source=",
        "source-path=",
        "external-sources=",
    ];
    let mut out = Vec::new();
    for (_, file) in p.sources.iter() {
        for c in &file.comments {
            let text = c.text.trim_start_matches('#').trim_start();
            let Some(rest) = text.strip_prefix("shellcheck") else {
                continue;
            };
            if !rest.starts_with([' ', '\t']) {
                continue;
            }
            let rest = rest.trim_start();
            if !KEYS.iter().any(|k| rest.starts_with(k)) {
                continue;
            }
            let directive = text.split(" #").next().unwrap_or(text).trim_end();
            out.push(
                Diagnostic::new(
                    &META,
                    c.span,
                    format!("`# {directive}` is a YAML comment: ShellCheck never sees it"),
                )
                .label("not part of any script")
                .help(
                    "write the directive inside the script text (the first line of a `- |` \
                     block), or suppress the finding with `# kaslint: ignore[SC....] reason`",
                ),
            );
        }
    }
    out
}
