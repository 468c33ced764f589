//! The `spec:` header of each file read (`Gitlab::Ci::Config::Header::*` and
//! `Interpolation::Inputs`): the inputs' declarations and defaults.
//! (`$[[ inputs.x ]]` naming an undeclared input is reported by KAS016.)

use regex::Regex;

use super::finding::{Class, Finding};
use crate::load::{FileId, Map, Node, NodeRef, Value};
use crate::model::keywords as kw;
use crate::model::{suggest, Pipeline};

pub(super) fn check(p: &Pipeline) -> Vec<Finding> {
    let mut out = Vec::new();
    for (id, header) in &p.headers {
        check_header(*id, header, &mut out);
    }
    out
}

fn err(out: &mut Vec<Finding>, span: crate::load::Span, message: String) {
    out.push(Finding::new(Class::InputSpec, span, message));
}

/// `{loc} config contains unknown keys: {k}`, a finding for each key of `m` not in
/// `known`, at the key, with the known key it may be a typo of.
fn unknown_keys(loc: &str, m: &Map, known: &[&str], out: &mut Vec<Finding>) {
    for (k, e) in m.iter() {
        if known.contains(&k.as_str()) {
            continue;
        }
        let mut f = Finding::new(
            Class::InputSpec,
            e.key_span,
            format!("{loc} config contains unknown keys: {k}").to_lowercase(),
        );
        if let Some(s) = suggest(k, known.iter().copied()) {
            f = f.help(format!("did you mean `{s}`?"));
        }
        out.push(f);
    }
}

fn check_header(_file: FileId, header: &NodeRef, out: &mut Vec<Finding>) {
    let Some(m) = header.as_map() else { return };
    unknown_keys("header", m, &["spec"], out);
    let Some(spec) = m.get("spec") else { return };
    let Some(sm) = spec.as_map() else {
        if !spec.is_null() {
            err(out, spec.span, "header:spec config should be a hash".into());
        }
        return;
    };
    unknown_keys("header:spec", sm, kw::SPEC_KEYS, out);
    spec_attributes(sm, out);
    let Some(inputs) = sm.get("inputs").filter(|i| !i.is_null()) else {
        return;
    };
    let Some(im) = inputs.as_map() else {
        err(
            out,
            inputs.span,
            "header:spec:inputs config should be a hash".into(),
        );
        return;
    };
    for (name, e) in im.iter() {
        let loc = format!("header:spec:inputs:{name}");
        let v = &e.value;
        if v.is_null() {
            continue;
        }
        let Some(d) = v.as_map() else {
            err(
                out,
                v.span,
                format!("{loc} config should be a hash").to_lowercase(),
            );
            continue;
        };
        unknown_keys(&loc, d, kw::INPUT_KEYS, out);
        input_rules(&loc, v.span, d, out);
        let ty = d.get("type").filter(|t| !t.is_null());
        if let Some(t) = ty {
            let text = t.scalar_text().unwrap_or_default();
            if !kw::INPUT_TYPES.contains(&text.as_str()) {
                err(
                    out,
                    t.span,
                    format!("{loc} input type unknown value: {text}").to_lowercase(),
                );
                continue;
            }
        }
        if let Some(desc) = d.get("description").filter(|x| !x.is_null()) {
            if !matches!(desc.value, Value::Str(_) | Value::Int(_)) {
                err(
                    out,
                    desc.span,
                    format!("{loc} input description must be an alphanumeric string")
                        .to_lowercase(),
                );
            }
        }
        let regex = d.get("regex").filter(|x| !x.is_null());
        if let Some(r) = regex {
            if r.as_str().is_none() {
                err(
                    out,
                    r.span,
                    format!("{loc} input regex should be a string").to_lowercase(),
                );
            }
        }
        let options = d.get("options").filter(|x| !x.is_null());
        if let Some(o) = options {
            match o.as_seq() {
                None => err(
                    out,
                    o.span,
                    format!("{loc} input options should be an array").to_lowercase(),
                ),
                Some(items) if items.len() > kw::INPUT_OPTIONS_LIMIT => err(
                    out,
                    o.span,
                    format!(
                        "{loc} config cannot define more than {} options",
                        kw::INPUT_OPTIONS_LIMIT
                    )
                    .to_lowercase(),
                ),
                _ => {}
            }
        }
        // `Interpolation::Inputs::*Input`: the default against the declaration.
        let ty = ty.and_then(|t| t.as_str()).unwrap_or("string");
        if options.is_some() && ty == "boolean" {
            err(
                out,
                options.map_or(v.span, |o| o.span),
                format!("`{name}` input: Options can only be used with string and number inputs"),
            );
        }
        if regex.is_some() && ty != "string" {
            err(
                out,
                regex.map_or(v.span, |r| r.span),
                format!("`{name}` input: RegEx validation can only be used with string inputs"),
            );
        }
        let Some(default) = d.get("default") else {
            continue;
        };
        if default.is_null()
            || default
                .as_str()
                .is_some_and(crate::model::job::has_placeholder)
        {
            continue;
        }
        if let Some(what) = crate::model::inputs::not_of_type(ty, default) {
            err(
                out,
                default.span,
                format!("`{name}` input: default value is not {what}"),
            );
            continue;
        }
        if let Some(opts) = options.and_then(|o| o.as_seq()) {
            match ty {
                "string" | "number" => {
                    let text = default.scalar_text();
                    let found = opts
                        .iter()
                        .any(|o| o.scalar_text() == text && same_kind(o, default));
                    if !found {
                        let the = if ty == "number" { "the " } else { "" };
                        err(
                            out,
                            default.span,
                            format!(
                                "`{name}` input: `{}` cannot be used because it is not in the list of {the}allowed options",
                                text.unwrap_or_default()
                            ),
                        );
                    }
                }
                "array" => {
                    let invalid: Vec<String> = default
                        .as_seq()
                        .unwrap_or_default()
                        .iter()
                        .filter(|x| !opts.iter().any(|o| o.scalar_text() == x.scalar_text()))
                        .filter_map(|x| x.scalar_text())
                        .collect();
                    if !invalid.is_empty() {
                        err(
                            out,
                            default.span,
                            format!(
                                "`{name}` input: {} cannot be used because it is not in the list of allowed options",
                                invalid.join(", ")
                            ),
                        );
                    }
                }
                _ => {}
            }
        }
        if let (Some(re), Some(s)) = (regex.and_then(|r| r.as_str()), default.as_str()) {
            let pattern = re
                .strip_prefix('/')
                .and_then(|r| r.rsplit_once('/'))
                .map_or(re, |(p, _)| p);
            if let Ok(compiled) = Regex::new(pattern) {
                if !compiled.is_match(s) {
                    err(
                        out,
                        default.span,
                        format!(
                            "`{name}` input: default value does not match required RegEx pattern"
                        ),
                    );
                }
            }
        }
    }
}

