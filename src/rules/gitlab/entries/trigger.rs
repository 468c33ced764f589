//! `Entry::Trigger` (project and child-pipeline forms).

use super::*;

impl Entries<'_> {
    pub(super) fn trigger(&mut self, loc: &str, v: &Node) {
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
                        // `validates :project, type: String, presence: true`.
                        Some(p) if blank(p) => self.error(p.span, loc, "project", "can't be blank"),
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
                self.check_one_of(loc, m, "strategy", kw::TRIGGER_STRATEGIES, || {
                    "should be depend or mirror".into()
                });
                // `trigger:inputs`: the downstream pipeline's inputs, a hash.
                if let Some(i) = Self::attr(m, "inputs") {
                    if i.as_map().is_none() && !opaque(i) {
                        self.error(i.span, loc, "inputs", "should be a hash");
                    }
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

#[cfg(test)]
mod tests {
    use super::super::table::assert_rows;

    /// (YAML, GitLab's message); an empty message: no finding (a value a naive checker
    /// would reject).
    #[test]
    fn trigger_table() {
        assert_rows(&[
            (
                "job:\n  trigger: {project: ''}\n",
                "jobs:job:trigger project can't be blank",
            ),
            (
                "job:\n  trigger: {project: a/b, strategy: wait}\n",
                "jobs:job:trigger strategy should be depend or mirror",
            ),
            (
                "job:\n  trigger: {project: a/b, inputs: [x]}\n",
                "jobs:job:trigger inputs should be a hash",
            ),
            (
                "job:\n  trigger: {project: a/b, strategy: mirror, inputs: {x: 1}}\n",
                "",
            ),
            (
                "job:\n  trigger: {include: [a.yml, b.yml, c.yml, d.yml]}\n",
                "jobs:job:trigger:include config is too long (maximum is 3)",
            ),
        ]);
    }
}
