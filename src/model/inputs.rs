//! `spec:inputs` and `$[[ inputs.x ]]` interpolation of an included file. A scalar that
//! is exactly one placeholder takes the input's own type (boolean, number, array);
//! anywhere else the value is spliced in as text. Placeholders whose value is unknown
//! offline (a required input nobody provides) are left as written.

use std::sync::Arc;
use std::sync::OnceLock;

use regex::Regex;

use super::problem::{Problem, ProblemKind};
use crate::load::yaml::Node;
use crate::load::{NodeRef, Span, Value};

pub fn placeholder_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"\$\[\[\s*inputs\.([A-Za-z0-9_-]+)\s*((?:\|[^\]]*)?)\]\]").expect("valid regex")
    })
}

/// The inputs a header declares: name → (declaration node, value if known).
fn values(
    header: &NodeRef,
    provided: Option<&NodeRef>,
    included: bool,
    at: Span,
    problems: &mut Vec<Problem>,
) -> Vec<(String, Option<NodeRef>)> {
    let declared = header
        .get("spec")
        .and_then(|s| s.get("inputs"))
        .and_then(|i| i.as_map());
    let provided_map = provided.and_then(|p| p.as_map());
    let mut out = Vec::new();
    if let Some(declared) = declared {
        for (name, entry) in declared.iter() {
            let default = entry.value.get("default").cloned();
            let given = provided_map.and_then(|p| p.get(name)).cloned();
            let given_value = given.clone();
            let value = given.or(default);
            // `Interpolator` validates an included file's inputs whether or not the
            // include passes `inputs:` (none given means every input takes its default).
            // A file checked on its own gets its inputs when it is used: not reported.
            if value.is_none() && (included || provided.is_some()) {
                problems.push(Problem::new(
                    ProblemKind::Inputs,
                    at,
                    format!("`{name}` input: required value has not been provided"),
                ));
            }
            if let Some(v) = given_value.as_ref().filter(|v| known(v)) {
                provided_problems(name, &entry.value, v, problems);
            }
            out.push((name.clone(), value));
        }
    }
    if let Some(p) = provided_map {
        for (name, entry) in p.iter() {
            if declared.is_none_or(|d| !d.contains_key(name)) {
                problems.push(Problem::new(
                    ProblemKind::Inputs,
                    entry.key_span,
                    format!("unknown input arguments: {name}"),
                ));
            }
        }
    }
    out
}

/// A provided value kaslint can judge: not null, not a `!reference`, no placeholder of
/// the including file's own inputs.
fn known(v: &NodeRef) -> bool {
    fn placeholder(n: &Node) -> bool {
        match &n.value {
            Value::Str(s) => super::job::has_placeholder(s),
            Value::Seq(items) => items.iter().any(|i| placeholder(i)),
            Value::Map(m) => m
                .iter()
                .any(|(k, e)| super::job::has_placeholder(k) || placeholder(&e.value)),
            _ => false,
        }
    }
    !v.is_null() && !v.is_reference() && !placeholder(v)
}

/// `a number` (for GitLab's "value is not a number") when `v` is not of the input type
/// `kind` (`Inputs::*Input#validate_type`); `None` when it is, or the type is unknown (the
/// header's own problem).
pub fn not_of_type(kind: &str, v: &Node) -> Option<String> {
    let typed = match kind {
        "string" => matches!(v.value, Value::Str(_)),
        "number" => matches!(v.value, Value::Int(_) | Value::Float(_)),
        "boolean" => matches!(v.value, Value::Bool(_)),
        "array" => matches!(v.value, Value::Seq(_)),
        _ => true,
    };
    let article = if kind == "array" { "an" } else { "a" };
    (!typed).then(|| format!("{article} {kind}"))
}