fn same_kind(a: &Node, b: &Node) -> bool {
    std::mem::discriminant(&a.value) == std::mem::discriminant(&b.value)
        || matches!(
            (&a.value, &b.value),
            (
                Value::Int(_) | Value::Float(_),
                Value::Int(_) | Value::Float(_)
            )
        )
}

/// `Header::Spec`'s `description` attribute and its `include` and `component` entries.
fn spec_attributes(sm: &Map, out: &mut Vec<Finding>) {
    if let Some(d) = sm.get("description").filter(|d| !d.is_null()) {
        match d.scalar_text().filter(|_| d.as_str().is_some()) {
            None => err(
                out,
                d.span,
                "header:spec description should be a string".into(),
            ),
            Some(t) if t.chars().count() > kw::SPEC_DESCRIPTION_MAX => err(
                out,
                d.span,
                format!(
                    "header:spec description is too long (maximum is {} characters)",
                    kw::SPEC_DESCRIPTION_MAX
                ),
            ),
            _ => {}
        }
    }
    if let Some(c) = sm.get("component").filter(|c| !c.is_null()) {
        component(c, out);
    }
    if let Some(i) = sm.get("include").filter(|i| !i.is_null()) {
        includes(i, out);
    }
}

/// `Header::Component`: an array of the component context's field names.
fn component(c: &Node, out: &mut Vec<Finding>) {
    const LOC: &str = "header:spec:component config";
    let Some(items) = c.as_seq() else {
        err(out, c.span, format!("{LOC} should be an array"));
        err(out, c.span, format!("{LOC} should be an array of strings"));
        return;
    };
    if items.iter().any(|i| i.as_str().is_none()) {
        err(out, c.span, format!("{LOC} should be an array of strings"));
    }
    let unknown: Vec<String> = items
        .iter()
        .filter(|i| {
            !(i.as_str()
                .is_some_and(|t| kw::SPEC_COMPONENT_FIELDS.contains(&t)))
        })
        .map(|i| i.scalar_text().unwrap_or_default())
        .collect();
    if !unknown.is_empty() {
        err(
            out,
            c.span,
            format!("{LOC} contains unknown values: {}", unknown.join(", ")).to_lowercase(),
        );
    }
}

/// `Header::Includes` and each `Header::Include`: files that add input definitions
/// (`local`, `remote`, `project` with `file`).
fn includes(v: &Node, out: &mut Vec<Finding>) {
    let items: Vec<&Node> = match &v.value {
        Value::Seq(items) => items.iter().map(|i| &**i).collect(),
        Value::Str(_) => vec![v],
        _ => {
            err(
                out,
                v.span,
                "header:spec:include config should be an array or a string".into(),
            );
            return;
        }
    };
    const LOC: &str = "header:spec:include:include config";
    for item in items {
        match &item.value {
            Value::Str(_) => {}
            Value::Map(m) => {
                let unknown: Vec<&str> = m
                    .keys()
                    .map(String::as_str)
                    .filter(|k| !kw::SPEC_INCLUDE_KEYS.contains(k))
                    .collect();
                if !unknown.is_empty() {
                    let mut f = Finding::new(
                        Class::InputSpec,
                        m.entry(unknown[0]).map_or(item.span, |e| e.key_span),
                        format!("{LOC} contains unknown keys: {}", unknown.join(", "))
                            .to_lowercase(),
                    );
                    if let Some(s) = suggest(unknown[0], kw::SPEC_INCLUDE_KEYS.iter().copied()) {
                        f = f.help(format!("did you mean `{s}`?"));
                    }
                    out.push(f);
                }
                let file_blank = m.get("file").is_none_or(|f| super::entries::blank(f));
                if m.get("project").is_some_and(|p| !p.is_null()) && file_blank {
                    err(
                        out,
                        item.span,
                        format!("{LOC} must specify the file where to fetch the config from"),
                    );
                }
            }
            _ => err(
                out,
                item.span,
                format!("{LOC} should be a hash or a string"),
            ),
        }
    }
}

