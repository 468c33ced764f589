//! Edits built from nodes and spans, in the style of the text they land in: the line
//! ending of the file, the indentation of the neighbouring keys, flow or block form.

use super::{value, Edit};
use crate::load::{Node, SourceFile, Span};

/// The file's line ending (`\r\n` when its first line ends so).
pub fn line_ending(text: &str) -> &'static str {
    match text.find('\n') {
        Some(i) if i > 0 && text.as_bytes()[i - 1] == b'\r' => "\r\n",
        _ => "\n",
    }
}

/// The bytes of a span, when it lies within the text.
pub fn slice(file: &SourceFile, span: Span) -> Option<&str> {
    file.text.get(span.range())
}

/// Whether a collection node is written in flow style (`{...}` / `[...]`).
pub fn is_flow(file: &SourceFile, node: &Node) -> bool {
    slice(file, node.span).is_some_and(|t| t.starts_with(['{', '[']))
}

/// Replace a scalar node with the string `s` (quoted when YAML would retype it).
pub fn set_string(node: &Node, s: &str) -> Edit {
    Edit::replace(node.span, value::string(s))
}

/// Add `key: value_text` (`value_text` already YAML) as the last entry of a mapping node
/// written in `file`: `, key: value` before the `}` of a one-line flow mapping, a new line
/// with the indentation of the other keys in a block mapping. `None` for a mapping this
/// cannot extend without rewriting it (empty, multi-line flow, or no entry in `file`).
pub fn add_entry(file: &SourceFile, map: &Node, key: &str, value_text: &str) -> Option<Edit> {
    let m = map.as_map()?;
    let text = slice(file, map.span)?;
    let id = map.span.file;
    if text.starts_with('{') {
        if text.contains('\n') || !text.ends_with('}') {
            return None;
        }
        let inner = text[1..text.len() - 1].trim();
        let sep = if inner.is_empty() { "" } else { ", " };
        let at = map.span.end as usize - 1;
        // Keep the space before `}` where the mapping has one.
        let at = at - (text[..text.len() - 1].len() - text[..text.len() - 1].trim_end().len());
        return Some(Edit::insert(id, at, format!("{sep}{key}: {value_text}")));
    }
    // The entries written in this mapping's own text (a merged one also holds others').
    let own: Vec<_> = m
        .iter()
        .filter(|(_, e)| map.span.contains(e.key_span))
        .map(|(_, e)| e)
        .collect();
    let first = own.iter().min_by_key(|e| e.key_span.start)?;
    let indent = indentation_before(&file.text, first.key_span.start as usize)?;
    let last_end = own
        .iter()
        .map(|e| {
            let value = e.value.span;
            let inside = value.file == id && map.span.contains(value);
            if inside {
                value.end
            } else {
                e.key_span.end
            }
        })
        .max()?
        .max(map.span.end) as usize;
    let eol = line_ending(&file.text);
    let entry = format!("{indent}{key}: {value_text}");
    Some(after_line_of(file, id, last_end, &entry, eol))
}

/// Insert a whole line after the line holding byte `at` (after its comment and line break);
/// at the end of a file without a final newline, the line break goes first.
pub fn after_line_of(
    file: &SourceFile,
    id: crate::load::FileId,
    at: usize,
    line: &str,
    eol: &str,
) -> Edit {
    let text = &file.text;
    let at = at.min(text.len());
    if at > 0 && text.as_bytes()[at - 1] == b'\n' {
        return Edit::insert(id, at, format!("{line}{eol}"));
    }
    match text[at..].find('\n') {
        Some(i) => Edit::insert(id, at + i + 1, format!("{line}{eol}")),
        None => Edit::insert(id, text.len(), format!("{eol}{line}")),
    }
}

/// The spaces between the start of the line and `at`, when only spaces (or a `- ` of a
/// sequence entry, replaced by spaces) stand there.
pub fn indentation_before(text: &str, at: usize) -> Option<String> {
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let before = &text[line_start..at];
    if before.chars().all(|c| c == ' ') {
        return Some(before.to_string());
    }
    // `- key: v`: the entry's keys are indented to the column after `- `.
    let trimmed = before.trim_start_matches(' ');
    if trimmed.chars().all(|c| c == '-' || c == ' ') && trimmed.starts_with('-') {
        return Some(" ".repeat(before.chars().count()));
    }
    None
}

/// Apply edits (sorted, disjoint) to one text.
pub fn apply(text: &str, edits: &[&Edit]) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    let mut last = 0;
    for e in edits {
        let r = e.span.range();
        out.push_str(&text[last..r.start]);
        out.push_str(&e.content);
        last = r.end;
    }
    out.push_str(&text[last..]);
    out
}
