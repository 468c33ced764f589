//! `Entry::Environment` and its `kubernetes:` section (json_schemer messages).

use super::*;

pub(super) fn environment_name_ok(name: &str) -> bool {
    let edge =
        |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '$' | '{' | '}' | '.' | ' ' | '-');
    let inner = |c: char| edge(c) || c == '/';
    let mut chars = name.chars();
    let (Some(first), last) = (chars.next(), name.chars().last()) else {
        return false;
    };
    edge(first) && last.is_some_and(edge) && name.chars().all(inner)
}

impl Entries<'_> {
    pub(super) fn environment(&mut self, loc: &str, v: &Node) {
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
        self.check_one_of(loc, m, "action", kw::ENVIRONMENT_ACTIONS, || {
            "should be start, stop, prepare, verify, or access".into()
        });
        self.check_one_of(loc, m, "deployment_tier", kw::DEPLOYMENT_TIERS, || {
            format!("must be one of {}", joined(kw::DEPLOYMENT_TIERS))
        });
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

    pub(super) fn kubernetes(&mut self, loc: &str, at: Span, v: &Node) {
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
    pub(super) fn json_object(
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
}

#[cfg(test)]
mod tests {
    use super::super::table::assert_rows;

    /// (YAML, GitLab's message); an empty message: no finding (a value a naive checker
    /// would reject).
    #[test]
    fn environment_table() {
        assert_rows(&[
            ("job:\n  script: x\n  environment: {name: review, action: destroy}\n", "jobs:job:environment action should be start, stop, prepare, verify, or access"),
            ("job:\n  script: x\n  environment: {action: stop}\n", "jobs:job:environment name can't be blank"),
            ("job:\n  script: x\n  environment:\n    name: prod\n    kubernetes: {agent: 1}\n", "jobs:job:environment:kubernetes agent should be a string"),
            ("job:\n  script: x\n  environment:\n    name: prod\n    deployment_tier: live\n", "jobs:job:environment deployment tier must be one of production, staging, testing, development, other"),
        ]);
    }
}
