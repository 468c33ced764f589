//! `Entry::Needs` and `Entry::Need`.

use super::*;

/// The job names a `needs:` value names (`None` when it cannot be known offline).
pub(super) fn need_job_names(needs: &Node) -> Option<Vec<String>> {
    let items: Vec<&Node> = match &needs.value {
        Value::Seq(s) => s.iter().map(|n| &**n).collect(),
        Value::Map(_) => vec![needs],
        _ => return None,
    };
    let mut out = Vec::new();
    for i in items {
        if opaque(i) {
            return None;
        }
        match &i.value {
            Value::Str(s) => out.push(s.to_string()),
            Value::Map(m) if !m.contains_key("pipeline") && !m.contains_key("project") => {
                if let Some(j) = m.get("job").and_then(|j| j.as_str()) {
                    out.push(j.to_string());
                }
            }
            _ => {}
        }
    }
    Some(out)
}

impl Entries<'_> {
    /// `Entry::Needs`. `allowed`: the need types this context accepts.
    pub(super) fn needs(&mut self, loc: &str, v: &Node, allowed: &[&str]) {
        let items: Vec<&NodeRef> = match &v.value {
            Value::Seq(items) => {
                let mut flat = Vec::new();
                flatten(items, &mut flat);
                flat
            }
            Value::Map(m) => {
                if m.is_empty() {
                    self.error(v.span, loc, "config", "can not be an empty hash");
                    return;
                }
                Vec::new()
            }
            _ => {
                self.error(v.span, loc, "config", "can only be a hash or an array");
                return;
            }
        };
        let single;
        let items = if v.as_map().is_some() {
            single = [v];
            single.to_vec()
        } else {
            items.iter().map(|n| &***n).collect::<Vec<&Node>>()
        };
        let nloc = sub(loc, "need");
        let mut invalid_types: Vec<&str> = Vec::new();
        let mut cross_pipeline = 0;
        for n in items {
            if opaque(n) {
                continue;
            }
            match &n.value {
                Value::Str(s) => {
                    if s.trim().is_empty() {
                        self.error(n.span, &nloc, "config", "can't be blank");
                    }
                }
                Value::Map(m) => {
                    let (keys, kind): (&[&str], &str) = if m.contains_key("job")
                        && !m.contains_key("project")
                        && !m.contains_key("pipeline")
                    {
                        (kw::NEED_JOB_KEYS, "job")
                    } else if m.contains_key("job")
                        && m.contains_key("pipeline")
                        && !m.contains_key("project")
                    {
                        cross_pipeline += 1;
                        (kw::NEED_PIPELINE_KEYS, "cross_dependency")
                    } else if m.contains_key("job") && m.contains_key("project") {
                        (kw::NEED_PROJECT_KEYS, "cross_dependency")
                    } else if m.contains_key("pipeline") && !m.contains_key("job") {
                        (kw::NEED_BRIDGE_KEYS, "bridge")
                    } else {
                        self.raw(n.span, format!("{nloc} has an unsupported type"));
                        continue;
                    };
                    if !allowed.contains(&kind) && !invalid_types.contains(&kind) {
                        invalid_types.push(kind);
                    }
                    self.allowed_keys(&nloc, m, keys);
                    if let Some(j) = Self::attr(m, "job") {
                        if !is_str(j) {
                            self.error(j.span, &nloc, "job", "should be a string");
                        }
                    } else if m.contains_key("job") {
                        self.error(value_span(m, "job"), &nloc, "job", "can't be blank");
                    }
                    self.check_bool(&nloc, m, "artifacts");
                    self.check_bool(&nloc, m, "optional");
                    // `Need::JobHash`'s `parallel` (`Product::Parallel`, matrix only): a
                    // number is refused by `Needs` itself (`needs config cannot use ...`).
                    if let Some(p) = Self::attr(m, "parallel").filter(|_| kind == "job") {
                        if matches!(p.value, Value::Int(_)) {
                            self.error(p.span, loc, "config", "cannot use \"parallel: <number>\".");
                        } else {
                            self.parallel(&sub(&nloc, "parallel"), p, false);
                        }
                    }
                }
                // GitLab's entry factory makes a `null` need `Unspecified`/`Undefined`: valid,
                // and dropped from the needs (`Needs#value` keeps the typed ones).
                Value::Null => {}
                _ => self.raw(n.span, format!("{nloc} has an unsupported type")),
            }
        }
        if !invalid_types.is_empty() {
            self.error(
                v.span,
                loc,
                "config",
                &format!("uses invalid types: {}", joined(&invalid_types)),
            );
        }
        if cross_pipeline > 5 {
            self.error(v.span, loc, "config", "must be less than or equal to 5");
        }
    }
}

