//! `Entry::Caches`, `Entry::Cache` and `Entry::Cache::Key`.

use super::*;

impl Entries<'_> {
    pub(super) fn caches(&mut self, loc: &str, v: &Node) {
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

    pub(super) fn cache(&mut self, loc: &str, v: &Node) {
        if opaque(v) {
            return;
        }
        let Some(m) = v.as_map() else {
            self.error(v.span, loc, "config", "should be a hash");
            return;
        };
        self.allowed_keys(loc, m, kw::CACHE_KEYS);
        if let Some((p, s)) = self.string_attr(loc, m, "policy") {
            // GitLab's ALLOWED_POLICY regexp is unanchored.
            let ok = s.is_empty() || s.contains("pull") || s.contains("push") || s.contains('$');
            if !ok {
                self.error(
                    p.span,
                    loc,
                    "policy",
                    "should be a variable or one of: pull-push, push, pull",
                );
            }
        }
        self.check_one_of(loc, m, "when", kw::CACHE_WHEN, || {
            format!("should be one of: {}", joined(kw::CACHE_WHEN))
        });
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

    pub(super) fn cache_key(&mut self, loc: &str, v: &Node) {
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

    pub(super) fn key_value(&mut self, loc: &str, attr: &str, span: Span, s: &str) {
        let unescaped = percent_decode(s);
        if unescaped.contains('/') {
            self.error(span, loc, attr, "cannot contain the \"/\" character");
        } else if unescaped == "." || unescaped == ".." {
            self.error(span, loc, attr, "cannot be \".\" or \"..\"");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::table::assert_rows;

    /// (YAML, GitLab's message); an empty message: no finding (a value a naive checker
    /// would reject).
    #[test]
    fn cache_table() {
        assert_rows(&[
            ("job:\n  script: x\n  cache: {key: a/b, paths: [x]}\n", "jobs:job:cache:key config cannot contain the \"/\" character"),
            ("job:\n  script: x\n  cache: {when: sometimes}\n", "jobs:job:cache when should be one of: on_success, on_failure, always"),
            ("job:\n  script: x\n  cache: {key: {files: [a, b, c]}}\n", "jobs:job:cache:key:files config has too many items (maximum is 2)"),
            ("job:\n  script: x\n  cache: [{key: a, paths: [x], fallback_keys: [b]}, {key: c, unprotect: true}]\n", ""),
        ]);
    }
}
