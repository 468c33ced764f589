//! The root entries: `Entry::Root` (top-level keywords and `default:` overrides),
//! `Entry::Default`, `Entry::Workflow` and `Entry::AutoCancel`.

use super::*;

impl Entries<'_> {
    pub(super) fn root(&mut self, root: &NodeRef) {
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

    pub(super) fn default(&mut self, loc: &str, v: &NodeRef) {
        let Some(m) = v.as_map() else {
            self.error(v.span, loc, "config", "should be a hash");
            return;
        };
        self.allowed_keys(loc, m, &kw::keys_of(kw::DEFAULT_ENTRIES));
        self.children(loc, m, kw::DEFAULT_ENTRIES, loc);
    }

    pub(super) fn workflow(&mut self, loc: &str, v: &NodeRef) {
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

    pub(super) fn auto_cancel(&mut self, loc: &str, v: &Node) {
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
            self.check_one_of(loc, m, key, values, || {
                format!("must be one of: {}", joined(values))
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::table::assert_rows;

    /// (YAML, GitLab's message); an empty message: no finding (a value a naive checker
    /// would reject).
    #[test]
    fn root_table() {
        assert_rows(&[
            ("default:\n  image: alpine\n  when: always\njob:\n  script: x\n", "default config contains unknown keys: when"),
            ("workflow:\n  name: ''\njob:\n  script: x\n", "workflow name is too short (minimum is 1 character)"),
            ("workflow:\n  auto_cancel: {on_new_commit: sometimes}\njob:\n  script: x\n", "workflow:auto_cancel on new commit must be one of: conservative, interruptible, none"),
            ("image: a\ndefault:\n  image: b\njob:\n  script: x\n", "image is defined in top-level and `default:` entry"),
        ]);
    }
}
