//! One pass of fixing a text: the fixes at or above an applicability, in order of their
//! first edit; a fix that overlaps one already taken waits for the next pass; an edit
//! identical to one taken is applied once. And the unified diff of a fixed file.

use std::collections::BTreeMap;

use super::{text, Applicability, Edit, Fix};
use crate::load::FileId;

/// The fixes taken in one pass (indices into the input) and the edits per file.
#[derive(Default)]
pub struct Pass {
    pub taken: Vec<usize>,
    pub edits: BTreeMap<FileId, Vec<Edit>>,
}

/// Choose non-overlapping fixes among `fixes` (`None` = no fix), skipping files in `frozen`.
pub fn choose(fixes: &[Option<&Fix>], min: Applicability, frozen: &[FileId]) -> Pass {
    let mut order: Vec<usize> = (0..fixes.len())
        .filter(|&i| {
            fixes[i].is_some_and(|f| {
                f.applicability >= min
                    && f.applicability > Applicability::DisplayOnly
                    && !f.edits.is_empty()
                    && f.edits.iter().all(|e| !frozen.contains(&e.span.file))
            })
        })
        .collect();
    order.sort_by_key(|&i| fixes[i].and_then(Fix::first));
    let mut pass = Pass::default();
    for i in order {
        let fix = fixes[i].expect("filtered");
        let fits = fix.edits.iter().all(|e| {
            pass.edits
                .get(&e.span.file)
                .is_none_or(|taken| taken.iter().all(|t| t == e || !overlaps(t, e)))
        });
        if !fits {
            continue;
        }
        for e in &fix.edits {
            let list = pass.edits.entry(e.span.file).or_default();
            if !list.contains(e) {
                list.push(e.clone());
            }
        }
        pass.taken.push(i);
    }
    for list in pass.edits.values_mut() {
        list.sort_by_key(|e| (e.span.start, e.span.end));
    }
    pass
}

/// Two edits touch the same bytes, or insert at the same place.
fn overlaps(a: &Edit, b: &Edit) -> bool {
    let (a, b) = (a.span, b.span);
    if a.file != b.file {
        return false;
    }
    if a.start == a.end || b.start == b.end {
        return a.start <= b.end && b.start <= a.end;
    }
    a.start < b.end && b.start < a.end
}

/// `text` with `edits` (sorted, disjoint) applied; `None` when an edit does not fit it.
pub fn apply(source: &str, edits: &[Edit]) -> Option<String> {
    let mut last = 0;
    for e in edits {
        let r = e.span.range();
        if r.start < last
            || r.end > source.len()
            || !source.is_char_boundary(r.start)
            || !source.is_char_boundary(r.end)
        {
            return None;
        }
        last = r.end;
    }
    let refs: Vec<&Edit> = edits.iter().collect();
    Some(text::apply(source, &refs))
}

/// A unified diff of one file (`--- a/name`, `+++ b/name`, three lines of context).
pub fn unified_diff(name: &str, old: &str, new: &str) -> String {
    let name = name.trim_start_matches("./");
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{name}"), &format!("b/{name}"))
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::Span;

    fn fix(start: usize, end: usize, s: &str, a: Applicability) -> Fix {
        Fix::new(
            "t",
            a,
            vec![Edit::replace(Span::new(0, start, end), s)],
            Vec::new(),
        )
    }

    #[test]
    fn overlapping_fixes_wait() {
        let a = fix(0, 3, "x", Applicability::Safe);
        let b = fix(2, 5, "y", Applicability::Safe);
        let c = fix(6, 6, "z", Applicability::Unsafe);
        let d = fix(7, 8, "w", Applicability::DisplayOnly);
        let fixes = [Some(&a), Some(&b), Some(&c), None, Some(&d)];
        let safe = choose(&fixes, Applicability::Safe, &[]);
        assert_eq!(safe.taken, vec![0]);
        let all = choose(&fixes, Applicability::Unsafe, &[]);
        assert_eq!(all.taken, vec![0, 2]);
        assert_eq!(
            apply("abcdefghi", &all.edits[&0]).as_deref(),
            Some("xdefzghi")
        );
        assert!(choose(&fixes, Applicability::Unsafe, &[0]).taken.is_empty());
    }

    #[test]
    fn identical_edits_apply_once() {
        let a = fix(1, 2, "X", Applicability::Safe);
        let b = fix(1, 2, "X", Applicability::Safe);
        let pass = choose(&[Some(&a), Some(&b)], Applicability::Safe, &[]);
        assert_eq!(pass.taken, vec![0, 1]);
        assert_eq!(apply("abc", &pass.edits[&0]).as_deref(), Some("aXc"));
    }
}
