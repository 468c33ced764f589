//! `kaslint generate TEMPLATE --into FILE`: the generated jobs (with their comments) and
//! any stage they need, added to an existing pipeline through the fix machinery: edits on
//! byte ranges, every existing line kept as it is and in order (only a one-line
//! `stages: [...]` list gets the new stage inside its brackets), the file's line ending,
//! BOM and final newline kept. A job name the file already has is an error unless
//! `--force` (then that job's lines are replaced). The result is checked before it is
//! written: it loads, the rest of the merged configuration is unchanged, and the added
//! jobs have no finding. With `--diff`, the change is printed and nothing is written.

use std::path::Path;

use crate::check::{self, CheckOptions, Target};
use crate::fix::apply::unified_diff;
use crate::fix::text::{after_line_of, line_ending};
use crate::fix::{apply, verify, Edit};
use crate::load::{self, Node, NodeRef, SourceFile, Span};

/// What to add and how.
pub struct Request<'a> {
    pub file: &'a Path,
    pub generated: &'a str,
    pub force: bool,
    /// Where ShellCheck is, for the check of the result.
    pub env: &'a crate::environment::Environment,
}

/// The new text of the file and its diff; an error says why nothing can be written.
pub fn merge(into: &Request<'_>) -> Result<(String, String), String> {
    let shown = into.file.display().to_string();
    let bytes = load::read_limited(into.file).map_err(|e| format!("{shown}: {e}"))?;
    let text = String::from_utf8(bytes).map_err(|_| format!("{shown}: not UTF-8"))?;
    let existing = parse(&text).ok_or_else(|| {
        format!("{shown}: cannot add jobs to a file that does not load as a pipeline")
    })?;
    let generated = parse(into.generated).expect("generated text loads");
    let gen_src = SourceFile::new(String::new(), None, into.generated.to_string());
    let src = SourceFile::new(shown.clone(), None, text.clone());
    let eol = line_ending(&text);
    let old = existing.as_map().expect("a pipeline is a mapping");
    let mut edits = Vec::new();
    let mut blocks = Vec::new();
    let mut jobs = Vec::new();
    for (key, entry) in generated.as_map().expect("mapping").iter() {
        if key == "stages" {
            continue;
        }
        jobs.push(key.clone());
        let block = entry_block(&gen_src, entry.key_span, &entry.value).replace('\n', eol);
        match old.entry(key) {
            Some(have) if !into.force => {
                let (line, _) = src.line_col(have.key_span.start);
                return Err(format!(
                    "{shown}:{line}: a job `{key}` already exists (pass --force to replace it)"
                ));
            }
            Some(have) => {
                let start = line_start(&text, have.key_span.start as usize);
                let end = line_end(&text, have.value.span.end.max(have.key_span.end) as usize);
                let body = value_lines(&gen_src, entry.key_span, &entry.value).replace('\n', eol);
                edits.push(Edit::replace(Span::new(0, start, end), body));
            }
            None => blocks.push(block),
        }
    }
    if let Some(stage) = job_stage(&generated) {
        if let Some(e) = add_stage(&src, &existing, &stage, eol) {
            edits.push(e);
        }
    }
    if !blocks.is_empty() {
        let mut added = blocks.join(&format!("{eol}{eol}"));
        let header = header_comment(into.generated).replace('\n', eol);
        added.insert_str(0, &header);
        let mut at_end = String::new();
        if !text.is_empty() && !text.ends_with('\n') {
            at_end.push_str(eol);
        }
        if !text.is_empty() && !text.ends_with(&format!("{eol}{eol}")) {
            at_end.push_str(eol);
        }
        at_end.push_str(&added);
        if text.ends_with('\n') || text.is_empty() {
            at_end.push_str(eol);
        }
        edits.push(Edit::insert(0, text.len(), at_end));
    }
    edits.sort_by_key(|e| (e.span.start, e.span.end));
    let new = apply::apply(&text, &edits).ok_or("the edits overlap")?;
    verify_result(into, &text, &new, &jobs)?;
    Ok((new.clone(), unified_diff(&shown, &text, &new)))
}

fn parse(text: &str) -> Option<NodeRef> {
    let loaded = load::yaml::parse(0, text).ok()?;
    let doc = loaded.documents.into_iter().last()?;
    doc.as_map()?;
    Some(doc)
}

fn line_start(text: &str, at: usize) -> usize {
    text[..at].rfind('\n').map_or(0, |i| i + 1)
}

/// After the line break ending the line that holds `at - 1` (or the end of the text).
fn line_end(text: &str, at: usize) -> usize {
    if at > 0 && text.as_bytes()[at - 1] == b'\n' {
        return at;
    }
    text[at..].find('\n').map_or(text.len(), |i| at + i + 1)
}

/// A top-level entry's lines: the comment lines right above its key, the key, its value.
fn entry_block(src: &SourceFile, key: Span, value: &Node) -> String {
    let text = &src.text;
    let mut start = line_start(text, key.start as usize);
    while start > 0 {
        let prev = line_start(text, start - 1);
        if !text[prev..start].trim_start().starts_with('#') {
            break;
        }
        start = prev;
    }
    let end = line_end(text, value.span.end.max(key.end) as usize);
    text[start..end].trim_end_matches('\n').to_string()
}

