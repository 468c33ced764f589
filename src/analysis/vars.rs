//! Which variables a job can see, and their values when the files show them: global
//! `variables` (unless `inherit:variables` excludes them), the job's own (after `extends`),
//! `rules:variables`, `parallel:matrix`, the script's own `export`s, and GitLab's
//! predefined variables.

use indexmap::IndexMap;

use super::JobScript;
use crate::load::{NodeRef, Span, Value};
use crate::model::{inherits, Job, Pipeline};

#[derive(Clone, Debug)]
pub struct VarDef {
    /// The value when it is a plain string (`None`: not a string, or unknown).
    pub value: Option<String>,
    pub span: Span,
}

#[derive(Debug, Default)]
pub struct Vars {
    defs: IndexMap<String, Vec<VarDef>>,
    extra: Vec<String>,
    /// Variables may come from places the files do not show: an include that could not be
    /// read, a dotenv report, `source`d files.
    pub open: bool,
}

impl Vars {
    /// The variables of `job`. `extra` are names declared elsewhere (project settings).
    pub fn for_job(
        p: &Pipeline,
        job: &Job,
        script: &JobScript,
        extra: &[String],
        dotenv_anywhere: bool,
    ) -> Vars {
        let mut v = Vars {
            extra: extra.to_vec(),
            open: !p.is_complete() || script.incomplete,
            ..Vars::default()
        };
        if let Some(global) = p.root_get("variables").and_then(|g| g.as_map()) {
            for (name, e) in global.iter() {
                if inherits(job, "variables", name) {
                    v.add(name, &e.value);
                }
            }
        }
        if let Some(own) = job.node.get("variables").and_then(|g| g.as_map()) {
            for (name, e) in own.iter() {
                // A job's own variable replaces the global one.
                v.defs.shift_remove(name.as_str());
                v.add(name, &e.value);
            }
        }
        if let Some(rules) = job.node.get("rules").and_then(|r| r.as_seq()) {
            for r in rules {
                if let Some(m) = r.get("variables").and_then(|g| g.as_map()) {
                    for (name, e) in m.iter() {
                        v.add(name, &e.value);
                    }
                }
            }
        }
        if let Some(matrix) = job
            .node
            .get("parallel")
            .and_then(|p| p.get("matrix"))
            .and_then(|m| m.as_seq())
        {
            for entry in matrix {
                if let Some(m) = entry.as_map() {
                    for (name, e) in m.iter() {
                        match &e.value.value {
                            Value::Seq(items) => {
                                for i in items {
                                    v.add(name, i);
                                }
                            }
                            _ => v.add(name, &e.value),
                        }
                    }
                }
            }
        }
        for cmd in &script.commands {
            for a in cmd.assignments.iter().filter(|a| a.persistent) {
                v.defs.entry(a.name.clone()).or_default().push(VarDef {
                    value: Some(a.value.clone()),
                    span: a.span,
                });
            }
            if matches!(cmd.program(), Some("source" | "." | "read")) {
                v.open = true;
            }
        }
        // A dotenv report of any job may define anything for later jobs.
        if dotenv_anywhere {
            v.open = true;
        }
        v
    }

    /// Whether any job publishes a dotenv report (computed once per pipeline).
    pub fn dotenv_anywhere(p: &Pipeline) -> bool {
        p.jobs.iter().any(|j| {
            j.node
                .get("artifacts")
                .and_then(|a| a.get("reports"))
                .and_then(|r| r.get("dotenv"))
                .is_some()
        })
    }

    fn add(&mut self, name: &str, node: &NodeRef) {
        let value_node = match &node.value {
            Value::Map(_) => node.get("value"),
            _ => Some(node),
        };
        let value = value_node.and_then(|n| match &n.value {
            Value::Str(_) | Value::Int(_) | Value::Float(_) | Value::Bool(_) => n.scalar_text(),
            _ => None,
        });
        self.defs.entry(name.to_string()).or_default().push(VarDef {
            value,
            span: value_node.map_or(node.span, |n| n.span),
        });
    }

    /// Defined by the pipeline's files, the script, GitLab, or declared as a settings variable.
    pub fn is_defined(&self, name: &str) -> bool {
        self.defs.contains_key(name)
            || crate::data::is_predefined(name)
            || self.extra.iter().any(|e| e == name)
    }

    /// Names the files define for this job (for suggestions).
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.defs
            .keys()
            .map(String::as_str)
            .chain(self.extra.iter().map(String::as_str))
    }

    pub fn defs(&self, name: &str) -> &[VarDef] {
        self.defs.get(name).map_or(&[], Vec::as_slice)
    }

    /// The one value `name` has, when every definition agrees on it.
    pub fn value(&self, name: &str) -> Option<&str> {
        let defs = self.defs.get(name)?;
        let first = defs.first()?.value.as_deref()?;
        defs.iter()
            .all(|d| d.value.as_deref() == Some(first))
            .then_some(first)
    }

    /// Every literal value `name` may take (after expanding what can be expanded).
    pub fn values(&self, name: &str) -> Vec<String> {
        self.defs(name)
            .iter()
            .filter_map(|d| d.value.as_deref())
            .map(|v| self.expand(v).unwrap_or_else(|| v.to_string()))
            .collect()
    }

    /// Expand `$VAR` / `${VAR}` in `text`; `None` when a variable's value is not known.
    pub fn expand(&self, text: &str) -> Option<String> {
        self.expand_with(text, &|_| None)
    }

    /// Like [`Vars::expand`], but a variable the files do not define may get a fixed
    /// stand-in from `special` (e.g. a marker for `$CI_PROJECT_PATH`).
    pub fn expand_with(
        &self,
        text: &str,
        special: &dyn Fn(&str) -> Option<&'static str>,
    ) -> Option<String> {
        self.expand_depth(text, special, 0)
    }

    fn expand_depth(
        &self,
        text: &str,
        special: &dyn Fn(&str) -> Option<&'static str>,
        depth: usize,
    ) -> Option<String> {
        if depth > 10 {
            return None;
        }
        let mut out = String::new();
        let mut rest = text;
        while let Some(i) = rest.find('$') {
            out.push_str(&rest[..i]);
            let after = &rest[i + 1..];
            let (name, len) = if let Some(b) = after.strip_prefix('{') {
                let end = b.find('}')?;
                (&b[..end], end + 2)
            } else {
                let n = after
                    .char_indices()
                    .find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '_'))
                    .map_or(after.len(), |(i, _)| i);
                (&after[..n], n)
            };
            if name.is_empty() {
                out.push('$');
                rest = after;
                continue;
            }
            if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return None;
            }
            match self.defs(name).is_empty().then(|| special(name)).flatten() {
                Some(fixed) => out.push_str(fixed),
                None => {
                    let value = self.value(name)?;
                    out.push_str(&self.expand_depth(value, special, depth + 1)?);
                }
            }
            rest = &after[len..];
        }
        out.push_str(rest);
        Some(out)
    }
}
