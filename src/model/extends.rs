//! `extends`: reverse deep merge of the named templates into each top-level entry.
//! Parents merge in order (later parents win), then the entry's own keys win.

use std::collections::HashMap;
use std::sync::Arc;

use super::merge::deep_merge;
use super::problem::{Problem, ProblemKind};
use crate::load::yaml::{Entry, Map, Node, Style};
use crate::load::{NodeRef, Span, Value};

/// GitLab's `Extendable::Entry::MAX_NESTING_LEVELS`: 10 parents above an entry, 11 levels in all.
pub const MAX_NESTING_LEVELS: usize = 10;

/// Names an entry extends, with the span of each name; `Err` with the offending node.
pub fn extends_names(node: &NodeRef) -> Result<Vec<(String, Span)>, Span> {
    let Some(ext) = node.get("extends") else {
        return Ok(Vec::new());
    };
    match &ext.value {
        Value::Str(s) => Ok(vec![(s.to_string(), ext.span)]),
        Value::Seq(items) => items
            .iter()
            .map(|i| i.as_str().map(|s| (s.to_string(), i.span)).ok_or(i.span))
            .collect(),
        Value::Null => Ok(Vec::new()),
        _ => Err(ext.span),
    }
}

struct Extender<'a> {
    root: &'a Map,
    complete: bool,
    done: HashMap<String, NodeRef>,
    problems: Vec<Problem>,
}

pub fn resolve(root: &NodeRef, complete: bool) -> (NodeRef, Vec<Problem>) {
    let Some(map) = root.as_map() else {
        return (root.clone(), Vec::new());
    };
    let mut ext = Extender {
        root: map,
        complete,
        done: HashMap::new(),
        problems: Vec::new(),
    };
    let mut changed = false;
    let mut out = Map::default();
    for (key, entry) in map.iter() {
        let value = if entry.value.get("extends").is_some() {
            let v = ext.extend(key, &mut Vec::new());
            changed |= !Arc::ptr_eq(&v, &entry.value);
            v
        } else {
            entry.value.clone()
        };
        out.insert(
            key.clone(),
            Entry {
                key_span: entry.key_span,
                value,
            },
        );
    }
    let node = if changed {
        Arc::new(Node {
            span: root.span,
            tag: None,
            style: Style::Other,
            value: Value::Map(out),
        })
    } else {
        root.clone()
    };
    (node, ext.problems)
}

impl Extender<'_> {
    fn extend(&mut self, key: &str, chain: &mut Vec<String>) -> NodeRef {
        if let Some(done) = self.done.get(key) {
            return done.clone();
        }
        let own = self.root.get(key).expect("key from the root").clone();
        if own.as_map().is_none() {
            return own;
        }
        let names = match extends_names(&own) {
            Ok(n) => n,
            Err(span) => {
                self.problems.push(
                    Problem::new(
                        ProblemKind::ExtendsInvalid,
                        span,
                        format!("{key}: invalid `extends`: it should be a string or an array of strings"),
                    )
                    .job(key),
                );
                return own;
            }
        };
        if names.is_empty() {
            self.done.insert(key.to_string(), own.clone());
            return own;
        }
        let mut base: Option<NodeRef> = None;
        chain.push(key.to_string());
        for (name, span) in names {
            if chain.contains(&name) {
                let cycle = format!("{} -> {name}", chain.join(" -> "));
                self.problems.push(
                    Problem::new(
                        ProblemKind::ExtendsCircular,
                        span,
                        format!("{name}: circular dependency detected in `extends`"),
                    )
                    .help(format!("the chain is {cycle}"))
                    .job(key),
                );
                continue;
            }
            let Some(parent) = self.root.get(&name) else {
                if self.complete {
                    let mut p = Problem::new(
                        ProblemKind::ExtendsUnknown,
                        span,
                        format!("{key}: unknown keys in `extends` ({name})"),
                    )
                    .job(key);
                    if let Some(s) = super::suggest(&name, self.root.keys().map(String::as_str)) {
                        p = p.help(format!("did you mean `{s}`?"));
                    }
                    self.problems.push(p);
                }
                continue;
            };
            if parent.as_map().is_none() {
                self.problems.push(
                    Problem::new(
                        ProblemKind::ExtendsInvalid,
                        span,
                        format!("{key}: invalid base hashes in `extends` ({name})"),
                    )
                    .job(key),
                );
                continue;
            }
            if chain.len() > MAX_NESTING_LEVELS {
                self.problems.push(
                    Problem::new(
                        ProblemKind::ExtendsTooDeep,
                        span,
                        format!("{key}: nesting too deep in `extends`"),
                    )
                    .help(format!(
                        "GitLab allows {} levels of `extends`; this chain is {} -> {name}",
                        MAX_NESTING_LEVELS + 1,
                        chain.join(" -> ")
                    ))
                    .job(key),
                );
                continue;
            }
            let parent = self.extend(&name, chain);
            base = Some(match base {
                None => parent,
                Some(b) => deep_merge(&b, &parent),
            });
        }
        chain.pop();
        let result = match base {
            Some(b) => deep_merge(&b, &own),
            None => own,
        };
        self.done.insert(key.to_string(), result.clone());
        result
    }
}
