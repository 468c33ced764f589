//! Where a fix lands and whom it changes. A fix edits the file that holds the node (an
//! anchor's definition, a template, a local include); when several top-level entries of
//! the merged configuration hold that node, the fix changes all of them: at most Unsafe,
//! and its title names the jobs. A node in a file outside the repository (a fetched
//! include, a cached remote file) or without a path is never edited: DisplayOnly.

use super::{Applicability, Edit, Fix};
use crate::load::{Node, Span};
use crate::model::Pipeline;

/// Nodes visited at most per fix when looking for the entries that share a node.
const WALK_BUDGET: usize = 200_000;

/// A fix of `applicability` with `edits` on the nodes at `targets`; `rel` are the key
/// paths it changes below each top-level entry holding a target (empty: the entry).
pub fn fix(
    p: &Pipeline,
    title: impl Into<String>,
    applicability: Applicability,
    edits: Vec<Edit>,
    targets: &[Span],
    rel: &[&[&str]],
) -> Fix {
    let mut title = title.into();
    let mut cap = Applicability::Safe;
    if edits.iter().any(|e| !editable(p, e.span)) {
        cap = Applicability::DisplayOnly;
    }
    let holders = holders(p, targets);
    let Some(holders) = holders else {
        return Fix::new(title, Applicability::DisplayOnly, edits, Vec::new());
    };
    let jobs: Vec<&String> = holders
        .iter()
        .filter(|k| p.job(k).is_some_and(|j| !j.hidden))
        .collect();
    // Written once for several users (an anchor, a template for `extends`, a local
    // include): edited where it is defined, and at most Unsafe.
    let elsewhere = edits.iter().any(|e| e.span.file != p.entry);
    if jobs.len() > 1 || holders.len() > jobs.len() || elsewhere {
        cap = cap.min(Applicability::Unsafe);
        let names: Vec<String> = jobs.iter().map(|j| format!("`{j}`")).collect();
        let files: Vec<&str> = edits
            .iter()
            .filter(|e| e.span.file != p.entry)
            .map(|e| p.file_name(e.span.file))
            .collect();
        let at = match files.first() {
            Some(f) => format!(" in {f}"),
            None => String::new(),
        };
        let plural = if names.len() == 1 { "" } else { "s" };
        title.push_str(&at);
        if !names.is_empty() {
            title.push_str(&format!(
                ", shared: changes job{plural} {}",
                names.join(", ")
            ));
        }
    }
    let mut changes = Vec::new();
    for h in &holders {
        // A holder that is the edited node itself (`.kubectl: &k image:tag`) changes whole.
        let whole = p
            .root_get(h)
            .is_some_and(|v| targets.iter().any(|t| t.contains(v.span)));
        if rel.is_empty() || whole {
            changes.push(vec![h.clone()]);
        }
        for r in rel.iter().filter(|_| !whole) {
            let mut path = vec![h.clone()];
            path.extend(r.iter().map(|s| s.to_string()));
            changes.push(path);
        }
    }
    Fix::new(title, applicability, edits, changes).capped(cap)
}

/// A file kaslint may write: read from disk, inside the repository when its root is known.
pub fn editable(p: &Pipeline, span: Span) -> bool {
    let file = p.sources.get(span.file);
    let Some(path) = &file.path else {
        return false;
    };
    match &p.root_dir {
        Some(root) => {
            let root = crate::folders::canonical(root).unwrap_or_else(|| root.clone());
            path.starts_with(&root)
        }
        None => span.file == p.entry,
    }
}

/// The top-level keys of the merged configuration whose value holds a target: a node
/// written at the target, or entries written inside it (merged by `<<`, `extends`).
/// `None` when the walk is too big to finish.
fn holders(p: &Pipeline, targets: &[Span]) -> Option<Vec<String>> {
    let root = p.root.as_ref()?.as_map()?;
    let mut out = Vec::new();
    let mut budget = WALK_BUDGET;
    for (key, entry) in root.iter() {
        let mut stack: Vec<&Node> = vec![&entry.value];
        let mut found = false;
        while let Some(n) = stack.pop() {
            budget = budget.checked_sub(1)?;
            if targets.iter().any(|t| n.span.contains(*t)) {
                found = true;
                break;
            }
            match &n.value {
                crate::load::Value::Map(m) => {
                    for (_, e) in m.iter() {
                        if targets.iter().any(|t| t.contains(e.key_span)) {
                            found = true;
                        }
                        stack.push(&e.value);
                    }
                }
                crate::load::Value::Seq(s) => stack.extend(s.iter().map(|i| &**i)),
                _ => {}
            }
            if found {
                break;
            }
        }
        if found {
            out.push(key.clone());
        }
    }
    Some(out)
}
