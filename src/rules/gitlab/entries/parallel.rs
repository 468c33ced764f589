//! `Entry::Product::Parallel` and `Entry::Product::Matrix`.

use super::*;

impl Entries<'_> {
    pub(super) fn parallel(&mut self, loc: &str, v: &Node, numeric_ok: bool) {
        match &v.value {
            Value::Int(n) => {
                if !numeric_ok {
                    self.error(v.span, loc, "config", "cannot use \"parallel: <number>\".");
                } else if *n < 1 {
                    self.error(v.span, loc, "config", "must be greater than or equal to 1");
                } else if *n > kw::PARALLEL_LIMIT {
                    self.error(
                        v.span,
                        loc,
                        "config",
                        &format!("must be less than or equal to {}", kw::PARALLEL_LIMIT),
                    );
                }
            }
            Value::Float(_) => self.error(v.span, loc, "config", "must be an integer"),
            Value::Map(m) => {
                self.allowed_keys(loc, m, kw::PARALLEL_KEYS);
                self.required_keys(v.span, loc, m, &["matrix"]);
                if let Some(mx) = Self::attr(m, "matrix") {
                    self.matrix(&sub(loc, "matrix"), mx);
                }
            }
            _ => self.raw(v.span, format!("{loc} should be an integer or a hash")),
        }
    }

    pub(super) fn matrix(&mut self, loc: &str, v: &Node) {
        if !array_of_hashes(v) {
            self.error(v.span, loc, "config", "should be an array of hashes");
            return;
        }
        let vloc = sub(loc, "variables");
        let mut total: u64 = 0;
        for item in v.as_seq().unwrap_or_default() {
            let Some(m) = item.as_map() else { continue };
            if m.is_empty() {
                self.error(item.span, &vloc, "config", "requires at least 1 items");
                continue;
            }
            let mut product: u64 = 1;
            let mut ok = true;
            for (_, e) in m.iter() {
                let x = &e.value;
                let size = match &x.value {
                    Value::Str(_) | Value::Int(_) | Value::Float(_) | Value::Bool(_) => 1,
                    Value::Seq(items)
                        if items.iter().all(|i| {
                            matches!(
                                i.value,
                                Value::Str(_) | Value::Int(_) | Value::Float(_) | Value::Bool(_)
                            ) || opaque(i)
                        }) && !items.is_empty() =>
                    {
                        items.len() as u64
                    }
                    _ if opaque(x) => 1,
                    _ => {
                        ok = false;
                        1
                    }
                };
                product = product.saturating_mul(size);
            }
            if !ok {
                self.error(
                    item.span,
                    &vloc,
                    "config",
                    "should be a hash of key value pairs, value can be an array",
                );
            }
            total = total.saturating_add(product);
        }
        if total > kw::PARALLEL_LIMIT as u64 {
            self.error(
                v.span,
                loc,
                "config",
                &format!(
                    "generates too many jobs (maximum is {})",
                    kw::PARALLEL_LIMIT
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::table::assert_rows;

    /// (YAML, GitLab's message); an empty message: no finding (a value a naive checker
    /// would reject).
    #[test]
    fn parallel_table() {
        assert_rows(&[
            (
                "job:\n  script: x\n  parallel: 0\n",
                "jobs:job:parallel config must be greater than or equal to 1",
            ),
            (
                "job:\n  script: x\n  parallel: 201\n",
                "jobs:job:parallel config must be less than or equal to 200",
            ),
            (
                "job:\n  script: x\n  parallel: {matrix: [{}]}\n",
                "jobs:job:parallel:matrix:variables config requires at least 1 items",
            ),
            (
                "job:\n  trigger: a/b\n  parallel: 3\n",
                "jobs:job:parallel config cannot use \"parallel: <number>\".",
            ),
            (
                "job:\n  script: x\n  parallel: {matrix: [{A: [1, 2], B: x}]}\n",
                "",
            ),
        ]);
    }
}