/// `$[[ matrix.NAME ]]` in a `needs:` value (`MatrixInterpolator::MATRIX_EXPRESSION_REGEXP`).
fn matrix_names(text: &str) -> impl Iterator<Item = &str> {
    text.match_indices("$[[").filter_map(|(i, _)| {
        let rest = text[i + 3..].trim_start();
        let rest = rest.strip_prefix("matrix.")?;
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            .unwrap_or(rest.len());
        let after = rest[end..].trim_start();
        (end > 0 && after.starts_with("]]")).then(|| &rest[..end])
    })
}

/// Every string below `v` with its node.
fn strings<'n>(v: &'n Node, out: &mut Vec<&'n Node>) {
    match &v.value {
        Value::Str(_) => out.push(v),
        Value::Seq(items) => items.iter().for_each(|i| strings(i, out)),
        Value::Map(m) => m.iter().for_each(|(_, e)| strings(&e.value, out)),
        _ => {}
    }
}

impl Entries<'_> {
    /// `YamlProcessor::Parallel`: a job expanded by `parallel:matrix` interpolates
    /// `$[[ matrix.NAME ]]` in its `needs:` with each of its own permutations; a name
    /// missing from one permutation is an error (deduplicated, GitLab's `errors.uniq`).
    pub(super) fn needs_matrix_expressions(&mut self, name: &str, m: &Map) {
        let Some(needs) = Self::attr(m, "needs") else {
            return;
        };
        let Some(rows) = Self::attr(m, "parallel")
            .and_then(|p| p.as_map())
            .and_then(|p| Self::attr(p, "matrix"))
            .and_then(|x| x.as_seq())
        else {
            return;
        };
        if rows.iter().any(|r| r.as_map().is_none()) {
            return;
        }
        let mut texts = Vec::new();
        strings(needs, &mut texts);
        let mut seen: Vec<String> = Vec::new();
        for node in texts {
            let Some(text) = node.as_str() else { continue };
            for var in matrix_names(text) {
                let known = rows
                    .iter()
                    .filter_map(|r| r.as_map())
                    .all(|r| r.contains_key(var));
                let message = format!("{name} job: '{var}' does not exist in matrix configuration");
                if !known && !seen.contains(&message) {
                    seen.push(message.clone());
                    self.raw(node.span, message);
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
    fn needs_table() {
        assert_rows(&[
            ("a:\n  script: x\nb:\n  script: x\n  needs: [{job: a, parallel: 2}]\n", "jobs:b:needs config cannot use \"parallel: <number>\"."),
            ("a:\n  script: x\nb:\n  script: x\n  needs: {}\n", "jobs:b:needs config can not be an empty hash"),
            ("a:\n  script: x\nb:\n  script: x\n  needs: [{job: a, artifacts: maybe}]\n", "jobs:b:needs:need artifacts should be a boolean value"),
            ("a:\n  script: x\n  parallel: {matrix: [{OS: [l, w]}]}\nb:\n  script: x\n  parallel: {matrix: [{OS: [l, w]}]}\n  needs: [{job: a, parallel: {matrix: [{OS: '$[[ matrix.OS ]]'}]}}]\n", ""),
            ("a:\n  script: x\n  parallel: {matrix: [{OS: [l, w]}]}\nb:\n  script: x\n  parallel: {matrix: [{OS: [l, w]}]}\n  needs: [{job: a, parallel: {matrix: [{OS: '$[[ matrix.ARCH ]]'}]}}]\n", "b job: 'ARCH' does not exist in matrix configuration"),
            // A null need (an anchor of an empty list item, say) is unspecified: dropped.
            ("a:\n  script: x\nb:\n  script: x\n  needs: [~, a]\n", ""),
            (".n: &n\n  -\na:\n  script: x\nb:\n  script: x\n  needs:\n    - *n\n    - a\n", ""),
            ("a:\n  script: x\nb:\n  script: x\n  needs: ~\n", ""),
        ]);
    }
}
