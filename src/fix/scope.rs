//! Where a fix lands and whom it changes. A fix edits the file that holds the node (an
//! anchor's definition, a template, a local include); when several top-level entries of
//! the merged configuration hold that node, the fix changes all of them: at most Unsafe,
//! and its title names the jobs. A node in a file outside the repository (a fetched
//! include) or without a path is never edited: DisplayOnly.
//!
//! Rules attach fixes with [`fix`]; [`settle`] then decides all of a pipeline's fixes at
//! once, with one index of the merged configuration's spans (a walk per fix would cost a
//! pipeline of thousands of jobs seconds).

use std::collections::HashMap;

use super::{Applicability, Edit, Fix};
use crate::diagnostic::Diagnostic;
use crate::load::{Node, Span, Value};
use crate::model::Pipeline;

/// Nodes indexed at most (alias-expanded); past it, fixes are only shown.
const INDEX_BUDGET: usize = 2_000_000;

/// A fix of `applicability` with `edits` on the nodes at `targets`; `rel` are the key
/// paths it changes below each top-level entry holding a target (empty: the entry).
/// [`settle`] caps it and names whom it changes.
pub fn fix(
    title: impl Into<String>,
    applicability: Applicability,
    edits: Vec<Edit>,
    targets: &[Span],
    rel: &[&[&str]],
) -> Fix {
    let mut f = Fix::new(title, applicability, edits, Vec::new());
    f.targets = targets.to_vec();
    f.rel = rel
        .iter()
        .map(|r| r.iter().map(|s| s.to_string()).collect())
        .collect();
    f.settled = false;
    f
}

/// Settle every unsettled fix of `diagnostics` (see the module's documentation).
pub fn settle(p: &Pipeline, diagnostics: &mut [Diagnostic]) {
    let mut index: Option<Option<Index>> = None;
    for d in diagnostics.iter_mut() {
        let Some(f) = d.fix.as_mut().filter(|f| !f.settled) else {
            continue;
        };
        let index = index.get_or_insert_with(|| Index::new(p));
        settle_one(p, index.as_ref(), f);
    }
}

fn settle_one(p: &Pipeline, index: Option<&Index>, f: &mut Fix) {
    f.settled = true;
    let Some(holders) = index.map(|i| i.holders(&f.targets)) else {
        f.applicability = Applicability::DisplayOnly;
        return;
    };
    if f.edits.iter().any(|e| !editable(p, e.span)) {
        f.applicability = Applicability::DisplayOnly;
    }
    let jobs: Vec<&String> = holders
        .iter()
        .filter(|k| p.job(k).is_some_and(|j| !j.hidden))
        .collect();
    // Written once for several users (an anchor, a template for `extends`, a local
    // include): edited where it is defined, and at most Unsafe.
    let elsewhere = f.edits.iter().find(|e| e.span.file != p.entry);
    if jobs.len() > 1 || holders.len() > jobs.len() || elsewhere.is_some() {
        f.applicability = f.applicability.min(Applicability::Unsafe);
        if let Some(e) = elsewhere {
            f.title
                .push_str(&format!(" in {}", p.file_name(e.span.file)));
        }
        if !jobs.is_empty() {
            let names: Vec<String> = jobs.iter().map(|j| format!("`{j}`")).collect();
            let plural = if names.len() == 1 { "" } else { "s" };
            f.title.push_str(&format!(
                ", shared: changes job{plural} {}",
                names.join(", ")
            ));
        }
    }
    for h in &holders {
        // A holder that is the edited node itself (`.kubectl: &k image:tag`) changes whole.
        let whole = p
            .root_get(h)
            .is_some_and(|v| f.targets.iter().any(|t| t.contains(v.span)));
        if f.rel.is_empty() || whole {
            f.changes.push(vec![h.clone()]);
            continue;
        }
        for r in &f.rel {
            let mut path = vec![h.clone()];
            path.extend(r.iter().cloned());
            f.changes.push(path);
        }
    }
}

