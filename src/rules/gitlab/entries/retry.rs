//! `Entry::Retry`.

use super::*;

impl Entries<'_> {
    pub(super) fn retry(&mut self, v: &Node) {
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
}

#[cfg(test)]
mod tests {
    use super::super::table::assert_rows;

    /// (YAML, GitLab's message); an empty message: no finding (a value a naive checker
    /// would reject).
    #[test]
    fn retry_table() {
        assert_rows(&[
            (
                "job:\n  script: x\n  retry: 3\n",
                "retry config must be less than or equal to 2",
            ),
            (
                "job:\n  script: x\n  retry: {max: 1, when: sometimes}\n",
                "retry when is not included in the list",
            ),
            (
                "job:\n  script: x\n  retry: {max: 2, when: [script_failure], exit_codes: [137]}\n",
                "",
            ),
        ]);
    }
}
