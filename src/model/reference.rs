//! `!reference [job, key, ...]`: replaced by the value found at that path of the
//! configuration after `extends`. References nest at most 10 deep.

use std::sync::Arc;

use super::problem::{Problem, ProblemKind};
use crate::load::yaml::Node;
use crate::load::{NodeRef, Value};

/// GitLab's limit on nested `!reference` tags.
pub const MAX_NESTING: usize = 10;

struct Resolver<'a> {
    root: &'a NodeRef,
    complete: bool,
    problems: Vec<Problem>,
}

/// How a reference is written in GitLab's messages: `!reference ["job", "script"]`.
pub fn display(path: &[String]) -> String {
    let items: Vec<String> = path.iter().map(|p| format!("{p:?}")).collect();
    format!("!reference [{}]", items.join(", "))
}

pub fn resolve(root: &NodeRef, complete: bool) -> (NodeRef, Vec<Problem>) {
    let mut r = Resolver {
        root,
        complete,
        problems: Vec::new(),
    };
    let out = r
        .walk(root, &mut Vec::new(), None)
        .unwrap_or_else(|| root.clone());
    (out, r.problems)
}

impl Resolver<'_> {
    /// A new node when anything below `node` was replaced.
    fn walk(
        &mut self,
        node: &NodeRef,
        chain: &mut Vec<Vec<String>>,
        job: Option<&str>,
    ) -> Option<NodeRef> {
        if node.is_reference() {
            return self.reference(node, chain, job);
        }
        let top = Arc::ptr_eq(node, self.root);
        node.rewrite_children(
            |key, child| {
                // The root's keys are the jobs.
                let job = if top { key } else { job };
                self.walk(child, chain, job)
            },
            |_| None,
        )
    }

    fn reference(
        &mut self,
        node: &NodeRef,
        chain: &mut Vec<Vec<String>>,
        job: Option<&str>,
    ) -> Option<NodeRef> {
        // `Tags::Reference#valid?`: a non-empty sequence of strings (Psych types
        // `1` and `true`, so they are not path items).
        let path: Option<Vec<String>> = node
            .as_seq()
            .map(|items| {
                items
                    .iter()
                    .map(|i| i.as_str().filter(|_| !i.is_reference()).map(str::to_string))
                    .collect::<Option<Vec<_>>>()
            })
            .unwrap_or(None);
        let Some(path) = path.filter(|p| !p.is_empty()) else {
            self.push(
                Problem::new(
                    ProblemKind::ReferenceNotFound,
                    node.span,
                    format!("!reference {} is not valid", tag_data(node)),
                )
                .help("write `!reference [job, key, ...]`: a non-empty list of names"),
                job,
            );
            return None;
        };
        if chain.contains(&path) {
            self.push(
                Problem::new(
                    ProblemKind::ReferenceCircular,
                    node.span,
                    format!("{} is part of a circular chain", display(&path)),
                ),
                job,
            );
            return None;
        }
        if chain.len() >= MAX_NESTING {
            self.push(
                Problem::new(
                    ProblemKind::ReferenceCircular,
                    node.span,
                    format!("{} nesting is too deep", display(&path)),
                )
                .help(format!(
                    "GitLab resolves at most {MAX_NESTING} nested `!reference` tags"
                )),
                job,
            );
            return None;
        }
        let mut target = Some(self.root);
        for key in &path {
            target = target.and_then(|t| t.get(key));
        }
        // Ruby's `raise ... unless object`: `false` and `null` count as not found.
        let target = target.filter(|t| !t.is_null() && t.as_bool() != Some(false));
        let Some(target) = target else {
            if self.complete {
                self.push(
                    Problem::new(
                        ProblemKind::ReferenceNotFound,
                        node.span,
                        format!("{} could not be found", display(&path)),
                    ),
                    job,
                );
            }
            return None;
        };
        let target = target.clone();
        chain.push(path);
        let resolved = self.walk(&target, chain, job).unwrap_or(target);
        chain.pop();
        Some(resolved)
    }

    fn push(&mut self, problem: Problem, job: Option<&str>) {
        let problem = match job {
            Some(j) => problem.job(j),
            None => problem,
        };
        // One anchor used by many jobs is reported once.
        if !self
            .problems
            .iter()
            .any(|p| p.span == problem.span && p.message == problem.message)
        {
            self.problems.push(problem);
        }
    }
}

/// `Tags::Base#validation_error_message`: the tag's data as Ruby's `inspect` shows it
/// (`scalar.presence || map.presence || seq`).
fn tag_data(node: &Node) -> String {
    match &node.value {
        Value::Str(s) if !s.trim().is_empty() => inspect(node),
        Value::Map(m) if !m.is_empty() => inspect(node),
        Value::Seq(_) => inspect(node),
        _ => "[]".into(),
    }
}

/// Ruby's `inspect` of a loaded YAML value (Ruby 3.3: `{"k"=>"v"}`).
fn inspect(node: &Node) -> String {
    match &node.value {
        Value::Null => "nil".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) if f.is_finite() && f.fract() == 0.0 => format!("{f:.1}"),
        Value::Float(f) => f.to_string(),
        Value::Str(s) => ruby_string(s),
        Value::Seq(items) => {
            let items: Vec<String> = items.iter().map(|i| inspect(i)).collect();
            format!("[{}]", items.join(", "))
        }
        Value::Map(m) => {
            let items: Vec<String> = m
                .iter()
                .map(|(k, e)| format!("{}=>{}", ruby_string(k), inspect(&e.value)))
                .collect();
            format!("{{{}}}", items.join(", "))
        }
    }
}

/// `s` as Ruby's `String#inspect` writes it.
fn ruby_string(s: &str) -> String {
    crate::load::scalar::double_quote(s, |c, next| match c {
        '\u{1b}' => Some("\\e".to_string()),
        '#' if matches!(next, Some('{' | '$' | '@')) => Some("\\#".to_string()),
        c if c.is_control() => Some(format!("\\x{:02X}", c as u32)),
        _ => None,
    })
}
