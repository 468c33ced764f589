//! `Entry::Job`'s `run:` (`validates :run, json_schema: run_steps`).

use super::*;

/// `validates :run, json_schema: { filename: 'run_steps', detail_errors: true }`:
/// the `run_steps.json` schema (an array of steps, each `oneOf` a function step or a
/// script step), with json_schemer's messages. When a step matches neither branch,
/// json_schemer reports the errors of both; kaslint does the same (deduplicated).
pub(super) fn run_steps_errors(v: &Node) -> Vec<String> {
    const NAME: &str = "^[a-zA-Z_][a-zA-Z0-9_]*$";
    fn name_ok(s: &str) -> bool {
        let mut c = s.chars();
        c.next()
            .is_some_and(|f| f.is_ascii_alphabetic() || f == '_')
            && c.all(|x| x.is_ascii_alphanumeric() || x == '_')
    }
    fn string(out: &mut Vec<String>, at: &str, v: &Node) -> bool {
        if is_str(v) {
            return true;
        }
        out.push(format!("value at `{at}` is not a string"));
        false
    }
    fn named(out: &mut Vec<String>, at: &str, v: &Node, strings: bool) {
        let Some(m) = v.as_map() else {
            out.push(format!("value at `{at}` is not an object"));
            return;
        };
        for (k, e) in m.iter() {
            let p = format!("{at}/{k}");
            if !name_ok(k) {
                out.push(format!(
                    "object property at `{p}` is a disallowed additional property"
                ));
            } else if strings {
                string(out, &p, &e.value);
            }
        }
    }
    fn func_ref(out: &mut Vec<String>, at: &str, v: &Node) {
        if is_str(v)
            || v.as_map()
                .is_some_and(|m| m.contains_key("git") || m.contains_key("oci"))
        {
            return;
        }
        out.push(format!("value at `{at}` is not a string"));
    }
    fn branch(out: &mut Vec<String>, at: &str, m: &Map, required: &[&str], allowed: &[&str]) {
        let missing = missing_keys(m, required);
        if !missing.is_empty() {
            out.push(format!(
                "object at `{at}` is missing required properties: {}",
                missing.join(", ")
            ));
        }
        for (k, e) in m.iter() {
            let p = format!("{at}/{k}");
            if !allowed.contains(&k.as_str()) {
                out.push(format!(
                    "object property at `{p}` is a disallowed additional property"
                ));
                continue;
            }
            let v = &e.value;
            match k.as_str() {
                "name" if string(out, &p, v) && !v.as_str().is_some_and(name_ok) => {
                    out.push(format!("string at `{p}` does not match pattern: {NAME}"));
                }
                "env" => named(out, &p, v, true),
                "inputs" => named(out, &p, v, false),
                "step" | "func" => func_ref(out, &p, v),
                "script" if string(out, &p, v) && v.as_str() == Some("") => {
                    out.push(format!("string length at `{p}` is less than: 1"));
                }
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    let Some(items) = v.as_seq() else {
        return vec!["value at root is not an array".into()];
    };
    for (i, item) in items.iter().enumerate() {
        if opaque(item) {
            continue;
        }
        let at = format!("/{i}");
        let Some(m) = item.as_map() else {
            out.push(format!("value at `{at}` is not an object"));
            continue;
        };
        let mut func = Vec::new();
        branch(
            &mut func,
            &at,
            m,
            &["name"],
            &["name", "env", "inputs", "step", "func"],
        );
        match (m.contains_key("step"), m.contains_key("func")) {
            (false, false) => {
                func.push(format!(
                    "object at `{at}` is missing required properties: step"
                ));
                func.push(format!(
                    "object at `{at}` is missing required properties: func"
                ));
            }
            (true, true) => func.push(format!("value at `{at}` matches `not` schema")),
            _ => {}
        }
        let mut script = Vec::new();
        branch(
            &mut script,
            &at,
            m,
            &["name", "script"],
            &["name", "env", "script"],
        );
        if func.is_empty() || script.is_empty() {
            continue;
        }
        for e in func.into_iter().chain(script) {
            if !out.contains(&e) {
                out.push(e);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::table::assert_rows;

    /// (YAML, GitLab's message); an empty message: no finding (a value a naive checker
    /// would reject).
    #[test]
    fn run_steps_table() {
        assert_rows(&[
            (
                "job:\n  run:\n    - name: s\n",
                "jobs:job run object at `/0` is missing required properties: step",
            ),
            ("job:\n  run:\n    - name: s\n      script: echo\n", ""),
            (
                "job:\n  run: x\n",
                "jobs:job run value at root is not an array",
            ),
        ]);
    }
}
