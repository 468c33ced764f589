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

pub struct Entries<'a> {
    pub out: Vec<Finding>,
    job: Option<String>,
    pipeline: &'a Pipeline,
}

/// A value kaslint cannot know offline: an unresolved `!reference` or an input placeholder.
pub fn opaque(n: &Node) -> bool {
    n.is_reference() || matches!(&n.value, Value::Str(s) if s.contains("$[["))
}

fn is_str(n: &Node) -> bool {
    matches!(n.value, Value::Str(_)) || opaque(n)
}

/// The replacement of a key GitLab removed, for the unknown-key help.
fn removed_key_help(key: &str, allowed: &[&str]) -> Option<String> {
    // `artifacts:reports:cobertura` was removed in GitLab 15.0 (Entry::Reports::ALLOWED_KEYS).
    (key == "cobertura" && allowed == kw::REPORTS_KEYS).then(|| {
        "GitLab 15.0 replaced it with `coverage_report: {coverage_format: cobertura, path: ...}`"
            .to_string()
    })
}

fn is_bool(n: &Node) -> bool {
    matches!(n.value, Value::Bool(_)) || opaque(n)
}

fn is_int(n: &Node) -> bool {
    matches!(n.value, Value::Int(_)) || opaque(n)
}

/// Rails' `blank?`: nil, false, empty or whitespace-only strings, empty collections.
pub fn blank(n: &Node) -> bool {
    match &n.value {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::Str(s) => s.trim().is_empty(),
        Value::Seq(s) => s.is_empty(),
        Value::Map(m) => m.is_empty(),
        _ => false,
    }
}

fn array_of_strings(n: &Node) -> bool {
    opaque(n) || n.as_seq().is_some_and(|s| s.iter().all(|i| is_str(i)))
}

fn array_of_hashes(n: &Node) -> bool {
    opaque(n)
        || n.as_seq()
            .is_some_and(|s| s.iter().all(|i| i.as_map().is_some() || opaque(i)))
}

fn string_or_array_of_strings(n: &Node) -> bool {
    is_str(n) || array_of_strings(n)
}

fn array_of_integers_or_integer(n: &Node) -> bool {
    is_int(n) || n.as_seq().is_some_and(|s| s.iter().all(|i| is_int(i)))
}

/// `validate_nested_array_recursively`: a value the check accepts, or arrays of them
/// up to `level` deep.
fn nested(n: &Node, level: usize, ok: &dyn Fn(&Node) -> bool) -> bool {
    if ok(n) || opaque(n) {
        return true;
    }
    if level == 0 {
        return false;
    }
    n.as_seq()
        .is_some_and(|s| s.iter().all(|i| nested(i, level - 1, ok)))
}

fn nested_array(n: &Node, level: usize, ok: &dyn Fn(&Node) -> bool) -> bool {
    opaque(n) || (n.as_seq().is_some() && nested(n, level, ok))
}

/// ChronicDuration-like parsing, in seconds; `None` when GitLab would not read it.
pub fn duration_secs(text: &str) -> Option<f64> {
    let t = text.trim().to_lowercase();
    if t.is_empty() {
        return None;
    }
    if let Ok(n) = t.parse::<f64>() {
        return (n > 0.0).then_some(n);
    }
    // `1:30:00` (h:m:s) and `1:30` (m:s).
    if t.contains(':')
        && t.chars()
            .all(|c| c.is_ascii_digit() || c == ':' || c == '.')
    {
        let parts: Option<Vec<f64>> = t.split(':').map(|p| p.parse::<f64>().ok()).collect();
        let parts = parts?;
        let secs = parts.iter().fold(0.0, |acc, p| acc * 60.0 + p);
        return (secs > 0.0).then_some(secs);
    }
    let mut total = 0.0;
    let mut pending: Option<f64> = None;
    let mut chars = t.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_ascii_digit() || c == '.' {
            let mut num = String::new();
            while let Some(&d) = chars.peek() {
                if d.is_ascii_digit() || d == '.' {
                    num.push(d);
                    chars.next();
                } else {
                    break;
                }
            }
            if let Some(p) = pending.take() {
                total += p;
            }
            pending = Some(num.parse::<f64>().ok()?);
        } else if c.is_alphabetic() {
            let mut word = String::new();
            while let Some(&d) = chars.peek() {
                if d.is_alphabetic() {
                    word.push(d);
                    chars.next();
                } else {
                    break;
                }
            }
            if word == "and" {
                continue;
            }
            let unit = unit_secs(&word)?;
            total += pending.take().unwrap_or(1.0) * unit;
        } else if c.is_whitespace() || c == ',' || c == '-' {
            chars.next();
        } else {
            return None;
        }
    }
    if let Some(p) = pending {
        total += p;
    }
    (total > 0.0).then_some(total)
}

fn unit_secs(word: &str) -> Option<f64> {
    Some(match word {
        "s" | "sec" | "secs" | "second" | "seconds" => 1.0,
        "m" | "min" | "mins" | "minute" | "minutes" => 60.0,
        "h" | "hr" | "hrs" | "hour" | "hours" => 3600.0,
        "d" | "day" | "days" => 86400.0,
        "w" | "wk" | "wks" | "week" | "weeks" => 7.0 * 86400.0,
        "mo" | "mos" | "mon" | "mons" | "month" | "months" => 30.0 * 86400.0,
        "y" | "yr" | "yrs" | "year" | "years" => 365.25 * 86400.0,
        "ms" | "msec" | "msecs" | "millisecond" | "milliseconds" => 0.001,
        _ => return None,
    })
}

/// Looks like a `/regex/flags` (`Gitlab::UntrustedRegexp::RubySyntax`).
fn ruby_regexp(s: &str) -> bool {
    let Some(rest) = s.strip_prefix('/') else {
        return false;
    };
    match rest.rfind('/') {
        Some(i) => rest[i + 1..].chars().all(|c| matches!(c, 'i' | 'm' | 'x')),
        None => false,
    }
}

fn environment_name_ok(name: &str) -> bool {
    let edge =
        |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '$' | '{' | '}' | '.' | ' ' | '-');
    let inner = |c: char| edge(c) || c == '/';
    let mut chars = name.chars();
    let (Some(first), last) = (chars.next(), name.chars().last()) else {
        return false;
    };
    edge(first) && last.is_some_and(edge) && name.chars().all(inner)
}

fn joined(keys: &[&str]) -> String {
    keys.join(", ")
}

impl<'a> Entries<'a> {
    pub fn new(pipeline: &'a Pipeline) -> Self {
        Entries {
            out: Vec::new(),
            job: None,
            pipeline,
        }
    }

