//! The post-pass over one pipeline's findings, in one place: suppressions, severity
//! overrides, the include that brought in a fetched file, `--file` filtering, baseline key
//! paths, and the final order.

use std::path::Path;

use crate::diagnostic::Diagnostic;
use crate::load::FileId;
use crate::model::Pipeline;
use crate::settings::Settings;

/// Run the post-pass; returns how many findings suppressions removed and the file checked.
pub(super) fn run(
    pipeline: &Pipeline,
    out: &mut Vec<Diagnostic>,
    settings: &Settings,
    shellcheck_ran: bool,
    only_file: Option<&Path>,
) -> (usize, FileId) {
    let mut diagnostics = std::mem::take(out);
    let suppressed = if settings.no_ignores {
        0
    } else {
        crate::suppress::apply(
            pipeline,
            &mut diagnostics,
            &|m| settings.enabled(m.code),
            shellcheck_ran,
        )
    };
    for d in &mut diagnostics {
        d.severity = settings.severity_of(d.rule.code, d.severity);
    }
    relate_fetched(pipeline, &mut diagnostics);
    let mut checked = pipeline.entry;
    if let Some(only) = only_file {
        let wanted = pipeline.sources.find_path(only);
        diagnostics.retain(|d| Some(d.primary.file) == wanted);
        checked = wanted.unwrap_or(checked);
    }
    if settings.key_paths {
        if let Some(root) = &pipeline.root {
            for d in &mut diagnostics {
                d.path = crate::model::path::key_path(root, d.primary);
            }
        }
    }
    diagnostics.sort_by_key(|d| (d.primary.file, d.primary.start, d.code().to_string()));
    *out = diagnostics;
    (suppressed, checked)
}

/// A finding inside a file read from beyond the repository names the include of the
/// repository's file that brought it in (and how a `~latest` was read).
fn relate_fetched(pipeline: &Pipeline, diagnostics: &mut [crate::diagnostic::Diagnostic]) {
    if pipeline.fetched.is_empty() {
        return;
    }
    for d in diagnostics {
        let Some(f) = pipeline.fetched.iter().find(|f| f.file == d.primary.file) else {
            continue;
        };
        let text = match &f.note {
            Some(note) => format!("included here; {note}"),
            None => "included here".into(),
        };
        d.related.push(crate::diagnostic::Label {
            span: f.included_at,
            text,
        });
    }
}
