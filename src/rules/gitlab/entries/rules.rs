//! `Entry::Policy` (`only`/`except`), `Entry::Rules`, `Entry::Rules::Rule` and its
//! `changes`/`exists` clauses.

use super::*;

impl Entries<'_> {
    pub(super) fn policy(&mut self, loc: &str, v: &Node) {
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
                    self.check_strings(loc, m, key);
                }
                // `ComplexPolicy#variables_expressions_syntax`: one error per bad statement.
                if let Some(items) = Self::attr(m, "variables").and_then(|x| x.as_seq()) {
                    for i in items {
                        if i.as_str()
                            .is_some_and(|t| !super::super::expression::valid(t))
                        {
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

    pub(super) fn rules(&mut self, loc: &str, v: &Node, keys: &[&str], when: &[&str]) {
        let Some(items) = v.as_seq() else {
            self.error(v.span, loc, "config", "should be an array");
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

    pub(super) fn rule(&mut self, loc: &str, r: &NodeRef, keys: &[&str], when: &[&str]) {
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
                if !super::super::expression::valid(text) {
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

    pub(super) fn paths_list(&mut self, loc: &str, attr: &str, v: &Node, limit: bool) {
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

    pub(super) fn changes(&mut self, loc: &str, v: &Node) {
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

    pub(super) fn exists(&mut self, loc: &str, v: &Node) {
        // `Exists`: a blank value (`false`, `{}`, `[]`, `""`) takes `SimpleExists`,
        // which only checks arrays: accepted, it matches nothing.
        if opaque(v) || blank(v) {
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
}

#[cfg(test)]
mod tests {
    use super::super::table::assert_rows;

    /// (YAML, GitLab's message); an empty message: no finding (a value a naive checker
    /// would reject).
    #[test]
    fn rules_table() {
        assert_rows(&[
            ("job:\n  script: x\n  rules: {if: $A}\n", "jobs:job rules should be an array containing hashes and arrays of hashes"),
            ("job:\n  script: x\n  rules:\n    - if: $A = 1\n", "jobs:job:rules:rule if invalid expression syntax"),
            ("job:\n  script: x\n  rules:\n    - when: later\n", "jobs:job:rules:rule when unknown value: later"),
            ("job:\n  script: x\n  rules:\n    - exists: false\n    - exists: {}\n    - changes: {compare_to: main}\n", "jobs:job:rules:rule:changes config missing required keys: paths"),
            ("job:\n  script: x\n  only: {kubernetes: maybe}\n", "jobs:job:only kubernetes unknown value: maybe"),
        ]);
    }
}