    fn push(&mut self, class: Class, span: Span, message: String, help: Option<String>) {
        self.out.push(Finding {
            class,
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

    // ---- root ---------------------------------------------------------------------

    pub fn root(&mut self, root: &NodeRef) {
        let Some(map) = root.as_map() else { return };
        for (key, entry) in map.iter() {
            let v = &entry.value;
            let as_job = (key == "default" || key == "workflow") && job_type(key, v).is_some();
            if let Some(kind) =
                kw::kind_of(kw::ROOT_ENTRIES, key).filter(|_| !as_job && !v.is_null())
            {
                self.kind(kind, key, entry.key_span, v, "");
            }
        }
        // `Default#overwrite_entry`: a key set both at the top level and in `default:`.
        if let Some(default) = map.get("default").and_then(|d| d.as_map()) {
            if job_type("default", map.get("default").map(|d| &**d).unwrap_or(root)).is_none() {
                for key in kw::DEPRECATED_GLOBAL_DEFAULTS {
                    let (Some(top), Some(def)) = (map.entry(key), default.entry(key)) else {
                        continue;
                    };
                    if top.value.is_null() || def.value.is_null() {
                        continue;
                    }
                    self.raw(
                        top.key_span,
                        format!("{key} is defined in top-level and `default:` entry"),
                    );
                    if let Some(last) = self.out.last_mut() {
                        last.related
                            .push((def.key_span, "also set in `default:`".into()));
                        last.help = Some(format!("keep only `default:{key}`"));
                    }
                }
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

    fn default(&mut self, loc: &str, v: &NodeRef) {
        let Some(m) = v.as_map() else {
            self.error(v.span, loc, "config", "should be a hash");
            return;
        };
        self.allowed_keys(loc, m, &kw::keys_of(kw::DEFAULT_ENTRIES));
        self.children(loc, m, kw::DEFAULT_ENTRIES, loc);
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

    fn workflow(&mut self, loc: &str, v: &NodeRef) {
        let Some(m) = v.as_map() else {
            self.error(v.span, loc, "config", "should be a hash");
            return;
        };
        self.allowed_keys(loc, m, kw::WORKFLOW_KEYS);
        if let Some(name) = Self::attr(m, "name") {
            if !opaque(name) {
                self.check_length(loc, "name", name, 1, 255);
            }
        } else if let Some(name) = m.get("name") {
            // `name:` with no value is nil: allowed.
            let _ = name;
        }
        if let Some(r) = Self::attr(m, "rules") {
            self.kind(Kind::WorkflowRules, &sub(loc, "rules"), r.span, r, loc);
        }
        if let Some(a) = Self::attr(m, "auto_cancel") {
            self.auto_cancel(&sub(loc, "auto_cancel"), a);
        }
    }

    fn auto_cancel(&mut self, loc: &str, v: &Node) {
        if opaque(v) {
            return;
        }
        let Some(m) = v.as_map() else {
            self.error(v.span, loc, "config", "should be a hash");
            return;
        };
        self.allowed_keys(loc, m, kw::AUTO_CANCEL_KEYS);
        for (key, values) in [
            ("on_new_commit", kw::AUTO_CANCEL_ON_NEW_COMMIT),
            ("on_job_failure", kw::AUTO_CANCEL_ON_JOB_FAILURE),
        ] {
            self.check_string(loc, m, key);
            let message = format!("must be one of: {}", joined(values));
            self.check_inclusion(loc, m, key, values, &message);
        }
    }

    // ---- jobs ---------------------------------------------------------------------

    /// One visible job (`jobs:<name>`); `complete` is false for fragments.
    pub fn job(&mut self, name: &str, key_span: Span, v: &NodeRef, complete: bool) {
        self.job = Some(name.to_string());
        let loc = format!("jobs:{name}");
        if job_type(name, v).is_some() {
            // `Processable`: `validates :name, presence: true` (a blank key's location
            // falls back to the class name, `job`) and `validates :name, type: Symbol`
            // (Psych keeps `10:` or `true:` as Integer/Boolean, not symbolized).
            if name.is_empty() {
                self.error(key_span, "jobs:job", "name", "can't be blank");
            } else if self.typed_key(key_span) {
                self.error(key_span, &loc, "name", "should be a symbol");
            }
        }
        match job_type(name, v) {
            Some(JobType::Job) => self.job_entry(&loc, name, key_span, v, false),
            // Incomplete: a job with `needs` but no `script` may get its `script` from
            // a file that cannot be read.
            Some(JobType::Bridge) if !complete && v.get("trigger").is_none() => {
                self.job_entry(&loc, name, key_span, v, true)
            }
            Some(JobType::Bridge) => self.bridge_entry(&loc, key_span, v),
            Some(JobType::Hidden) => {}
            None => {
                if complete {
                    self.push(
                        Class::MissingScript,
                        key_span,
                        format!("jobs {} config should implement the script:, run:, or trigger: keyword", humanize(name))
                            .to_lowercase(),
                        Some("add `script:` (or `trigger:` for a downstream pipeline); a job whose name starts with `.` is a hidden template".into()),
                    );
                } else if v.as_map().is_some() {
                    // A fragment's job may get its `script` from the file that includes it.
                    self.job_entry(&loc, name, key_span, v, true);
                }
            }
        }
        self.job = None;
    }

    /// Is the key written at `span` a plain scalar Psych types (integer, float, boolean)?
    fn typed_key(&self, span: Span) -> bool {
        let sources = &self.pipeline.sources;
        if span.file as usize >= sources.len() {
            return false;
        }
        let Some(raw) = sources.get(span.file).text.get(span.range()) else {
            return false;
        };
        !raw.starts_with(['"', '\'', '!', '&', '*'])
            && matches!(
                crate::load::scalar::resolve_plain(raw),
                Plain::Int(_) | Plain::Float(_) | Plain::Bool(_)
            )
    }

    /// A hidden job (`.name`): GitLab only requires a value.
    pub fn hidden(&mut self, name: &str, key_span: Span, v: &Node) {
        if blank(v) && !matches!(v.value, Value::Bool(false)) {
            self.job = Some(name.to_string());
            self.error(
                key_span,
                &format!("jobs:{name}"),
                "config",
                "can't be blank",
            );
            self.job = None;
        }
    }

    fn processable(&mut self, loc: &str, key_span: Span, m: &Map) {
        let name = loc.trim_start_matches("jobs:");
        if name.chars().count() > 255 {
            self.error(
                key_span,
                loc,
                "name",
                "is too long (maximum is 255 characters)",
            );
        }
        self.exclusive(key_span, loc, m, &["script", "trigger"]);
        self.exclusive(key_span, loc, m, &["run", "trigger"]);
        if Self::attr(m, "rules").is_some() {
            let bad: Vec<(&str, Span)> = ["only", "except", "start_in"]
                .iter()
                .filter_map(|k| {
                    m.entry(k)
                        .filter(|e| !e.value.is_null())
                        .map(|e| (*k, e.key_span))
                })
                .collect();
            if !bad.is_empty() {
                let names: Vec<&str> = bad.iter().map(|(k, _)| *k).collect();
                let message = format!(
                    "{loc} config key may not be used with `rules`: {}",
                    joined(&names)
                )
                .to_lowercase();
                for (_, span) in bad {
                    self.push(
                        Class::Invalid,
                        span,
                        message.clone(),
                        Some(
                            "use `rules:` alone: express `only`/`except` conditions as `rules:if`"
                                .into(),
                        ),
                    );
                }
            }
            if let Some(r) = Self::attr(m, "rules") {
                let ok = nested_array(r, 10, &|n| n.as_map().is_some());
                if !ok {
                    self.error(
                        r.span,
                        loc,
                        "rules",
                        "should be an array containing hashes and arrays of hashes",
                    );
                }
            }
        }
    }

    fn job_entry(&mut self, loc: &str, name: &str, key_span: Span, v: &NodeRef, fragment: bool) {
        let Some(m) = v.as_map() else { return };
        self.processable(loc, key_span, m);
        self.allowed_keys(loc, m, &kw::keys_of(kw::JOB_ENTRIES));
        self.exclusive(key_span, loc, m, &["script", "run"]);
        if !m.contains_key("run") && !fragment {
            match m.get("script") {
                Some(s) if !blank(s) || opaque(s) => {}
                Some(s) => {
                    let span = if s.is_null() {
                        m.entry("script").map_or(key_span, |e| e.key_span)
                    } else {
                        s.span
                    };
                    self.push(
                        Class::MissingScript,
                        span,
                        format!("{loc} script can't be blank").to_lowercase(),
                        None,
                    )
                }
                None => {}
            }
        }
        if let Some(w) = Self::attr(m, "when") {
            if !opaque(w) {
                if !is_str(w) {
                    self.error(w.span, loc, "when", "should be a string");
                }
                self.check_inclusion(
                    loc,
                    m,
                    "when",
                    kw::JOB_WHEN,
                    &format!("should be one of: {}", joined(kw::JOB_WHEN)),
                );
            }
        }
        if let Some(d) = Self::attr(m, "dependencies") {
            if !array_of_strings(d) {
                self.error(d.span, loc, "dependencies", "should be an array of strings");
            }
        }
        if let Some(a) = Self::attr(m, "allow_failure") {
            if !(is_bool(a) || a.as_map().is_some()) {
                self.error(
                    a.span,
                    loc,
                    "allow_failure",
                    "should be a hash or a boolean value",
                );
            }
        }
        self.check_string(loc, m, "manual_confirmation");
        if let Some(r) = Self::attr(m, "run").filter(|r| !opaque(r)) {
            for message in run_steps_errors(r) {
                self.error(r.span, loc, "run", &message);
            }
        }
        let delayed = Self::attr(m, "when").and_then(|w| w.as_str()) == Some("delayed");
        let has_rules = m.contains_key("rules");
        if let Some(s) = m.entry("start_in") {
            if delayed && !opaque(&s.value) {
                self.check_duration(
                    loc,
                    "start_in",
                    &s.value,
                    Some(kw::MAX_START_IN_SECS),
                    false,
                );
            }
            if (has_rules || !delayed) && !blank(&s.value) {
                self.error(s.key_span, loc, "start_in", "must be blank");
            }
        } else if delayed {
            // `validates :start_in, duration: ..., if: :delayed?` also runs on a missing value.
            let at = m.get("when").map_or(key_span, |w| w.span);
            self.error(at, loc, "start_in", "should be a duration");
        }
        // `dependencies` must be part of `needs` when both are set.
        if let (Some(deps), Some(needs)) = (Self::attr(m, "dependencies"), Self::attr(m, "needs")) {
            let need_jobs = need_job_names(needs);
            let cross = needs
                .as_seq()
                .map(|s| s.iter().map(|n| &**n).collect::<Vec<_>>())
                .unwrap_or_else(|| vec![&**needs])
                .iter()
                .any(|n| {
                    n.as_map()
                        .is_some_and(|m| m.contains_key("pipeline") || m.contains_key("project"))
                });
            let deps_present = deps.as_seq().is_some_and(|d| !d.is_empty());
            if deps_present && cross && need_jobs.as_ref().is_some_and(|n| n.is_empty()) {
                // `needs_value[:job].nil? && needs_value[:cross_dependency].present?`
                self.error(
                    deps_span(m),
                    loc,
                    "needs",
                    "corresponding to dependencies must be from the same pipeline",
                );
            }
            if let (Some(deps), Some(need_jobs)) = (deps.as_seq(), need_jobs) {
                if !need_jobs.is_empty() {
                    let missing: Vec<String> = deps
                        .iter()
                        .filter_map(|d| d.as_str())
                        .filter(|d| !need_jobs.iter().any(|n| n == d))
                        .map(str::to_string)
                        .collect();
                    if !missing.is_empty() {
                        self.push(
                            Class::Dependencies,
                            deps_span(m),
                            format!(
                                "{loc} dependencies the {} should be part of needs",
                                missing.join(", ")
                            )
                            .to_lowercase(),
                            Some("add them to `needs:` or remove them from `dependencies:`".into()),
                        );
                    }
                }
            }
        }
        let pages_job = Self::attr(m, "pages").is_some_and(|p| !blank(p))
            || (name == "pages" && m.get("pages").and_then(|p| p.as_bool()) != Some(false));
        if let Some(p) = m.entry("publish") {
            if !pages_job && !blank(&p.value) {
                self.error(
                    p.key_span,
                    loc,
                    "publish",
                    "can only be used within a `pages` job",
                );
            }
        }
        self.children(loc, m, kw::JOB_ENTRIES, loc);
    }

    fn bridge_entry(&mut self, loc: &str, key_span: Span, v: &NodeRef) {
        let Some(m) = v.as_map() else { return };
        self.processable(loc, key_span, m);
        self.allowed_keys(loc, m, &kw::keys_of(kw::BRIDGE_ENTRIES));
        self.check_inclusion(
            loc,
            m,
            "when",
            kw::BRIDGE_WHEN,
            &format!("should be one of: {}", joined(kw::BRIDGE_WHEN)),
        );
        self.check_bool(loc, m, "allow_failure");
        let has_trigger = Self::attr(m, "trigger").is_some();
        let bridge_needs = Self::attr(m, "needs").map_or(0, |n| {
            let items: Vec<&NodeRef> = match &n.value {
                Value::Seq(s) => s.iter().collect(),
                Value::Map(_) => vec![n],
                _ => Vec::new(),
            };
            items
                .iter()
                .filter(|i| {
                    i.as_map()
                        .is_some_and(|m| m.contains_key("pipeline") && !m.contains_key("job"))
                })
                .count()
        });
        let needs_opaque = Self::attr(m, "needs")
            .is_some_and(|n| opaque(n) || n.as_seq().is_some_and(|s| s.iter().any(|i| opaque(i))));
        if !has_trigger && bridge_needs == 0 && !needs_opaque {
            self.push(
                Class::MissingScript,
                key_span,
                format!("{loc} config should contain one of the keywords; trigger, status or needs:pipeline").to_lowercase(),
                Some("a job with `needs:` but no `script:` is read as a trigger job: add `script:` or `trigger:`".into()),
            );
        }
        if bridge_needs > 1 {
            self.error(
                key_span,
                loc,
                "config",
                "should contain at most one bridge need",
            );
        }
        self.children(loc, m, kw::BRIDGE_ENTRIES, loc);
    }

    // ---- keyword entries ------------------------------------------------------------

    fn policy(&mut self, loc: &str, v: &Node) {
        match &v.value {
            Value::Seq(_) => {
                if !array_of_strings(v) || strings_with_bad_regexp(v) {
                    self.error(
                        v.span,
                        loc,
                        "config",
                        "should be an array of strings or regular expressions using re2 syntax",
                    );
                }
            }
            Value::Map(m) => {
                if m.is_empty() {
                    self.error(v.span, loc, "config", "can't be blank");
                }
                self.allowed_keys(loc, m, kw::POLICY_KEYS);
                if let Some(r) = Self::attr(m, "refs") {
                    if !array_of_strings(r) || strings_with_bad_regexp(r) {
                        self.error(
                            r.span,
                            loc,
                            "refs",
                            "should be an array of strings or regular expressions using re2 syntax",
                        );
                    }
                }
                if let Some(k) = Self::attr(m, "kubernetes") {
                    if !opaque(k) && k.scalar_text().as_deref() != Some("active") {
                        let text = k.scalar_text().unwrap_or_default();
                        self.error(k.span, loc, "kubernetes", &format!("unknown value: {text}"));
                    }
                }
                for key in ["variables", "changes"] {
                    if let Some(x) = Self::attr(m, key) {
                        if !array_of_strings(x) {
                            self.error(x.span, loc, key, "should be an array of strings");
                        }
                    }
                }
                // `ComplexPolicy#variables_expressions_syntax`: one error per bad statement.
                if let Some(items) = Self::attr(m, "variables").and_then(|x| x.as_seq()) {
                    for i in items {
                        if i.as_str().is_some_and(|t| !super::expression::valid(t)) {
                            self.error(i.span, loc, "variables", "invalid expression syntax");
                        }
                    }
                }
            }
            _ => self.raw(
                v.span,
                format!("{loc} has to be either an array of conditions or a hash"),
            ),
        }
    }

    fn rules(&mut self, loc: &str, v: &Node, keys: &[&str], when: &[&str]) {
        let Some(items) = v.as_seq() else {
            self.error(v.span, loc, "config", "should be a array");
            return;
        };
        if items.is_empty() {
            self.error(v.span, loc, "config", "can't be blank");
        }
        let mut flat = Vec::new();
        flatten(items, &mut flat);
        let rloc = sub(loc, "rule");
        for r in flat {
            self.rule(&rloc, r, keys, when);
        }
    }

    fn rule(&mut self, loc: &str, r: &NodeRef, keys: &[&str], when: &[&str]) {
        if opaque(r) {
            return;
        }
        let Some(m) = r.as_map() else {
            if blank(r) {
                self.error(r.span, loc, "config", "can't be blank");
            }
            self.error(r.span, loc, "config", "should be a hash");
            return;
        };
        if m.is_empty() {
            self.error(r.span, loc, "config", "can't be blank");
        }
        let delayed = Self::attr(m, "when").and_then(|w| w.as_str()) == Some("delayed");
        if let Some(s) = m.entry("start_in") {
            if !delayed && keys.contains(&"start_in") {
                self.error(
                    s.key_span,
                    loc,
                    "config",
                    "contains disallowed keys: start_in",
                );
            }
        }
        if delayed {
            match Self::attr(m, "start_in") {
                None => self.error(r.span, loc, "start_in", "can't be blank"),
                Some(s) => {
                    self.check_duration(loc, "start_in", s, Some(kw::MAX_START_IN_SECS), false)
                }
            }
        }
        if let Some(i) = Self::attr(m, "if") {
            if !is_str(i) {
                self.error(i.span, loc, "if", "invalid expression syntax");
            } else if let Some(text) = i.as_str() {
                if !super::expression::valid(text) {
                    self.error(i.span, loc, "if", "invalid expression syntax");
                }
            }
        }
        self.check_bool(loc, m, "allow_failure");
        self.check_bool(loc, m, "interruptible");
        if let Some(w) = Self::attr(m, "when") {
            if !opaque(w) {
                let text = w.scalar_text().unwrap_or_default();
                if !when.contains(&text.as_str()) {
                    self.error(w.span, loc, "when", &format!("unknown value: {text}"));
                }
            }
        }
        self.allowed_keys(loc, m, keys);
        if let Some(c) = Self::attr(m, "changes") {
            self.changes(&sub(loc, "changes"), c);
        }
        if let Some(e) = Self::attr(m, "exists") {
            self.exists(&sub(loc, "exists"), e);
        }
        if let Some(vars) = Self::attr(m, "variables") {
            self.variables(&sub(loc, "variables"), vars, &[]);
        }
        if let Some(n) = Self::attr(m, "needs") {
            if keys.contains(&"needs") {
                self.needs(&sub(loc, "needs"), n, &["job"]);
            }
        }
        if let Some(a) = Self::attr(m, "auto_cancel") {
            if keys.contains(&"auto_cancel") {
                self.auto_cancel(&sub(loc, "auto_cancel"), a);
            }
        }
    }

    fn paths_list(&mut self, loc: &str, attr: &str, v: &Node, limit: bool) {
        if !array_of_strings(v) {
            self.error(v.span, loc, attr, "should be an array of strings");
        } else if limit && v.as_seq().is_some_and(|s| s.len() > kw::RULE_PATHS_LIMIT) {
            self.error(
                v.span,
                loc,
                attr,
                &format!("has too many entries (maximum {})", kw::RULE_PATHS_LIMIT),
            );
        }
    }

    fn changes(&mut self, loc: &str, v: &Node) {
        if opaque(v) {
            return;
        }
        match &v.value {
            Value::Seq(_) => self.paths_list(loc, "config", v, true),
            Value::Map(m) => {
                self.allowed_keys(loc, m, kw::CHANGES_KEYS);
                self.required_keys(v.span, loc, m, &["paths"]);
                if let Some(p) = Self::attr(m, "paths") {
                    self.paths_list(loc, "paths", p, true);
                }
                self.check_string(loc, m, "compare_to");
            }
            _ => self.raw(v.span, format!("{loc} should be an array or a hash")),
        }
    }

    fn exists(&mut self, loc: &str, v: &Node) {
        if opaque(v) {
            return;
        }
        match &v.value {
            Value::Str(_) | Value::Null => {}
            Value::Seq(_) => self.paths_list(loc, "config", v, true),
            Value::Map(m) => {
                self.allowed_keys(loc, m, kw::EXISTS_KEYS);
                self.required_keys(v.span, loc, m, &["paths"]);
                if m.contains_key("ref") {
                    self.required_keys(v.span, loc, m, &["project"]);
                }
                if let Some(p) = Self::attr(m, "paths") {
                    self.paths_list(loc, "paths", p, true);
                }
                self.check_string(loc, m, "project");
                self.check_string(loc, m, "ref");
            }
            _ => self.raw(
                v.span,
                format!("{loc} should be a string, an array of strings, or a hash"),
            ),
        }
    }

    /// `Entry::Variables` with the value keys allowed in this context.
    fn variables(&mut self, loc: &str, v: &Node, data: &[&str]) {
        let Some(m) = v.as_map() else {
            self.error(v.span, loc, "config", "should be a hash");
            return;
        };
        for (name, e) in m.iter() {
            let value = &e.value;
            let vloc = sub(loc, name);
            match &value.value {
                Value::Null | Value::Str(_) | Value::Int(_) | Value::Float(_) | Value::Bool(_) => {}
                _ if opaque(value) => {}
                Value::Map(vm) => {
                    if let Some(x) = Self::attr(vm, "value") {
                        if !matches!(
                            x.value,
                            Value::Str(_) | Value::Int(_) | Value::Float(_) | Value::Bool(_)
                        ) && !opaque(x)
                        {
                            self.error(x.span, &vloc, "config_value", "must be a scalar");
                        }
                    }
                    if let Some(x) = Self::attr(vm, "description") {
                        if !matches!(x.value, Value::Str(_) | Value::Int(_)) && !opaque(x) {
                            self.error(
                                x.span,
                                &vloc,
                                "config_description",
                                "must be an alphanumeric string",
                            );
                        }
                    }
                    self.check_bool(&vloc, vm, "expand");
                    if let Some(x) = Self::attr(vm, "options") {
                        if !array_of_strings(x) {
                            self.error(
                                x.span,
                                &vloc,
                                "config_options",
                                "should be an array of strings",
                            );
                        }
                    }
                    if data.is_empty() {
                        self.error(value.span, &vloc, "config", "must be a string");
                    } else {
                        let extra: Vec<(&String, Span)> = vm
                            .iter()
                            .filter(|(k, _)| !data.contains(&k.as_str()))
                            .map(|(k, e)| (k, e.key_span))
                            .collect();
                        if !extra.is_empty() {
                            let names: Vec<&str> = extra.iter().map(|(k, _)| k.as_str()).collect();
                            let message = format!(
                                "{vloc} config uses invalid data keys: {}",
                                names.join(", ")
                            )
                            .to_lowercase();
                            for (k, span) in extra {
                                let help = suggest_key(k, data)
                                    .map(|s| format!("did you mean `{s}`?"))
                                    .or_else(|| {
                                        Some(format!(
                                            "a variable here accepts only: {}",
                                            joined(data)
                                        ))
                                    });
                                self.push(Class::UnknownKey, span, message.clone(), help);
                            }
                        }
                    }
                    if let Some(opts) = Self::attr(vm, "options").and_then(|o| o.as_seq()) {
                        if !opts.is_empty() && !opts.iter().any(|o| opaque(o)) {
                            let value = vm.get("value").and_then(|x| x.scalar_text());
                            let texts: Vec<String> =
                                opts.iter().filter_map(|o| o.scalar_text()).collect();
                            if !value.as_ref().is_some_and(|x| texts.contains(x)) {
                                self.error(
                                    vm.get("value")
                                        .map_or(value_span(vm, "options"), |x| x.span),
                                    &vloc,
                                    "config",
                                    "value must be present in options",
                                );
                            }
                        }
                    }
                }
                _ => self.raw(
                    value.span,
                    "variable definition must be either a string or a hash".into(),
                ),
            }
        }
    }

    fn inherit(&mut self, loc: &str, v: &Node) {
        let Some(m) = v.as_map() else {
            self.error(v.span, loc, "config", "should be a hash");
            return;
        };
        self.allowed_keys(loc, m, kw::INHERIT_KEYS);
        for key in kw::INHERIT_KEYS {
            let Some(x) = Self::attr(m, key) else {
                continue;
            };
            if opaque(x) {
                continue;
            }
            let iloc = sub(loc, key);
            match &x.value {
                Value::Bool(_) => {}
                Value::Seq(items) => {
                    if !array_of_strings(x) {
                        self.error(x.span, &iloc, "config", "should be an array of strings");
                    } else if *key == "default" {
                        let allowed: Vec<&str> = kw::keys_of(kw::DEFAULT_ENTRIES);
                        let unknown: Vec<String> = items
                            .iter()
                            .filter_map(|i| i.as_str())
                            .filter(|s| !allowed.contains(s))
                            .map(str::to_string)
                            .collect();
                        if !unknown.is_empty() {
                            self.error(
                                x.span,
                                &iloc,
                                "config",
                                &format!("contains unknown values: {}", unknown.join(", ")),
                            );
                        }
                    }
                }
                _ => self.raw(
                    x.span,
                    format!("{iloc} should be a bool or array of strings"),
                ),
            }
        }
    }

    fn environment(&mut self, loc: &str, v: &Node) {
        let (name, map) = match &v.value {
            Value::Str(_) => (Some(v), None),
            Value::Map(m) => (Self::attr(m, "name").map(|n| &**n), Some(m)),
            _ => {
                self.error(v.span, loc, "config", "should be a hash or a string");
                return;
            }
        };
        const NAME_MESSAGE: &str =
            "can contain only letters, digits, '-', '_', '/', '$', '{', '}', '.', and spaces, but it cannot start or end with '/'";
        match name {
            None => self.error(v.span, loc, "name", "can't be blank"),
            Some(n) if opaque(n) => {}
            Some(n) => match n.as_str() {
                Some(s) if s.trim().is_empty() => self.error(n.span, loc, "name", "can't be blank"),
                Some(s) => {
                    if !environment_name_ok(s) {
                        self.error(n.span, loc, "name", NAME_MESSAGE);
                    }
                }
                None => self.error(n.span, loc, "name", NAME_MESSAGE),
            },
        }
        let Some(m) = map else { return };
        self.allowed_keys(loc, m, kw::ENVIRONMENT_KEYS);
        if let Some(u) = Self::attr(m, "url") {
            if !is_str(u) {
                self.error(u.span, loc, "url", "should be a string");
            } else if !opaque(u) {
                self.check_length(loc, "url", u, 0, 255);
            }
        }
        if let Some(a) = Self::attr(m, "action") {
            if !is_str(a) {
                self.error(a.span, loc, "action", "should be a string");
            }
            self.check_inclusion(
                loc,
                m,
                "action",
                kw::ENVIRONMENT_ACTIONS,
                "should be start, stop, prepare, verify, or access",
            );
        }
        if let Some(t) = Self::attr(m, "deployment_tier") {
            if !is_str(t) {
                self.error(t.span, loc, "deployment_tier", "should be a string");
            }
            self.check_inclusion(
                loc,
                m,
                "deployment_tier",
                kw::DEPLOYMENT_TIERS,
                &format!("must be one of {}", joined(kw::DEPLOYMENT_TIERS)),
            );
        }
        self.check_string(loc, m, "on_stop");
        if let Some(k) = Self::attr(m, "kubernetes") {
            if k.as_map().is_none() && !opaque(k) {
                self.error(k.span, loc, "kubernetes", "should be a hash");
            } else {
                let at = m.entry("kubernetes").map_or(k.span, |e| e.key_span);
                self.kubernetes(&sub(loc, "kubernetes"), at, k);
            }
        }
        if let Some(a) = Self::attr(m, "auto_stop_in") {
            self.check_duration(loc, "auto_stop_in", a, None, true);
        }
    }

    fn kubernetes(&mut self, loc: &str, at: Span, v: &Node) {
        let Some(m) = v.as_map() else { return };
        if m.is_empty() {
            self.error(v.span, loc, "config", "can't be blank");
            return;
        }
        self.allowed_keys(loc, m, kw::KUBERNETES_KEYS);
        self.check_string(loc, m, "namespace");
        self.check_string(loc, m, "agent");
        self.check_string(loc, m, "flux_resource_path");
        let present = |k: &str| Self::attr(m, k).is_some_and(|x| !blank(x));
        let dashboard = Self::attr(m, "dashboard");
        let dashboard_map = dashboard.and_then(|d| d.as_map());
        let dash_present = |k: &str| {
            dashboard_map
                .and_then(|d| Self::attr(d, k))
                .is_some_and(|x| !blank(x))
        };
        if present("flux_resource_path") && !present("namespace") {
            // GitLab's own check; a deprecated form anyway.
            self.error(
                value_span(m, "flux_resource_path"),
                loc,
                "namespace",
                "can't be blank",
            );
        }
        let managed_enabled = Self::attr(m, "managed_resources")
            .and_then(|r| r.get("enabled"))
            .and_then(|e| e.as_bool())
            == Some(true);
        let agent_required = present("flux_resource_path")
            || dashboard.is_some_and(|d| !blank(d))
            || managed_enabled;
        if agent_required && !present("agent") && !Self::attr(m, "agent").is_some_and(|a| opaque(a))
        {
            let span = m.entry("agent").map_or(at, |e| e.key_span);
            self.push(
                Class::Invalid,
                span,
                format!("{loc} agent can't be blank"),
                Some("`dashboard`, `flux_resource_path` and `managed_resources: {enabled: true}` need `agent: <config project path>:<agent name>`".into()),
            );
        }
        if let Some(r) = Self::attr(m, "managed_resources") {
            let rat = value_span(m, "managed_resources");
            self.json_object(
                loc,
                "managed_resources",
                rat,
                r,
                &[("enabled", 0)],
                &[],
                true,
            );
        }
        if let Some(d) = dashboard.filter(|d| !blank(d)) {
            let dat = value_span(m, "dashboard");
            self.json_object(
                loc,
                "dashboard",
                dat,
                d,
                kw::DASHBOARD_KEYS,
                &["namespace"],
                false,
            );
        }
        for (old, twin) in kw::KUBERNETES_DEPRECATED {
            let Some(e) = m.entry(old) else { continue };
            if e.value.is_null() {
                continue;
            }
            let sub = twin.trim_start_matches("dashboard:");
            if present(old) && dash_present(sub) {
                let message = format!(
                    "{loc} {} cannot be specified when dashboard.{sub} is set",
                    humanize(old)
                )
                .to_lowercase();
                self.push(
                    Class::Invalid,
                    e.key_span,
                    message,
                    Some(format!("remove `{old}` and keep `{twin}`")),
                );
            }
            self.push(
                Class::Deprecated,
                e.key_span,
                format!("{loc}:{old} is deprecated since GitLab 18.4: use `environment:kubernetes:{twin}`"),
                Some(format!("move the value to `{twin}`")),
            );
        }
    }

    /// A JSON-schema-validated object (json_schemer's messages). `fields`: key and
    /// maximum length (0 = boolean).
    #[allow(clippy::too_many_arguments)]
    fn json_object(
        &mut self,
        loc: &str,
        attr: &str,
        at: Span,
        v: &Node,
        fields: &[(&str, usize)],
        required: &[&str],
        boolean: bool,
    ) {
        if opaque(v) {
            return;
        }
        let Some(m) = v.as_map() else {
            self.error(v.span, loc, attr, "value at root is not an object");
            return;
        };
        let missing = missing_keys(m, required);
        if !missing.is_empty() {
            self.error(
                at,
                loc,
                attr,
                &format!(
                    "object at root is missing required properties: {}",
                    joined(&missing)
                ),
            );
        }
        for (k, e) in m.iter() {
            let Some((_, max)) = fields.iter().find(|(f, _)| f == k) else {
                let help = suggest_key(k, &fields.iter().map(|(f, _)| *f).collect::<Vec<_>>())
                    .map(|s| format!("did you mean `{s}`?"));
                let message = format!(
                    "{loc} {} object property at `/{k}` is a disallowed additional property",
                    humanize(attr)
                )
                .to_lowercase();
                self.push(Class::UnknownKey, e.key_span, message, help);
                continue;
            };
            let x = &e.value;
            if opaque(x) {
                continue;
            }
            if boolean || *max == 0 {
                if !is_bool(x) {
                    self.error(
                        x.span,
                        loc,
                        attr,
                        &format!("value at `/{k}` is not a boolean"),
                    );
                }
            } else {
                match x.as_str() {
                    None => self.error(
                        x.span,
                        loc,
                        attr,
                        &format!("value at `/{k}` is not a string"),
                    ),
                    Some(s) => {
                        let n = s.chars().count();
                        if n == 0 {
                            self.error(
                                x.span,
                                loc,
                                attr,
                                &format!("string length at `/{k}` is less than: 1"),
                            );
                        } else if n > *max {
                            self.error(
                                x.span,
                                loc,
                                attr,
                                &format!("string length at `/{k}` is greater than: {max}"),
                            );
                        }
                    }
                }
            }
        }
    }

    fn image(&mut self, loc: &str, v: &Node, keys: &[&str]) {
        let m = match &v.value {
            Value::Str(_) => return,
            Value::Map(m) => m,
            _ => {
                self.error(v.span, loc, "config", "should be a hash or a string");
                return;
            }
        };
        if let Some(e) = m.entry("ports") {
            self.error(e.key_span, loc, "config", "contains disallowed keys: ports");
        }
        self.allowed_keys(loc, m, keys);
        match Self::attr(m, "name") {
            None => {
                if m.get("name").is_none() || m.get("name").is_some_and(|n| n.is_null()) {
                    self.error(v.span, loc, "name", "can't be blank");
                }
            }
            Some(n) => {
                if !is_str(n) {
                    self.error(n.span, loc, "name", "should be a string");
                }
            }
        }
        if let Some(ep) = Self::attr(m, "entrypoint") {
            if !array_of_strings(ep) {
                self.error(ep.span, loc, "entrypoint", "should be an array of strings");
            }
        }
        for (executor, fields) in kw::EXECUTOR_OPTS {
            let Some(x) = Self::attr(m, executor) else {
                continue;
            };
            if opaque(x) {
                continue;
            }
            let Some(xm) = x.as_map() else {
                self.error(
                    x.span,
                    loc,
                    "executor_opts",
                    &format!("value at `/{executor}` is not an object"),
                );
                continue;
            };
            for (k, e) in xm.iter() {
                if !fields.contains(&k.as_str()) {
                    let help = suggest_key(k, fields).map(|s| format!("did you mean `{s}`?"));
                    let message = format!("{loc} executor opts object property at `/{executor}/{k}` is a disallowed additional property").to_lowercase();
                    self.push(Class::UnknownKey, e.key_span, message, help);
                } else if !is_str(&e.value) && !e.value.is_null() {
                    self.error(
                        e.value.span,
                        loc,
                        "executor_opts",
                        &format!("value at `/{executor}/{k}` is not a string"),
                    );
                }
            }
        }
        if let Some(p) = Self::attr(m, "pull_policy") {
            self.pull_policy(&sub(loc, "pull_policy"), p);
        }
        if keys.contains(&"alias") {
            if let Some(c) = Self::attr(m, "command") {
                if !array_of_strings(c) {
                    self.error(c.span, loc, "command", "should be an array of strings");
                }
            }
            self.check_string(loc, m, "alias");
            if let Some(vars) = Self::attr(m, "variables") {
                self.variables(&sub(loc, "variables"), vars, &[]);
            }
        }
    }

    fn pull_policy(&mut self, loc: &str, v: &Node) {
        if opaque(v) {
            return;
        }
        match &v.value {
            Value::Str(s) => {
                if !kw::PULL_POLICIES.contains(&&**s) {
                    self.error(v.span, loc, "config", "is not included in the list");
                }
            }
            Value::Seq(items) if array_of_strings(v) => {
                if items.is_empty() {
                    self.error(v.span, loc, "config", "can't be blank");
                }
                let unknown: Vec<&str> = items
                    .iter()
                    .filter_map(|i| i.as_str())
                    .filter(|s| !kw::PULL_POLICIES.contains(s))
                    .collect();
                if !unknown.is_empty() {
                    self.error(
                        v.span,
                        loc,
                        "config",
                        &format!("contains unknown values: {}", joined(&unknown)),
                    );
                }
            }
            _ => self.error(
                v.span,
                loc,
                "config",
                "should be an array of strings or a string",
            ),
        }
    }

    fn services(&mut self, loc: &str, v: &Node) {
        let Some(items) = v.as_seq() else {
            self.error(v.span, loc, "config", "should be a array");
            return;
        };
        let sloc = sub(loc, "service");
        let mut flat = Vec::new();
        flatten(items, &mut flat);
        for s in flat {
            if !opaque(s) {
                self.image(&sloc, s, kw::SERVICE_KEYS);
            }
        }
    }

    fn caches(&mut self, loc: &str, v: &Node) {
        let caches_loc = if loc.ends_with(":cache") {
            format!("{}:caches", loc.trim_end_matches(":cache"))
        } else {
            "caches".to_string()
        };
        let items: Vec<&NodeRef> = match &v.value {
            Value::Map(_) => vec![],
            Value::Seq(items) => {
                if items.len() > kw::CACHE_LIMIT {
                    self.error(
                        v.span,
                        &caches_loc,
                        "config",
                        &format!("no more than {} caches can be created", kw::CACHE_LIMIT),
                    );
                }
                items.iter().collect()
            }
            _ => {
                self.error(
                    v.span,
                    &caches_loc,
                    "config",
                    "can only be a hash or an array",
                );
                return;
            }
        };
        if v.as_map().is_some() {
            self.cache(loc, v);
        }
        for c in items {
            self.cache(loc, c);
        }
    }

    fn cache(&mut self, loc: &str, v: &Node) {
        if opaque(v) {
            return;
        }
        let Some(m) = v.as_map() else {
            self.error(v.span, loc, "config", "should be a hash");
            return;
        };
        self.allowed_keys(loc, m, kw::CACHE_KEYS);
        if let Some(p) = Self::attr(m, "policy") {
            if !opaque(p) {
                match p.as_str() {
                    None => self.error(p.span, loc, "policy", "should be a string"),
                    Some(s) => {
                        // GitLab's ALLOWED_POLICY regexp is unanchored.
                        let ok = s.is_empty()
                            || s.contains("pull")
                            || s.contains("push")
                            || s.contains('$');
                        if !ok {
                            self.error(
                                p.span,
                                loc,
                                "policy",
                                "should be a variable or one of: pull-push, push, pull",
                            );
                        }
                    }
                }
            }
        }
        if let Some(w) = Self::attr(m, "when") {
            if !is_str(w) {
                self.error(w.span, loc, "when", "should be a string");
            }
            self.check_inclusion(
                loc,
                m,
                "when",
                kw::CACHE_WHEN,
                &format!("should be one of: {}", joined(kw::CACHE_WHEN)),
            );
        }
        if let Some(f) = Self::attr(m, "fallback_keys") {
            if !array_of_strings(f) {
                self.error(
                    f.span,
                    &sub(loc, "fallback_keys"),
                    "config",
                    "should be an array of strings",
                );
            } else if f.as_seq().is_some_and(|s| s.len() > 5) {
                self.error(
                    f.span,
                    loc,
                    "fallback_keys",
                    "has to many entries (maximum 5)",
                );
            }
        }
        self.check_bool(&sub(loc, "unprotect"), m, "unprotect");
        if let Some(u) = Self::attr(m, "untracked") {
            if !is_bool(u) {
                self.error(
                    u.span,
                    &sub(loc, "untracked"),
                    "config",
                    "should be a boolean value",
                );
            }
        }
        if let Some(p) = Self::attr(m, "paths") {
            if !array_of_strings(p) {
                self.error(
                    p.span,
                    &sub(loc, "paths"),
                    "config",
                    "should be an array of strings",
                );
            }
        }
        if let Some(k) = Self::attr(m, "key") {
            self.cache_key(&sub(loc, "key"), k);
        }
    }

    fn cache_key(&mut self, loc: &str, v: &Node) {
        if opaque(v) {
            return;
        }
        match &v.value {
            Value::Str(s) => self.key_value(loc, "config", v.span, s),
            Value::Map(m) => {
                self.allowed_keys(loc, m, kw::CACHE_KEY_KEYS);
                let n = ["files", "files_commits"]
                    .iter()
                    .filter(|k| m.contains_key(k))
                    .count();
                if n != 1 {
                    self.error(
                        v.span,
                        loc,
                        "config",
                        "must use exactly one of these keys: files, files_commits",
                    );
                }
                for key in ["files", "files_commits"] {
                    if let Some(f) = Self::attr(m, key) {
                        let floc = sub(loc, key);
                        if !array_of_strings(f) {
                            self.error(f.span, &floc, "config", "should be an array of strings");
                        } else if let Some(items) = f.as_seq() {
                            if items.is_empty() {
                                self.error(f.span, &floc, "config", "requires at least 1 item");
                            } else if items.len() > 2 {
                                self.error(
                                    f.span,
                                    &floc,
                                    "config",
                                    "has too many items (maximum is 2)",
                                );
                            }
                        }
                    }
                }
                if let Some(p) = Self::attr(m, "prefix") {
                    match p.as_str() {
                        Some(s) => self.key_value(&sub(loc, "prefix"), "config", p.span, s),
                        // `Prefix` validates `key: true`: String or Symbol only.
                        None if !opaque(p) => self.error(
                            p.span,
                            &sub(loc, "prefix"),
                            "config",
                            "should be a string or symbol",
                        ),
                        None => {}
                    }
                }
            }
            Value::Int(_) | Value::Float(_) | Value::Bool(_) | Value::Seq(_) | Value::Null => self
                .raw(
                    v.span,
                    format!("{loc} should be a hash, a string or a symbol"),
                ),
        }
    }

    fn key_value(&mut self, loc: &str, attr: &str, span: Span, s: &str) {
        let unescaped = percent_decode(s);
        if unescaped.contains('/') {
            self.error(span, loc, attr, "cannot contain the \"/\" character");
        } else if unescaped == "." || unescaped == ".." {
            self.error(span, loc, attr, "cannot be \".\" or \"..\"");
        }
    }

    fn retry(&mut self, v: &Node) {
        match &v.value {
            Value::Int(n) => {
                if *n < 0 {
                    self.raw(
                        v.span,
                        "retry config must be greater than or equal to 0".into(),
                    );
                } else if *n > kw::RETRY_MAX {
                    self.raw(
                        v.span,
                        format!(
                            "retry config must be less than or equal to {}",
                            kw::RETRY_MAX
                        ),
                    );
                }
            }
            Value::Map(m) => {
                let unknown: Vec<&str> = m
                    .keys()
                    .map(String::as_str)
                    .filter(|k| !kw::RETRY_KEYS.contains(k))
                    .collect();
                if !unknown.is_empty() {
                    let message =
                        format!("retry config contains unknown keys: {}", joined(&unknown))
                            .to_lowercase();
                    for k in &unknown {
                        let span = m.entry(k).map_or(v.span, |e| e.key_span);
                        let help =
                            suggest_key(k, kw::RETRY_KEYS).map(|s| format!("did you mean `{s}`?"));
                        self.push(Class::UnknownKey, span, message.clone(), help);
                    }
                }
                if let Some(x) = Self::attr(m, "max") {
                    match &x.value {
                        Value::Int(n) if *n < 0 => self.raw(
                            x.span,
                            "retry max must be greater than or equal to 0".into(),
                        ),
                        Value::Int(n) if *n > kw::RETRY_MAX => self.raw(
                            x.span,
                            format!("retry max must be less than or equal to {}", kw::RETRY_MAX),
                        ),
                        Value::Int(_) => {}
                        Value::Float(_) => self.raw(x.span, "retry max must be an integer".into()),
                        Value::Str(s) if s.trim().parse::<i64>().is_ok() || opaque(x) => {}
                        _ => self.raw(x.span, "retry max is not a number".into()),
                    }
                }
                if let Some(w) = Self::attr(m, "when") {
                    if opaque(w) {
                    } else if let Some(s) = w.as_str() {
                        if !kw::RETRY_WHEN.contains(&s) {
                            self.raw(w.span, "retry when is not included in the list".into());
                        }
                    } else if array_of_strings(w) {
                        let unknown: Vec<&str> = w
                            .as_seq()
                            .unwrap_or_default()
                            .iter()
                            .filter_map(|i| i.as_str())
                            .filter(|s| !kw::RETRY_WHEN.contains(s))
                            .collect();
                        if !unknown.is_empty() {
                            self.raw(
                                w.span,
                                format!("retry when contains unknown values: {}", joined(&unknown)),
                            );
                        }
                    } else {
                        self.raw(
                            w.span,
                            "retry when should be an array of strings or a string".into(),
                        );
                    }
                }
                if let Some(c) = Self::attr(m, "exit_codes") {
                    if !array_of_integers_or_integer(c) {
                        self.raw(
                            c.span,
                            "retry exit codes should be an array of integers or an integer".into(),
                        );
                    }
                }
            }
            _ => self.raw(
                v.span,
                "retry config has to be either an integer or a hash".into(),
            ),
        }
    }

    fn artifacts(&mut self, loc: &str, v: &Node) {
        let Some(m) = v.as_map() else {
            self.error(v.span, loc, "config", "should be a hash");
            return;
        };
        self.allowed_keys(loc, m, kw::ARTIFACTS_KEYS);
        let expose = Self::attr(m, "expose_as").is_some();
        if expose && Self::attr(m, "paths").is_none_or(|p| blank(p)) {
            self.error(value_span(m, "expose_as"), loc, "paths", "can't be blank");
        }
        self.exclusive(v.span, loc, m, &["access", "public"]);
        self.check_string(loc, m, "name");
        self.check_bool(loc, m, "public");
        self.check_bool(loc, m, "untracked");
        if let Some(p) = Self::attr(m, "paths") {
            if !array_of_strings(p) {
                self.error(p.span, loc, "paths", "should be an array of strings");
            } else if expose
                && p.as_seq().is_some_and(|s| {
                    s.iter()
                        .any(|i| i.as_str().is_some_and(|t| t.contains('*')))
                })
            {
                self.error(
                    p.span,
                    loc,
                    "paths",
                    "can't contain '*' when used with 'expose_as'",
                );
            }
        }
        if let Some(e) = Self::attr(m, "expose_as") {
            if !opaque(e) {
                match e.as_str() {
                    None => self.error(e.span, loc, "expose_as", "should be a string"),
                    Some(s) => {
                        self.check_length(loc, "expose_as", e, 0, 100);
                        let mut chars = s.chars();
                        let ok = chars
                            .next()
                            .is_some_and(|c| c.is_alphanumeric() || c == '_')
                            && chars
                                .all(|c| c.is_alphanumeric() || c == '_' || c == '-' || c == ' ');
                        if !ok {
                            self.error(
                                e.span,
                                loc,
                                "expose_as",
                                "can contain only letters, digits, '-', '_' and spaces",
                            );
                        }
                    }
                }
            }
        }
        if let Some(x) = Self::attr(m, "exclude") {
            if !array_of_strings(x) {
                self.error(x.span, loc, "exclude", "should be an array of strings");
            }
        }
        if let Some(w) = Self::attr(m, "when") {
            if !is_str(w) {
                self.error(w.span, loc, "when", "should be a string");
            }
            self.check_inclusion(
                loc,
                m,
                "when",
                kw::ARTIFACTS_WHEN,
                &format!("should be one of: {}", joined(kw::ARTIFACTS_WHEN)),
            );
        }
        if let Some(x) = Self::attr(m, "expire_in") {
            self.check_duration(loc, "expire_in", x, None, true);
        }
        if let Some(a) = Self::attr(m, "access") {
            if !is_str(a) {
                self.error(a.span, loc, "access", "should be a string");
            }
            self.check_inclusion(
                loc,
                m,
                "access",
                kw::ARTIFACTS_ACCESS,
                &format!("should be one of: {}", joined(kw::ARTIFACTS_ACCESS)),
            );
        }
        if let Some(r) = Self::attr(m, "reports") {
            let rloc = sub(loc, "reports");
            match r.as_map() {
                None if !opaque(r) => self.error(r.span, loc, "reports", "should be a hash"),
                None => {}
                Some(rm) => {
                    self.allowed_keys(&rloc, rm, kw::REPORTS_KEYS);
                    for (k, e) in rm.iter() {
                        if e.value.is_null() || !kw::REPORTS_KEYS.contains(&k.as_str()) {
                            continue;
                        }
                        if k == "coverage_report" {
                            self.coverage_report(&format!("{rloc}:coverage_report"), &e.value);
                        } else if !string_or_array_of_strings(&e.value) {
                            self.error(
                                e.value.span,
                                &rloc,
                                k,
                                "should be an array of strings or a string",
                            );
                        }
                    }
                }
            }
        }
    }

    fn coverage_report(&mut self, loc: &str, v: &Node) {
        let Some(m) = v.as_map() else {
            if !opaque(v) {
                self.error(v.span, loc, "config", "should be a hash");
            }
            return;
        };
        self.allowed_keys(loc, m, kw::COVERAGE_REPORT_KEYS);
        match Self::attr(m, "coverage_format") {
            None => self.error(v.span, loc, "coverage_format", "can't be blank"),
            Some(f) if !opaque(f) => {
                if !f
                    .as_str()
                    .is_some_and(|s| kw::COVERAGE_FORMATS.contains(&s))
                {
                    self.error(
                        f.span,
                        loc,
                        "coverage_format",
                        &format!(
                            "must be one of supported formats: {}.",
                            joined(kw::COVERAGE_FORMATS)
                        ),
                    );
                }
            }
            Some(_) => {}
        }
        match Self::attr(m, "path") {
            None => self.error(v.span, loc, "path", "can't be blank"),
            Some(_) => self.check_string(loc, m, "path"),
        }
    }

    /// `Entry::Needs`. `allowed`: the need types this context accepts.
    fn needs(&mut self, loc: &str, v: &Node, allowed: &[&str]) {
        let items: Vec<&NodeRef> = match &v.value {
            Value::Seq(items) => {
                let mut flat = Vec::new();
                flatten(items, &mut flat);
                flat
            }
            Value::Map(m) => {
                if m.is_empty() {
                    self.error(v.span, loc, "config", "can not be an empty hash");
                    return;
                }
                Vec::new()
            }
            _ => {
                self.error(v.span, loc, "config", "can only be a hash or an array");
                return;
            }
        };
        let single;
        let items = if v.as_map().is_some() {
            single = [v];
            single.to_vec()
        } else {
            items.iter().map(|n| &***n).collect::<Vec<&Node>>()
        };
        let nloc = sub(loc, "need");
        let mut invalid_types: Vec<&str> = Vec::new();
        let mut cross_pipeline = 0;
        for n in items {
            if opaque(n) {
                continue;
            }
            match &n.value {
                Value::Str(s) => {
                    if s.trim().is_empty() {
                        self.error(n.span, &nloc, "config", "can't be blank");
                    }
                }
                Value::Map(m) => {
                    let (keys, kind): (&[&str], &str) = if m.contains_key("job")
                        && !m.contains_key("project")
                        && !m.contains_key("pipeline")
                    {
                        (kw::NEED_JOB_KEYS, "job")
                    } else if m.contains_key("job")
                        && m.contains_key("pipeline")
                        && !m.contains_key("project")
                    {
                        cross_pipeline += 1;
                        (kw::NEED_PIPELINE_KEYS, "cross_dependency")
                    } else if m.contains_key("job") && m.contains_key("project") {
                        (kw::NEED_PROJECT_KEYS, "cross_dependency")
                    } else if m.contains_key("pipeline") && !m.contains_key("job") {
                        (kw::NEED_BRIDGE_KEYS, "bridge")
                    } else {
                        self.raw(n.span, format!("{nloc} has an unsupported type"));
                        continue;
                    };
                    if !allowed.contains(&kind) && !invalid_types.contains(&kind) {
                        invalid_types.push(kind);
                    }
                    self.allowed_keys(&nloc, m, keys);
                    if let Some(j) = Self::attr(m, "job") {
                        if !is_str(j) {
                            self.error(j.span, &nloc, "job", "should be a string");
                        }
                    } else if m.contains_key("job") {
                        self.error(value_span(m, "job"), &nloc, "job", "can't be blank");
                    }
                    self.check_bool(&nloc, m, "artifacts");
                    self.check_bool(&nloc, m, "optional");
                }
                _ => self.raw(n.span, format!("{nloc} has an unsupported type")),
            }
        }
        if !invalid_types.is_empty() {
            self.error(
                v.span,
                loc,
                "config",
                &format!("uses invalid types: {}", joined(&invalid_types)),
            );
        }
        if cross_pipeline > 5 {
            self.error(v.span, loc, "config", "must be less than or equal to 5");
        }
    }

    fn release(&mut self, loc: &str, at: Span, v: &Node) {
        let Some(m) = v.as_map() else {
            self.error(v.span, loc, "config", "should be a hash");
            return;
        };
        let _ = at;
        self.allowed_keys(loc, m, kw::RELEASE_KEYS);
        for key in ["tag_name", "description"] {
            match Self::attr(m, key) {
                None => self.error(v.span, loc, key, "can't be blank"),
                Some(x) if !is_str(x) => self.error(x.span, loc, key, "should be a string"),
                Some(x) if blank(x) => self.error(x.span, loc, key, "can't be blank"),
                _ => {}
            }
        }
        self.check_string(loc, m, "tag_message");
        self.check_string(loc, m, "name");
        if let Some(ms) = Self::attr(m, "milestones") {
            if !string_or_array_of_strings(ms) {
                self.error(
                    ms.span,
                    loc,
                    "milestones",
                    "should be an array of strings or a string",
                );
            }
        }
        if let Some(a) = Self::attr(m, "assets") {
            let aloc = sub(loc, "assets");
            match a.as_map() {
                None if !opaque(a) => self.error(a.span, &aloc, "config", "should be a hash"),
                None => {}
                Some(am) => {
                    self.allowed_keys(&aloc, am, kw::RELEASE_ASSETS_KEYS);
                    match Self::attr(am, "links") {
                        None => self.error(a.span, &aloc, "links", "can't be blank"),
                        Some(l) if !array_of_hashes(l) => {
                            self.error(l.span, &aloc, "links", "should be an array of hashes")
                        }
                        Some(l) => {
                            let lloc = format!("{aloc}:links:link");
                            for link in l.as_seq().unwrap_or_default() {
                                let Some(lm) = link.as_map() else { continue };
                                self.allowed_keys(&lloc, lm, kw::RELEASE_LINK_KEYS);
                                for key in ["name", "url"] {
                                    match Self::attr(lm, key) {
                                        None => self.error(link.span, &lloc, key, "can't be blank"),
                                        Some(x) if !is_str(x) => {
                                            self.error(x.span, &lloc, key, "should be a string")
                                        }
                                        _ => {}
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    fn parallel(&mut self, loc: &str, v: &Node, numeric_ok: bool) {
        match &v.value {
            Value::Int(n) => {
                if !numeric_ok {
                    self.error(v.span, loc, "config", "cannot use \"parallel: <number>\".");
                } else if *n < 1 {
                    self.error(v.span, loc, "config", "must be greater than or equal to 1");
                } else if *n > kw::PARALLEL_LIMIT {
                    self.error(
                        v.span,
                        loc,
                        "config",
                        &format!("must be less than or equal to {}", kw::PARALLEL_LIMIT),
                    );
                }
            }
            Value::Float(_) => self.error(v.span, loc, "config", "must be an integer"),
            Value::Map(m) => {
                self.allowed_keys(loc, m, kw::PARALLEL_KEYS);
                self.required_keys(v.span, loc, m, &["matrix"]);
                if let Some(mx) = Self::attr(m, "matrix") {
                    self.matrix(&sub(loc, "matrix"), mx);
                }
            }
            _ => self.raw(v.span, format!("{loc} should be an integer or a hash")),
        }
    }

    fn matrix(&mut self, loc: &str, v: &Node) {
        if !array_of_hashes(v) {
            self.error(v.span, loc, "config", "should be an array of hashes");
            return;
        }
        let vloc = sub(loc, "variables");
        let mut total: u64 = 0;
        for item in v.as_seq().unwrap_or_default() {
            let Some(m) = item.as_map() else { continue };
            if m.is_empty() {
                self.error(item.span, &vloc, "config", "requires at least 1 items");
                continue;
            }
            let mut product: u64 = 1;
            let mut ok = true;
            for (_, e) in m.iter() {
                let x = &e.value;
                let size = match &x.value {
                    Value::Str(_) | Value::Int(_) | Value::Float(_) | Value::Bool(_) => 1,
                    Value::Seq(items)
                        if items.iter().all(|i| {
                            matches!(
                                i.value,
                                Value::Str(_) | Value::Int(_) | Value::Float(_) | Value::Bool(_)
                            ) || opaque(i)
                        }) && !items.is_empty() =>
                    {
                        items.len() as u64
                    }
                    _ if opaque(x) => 1,
                    _ => {
                        ok = false;
                        1
                    }
                };
                product = product.saturating_mul(size);
            }
            if !ok {
                self.error(
                    item.span,
                    &vloc,
                    "config",
                    "should be a hash of key value pairs, value can be an array",
                );
            }
            total = total.saturating_add(product);
        }
        if total > kw::PARALLEL_LIMIT as u64 {
            self.error(
                v.span,
                loc,
                "config",
                &format!(
                    "generates too many jobs (maximum is {})",
                    kw::PARALLEL_LIMIT
                ),
            );
        }
    }

    fn id_tokens(&mut self, loc: &str, v: &Node) {
        let Some(m) = v.as_map() else {
            self.error(v.span, loc, "config", "should be a hash");
            return;
        };
        for (name, e) in m.iter() {
            let tloc = sub(loc, name);
            let x = &e.value;
            if opaque(x) {
                continue;
            }
            let Some(tm) = x.as_map() else {
                self.error(x.span, &tloc, "config", "missing required keys: aud");
                continue;
            };
            self.required_keys(e.key_span, &tloc, tm, kw::ID_TOKEN_KEYS);
            self.allowed_keys(&tloc, tm, kw::ID_TOKEN_KEYS);
            if let Some(a) = Self::attr(tm, "aud") {
                if !string_or_array_of_strings(a) {
                    self.error(
                        a.span,
                        &tloc,
                        "aud",
                        "should be an array of strings or a string",
                    );
                }
            }
        }
    }

    fn pages(&mut self, loc: &str, v: &Node) {
        match &v.value {
            Value::Bool(_) => {}
            Value::Map(m) => {
                self.allowed_keys(loc, m, kw::PAGES_KEYS);
                self.check_string(loc, m, "path_prefix");
                self.check_string(loc, m, "publish");
                if let Some(x) = Self::attr(m, "expire_in") {
                    self.check_duration(loc, "expire_in", x, None, true);
                }
            }
            _ => self.error(v.span, loc, "config", "should be a hash or a boolean value"),
        }
    }

    fn trigger(&mut self, loc: &str, v: &Node) {
        match &v.value {
            Value::Str(s) => {
                if s.trim().is_empty() {
                    self.error(v.span, loc, "config", "can't be blank");
                }
            }
            Value::Map(m) => {
                let child = m.contains_key("include");
                let keys = if child {
                    kw::TRIGGER_CHILD_KEYS
                } else {
                    kw::TRIGGER_PROJECT_KEYS
                };
                if m.is_empty() {
                    self.error(v.span, loc, "config", "can't be blank");
                }
                self.allowed_keys(loc, m, keys);
                if !child {
                    match Self::attr(m, "project") {
                        None => self.error(v.span, loc, "project", "can't be blank"),
                        Some(p) if !is_str(p) => {
                            self.error(p.span, loc, "project", "should be a string")
                        }
                        _ => {}
                    }
                    self.check_string(loc, m, "branch");
                } else if let Some(inc) = Self::attr(m, "include") {
                    // `Entry::Include` per item (location `...:include:include`).
                    let items: Vec<&NodeRef> = match &inc.value {
                        Value::Seq(items) => items.iter().collect(),
                        Value::Map(_) => vec![inc],
                        _ => Vec::new(),
                    };
                    let iloc = format!("{loc}:include:include");
                    for item in items {
                        let Some(im) = item.as_map() else { continue };
                        if im.contains_key("artifact") && !im.contains_key("job") {
                            self.error(
                                item.span,
                                &iloc,
                                "config",
                                "must specify the job where to fetch the artifact from",
                            );
                        }
                        if im.contains_key("project") && !im.contains_key("file") {
                            self.error(
                                item.span,
                                &iloc,
                                "config",
                                "must specify the file where to fetch the config from",
                            );
                        }
                    }
                    if let Some(items) = inc.as_seq() {
                        if items.len() > 3 {
                            self.error(
                                inc.span,
                                &sub(loc, "include"),
                                "config",
                                "is too long (maximum is 3)",
                            );
                        }
                    } else if !is_str(inc) && inc.as_map().is_none() {
                        self.error(
                            inc.span,
                            &sub(loc, "include"),
                            "config",
                            "should be an array or a string",
                        );
                    }
                }
                if let Some(s) = Self::attr(m, "strategy") {
                    if !is_str(s) {
                        self.error(s.span, loc, "strategy", "should be a string");
                    }
                    self.check_inclusion(
                        loc,
                        m,
                        "strategy",
                        kw::TRIGGER_STRATEGIES,
                        "should be depend",
                    );
                }
                if let Some(f) = Self::attr(m, "forward") {
                    let floc = sub(loc, "forward");
                    match f.as_map() {
                        Some(fm) => {
                            self.allowed_keys(&floc, fm, kw::TRIGGER_FORWARD_KEYS);
                            for key in kw::TRIGGER_FORWARD_KEYS {
                                self.check_bool(&floc, fm, key);
                            }
                        }
                        None if !opaque(f) => {
                            self.error(f.span, &floc, "config", "should be a hash")
                        }
                        None => {}
                    }
                }
            }
            _ => self.raw(v.span, format!("{loc} has to be either a string or a hash")),
        }
    }
}

/// `validates :run, json_schema: { filename: 'run_steps', detail_errors: true }`:
/// the `run_steps.json` schema (an array of steps, each `oneOf` a function step or a
/// script step), with json_schemer's messages. When a step matches neither branch,
/// json_schemer reports the errors of both; kaslint does the same (deduplicated).
fn run_steps_errors(v: &Node) -> Vec<String> {
    const NAME: &str = "^[a-zA-Z_][a-zA-Z0-9_]*$";
    fn name_ok(s: &str) -> bool {
        let mut c = s.chars();
        c.next()
            .is_some_and(|f| f.is_ascii_alphabetic() || f == '_')
            && c.all(|x| x.is_ascii_alphanumeric() || x == '_')
    }
    fn string(out: &mut Vec<String>, at: &str, v: &Node) -> bool {
        if is_str(v) {
            return true;
        }
        out.push(format!("value at `{at}` is not a string"));
        false
    }
    fn named(out: &mut Vec<String>, at: &str, v: &Node, strings: bool) {
        let Some(m) = v.as_map() else {
            out.push(format!("value at `{at}` is not an object"));
            return;
        };
        for (k, e) in m.iter() {
            let p = format!("{at}/{k}");
            if !name_ok(k) {
                out.push(format!(
                    "object property at `{p}` is a disallowed additional property"
                ));
            } else if strings {
                string(out, &p, &e.value);
            }
        }
    }
    fn func_ref(out: &mut Vec<String>, at: &str, v: &Node) {
        if is_str(v)
            || v.as_map()
                .is_some_and(|m| m.contains_key("git") || m.contains_key("oci"))
        {
            return;
        }
        out.push(format!("value at `{at}` is not a string"));
    }
    fn branch(out: &mut Vec<String>, at: &str, m: &Map, required: &[&str], allowed: &[&str]) {
        let missing = missing_keys(m, required);
        if !missing.is_empty() {
            out.push(format!(
                "object at `{at}` is missing required properties: {}",
                missing.join(", ")
            ));
        }
        for (k, e) in m.iter() {
            let p = format!("{at}/{k}");
            if !allowed.contains(&k.as_str()) {
                out.push(format!(
                    "object property at `{p}` is a disallowed additional property"
                ));
                continue;
            }
            let v = &e.value;
            match k.as_str() {
                "name" if string(out, &p, v) && !v.as_str().is_some_and(name_ok) => {
                    out.push(format!("string at `{p}` does not match pattern: {NAME}"));
                }
                "env" => named(out, &p, v, true),
                "inputs" => named(out, &p, v, false),
                "step" | "func" => func_ref(out, &p, v),
                "script" if string(out, &p, v) && v.as_str() == Some("") => {
                    out.push(format!("string length at `{p}` is less than: 1"));
                }
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    let Some(items) = v.as_seq() else {
        return vec!["value at root is not an array".into()];
    };
    for (i, item) in items.iter().enumerate() {
        if opaque(item) {
            continue;
        }
        let at = format!("/{i}");
        let Some(m) = item.as_map() else {
            out.push(format!("value at `{at}` is not an object"));
            continue;
        };
        let mut func = Vec::new();
        branch(
            &mut func,
            &at,
            m,
            &["name"],
            &["name", "env", "inputs", "step", "func"],
        );
        match (m.contains_key("step"), m.contains_key("func")) {
            (false, false) => {
                func.push(format!(
                    "object at `{at}` is missing required properties: step"
                ));
                func.push(format!(
                    "object at `{at}` is missing required properties: func"
                ));
            }
            (true, true) => func.push(format!("value at `{at}` matches `not` schema")),
            _ => {}
        }
        let mut script = Vec::new();
        branch(
            &mut script,
            &at,
            m,
            &["name", "script"],
            &["name", "env", "script"],
        );
        if func.is_empty() || script.is_empty() {
            continue;
        }
        for e in func.into_iter().chain(script) {
            if !out.contains(&e) {
                out.push(e);
            }
        }
    }
    out
}

/// An array holding a `/regexp/` RE2 rejects.
fn strings_with_bad_regexp(v: &Node) -> bool {
    v.as_seq().is_some_and(|items| {
        items.iter().any(|i| {
            i.as_str()
                .is_some_and(super::expression::ruby_regexp_invalid)
        })
    })
}

/// The last segment of a location (`jobs:x:resource_group` → `resource_group`).
fn attr_of(loc: &str) -> &str {
    loc.rsplit(':').next().unwrap_or(loc)
}

fn value_span(m: &Map, key: &str) -> Span {
    m.entry(key).map(|e| e.key_span).unwrap_or_default()
}

fn deps_span(m: &Map) -> Span {
    m.entry("dependencies")
        .map(|e| e.key_span)
        .unwrap_or_default()
}

fn flatten<'n>(items: &'n [NodeRef], out: &mut Vec<&'n NodeRef>) {
    for i in items {
        match i.as_seq() {
            Some(inner) if !i.is_reference() => flatten(inner, out),
            _ => out.push(i),
        }
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(if bytes[i] == b'+' { b' ' } else { bytes[i] });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn suggest_key<'k>(key: &str, allowed: &[&'k str]) -> Option<&'k str> {
    let normalized = key.trim().replace([' ', '-'], "_");
    if normalized != key && allowed.contains(&normalized.as_str()) {
        return allowed.iter().copied().find(|a| *a == normalized);
    }
    suggest(key, allowed.iter().copied())
}

/// The job names a `needs:` value names (`None` when it cannot be known offline).
pub fn need_job_names(needs: &Node) -> Option<Vec<String>> {
    let items: Vec<&Node> = match &needs.value {
        Value::Seq(s) => s.iter().map(|n| &**n).collect(),
        Value::Map(_) => vec![needs],
        _ => return None,
    };
    let mut out = Vec::new();
    for i in items {
        if opaque(i) {
            return None;
        }
        match &i.value {
            Value::Str(s) => out.push(s.to_string()),
            Value::Map(m) if !m.contains_key("pipeline") && !m.contains_key("project") => {
                if let Some(j) = m.get("job").and_then(|j| j.as_str()) {
                    out.push(j.to_string());
                }
            }
            _ => {}
        }
    }
    Some(out)
}

/// `Jobs.find_type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobType {
    Hidden,
    Job,
    Bridge,
}

pub fn job_type(name: &str, v: &Node) -> Option<JobType> {
    if name.starts_with('.') {
        return Some(JobType::Hidden);
    }
    let m = v.as_map()?;
    if m.contains_key("script") || m.contains_key("run") {
        Some(JobType::Job)
    } else if m.contains_key("trigger") || m.contains_key("needs") {
        Some(JobType::Bridge)
    } else {
        None
    }
}

/// Run the entry checks over a pipeline.
pub fn check(pipeline: &Pipeline) -> Vec<Finding> {
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
