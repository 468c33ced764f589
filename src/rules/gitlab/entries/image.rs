//! `Entry::Image`, `Entry::PullPolicy` and `Entry::Services`.

use super::*;

impl Entries<'_> {
    pub(super) fn image(&mut self, loc: &str, v: &Node, keys: &[&str]) {
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
        self.check_strings(loc, m, "entrypoint");
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
            self.check_strings(loc, m, "command");
            self.check_string(loc, m, "alias");
            if let Some(vars) = Self::attr(m, "variables") {
                self.variables(&sub(loc, "variables"), vars, &[]);
            }
        }
    }

    pub(super) fn pull_policy(&mut self, loc: &str, v: &Node) {
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

    pub(super) fn services(&mut self, loc: &str, v: &Node) {
        let Some(items) = v.as_seq() else {
            self.error(v.span, loc, "config", "should be an array");
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
}

#[cfg(test)]
mod tests {
    use super::super::table::assert_rows;

    /// (YAML, GitLab's message); an empty message: no finding (a value a naive checker
    /// would reject).
    #[test]
    fn image_table() {
        assert_rows(&[
            ("job:\n  script: x\n  image: {entrypoint: ['']}\n", "jobs:job:image name can't be blank"),
            ("job:\n  script: x\n  image: {name: alpine, pull_policy: sometimes}\n", "jobs:job:image:pull_policy config is not included in the list"),
            ("job:\n  script: x\n  services: postgres\n", "jobs:job:services config should be an array"),
            ("job:\n  script: x\n  image: {name: alpine, docker: {platform: arm64, user: root}}\n", ""),
        ]);
    }
}
