//! GitLab's entry validation (`Gitlab::Ci::Config::Entry::*`) over the merged
//! configuration: every key and value checked the way the entry classes check them,
//! with GitLab's messages (`"#{location} #{humanized attribute} #{message}".downcase`)
//! and the span of the offending key or value.
//!
//! Deliberate differences from GitLab: GitLab stops composing an entry's children once
//! the entry itself has an error; kaslint reports the children's problems too (the
//! configuration is rejected either way). Values still holding `$[[ inputs.x ]]` or an
//! unresolved `!reference` are unknown offline and never reported.

use super::finding::{humanize, Class, Finding};
use crate::load::scalar::Plain;
use crate::load::{Map, Node, NodeRef, Span, Value};
use crate::model::keywords::{self as kw, Kind};
use crate::model::{suggest, Pipeline};

mod artifacts;
mod cache;
mod environment;
mod image;
mod job;
mod needs;
mod parallel;
mod release;
mod retry;
mod root;
mod rules;
mod run_steps;
mod trigger;
mod types;
mod variables;

use artifacts::percent_decode;
pub(super) use job::{job_type, JobType};
use needs::need_job_names;
use run_steps::run_steps_errors;
use types::{
    array_of_hashes, array_of_integers_or_integer, array_of_strings, duration_secs, is_bool,
    is_str, joined, nested_array, ruby_regexp, string_or_array_of_strings, strings_with_bad_regexp,
};
pub(super) use types::{blank, opaque};

pub(super) struct Entries<'a> {
    pub out: Vec<Finding>,
    job: Option<String>,
    pipeline: &'a Pipeline,
}

/// The replacement of a key GitLab removed, for the unknown-key help.
fn removed_key_help(key: &str, allowed: &[&str]) -> Option<String> {
    // `artifacts:reports:cobertura` was removed in GitLab 15.0 (Entry::Reports::ALLOWED_KEYS).
    (key == "cobertura" && allowed == kw::REPORTS_KEYS).then(|| {
        "GitLab 15.0 replaced it with `coverage_report: {coverage_format: cobertura, path: ...}`"
            .to_string()
    })
}

impl<'a> Entries<'a> {
    pub(super) fn new(pipeline: &'a Pipeline) -> Self {
        Entries {
            out: Vec::new(),
            job: None,
            pipeline,
        }
    }

    fn push(&mut self, class: Class, span: Span, message: String, help: Option<String>) {
        self.out.push(Finding {
            kind: class,
            span,
            message,
            help,
            job: self.job.clone(),
            related: Vec::new(),
        });
    }

    /// `"#{location} #{humanized attribute} #{message}".downcase`.
    fn error(&mut self, span: Span, loc: &str, attr: &str, message: &str) {
        let text = if attr.is_empty() {
            format!("{loc} {message}")
        } else {
            format!("{loc} {} {message}", humanize(attr))
        };
        self.push(Class::Invalid, span, text.to_lowercase(), None);
    }

    /// A hand-written GitLab message (not lower-cased).
    fn raw(&mut self, span: Span, message: String) {
        self.push(Class::Invalid, span, message, None);
    }

    /// `allowed_keys`: one finding per unknown key, each carrying GitLab's whole message.
    fn allowed_keys(&mut self, loc: &str, map: &Map, allowed: &[&str]) {
        let unknown: Vec<(&String, Span)> = map
            .iter()
            .filter(|(k, _)| !allowed.contains(&k.as_str()))
            .map(|(k, e)| (k, e.key_span))
            .collect();
        if unknown.is_empty() {
            return;
        }
        let names: Vec<&str> = unknown.iter().map(|(k, _)| k.as_str()).collect();
        let message =
            format!("{loc} config contains unknown keys: {}", names.join(", ")).to_lowercase();
        for (key, span) in unknown {
            let help = removed_key_help(key, allowed)
                .or_else(|| suggest_key(key, allowed).map(|s| format!("did you mean `{s}`?")));
            self.push(Class::UnknownKey, span, message.clone(), help);
        }
    }

