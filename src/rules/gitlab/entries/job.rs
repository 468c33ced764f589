//! `Entry::Job`, `Entry::Bridge` and their common part `Entry::Processable`, with the
//! small job-level entries `Entry::IdTokens` and `Entry::Pages`.

use super::*;

/// `Jobs.find_type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum JobType {
    Hidden,
    Job,
    Bridge,
}

pub(crate) fn job_type(name: &str, v: &Node) -> Option<JobType> {
    use crate::model::JobKind;
    match JobKind::of(name, v) {
        JobKind::Hidden => Some(JobType::Hidden),
        JobKind::Job => Some(JobType::Job),
        JobKind::Bridge => Some(JobType::Bridge),
        JobKind::Unknown => None,
    }
}

pub(super) fn deps_span(m: &Map) -> Span {
    m.entry("dependencies")
        .map(|e| e.key_span)
        .unwrap_or_default()
}

impl Entries<'_> {
    /// One visible job (`jobs:<name>`); `complete` is false for fragments.
    pub(super) fn job(&mut self, name: &str, key_span: Span, v: &NodeRef, complete: bool) {
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
    pub(super) fn typed_key(&self, span: Span) -> bool {
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
    pub(super) fn hidden(&mut self, name: &str, key_span: Span, v: &Node) {
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

    pub(super) fn processable(&mut self, loc: &str, key_span: Span, m: &Map) {
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

    pub(super) fn job_entry(
        &mut self,
        loc: &str,
        name: &str,
        key_span: Span,
        v: &NodeRef,
        fragment: bool,
    ) {
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
        self.check_one_of(loc, m, "when", kw::JOB_WHEN, || {
            format!("should be one of: {}", joined(kw::JOB_WHEN))
        });
        self.check_strings(loc, m, "dependencies");
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
        self.needs_matrix_expressions(loc.trim_start_matches("jobs:"), m);
    }

    pub(super) fn bridge_entry(&mut self, loc: &str, key_span: Span, v: &NodeRef) {
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
        self.needs_matrix_expressions(loc.trim_start_matches("jobs:"), m);
    }

    pub(super) fn id_tokens(&mut self, loc: &str, v: &Node) {
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

    pub(super) fn pages(&mut self, loc: &str, v: &Node) {
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
}

#[cfg(test)]
mod tests {
    use super::super::table::assert_rows;

    /// (YAML, GitLab's message); an empty message: no finding (a value a naive checker
    /// would reject).
    #[test]
    fn job_table() {
        assert_rows(&[
            (
                "job:\n  script: x\n  when: sometimes\n",
                "jobs:job when should be one of: on_success, on_failure, always, manual, delayed",
            ),
            (
                "job:\n  run: []\n  script: x\n",
                "jobs:job config these keys cannot be used together: run, script",
            ),
            (
                "job:\n  script: x\n  start_in: 1 day\n",
                "jobs:job start in must be blank",
            ),
            (
                "job:\n  script: x\n  when: delayed\n  start_in: 1 week 1 day\n",
                "jobs:job start in should not exceed the limit",
            ),
            (
                "job:\n  script: x\n  publish: public\n",
                "jobs:job publish can only be used within a `pages` job",
            ),
            ("pages:\n  script: x\n  publish: public\n", ""),
            (".hidden:\n", "jobs:.hidden config can't be blank"),
            (
                "job:\n  script: x\n  id_tokens:\n    T:\n      aud: 1\n",
                "jobs:job:id_tokens:t aud should be an array of strings or a string",
            ),
        ]);
    }
}