/// GitLab's checks of a provided value (`Interpolation::Inputs::*Input#run_validations`):
/// its type, its options, its regex. (The default's are the header's own, reported with
/// it.)
fn provided_problems(name: &str, spec: &NodeRef, v: &NodeRef, problems: &mut Vec<Problem>) {
    let kind = spec
        .get("type")
        .and_then(|t| t.as_str())
        .unwrap_or("string");
    let mut push = |message: String| {
        problems.push(Problem::new(
            ProblemKind::Inputs,
            v.span,
            format!("`{name}` input: {message}"),
        ))
    };
    if let Some(what) = not_of_type(kind, v) {
        push(format!("provided value is not {what}"));
    }
    // Options (string and number inputs), compared as written.
    let options = spec.get("options").and_then(|o| o.as_seq());
    if let (Some(options), Some(text), true) = (
        options,
        v.scalar_text(),
        matches!(kind, "string" | "number"),
    ) {
        if !options
            .iter()
            .any(|o| o.scalar_text().as_deref() == Some(&text))
        {
            let the = if kind == "number" { "the " } else { "" };
            push(format!(
                "`{text}` cannot be used because it is not in the list of {the}allowed options"
            ));
        }
    }
    // The regex of a string input (RE2 there; a pattern Rust's regex cannot read is
    // not judged).
    if let (Some(pattern), Value::Str(s)) = (spec.get("regex").and_then(|r| r.as_str()), &v.value) {
        // (`/.../` is taken literally by GitLab; not judged here.)
        let slashed = pattern.len() > 1 && pattern.starts_with('/') && pattern.ends_with('/');
        if kind == "string" && !slashed && Regex::new(pattern).is_ok_and(|re| !re.is_match(s)) {
            push("provided value does not match required RegEx pattern".into());
        }
    }
}

pub fn interpolate(
    header: &NodeRef,
    provided: Option<&NodeRef>,
    content: &NodeRef,
    at: Span,
) -> (NodeRef, Vec<Problem>) {
    interpolate_as(header, provided, false, content, at)
}

/// [`interpolate`] for a file pulled in by `include:`.
pub fn interpolate_included(
    header: &NodeRef,
    provided: Option<&NodeRef>,
    content: &NodeRef,
    at: Span,
) -> (NodeRef, Vec<Problem>) {
    interpolate_as(header, provided, true, content, at)
}

fn interpolate_as(
    header: &NodeRef,
    provided: Option<&NodeRef>,
    included: bool,
    content: &NodeRef,
    at: Span,
) -> (NodeRef, Vec<Problem>) {
    let mut problems = Vec::new();
    let inputs = values(header, provided, included, at, &mut problems);
    let out = walk(content, &inputs).unwrap_or_else(|| content.clone());
    undeclared(content, &inputs, &mut problems);
    (out, problems)
}

fn lookup<'a>(inputs: &'a [(String, Option<NodeRef>)], name: &str) -> Option<&'a NodeRef> {
    inputs
        .iter()
        .find(|(n, _)| n == name)
        .and_then(|(_, v)| v.as_ref())
}

/// Returns a new node when anything changed below `node`.
fn walk(node: &NodeRef, inputs: &[(String, Option<NodeRef>)]) -> Option<NodeRef> {
    walk_with(node, &|n, s| substitute(n, s, inputs), &|k| {
        splice(k, inputs)
    })
}

/// `$[[ component.name ]]`, `.sha`, `.version`, `.reference` of a component file, for
/// the fields its `spec:component` declares (others are left as written).
pub fn interpolate_component(
    header: &NodeRef,
    content: &NodeRef,
    c: &crate::fetch::ComponentInfo,
) -> NodeRef {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE
        .get_or_init(|| Regex::new(r"\$\[\[\s*component\.([a-z_]+)\s*\]\]").expect("valid regex"));
    let declared: Vec<String> = header
        .get("spec")
        .and_then(|s| s.get("component"))
        .and_then(|l| l.as_seq())
        .map(|items| items.iter().filter_map(|i| i.scalar_text()).collect())
        .unwrap_or_default();
    let value = |field: &str| -> Option<&str> {
        if !declared.iter().any(|d| d == field) {
            return None;
        }
        Some(match field {
            "name" => &c.name,
            "sha" => &c.sha,
            "version" => &c.version,
            "reference" => &c.reference,
            _ => return None,
        })
    };
    let replace = |s: &str| -> String {
        re.replace_all(s, |cap: &regex::Captures<'_>| {
            value(&cap[1]).map_or_else(|| cap[0].to_string(), str::to_string)
        })
        .into_owned()
    };
    let text = |n: &NodeRef, s: &str| {
        let out = replace(s);
        (out != s).then(|| n.with_value(Value::Str(out.into())))
    };
    walk_with(content, &text, &replace).unwrap_or_else(|| content.clone())
}

/// [`walk`] with the text of strings and of keys changed by `value` and `key`.
fn walk_with(
    node: &NodeRef,
    value: &dyn Fn(&NodeRef, &str) -> Option<NodeRef>,
    key_fn: &dyn Fn(&str) -> String,
) -> Option<NodeRef> {
    match &node.value {
        Value::Str(s) if super::job::has_placeholder(s) => value(node, s),
        _ => node.rewrite_children(
            |_, child| walk_with(child, value, key_fn),
            |key| super::job::has_placeholder(key).then(|| key_fn(key)),
        ),
    }
}