    /// `required_keys`.
    fn required_keys(&mut self, at: Span, loc: &str, map: &Map, required: &[&str]) {
        let missing = missing_keys(map, required);
        if !missing.is_empty() {
            self.error(
                at,
                loc,
                "config",
                &format!("missing required keys: {}", joined(&missing)),
            );
        }
    }

    /// `mutually_exclusive_keys`.
    fn exclusive(&mut self, at: Span, loc: &str, map: &Map, keys: &[&str]) {
        let present: Vec<&str> = map
            .keys()
            .map(String::as_str)
            .filter(|k| keys.contains(k))
            .collect();
        if present.len() > 1 {
            self.error(
                at,
                loc,
                "config",
                &format!("these keys cannot be used together: {}", joined(&present)),
            );
        }
    }

    fn attr<'m>(map: &'m Map, key: &str) -> Option<&'m NodeRef> {
        map.get(key).filter(|v| !v.is_null())
    }

    fn check_string(&mut self, loc: &str, map: &Map, key: &str) {
        if let Some(v) = Self::attr(map, key) {
            if !is_str(v) {
                self.error(v.span, loc, key, "should be a string");
            }
        }
    }

    /// `key`'s text for the checks GitLab runs on a string: `None` when the key is absent,
    /// null or unknown offline; any other non-string is GitLab's "should be a string".
    fn string_attr<'m>(
        &mut self,
        loc: &str,
        map: &'m Map,
        key: &str,
    ) -> Option<(&'m NodeRef, &'m str)> {
        let v = Self::attr(map, key).filter(|v| !opaque(v))?;
        let text = v.as_str();
        if text.is_none() {
            self.error(v.span, loc, key, "should be a string");
        }
        Some((v, text?))
    }

    /// `type: String` with `inclusion: { in: allowed }`: GitLab reports both when both fail.
    /// (`message` is written only for a value that is there.)
    fn check_one_of(
        &mut self,
        loc: &str,
        map: &Map,
        key: &str,
        allowed: &[&str],
        message: impl FnOnce() -> String,
    ) {
        self.check_string(loc, map, key);
        if Self::attr(map, key).is_some() {
            self.check_inclusion(loc, map, key, allowed, &message());
        }
    }

    /// `type: Array` of strings.
    fn check_strings(&mut self, loc: &str, map: &Map, key: &str) {
        if let Some(v) = Self::attr(map, key) {
            if !array_of_strings(v) {
                self.error(v.span, loc, key, "should be an array of strings");
            }
        }
    }

    fn check_bool(&mut self, loc: &str, map: &Map, key: &str) {
        if let Some(v) = Self::attr(map, key) {
            if !is_bool(v) {
                self.error(v.span, loc, key, "should be a boolean value");
            }
        }
    }

    fn check_inclusion(
        &mut self,
        loc: &str,
        map: &Map,
        key: &str,
        allowed: &[&str],
        message: &str,
    ) {
        if let Some(v) = Self::attr(map, key) {
            if opaque(v) {
                return;
            }
            let text = v.scalar_text();
            if !text.is_some_and(|t| allowed.contains(&t.as_str())) {
                self.error(v.span, loc, key, message);
            }
        }
    }

    fn check_duration(
        &mut self,
        loc: &str,
        attr: &str,
        v: &Node,
        limit: Option<f64>,
        never_ok: bool,
    ) {
        if opaque(v) {
            return;
        }
        let Some(text) = v.as_str() else {
            self.error(v.span, loc, attr, "should be a duration");
            if limit.is_some() {
                self.error(v.span, loc, attr, "should not exceed the limit");
            }
            return;
        };
        if text.contains('$') || (never_ok && text.trim() == "never") {
            return;
        }
        match duration_secs(text) {
            None => self.error(v.span, loc, attr, "should be a duration"),
            Some(secs) => {
                if limit.is_some_and(|l| secs > l) {
                    self.error(v.span, loc, attr, "should not exceed the limit");
                }
            }
        }
    }

    fn check_length(&mut self, loc: &str, attr: &str, v: &Node, min: usize, max: usize) {
        if let Some(s) = v.as_str() {
            let n = s.chars().count();
            if n > max {
                self.error(
                    v.span,
                    loc,
                    attr,
                    &format!("is too long (maximum is {max} characters)"),
                );
            } else if n < min {
                let unit = if min == 1 { "character" } else { "characters" };
                self.error(
                    v.span,
                    loc,
                    attr,
                    &format!("is too short (minimum is {min} {unit})"),
                );
            }
        }
    }

    /// Dispatch on a keyword's kind. `loc` is the entry's location (`jobs:x:image`).
    fn kind(&mut self, kind: Kind, loc: &str, at: Span, v: &NodeRef, owner: &str) {
        if opaque(v) {
            return;
        }
        match kind {
            Kind::Commands => self.commands(loc, v),
            Kind::Stage => {
                if !is_str(v) {
                    self.error(v.span, loc, "config", "should be a string");
                }
            }
            Kind::Stages => {
                if !nested_array(v, 10, &|n| matches!(n.value, Value::Str(_))) {
                    self.error(
                        v.span,
                        loc,
                        "config",
                        "should be an array of strings or a nested array of strings up to 10 levels deep",
                    );
                }
            }
            Kind::Policy => self.policy(loc, v),
            Kind::JobRules => self.rules(loc, v, kw::JOB_RULE_KEYS, kw::JOB_RULE_WHEN),
            Kind::WorkflowRules => {
                self.rules(loc, v, kw::WORKFLOW_RULE_KEYS, kw::WORKFLOW_RULE_WHEN)
            }
            Kind::GlobalVariables => {
                self.variables(loc, v, &["value", "description", "expand", "options"])
            }
            Kind::JobVariables => self.variables(loc, v, &["value", "expand"]),
            Kind::Inherit => self.inherit(loc, v),
            Kind::Environment => self.environment(loc, v),
            Kind::Boolean => {
                if !is_bool(v) {
                    self.error(v.span, loc, "config", "should be a boolean value");
                }
            }
            Kind::Image => self.image(loc, v, kw::IMAGE_KEYS),
            Kind::Services => self.services(loc, v),
            Kind::Cache => self.caches(loc, v),
            Kind::Timeout => {
                self.check_duration(loc, "config", v, Some(kw::MAX_TIMEOUT_SECS), false)
            }
            Kind::Retry => self.retry(v),
            Kind::Tags => {
                if !array_of_strings(v) {
                    self.error(v.span, loc, "config", "should be an array of strings");
                } else if v.as_seq().is_some_and(|s| s.len() >= kw::TAGS_LIMIT) {
                    self.error(
                        v.span,
                        loc,
                        "config",
                        &format!("must be less than the limit of {} tags", kw::TAGS_LIMIT),
                    );
                }
            }
            Kind::Artifacts => self.artifacts(loc, v),
            Kind::JobNeeds => self.needs(loc, v, &["job", "cross_dependency"]),
            Kind::BridgeNeeds => self.needs(loc, v, &["job", "bridge"]),
            Kind::Coverage => {
                if !v.as_str().is_some_and(ruby_regexp) {
                    self.error(
                        v.span,
                        loc,
                        "config",
                        "must be a regular expression with re2 syntax",
                    );
                }
            }
            Kind::Release => self.release(loc, at, v),
            Kind::JobParallel => self.parallel(loc, v, true),
            Kind::BridgeParallel => self.parallel(loc, v, false),
            Kind::AllowFailure => {
                if let Some(m) = v.as_map() {
                    self.allowed_keys(loc, m, kw::ALLOW_FAILURE_KEYS);
                    if let Some(c) = Self::attr(m, "exit_codes") {
                        if !array_of_integers_or_integer(c) {
                            self.error(
                                c.span,
                                loc,
                                "exit_codes",
                                "should be an array of integers or an integer",
                            );
                        }
                    }
                }
            }
            Kind::JobAttribute => {
                // Checked by the job (attributes, not entries).
            }
            Kind::IdTokens => self.id_tokens(loc, v),
            Kind::Hooks => {
                if let Some(m) = v.as_map() {
                    self.allowed_keys(loc, m, kw::HOOKS_KEYS);
                    if let Some(e) = m.entry("pre_get_sources_script") {
                        if !e.value.is_null() {
                            self.commands(&sub(loc, "pre_get_sources_script"), &e.value);
                        }
                    }
                } else {
                    self.error(v.span, loc, "config", "should be a hash");
                }
            }
            Kind::Pages => self.pages(loc, v),
            Kind::String => {
                if !is_str(v) {
                    // Job-level attributes: `jobs:x resource group should be a string`.
                    self.error(v.span, owner, attr_of(loc), "should be a string");
                }
            }
            Kind::Extends => {
                if !string_or_array_of_strings(v) {
                    self.error(
                        v.span,
                        owner,
                        "extends",
                        "should be an array of strings or a string",
                    );
                }
            }
            Kind::Trigger => self.trigger(loc, v),
            Kind::Include => {
                // Resolved (and reported) by the include machinery.
            }
            Kind::Workflow => self.workflow(loc, v),
            Kind::Default => self.default(loc, v),
            Kind::Unchecked => {}
        }
    }

    fn commands(&mut self, loc: &str, v: &Node) {
        if !(is_str(v) || nested_array(v, 10, &|n| matches!(n.value, Value::Str(_)))) {
            self.error(
                v.span,
                loc,
                "config",
                "should be a string or a nested array of strings up to 10 levels deep",
            );
        }
    }

    /// Validate every known child of an entry by its kind.
    fn children(&mut self, loc: &str, m: &Map, table: &[(&str, Kind)], owner: &str) {
        for (key, entry) in m.iter() {
            if entry.value.is_null() {
                continue;
            }
            if let Some(kind) = kw::kind_of(table, key) {
                self.kind(kind, &sub(loc, key), entry.key_span, &entry.value, owner);
            }
        }
    }
}

