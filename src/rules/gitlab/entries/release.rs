//! `Entry::Release` with its assets and links.

use super::*;

impl Entries<'_> {
    pub(super) fn release(&mut self, loc: &str, at: Span, v: &Node) {
        let Some(m) = v.as_map() else {
            self.error(v.span, loc, "config", "should be a hash");
            return;
        };
        let _ = at;
        self.allowed_keys(loc, m, kw::RELEASE_KEYS);
        for key in ["tag_name", "description"] {
            match Self::attr(m, key) {
                None => self.error(v.span, loc, key, "can't be blank"),
                Some(x) if !is_str(x) => self.error(x.span, loc, key, "should be a string"),
                Some(x) if blank(x) => self.error(x.span, loc, key, "can't be blank"),
                _ => {}
            }
        }
        self.check_string(loc, m, "tag_message");
        self.check_string(loc, m, "name");
        if let Some(ms) = Self::attr(m, "milestones") {
            if !string_or_array_of_strings(ms) {
                self.error(
                    ms.span,
                    loc,
                    "milestones",
                    "should be an array of strings or a string",
                );
            }
        }
        if let Some(a) = Self::attr(m, "assets") {
            let aloc = sub(loc, "assets");
            match a.as_map() {
                None if !opaque(a) => self.error(a.span, &aloc, "config", "should be a hash"),
                None => {}
                Some(am) => {
                    self.allowed_keys(&aloc, am, kw::RELEASE_ASSETS_KEYS);
                    match Self::attr(am, "links") {
                        None => self.error(a.span, &aloc, "links", "can't be blank"),
                        Some(l) if !array_of_hashes(l) => {
                            self.error(l.span, &aloc, "links", "should be an array of hashes")
                        }
                        Some(l) => {
                            let lloc = format!("{aloc}:links:link");
                            for link in l.as_seq().unwrap_or_default() {
                                let Some(lm) = link.as_map() else { continue };
                                self.allowed_keys(&lloc, lm, kw::RELEASE_LINK_KEYS);
                                for key in ["name", "url"] {
                                    match Self::attr(lm, key) {
                                        None => self.error(link.span, &lloc, key, "can't be blank"),
                                        Some(x) if !is_str(x) => {
                                            self.error(x.span, &lloc, key, "should be a string")
                                        }
                                        _ => {}
                                    }
                                }
                            }
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
    fn release_table() {
        assert_rows(&[
            ("job:\n  script: x\n  release: {description: d}\n", "jobs:job:release tag name can't be blank"),
            ("job:\n  script: x\n  release: {tag_name: v1, description: d, assets: {links: [{name: n}]}}\n", "jobs:job:release:assets:links:link url can't be blank"),
            ("job:\n  script: x\n  release: {tag_name: v1, description: d, milestones: m1}\n", ""),
        ]);
    }
}