/// A top-level entry's key and value lines, with their final line break.
fn value_lines(src: &SourceFile, key: Span, value: &Node) -> String {
    let text = &src.text;
    let start = line_start(text, key.start as usize);
    let end = line_end(text, value.span.end.max(key.end) as usize);
    let mut s = text[start..end].to_string();
    if !s.ends_with('\n') {
        s.push('\n');
    }
    s
}

/// The generated file's first comment paragraph (`# Generated by ...`), with a line break.
fn header_comment(generated: &str) -> String {
    let mut out = String::new();
    for line in generated.lines() {
        if !line.starts_with('#') {
            break;
        }
        out.push_str(line);
        out.push('\n');
    }
    if !out.is_empty() {
        out.push('\n');
    }
    out
}

/// The stage of the generated jobs (one per template).
fn job_stage(generated: &NodeRef) -> Option<String> {
    generated
        .as_map()?
        .iter()
        .find_map(|(_, e)| e.value.get("stage")?.as_str().map(str::to_string))
}

/// `stage` added to the file's `stages:` (a new `- stage` line in a block list, `, stage`
/// inside a one-line flow list), or a `stages:` list of GitLab's defaults and `stage` at
/// the top when the file has none. `None` when the stage is already there.
fn add_stage(src: &SourceFile, root: &Node, stage: &str, eol: &str) -> Option<Edit> {
    let quoted = crate::fix::value::string(stage);
    let Some(entry) = root.as_map()?.entry("stages") else {
        if super::params::DEFAULT_STAGES.contains(&stage) {
            return None;
        }
        let defaults = ["build", "test", "deploy"].join(", ");
        let at = if src.text.starts_with('\u{feff}') {
            3
        } else {
            0
        };
        return Some(Edit::insert(
            0,
            at,
            format!("stages: [{defaults}, {quoted}]{eol}{eol}"),
        ));
    };
    let list = entry.value.as_seq()?;
    if list.iter().any(|s| s.as_str() == Some(stage)) {
        return None;
    }
    let written = src.text.get(entry.value.span.range())?;
    if written.starts_with('[') {
        if written.contains('\n') {
            return None;
        }
        let close = entry.value.span.end as usize - 1;
        let sep = if list.is_empty() { "" } else { ", " };
        return Some(Edit::insert(0, close, format!("{sep}{quoted}")));
    }
    let last = list.last()?;
    let first = list.first()?;
    let dash = src.text[..first.span.start as usize].rfind('-')?;
    let indent = &src.text[line_start(&src.text, dash)..dash];
    if !indent.chars().all(|c| c == ' ') {
        return None;
    }
    Some(after_line_of(
        src,
        0,
        last.span.end as usize,
        &format!("{indent}- {quoted}"),
        eol,
    ))
}

/// The new text loads, the rest of the configuration is unchanged, and the added jobs
/// (and the file) gain no finding.
fn verify_result(into: &Request<'_>, old: &str, new: &str, jobs: &[String]) -> Result<(), String> {
    let file = into.file;
    let shared = std::sync::Arc::new(check::Shared::default());
    let canonical = shared
        .folders
        .canonical(file)
        .ok_or("cannot resolve the file's path")?;
    let mut settings = crate::settings::Settings::default();
    settings.shellcheck.locate_with(into.env);
    let opts = CheckOptions {
        root: None,
        entry: Some(file.to_path_buf()),
        settings: &settings,
        shared: std::sync::Arc::clone(&shared),
        leak_model: false,
    };
    let target = Target::File(file.to_path_buf());
    let run = |text: &str| {
        load::with_overlay(vec![(canonical.clone(), text.to_string())], || {
            let loaded = check::load_target(&target, None, Some(file), &shared.folders)?;
            let root = loaded.pipeline().root.clone();
            Ok::<_, check::IoError>((root, check::check_loaded(loaded, &opts)))
        })
        .map_err(|e| e.0)
    };
    let (old_root, old_report) = run(old)?;
    let (new_root, new_report) = run(new)?;
    let mut changes: Vec<Vec<String>> = jobs.iter().map(|j| vec![j.clone()]).collect();
    changes.push(vec!["stages".into()]);
    verify::check(
        old_root.as_deref(),
        new_root.as_deref(),
        &old_report.diagnostics,
        &new_report.diagnostics,
        &[],
        &changes,
    )
    .map_err(|why| format!("the merged pipeline would not be right: {why}"))?;
    let old_keys: Vec<_> = old_report.diagnostics.iter().map(verify::key).collect();
    let added: Vec<String> = new_report
        .diagnostics
        .iter()
        .filter(|d| {
            d.job.as_ref().is_some_and(|j| jobs.contains(j)) || !old_keys.contains(&verify::key(d))
        })
        .map(|d| format!("{} {}", d.code(), d.message))
        .collect();
    if !added.is_empty() {
        return Err(format!(
            "the result would not lint clean:\n  {}",
            added.join("\n  ")
        ));
    }
    Ok(())
}