/// The last segment of a location (`jobs:x:resource_group` → `resource_group`).
fn attr_of(loc: &str) -> &str {
    loc.rsplit(':').next().unwrap_or(loc)
}

fn value_span(m: &Map, key: &str) -> Span {
    m.entry(key).map(|e| e.key_span).unwrap_or_default()
}

fn flatten<'n>(items: &'n [NodeRef], out: &mut Vec<&'n NodeRef>) {
    for i in items {
        match i.as_seq() {
            Some(inner) if !i.is_reference() => flatten(inner, out),
            _ => out.push(i),
        }
    }
}

fn suggest_key<'k>(key: &str, allowed: &[&'k str]) -> Option<&'k str> {
    let normalized = key.trim().replace([' ', '-'], "_");
    if normalized != key && allowed.contains(&normalized.as_str()) {
        return allowed.iter().copied().find(|a| *a == normalized);
    }
    suggest(key, allowed.iter().copied())
}

/// Run the entry checks over a pipeline.
pub(super) fn check(pipeline: &Pipeline) -> Vec<Finding> {
    let mut e = Entries::new(pipeline);
    let Some(root) = pipeline.root.as_ref() else {
        return Vec::new();
    };
    e.root(root);
    let complete = e.pipeline.is_complete();
    for job in &pipeline.jobs {
        let as_keyword = (job.name == "default" || job.name == "workflow")
            && job_type(&job.name, &job.node).is_none();
        if as_keyword {
            continue;
        }
        if job.hidden {
            e.hidden(&job.name, job.key_span, &job.node);
        } else {
            e.job(&job.name, job.key_span, &job.node, complete);
        }
    }
    e.out
}

/// `loc:key`, the location of a child (built without `format!`: this runs for every key
/// of every job).
fn sub(loc: &str, key: &str) -> String {
    let mut out = String::with_capacity(loc.len() + 1 + key.len());
    out.push_str(loc);
    out.push(':');
    out.push_str(key);
    out
}

/// The `required` keys `map` lacks, in `required`'s order.
fn missing_keys<'k>(map: &Map, required: &[&'k str]) -> Vec<&'k str> {
    required
        .iter()
        .copied()
        .filter(|k| !map.contains_key(k))
        .collect()
}

/// The table tests of the entry families: a whole `.gitlab-ci.yml` and GitLab's message.
#[cfg(test)]
mod table {
    /// Each row's message is among the entry findings; a row with an empty message has none.
    pub(super) fn assert_rows(rows: &[(&str, &str)]) {
        super::super::table::assert_rows(super::check, rows);
    }
}
