//! Checks a fixed text before it is written: it loads, the findings the fixes were for
//! are gone, no new error appears, and the merged configuration changed only at the
//! paths the fixes declared.

use crate::diagnostic::{Diagnostic, Severity};
use crate::load::{Node, Value};

/// What identifies a finding across two checks (spans move when text is inserted).
pub type Key = (String, Option<String>, String);

pub fn key(d: &Diagnostic) -> Key {
    (d.code().to_string(), d.job.clone(), d.message.clone())
}

/// Why a fixed text is refused, or `Ok`.
pub fn check(
    before: Option<&Node>,
    after: Option<&Node>,
    old: &[Diagnostic],
    new: &[Diagnostic],
    fixed: &[Key],
    changes: &[Vec<String>],
) -> Result<(), String> {
    let (Some(before), Some(after)) = (before, after) else {
        return Err("the fixed text no longer loads".into());
    };
    let counts = |list: &[Diagnostic]| {
        let mut m: std::collections::HashMap<Key, usize> = std::collections::HashMap::new();
        for d in list {
            *m.entry(key(d)).or_default() += 1;
        }
        m
    };
    let (was, now) = (counts(old), counts(new));
    let count = |m: &std::collections::HashMap<Key, usize>, k: &Key| m.get(k).copied().unwrap_or(0);
    for k in fixed {
        if count(&now, k) >= count(&was, k) {
            return Err(format!("the finding is still there: {}", k.2));
        }
    }
    if let Some(d) = new
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .find(|d| count(&was, &key(d)) < count(&now, &key(d)))
    {
        return Err(format!("it adds an error: {}", d.message));
    }
    let paths: Vec<&[String]> = changes.iter().map(Vec::as_slice).collect();
    match differs(before, after, &paths, &mut Vec::new()) {
        Some(at) => Err(format!(
            "it changes `{}`, which the fix does not declare",
            at.join(".")
        )),
        None => Ok(()),
    }
}

/// The first path where `a` and `b` differ outside `allowed` (paths relative to here).
fn differs(a: &Node, b: &Node, allowed: &[&[String]], at: &mut Vec<String>) -> Option<Vec<String>> {
    if allowed.iter().any(|p| p.is_empty()) {
        return None;
    }
    if a.tag != b.tag {
        return Some(at.clone());
    }
    match (&a.value, &b.value) {
        (Value::Map(x), Value::Map(y)) => {
            let below = |k: &str| -> Vec<&[String]> {
                allowed
                    .iter()
                    .filter(|p| p.first().is_some_and(|f| f == k))
                    .map(|p| &p[1..])
                    .collect()
            };
            let kept = |k: &&String| !below(k).iter().any(|p| p.is_empty());
            let xs: Vec<&String> = x.keys().filter(kept).collect();
            let ys: Vec<&String> = y.keys().filter(kept).collect();
            if xs != ys {
                let extra = xs
                    .iter()
                    .chain(&ys)
                    .find(|k| !(x.contains_key(k) && y.contains_key(k)));
                at.push(extra.map_or_else(|| "(key order)".to_string(), |k| k.to_string()));
                return Some(at.clone());
            }
            for k in xs {
                at.push(k.clone());
                let found = differs(x.get(k)?, y.get(k)?, &below(k), at);
                if found.is_some() {
                    return found;
                }
                at.pop();
            }
            None
        }
        (Value::Seq(x), Value::Seq(y)) => {
            if x.len() != y.len() {
                return Some(at.clone());
            }
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                at.push(i.to_string());
                let found = differs(p, q, &[], at);
                if found.is_some() {
                    return found;
                }
                at.pop();
            }
            None
        }
        (Value::Null, Value::Null) => None,
        (Value::Bool(p), Value::Bool(q)) if p == q => None,
        (Value::Int(p), Value::Int(q)) if p == q => None,
        (Value::Float(p), Value::Float(q)) if p == q || (p.is_nan() && q.is_nan()) => None,
        (Value::Str(p), Value::Str(q)) if p == q => None,
        _ => Some(at.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> crate::load::NodeRef {
        crate::load::yaml::parse(0, text).expect("loads").documents[0].clone()
    }

    #[test]
    fn only_declared_paths_may_change() {
        let a = doc("j:\n  image: x\n  script: [a]\nk: {v: 1}\n");
        let b = doc("j:\n  image: {name: x, entrypoint: [\"\"]}\n  script: [a]\nk: {v: 1}\n");
        let image = vec![vec!["j".to_string(), "image".to_string()]];
        assert_eq!(check(Some(&a), Some(&b), &[], &[], &[], &image), Ok(()));
        let err = check(Some(&a), Some(&b), &[], &[], &[], &[]).unwrap_err();
        assert!(err.contains("`j.image`"), "{err}");
        let c = doc("j:\n  image: x\n  script: [a]\nk: {v: 2}\n");
        assert!(check(Some(&a), Some(&c), &[], &[], &[], &image).is_err());
        assert!(check(Some(&a), None, &[], &[], &[], &image).is_err());
        let renamed = doc("j:\n  image: x\n  scripts: [a]\nk: {v: 1}\n");
        let both = vec![
            vec!["j".into(), "script".into()],
            vec!["j".into(), "scripts".into()],
        ];
        assert_eq!(
            check(Some(&a), Some(&renamed), &[], &[], &[], &both),
            Ok(())
        );
    }
}
