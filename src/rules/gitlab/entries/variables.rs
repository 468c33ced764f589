//! `Entry::Variables` (every value form) and `Entry::Inherit`.

use super::*;

impl Entries<'_> {
    /// `Entry::Variables` with the value keys allowed in this context.
    pub(super) fn variables(&mut self, loc: &str, v: &Node, data: &[&str]) {
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

    pub(super) fn inherit(&mut self, loc: &str, v: &Node) {
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
}

#[cfg(test)]
mod tests {
    use super::super::table::assert_rows;

    /// (YAML, GitLab's message); an empty message: no finding (a value a naive checker
    /// would reject).
    #[test]
    fn variables_table() {
        assert_rows(&[
            (
                "variables:\n  A: {value: x, expand: maybe}\njob:\n  script: x\n",
                "variables:a expand should be a boolean value",
            ),
            (
                "job:\n  script: x\n  variables: [A]\n",
                "jobs:job:variables config should be a hash",
            ),
            (
                "job:\n  script: x\n  variables:\n    A: {value: x, description: y}\n",
                "jobs:job:variables:a config uses invalid data keys: description",
            ),
            (
                "variables:\n  A: {value: x, description: y, options: [x, z]}\njob:\n  script: x\n",
                "",
            ),
        ]);
    }
}
