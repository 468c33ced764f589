//! Symbolic key paths (`deploy.script[2]`): where a finding is, in terms that survive
//! edits elsewhere in the file. Used by baselines.

use crate::load::{NodeRef, Span, Value};

/// The path of the deepest value or key whose span holds `target`, searched in the
/// merged configuration (so a template line is found under the template's key).
pub fn key_path(root: &NodeRef, target: Span) -> Option<String> {
    let mut best: Option<(u32, String)> = None;
    // (node, path) stack; depth is bounded by the loader's nesting limit.
    let mut stack: Vec<(&NodeRef, String)> = vec![(root, String::new())];
    let mut visited = 0usize;
    while let Some((node, path)) = stack.pop() {
        visited += 1;
        if visited > 1_000_000 {
            break;
        }
        consider(&mut best, node.span, target, &path);
        match &node.value {
            Value::Map(m) => {
                for (k, e) in m.iter() {
                    let child = if path.is_empty() {
                        k.clone()
                    } else {
                        format!("{path}.{k}")
                    };
                    consider(&mut best, e.key_span, target, &child);
                    stack.push((&e.value, child));
                }
            }
            Value::Seq(items) => {
                for (i, item) in items.iter().enumerate() {
                    stack.push((item, format!("{path}[{i}]")));
                }
            }
            _ => {}
        }
    }
    best.map(|(_, p)| p)
}

fn consider(best: &mut Option<(u32, String)>, span: Span, target: Span, path: &str) {
    if path.is_empty() || !span.contains(target) {
        return;
    }
    let width = span.end - span.start;
    if best.as_ref().is_none_or(|(w, _)| width < *w) {
        *best = Some((width, path.to_string()));
    }
}
