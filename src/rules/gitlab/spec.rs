//! The `spec:` header of each file read (`Gitlab::Ci::Config::Header::*` and
//! `Interpolation::Inputs`): the inputs' declarations and defaults.
//! (`$[[ inputs.x ]]` naming an undeclared input is reported by KAS016.)

use regex::Regex;

use super::finding::{Class, Finding};
use crate::load::{FileId, Node, NodeRef, Value};
use crate::model::keywords as kw;
use crate::model::{suggest, Pipeline};

pub fn check(p: &Pipeline) -> Vec<Finding> {
    let mut out = Vec::new();
    for (id, header) in &p.headers {
        check_header(*id, header, &mut out);
    }
    out
}

fn err(out: &mut Vec<Finding>, span: crate::load::Span, message: String) {
    out.push(Finding::new(Class::InputSpec, span, message));
}

fn check_header(_file: FileId, header: &NodeRef, out: &mut Vec<Finding>) {
    let Some(m) = header.as_map() else { return };
    for (k, e) in m.iter() {
        if k != "spec" {
            let mut f = Finding::new(
                Class::InputSpec,
                e.key_span,
                format!("header config contains unknown keys: {k}").to_lowercase(),
            );
            if let Some(s) = suggest(k, ["spec"]) {
                f = f.help(format!("did you mean `{s}`?"));
            }
            out.push(f);
        }
    }
    let Some(spec) = m.get("spec") else { return };
    let Some(sm) = spec.as_map() else {
        if !spec.is_null() {
            err(out, spec.span, "header:spec config should be a hash".into());
        }
        return;
    };
    for (k, e) in sm.iter() {
        if !kw::SPEC_KEYS.contains(&k.as_str()) {
            let mut f = Finding::new(
                Class::InputSpec,
                e.key_span,
                format!("header:spec config contains unknown keys: {k}").to_lowercase(),
            );
            if let Some(s) = suggest(k, kw::SPEC_KEYS.iter().copied()) {
                f = f.help(format!("did you mean `{s}`?"));
            }
            out.push(f);
        }
    }
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
        for (k, ke) in d.iter() {
            if !kw::INPUT_KEYS.contains(&k.as_str()) {
                let mut f = Finding::new(
                    Class::InputSpec,
                    ke.key_span,
                    format!("{loc} config contains unknown keys: {k}").to_lowercase(),
                );
                if let Some(s) = suggest(k, kw::INPUT_KEYS.iter().copied()) {
                    f = f.help(format!("did you mean `{s}`?"));
                }
                out.push(f);
            }
        }
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
                    format!("{loc} input options should be a array").to_lowercase(),
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
        if default.is_null() || default.as_str().is_some_and(|s| s.contains("$[[")) {
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
