//! Terminal output like rustc and ruff: `error[KAS005]: message`, `--> file:line:col`,
//! the source line with a caret under the span, `= help:` lines.

use std::collections::BTreeMap;

use annotate_snippets::renderer::DecorStyle;
use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

use super::{Diagnostic, FileReport, Severity};
use crate::load::Span;

/// A label to draw: span, text, primary or not.
type Mark<'a> = (Span, &'a str, bool);

fn level(severity: Severity) -> Level<'static> {
    match severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
        Severity::Info => Level::INFO,
    }
}

/// Render one finding. `styled` adds ANSI colours.
pub fn render(report: &FileReport, d: &Diagnostic, styled: bool) -> String {
    let sources = &report.sources;
    // One snippet per file touched: the primary file first.
    let mut by_file: BTreeMap<(bool, u32), Vec<Mark<'_>>> = BTreeMap::new();
    by_file
        .entry((false, d.primary.file))
        .or_default()
        .push((d.primary, d.label.as_str(), true));
    for r in &d.related {
        let key = (r.span.file != d.primary.file, r.span.file);
        by_file
            .entry(key)
            .or_default()
            .push((r.span, r.text.as_str(), false));
    }
    // Like ruff, `[*]` marks a finding `--fix` fixes.
    let marked;
    let message = match &d.fix {
        Some(f) if f.applicability == crate::fix::Applicability::Safe => {
            marked = format!("[*] {}", d.message);
            marked.as_str()
        }
        _ => d.message.as_str(),
    };
    let title = level(d.severity).primary_title(message).id(d.code());
    let mut elements = Vec::new();
    for ((_, file), labels) in &by_file {
        let src = sources.get(*file);
        let mut snippet = Snippet::source(src.text.as_str())
            .path(src.name.as_str())
            .fold(true);
        for (span, text, primary) in labels {
            let mut range = span.range();
            range.end = range.end.min(src.text.len());
            range.start = range.start.min(range.end);
            let kind = if *primary {
                AnnotationKind::Primary
            } else {
                AnnotationKind::Context
            };
            let ann = if text.is_empty() {
                kind.span(range)
            } else {
                kind.span(range).label(*text)
            };
            snippet = snippet.annotation(ann);
        }
        elements.push(snippet);
    }
    let mut group: Group<'_> = title.elements(elements);
    if let Some(help) = &d.help {
        group = group.element(Level::HELP.message(help.as_str()));
    }
    if let Some(f) = &d.fix {
        let how = match f.applicability {
            crate::fix::Applicability::Safe => "fix with --fix",
            crate::fix::Applicability::Unsafe => "unsafe fix, with --unsafe-fixes",
            crate::fix::Applicability::DisplayOnly => "suggested fix, not applied",
        };
        group = group.element(Level::HELP.message(format!("{} ({how})", f.title)));
    }
    let jobs: Vec<String> = d.jobs().map(|j| format!("`{j}`")).collect();
    let note = match jobs.len() {
        0 => d.name().to_string(),
        1 => format!("{} · job {}", d.name(), jobs[0]),
        _ => format!("{} · jobs {}", d.name(), jobs.join(", ")),
    };
    group = group.element(Level::NOTE.message(note));
    let renderer = if styled {
        Renderer::styled()
    } else {
        Renderer::plain()
    }
    .decor_style(DecorStyle::Ascii);
    renderer.render(&[group])
}

/// The closing line: `Found 3 findings (2 errors, 1 warning).`
pub fn summary(counts: &BTreeMap<Severity, usize>, files: usize) -> String {
    let total: usize = counts.values().sum();
    if total == 0 {
        return format!(
            "All checks passed ({} file{} checked).",
            files,
            if files == 1 { "" } else { "s" }
        );
    }
    let mut parts = Vec::new();
    for (sev, word) in [
        (Severity::Error, "error"),
        (Severity::Warning, "warning"),
        (Severity::Info, "info"),
    ] {
        if let Some(&n) = counts.get(&sev) {
            if n > 0 {
                let plural = if n == 1 || sev == Severity::Info {
                    ""
                } else {
                    "s"
                };
                parts.push(format!("{n} {word}{plural}"));
            }
        }
    }
    format!(
        "Found {total} finding{} ({}).",
        if total == 1 { "" } else { "s" },
        parts.join(", ")
    )
}