/// A file kaslint may write: read from disk, inside the repository when its root is known.
pub fn editable(p: &Pipeline, span: Span) -> bool {
    let file = p.sources.get(span.file);
    let Some(path) = &file.path else {
        return false;
    };
    match &p.root_dir {
        // The root is canonical already (`check` locates it so).
        Some(root) => path.starts_with(root),
        None => span.file == p.entry,
    }
}

/// The spans of the merged configuration, each with the top-level entries holding a node
/// written there (node spans nest: each has its smallest enclosing span as parent), and
/// the key spans of mappings with their entries.
struct Index {
    keys: Vec<String>,
    /// Distinct node spans sorted by (file, start, longest first), their parent, owners.
    spans: Vec<Span>,
    parent: Vec<Option<usize>>,
    owners: Vec<Vec<u32>>,
    /// Map key spans sorted, with the entry holding them.
    key_spans: Vec<(Span, u32)>,
}

impl Index {
    fn new(p: &Pipeline) -> Option<Index> {
        let root = p.root.as_ref()?.as_map()?;
        let mut by_span: HashMap<Span, Vec<u32>> = HashMap::new();
        let mut key_spans = Vec::new();
        let mut keys = Vec::new();
        let mut budget = INDEX_BUDGET;
        for (owner, (key, entry)) in root.iter().enumerate() {
            let owner = owner as u32;
            keys.push(key.clone());
            let mut stack: Vec<&Node> = vec![&entry.value];
            while let Some(n) = stack.pop() {
                budget = budget.checked_sub(1)?;
                let owners = by_span.entry(n.span).or_default();
                if owners.last() != Some(&owner) {
                    owners.push(owner);
                }
                match &n.value {
                    Value::Map(m) => {
                        for (_, e) in m.iter() {
                            key_spans.push((e.key_span, owner));
                            stack.push(&e.value);
                        }
                    }
                    Value::Seq(s) => stack.extend(s.iter().map(|i| &**i)),
                    _ => {}
                }
            }
        }
        let mut spans: Vec<(Span, Vec<u32>)> = by_span.into_iter().collect();
        spans.sort_by_key(|(s, _)| (s.file, s.start, std::cmp::Reverse(s.end)));
        let mut parent = Vec::with_capacity(spans.len());
        let mut open: Vec<usize> = Vec::new();
        for (i, (s, _)) in spans.iter().enumerate() {
            while open.last().is_some_and(|&j| !spans[j].0.contains(*s)) {
                open.pop();
            }
            parent.push(open.last().copied());
            open.push(i);
        }
        key_spans.sort();
        let (spans, owners) = spans.into_iter().unzip();
        Some(Index {
            keys,
            spans,
            parent,
            owners,
            key_spans,
        })
    }

    /// The top-level keys whose value holds a target: a node written around it, or map
    /// entries written inside it (merged by `<<` or `extends`).
    fn holders(&self, targets: &[Span]) -> Vec<String> {
        let mut found: Vec<u32> = Vec::new();
        for t in targets {
            // The last span starting at or before the target, then up its parents.
            let at = self
                .spans
                .partition_point(|s| (s.file, s.start) <= (t.file, t.start));
            let mut i = at.checked_sub(1);
            while let Some(k) = i {
                if self.spans[k].contains(*t) {
                    let mut c = Some(k);
                    while let Some(j) = c {
                        found.extend(&self.owners[j]);
                        c = self.parent[j];
                    }
                    break;
                }
                i = self.parent[k];
            }
            let from = self
                .key_spans
                .partition_point(|(s, _)| (s.file, s.start) < (t.file, t.start));
            for (s, owner) in &self.key_spans[from..] {
                if s.file != t.file || s.start > t.end {
                    break;
                }
                if t.contains(*s) {
                    found.push(*owner);
                }
            }
        }
        found.sort_unstable();
        found.dedup();
        found
            .into_iter()
            .map(|o| self.keys[o as usize].clone())
            .collect()
    }
}