fn substitute(node: &NodeRef, s: &str, inputs: &[(String, Option<NodeRef>)]) -> Option<NodeRef> {
    let re = placeholder_re();
    if let Some(c) = re.captures(s) {
        let whole = c.get(0).expect("match");
        if whole.start() == 0 && whole.end() == s.trim_end().len() && c[2].trim().is_empty() {
            // The whole scalar is one placeholder: keep the input's type.
            let v = lookup(inputs, &c[1])?;
            return Some(Arc::new(Node {
                span: node.span,
                tag: v.tag.clone(),
                style: node.style,
                value: clone_value(&v.value),
            }));
        }
    }
    let out = splice(s, inputs);
    (out != s).then(|| node.with_value(Value::Str(out.into())))
}

fn splice(s: &str, inputs: &[(String, Option<NodeRef>)]) -> String {
    placeholder_re()
        .replace_all(s, |c: &regex::Captures<'_>| {
            let Some(v) = lookup(inputs, &c[1]) else {
                return c[0].to_string();
            };
            let text = match &v.value {
                Value::Seq(_) | Value::Map(_) => to_json(v).to_string(),
                _ => v.scalar_text().unwrap_or_default(),
            };
            apply_functions(&text, &c[2])
        })
        .into_owned()
}

/// `| truncate(offset, length)` changes the text; other functions (`expand_vars`,
/// `posix_escape`) act at run time and leave the text unchanged here.
fn apply_functions(text: &str, functions: &str) -> String {
    let mut out = text.to_string();
    for f in functions
        .split('|')
        .map(str::trim)
        .filter(|f| !f.is_empty())
    {
        if let Some(args) = f
            .strip_prefix("truncate(")
            .and_then(|a| a.strip_suffix(')'))
        {
            let nums: Vec<usize> = args
                .split(',')
                .filter_map(|n| n.trim().parse().ok())
                .collect();
            if let [offset, len] = nums[..] {
                out = out.chars().skip(offset).take(len).collect();
            }
        }
    }
    out
}

fn clone_value(v: &Value) -> Value {
    match v {
        Value::Null => Value::Null,
        Value::Bool(b) => Value::Bool(*b),
        Value::Int(i) => Value::Int(*i),
        Value::Float(f) => Value::Float(*f),
        Value::Str(s) => Value::Str(s.clone()),
        Value::Seq(items) => Value::Seq(items.clone()),
        Value::Map(m) => Value::Map(m.clone()),
    }
}

/// A node as JSON (used for splicing arrays and by the schema check).
pub fn to_json(node: &Node) -> serde_json::Value {
    match &node.value {
        Value::Null => serde_json::Value::Null,
        Value::Bool(b) => (*b).into(),
        Value::Int(i) => (*i).into(),
        Value::Float(f) => {
            serde_json::Number::from_f64(*f).map_or(serde_json::Value::Null, Into::into)
        }
        Value::Str(s) => s.to_string().into(),
        Value::Seq(items) => items.iter().map(|i| to_json(i)).collect(),
        Value::Map(m) => m
            .iter()
            .map(|(k, e)| (k.clone(), to_json(&e.value)))
            .collect::<serde_json::Map<_, _>>()
            .into(),
    }
}

/// `$[[ inputs.x ]]` naming an input the header does not declare: GitLab's
/// ``unknown interpolation key: `x` ``, reported once per name at its first use.
fn undeclared(node: &NodeRef, inputs: &[(String, Option<NodeRef>)], problems: &mut Vec<Problem>) {
    let mut stack = vec![node];
    let mut seen: Vec<String> = Vec::new();
    while let Some(n) = stack.pop() {
        let mut check = |text: &str, span: Span| {
            for c in placeholder_re().captures_iter(text) {
                let name = &c[1];
                if !inputs.iter().any(|(n, _)| n == name) && !seen.iter().any(|s| s == name) {
                    seen.push(name.to_string());
                    problems.push(Problem::new(
                        ProblemKind::Inputs,
                        span,
                        format!("unknown interpolation key: `{name}`"),
                    ));
                }
            }
        };
        match &n.value {
            Value::Str(s) => check(s, n.span),
            Value::Seq(items) => stack.extend(items.iter().rev()),
            Value::Map(m) => {
                for (k, e) in m.iter().collect::<Vec<_>>().into_iter().rev() {
                    check(k, e.key_span);
                    stack.push(&e.value);
                }
            }
            _ => {}
        }
    }
}