/// `Header::Input`'s `rules` (`Input::Rules`, `Input::Rules::Rule`): conditional
/// options and defaults, exclusive with the input's own `options` and `default`.
fn input_rules(loc: &str, at: crate::load::Span, d: &Map, out: &mut Vec<Finding>) {
    for other in ["options", "default"] {
        let present: Vec<&str> = d
            .keys()
            .map(String::as_str)
            .filter(|k| *k == "rules" || *k == other)
            .collect();
        if present.len() > 1 {
            err(
                out,
                at,
                format!(
                    "{loc} config these keys cannot be used together: {}",
                    present.join(", ")
                )
                .to_lowercase(),
            );
        }
    }
    let Some(rules) = d.get("rules") else { return };
    let rloc = format!("{loc}:rules");
    let Some(items) = rules.as_seq() else {
        err(
            out,
            rules.span,
            format!("{rloc} config should be an array").to_lowercase(),
        );
        return;
    };
    let rloc = format!("{rloc}:rule").to_lowercase();
    for r in items {
        let Some(m) = r.as_map().filter(|m| !m.is_empty()) else {
            if super::entries::blank(r) {
                err(out, r.span, format!("{rloc} config can't be blank"));
            }
            if r.as_map().is_none() {
                err(out, r.span, format!("{rloc} config should be a hash"));
            }
            continue;
        };
        let before = out.len();
        let unknown: Vec<&str> = m
            .keys()
            .map(String::as_str)
            .filter(|k| !kw::INPUT_RULE_KEYS.contains(k))
            .collect();
        if !unknown.is_empty() {
            err(
                out,
                r.span,
                format!(
                    "{rloc} config contains unknown keys: {}",
                    unknown.join(", ")
                )
                .to_lowercase(),
            );
        }
        let cond = m.get("if").filter(|x| !x.is_null());
        let options = m.get("options").filter(|x| !x.is_null());
        if let Some(c) = cond.filter(|c| c.as_str().is_none()) {
            err(out, c.span, format!("{rloc} if should be a string"));
        }
        if let Some(o) = options.filter(|o| o.as_seq().is_none()) {
            err(out, o.span, format!("{rloc} options should be an array"));
        }
        if out.len() > before {
            continue;
        }
        if options
            .and_then(|o| o.as_seq())
            .is_some_and(|o| o.len() > kw::INPUT_OPTIONS_LIMIT)
        {
            err(
                out,
                r.span,
                format!(
                    "{rloc} config cannot define more than {} options",
                    kw::INPUT_OPTIONS_LIMIT
                ),
            );
        }
        if cond.is_some() && options.is_none() && !m.contains_key("default") {
            err(
                out,
                r.span,
                format!("{rloc} config rule with 'if' must define 'options' or 'default'"),
            );
        }
        if cond.is_none() && options.is_none() {
            err(
                out,
                r.span,
                format!("{rloc} config fallback rule must define 'options'"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::table::assert_rows;

    /// (a `.gitlab-ci.yml`, GitLab's message); an empty message: no finding.
    #[test]
    fn spec_table() {
        assert_rows(super::check, &[
            ("spec:\n  inputs:\n    env:\n      type: text\n---\njob:\n  script: x\n", "header:spec:inputs:env input type unknown value: text"),
            ("spec:\n  description: 1\n---\njob:\n  script: x\n", "header:spec description should be a string"),
            ("spec:\n  component: [name, commit]\n---\njob:\n  script: x\n", "header:spec:component config contains unknown values: commit"),
            ("spec:\n  include:\n    - project: a/b\n---\njob:\n  script: x\n", "header:spec:include:include config must specify the file where to fetch the config from"),
            ("spec:\n  inputs:\n    r:\n      rules:\n        - default: x\n---\njob:\n  script: x\n", "header:spec:inputs:r:rules:rule config fallback rule must define 'options'"),
            ("spec:\n  inputs:\n    r:\n      options: [a]\n      rules:\n        - options: [a]\n---\njob:\n  script: x\n", "header:spec:inputs:r config these keys cannot be used together: options, rules"),
            ("spec:\n  inputs:\n    r:\n      rules:\n        - if: $[[ inputs.e ]] == \"p\"\n          default: a\n        - options: [a, b]\n    e:\n      default: p\n---\njob:\n  script: x\n", ""),
            ("spec:\n  component: [name, sha, version, reference]\n  include:\n    - local: a.yml\n  description: d\n---\njob:\n  script: x\n", ""),
        ]);
    }
}
