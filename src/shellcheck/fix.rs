//! ShellCheck's own fixes (`fix.replacements` of its json1 output) as kaslint edits, where
//! they map byte for byte into one scalar: every replaced byte written as itself in the
//! file (no escape, no folded line break), insertion points between two such bytes, and a
//! replacement the scalar's style keeps as written (no line break; no `"`/`\` in a
//! double-quoted scalar, no `'` in a single-quoted one; nothing a plain scalar would read
//! as YAML). Anything else keeps its finding without a fix. Always Unsafe: quoting or
//! rewriting a command can change what it does (word splitting, globbing).

use super::units::{Piece, Unit};
use crate::diagnostic::Diagnostic;
use crate::fix::{scope, Applicability, Edit, Fix};
use crate::load::yaml::Style;
use crate::load::{Node, Span, Value};
use crate::model::Pipeline;

/// `fix` of a json1 comment.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
pub struct RawFix {
    pub replacements: Vec<Replacement>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
pub struct Replacement {
    pub line: usize,
    pub column: usize,
    #[serde(rename = "endLine")]
    pub end_line: usize,
    #[serde(rename = "endColumn")]
    pub end_column: usize,
    pub replacement: String,
}

/// The edits of `raw` in the file, when every replacement maps exactly into one piece.
/// `offset` turns a json1 line and column into a byte offset of `u.text`.
pub fn edits(
    u: &Unit,
    raw: &RawFix,
    offset: &dyn Fn(usize, usize) -> Option<usize>,
) -> Option<Vec<Edit>> {
    let mut out = Vec::new();
    for r in &raw.replacements {
        let s = offset(r.line, r.column)?;
        let e = offset(r.end_line, r.end_column)?;
        if e < s || r.replacement.contains(['\n', '\r']) {
            return None;
        }
        let k = u.starts.partition_point(|&st| st <= s).checked_sub(1)?;
        let pc = &u.pieces[k];
        let (ls, le) = (s - u.starts[k], e - u.starts[k]);
        if le > pc.text.len() {
            return None;
        }
        out.push(Edit::replace(exact(pc, ls, le)?, r.replacement.clone()));
    }
    out.sort_by_key(|e| (e.span.start, e.span.end));
    let disjoint = out.windows(2).all(|w| w[0].span.end < w[1].span.start);
    (!out.is_empty() && disjoint).then_some(out)
}

/// The file bytes of the piece's bytes `ls..le`, when each is written as itself and they
/// follow each other (and so do the bytes around an insertion point).
fn exact(pc: &Piece, ls: usize, le: usize) -> Option<Span> {
    let map = pc.map.as_ref()?;
    let single = |i: usize| map.get(i).filter(|(a, b)| b - a == 1).copied();
    let from = ls.saturating_sub(1);
    let to = (le + 1).min(map.len());
    let mut prev: Option<u32> = None;
    for i in from..to {
        let (a, b) = single(i)?;
        if prev.is_some_and(|p| p != a) {
            return None;
        }
        prev = Some(b);
    }
    let start = match map.get(ls) {
        Some(&(a, _)) => a,
        None => map.last()?.1,
    };
    let end = if le > ls { map.get(le - 1)?.1 } else { start };
    Some(Span::new(pc.span.file, start as usize, end as usize))
}

/// Keep a ShellCheck fix only where the scalar holding it keeps the replacement as written;
/// [`crate::fix::scope::settle`] then decides its reach like any fix's.
pub fn settle(p: &Pipeline, diagnostics: &mut [Diagnostic]) {
    for d in diagnostics.iter_mut().filter(|d| d.external.is_some()) {
        let Some(fix) = d.fix.take() else { continue };
        let kept = fix.edits.iter().all(|e| {
            let Some(node) = scalar_at(p, e.span) else {
                return false;
            };
            fits(node, e)
        });
        if !kept {
            continue;
        }
        let targets: Vec<Span> = fix.edits.iter().map(|e| e.span).collect();
        d.fix = Some(scope::fix(
            fix.title,
            Applicability::Unsafe,
            fix.edits,
            &targets,
            &[],
        ));
    }
}

/// Whether the scalar `node` reads `e`'s replacement as written.
fn fits(node: &Node, e: &Edit) -> bool {
    let r = e.content.as_str();
    match node.style {
        Style::Literal | Style::Folded => true,
        Style::DoubleQuoted => !r.contains(['"', '\\']),
        Style::SingleQuoted => !r.contains('\''),
        Style::Plain => {
            // Not the scalar's first character (it decides the style), and nothing that
            // ends a plain scalar, starts a comment, or breaks a flow collection.
            e.span.start > node.span.start
                && e.span.end <= node.span.end
                && !r.contains(['#', ':', ',', '[', ']', '{', '}'])
                && r.trim() == r
        }
        Style::Other => false,
    }
}

/// The scalar whose text holds `span` (a script line of some job).
fn scalar_at(p: &Pipeline, span: Span) -> Option<&Node> {
    let mut stack: Vec<&Node> = vec![p.root.as_deref()?];
    let mut budget = 200_000usize;
    while let Some(n) = stack.pop() {
        budget = budget.checked_sub(1)?;
        match &n.value {
            Value::Map(m) => stack.extend(m.iter().map(|(_, e)| &*e.value)),
            Value::Seq(s) => stack.extend(s.iter().map(|i| &**i)),
            Value::Str(_) if n.span.contains(span) => return Some(n),
            _ => {}
        }
    }
    None
}

/// The fix of one ShellCheck comment, before [`settle`] caps it.
pub fn unsettled(code: u32, edits: Vec<Edit>) -> Fix {
    Fix::new(
        format!("apply ShellCheck's fix for SC{code}"),
        Applicability::Unsafe,
        edits,
        Vec::new(),
    )
}
