//! `Entry::Artifacts`, `Entry::Reports` and `Entry::Reports::CoverageReport`.

use super::*;

pub(super) fn percent_decode(s: &str) -> String {
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

impl Entries<'_> {
    pub(super) fn artifacts(&mut self, loc: &str, v: &Node) {
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
        if let Some((e, s)) = self.string_attr(loc, m, "expose_as") {
            self.check_length(loc, "expose_as", e, 0, 100);
            let mut chars = s.chars();
            let ok = chars
                .next()
                .is_some_and(|c| c.is_alphanumeric() || c == '_')
                && chars.all(|c| c.is_alphanumeric() || c == '_' || c == '-' || c == ' ');
            if !ok {
                self.error(
                    e.span,
                    loc,
                    "expose_as",
                    "can contain only letters, digits, '-', '_' and spaces",
                );
            }
        }
        self.check_strings(loc, m, "exclude");
        self.check_one_of(loc, m, "when", kw::ARTIFACTS_WHEN, || {
            format!("should be one of: {}", joined(kw::ARTIFACTS_WHEN))
        });
        if let Some(x) = Self::attr(m, "expire_in") {
            self.check_duration(loc, "expire_in", x, None, true);
        }
        self.check_one_of(loc, m, "access", kw::ARTIFACTS_ACCESS, || {
            format!("should be one of: {}", joined(kw::ARTIFACTS_ACCESS))
        });
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

    pub(super) fn coverage_report(&mut self, loc: &str, v: &Node) {
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
}

#[cfg(test)]
mod tests {
    use super::super::table::assert_rows;

    /// (YAML, GitLab's message); an empty message: no finding (a value a naive checker
    /// would reject).
    #[test]
    fn artifacts_table() {
        assert_rows(&[
            ("job:\n  script: x\n  artifacts: {when: sometimes}\n", "jobs:job:artifacts when should be one of: on_success, on_failure, always"),
            ("job:\n  script: x\n  artifacts: {reports: {cobertura: c.xml}}\n", "jobs:job:artifacts:reports config contains unknown keys: cobertura"),
            ("job:\n  script: x\n  artifacts: {expire_in: never, access: developer, paths: [x]}\n", ""),
        ]);
    }
}
