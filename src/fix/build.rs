//! The fixes of kaslint's rules, built from the model's nodes and spans. Each returns
//! `None` when the edit cannot be made exactly (a node not written as expected); the rule
//! then reports its finding without a fix.

use super::scope::fix;

/// The rules that attach fixes (their pages have an Autofix value and a `Fix safety`).
pub const FIXED_RULES: &[&str] = &[
    "KAS020", "KAS102", "KAS202", "KAS210", "KAS302", "KAS303", "KAS305", "KAS308", "KAS500",
];
use super::text::{add_entry, slice};
use super::{value, Applicability, Edit, Fix};
use crate::load::{Node, Span, Value};
use crate::model::{Job, Pipeline};

/// A mapping node's entries written in its own text (not merged in from elsewhere).
fn own_map<'a>(p: &Pipeline, node: &'a Node) -> Option<&'a crate::load::Map> {
    let m = node.as_map()?;
    m.iter()
        .any(|(_, e)| node.span.contains(e.key_span))
        .then_some(m)
        .filter(|_| slice(p.sources.get(node.span.file), node.span).is_some())
}

/// `key: value_text` added to a mapping node.
fn add(p: &Pipeline, map: &Node, key: &str, value_text: &str) -> Option<Edit> {
    own_map(p, map)?;
    add_entry(p.sources.get(map.span.file), map, key, value_text)
}

/// KAS202: `entrypoint: [""]` on the job's image; a scalar `image: x` becomes
/// `image: {name: x, entrypoint: [""]}` (the name's text kept as written). Safe on an
/// image only this job uses; on `default:` or a shared node, Unsafe.
pub fn image_entrypoint(p: &Pipeline, job: &Job) -> Option<Fix> {
    let own = job.node.get("image");
    let image = own.or_else(|| p.job_value(job, "image"))?;
    let file = p.sources.get(image.span.file);
    let edit = match &image.value {
        Value::Map(m) => {
            if m.contains_key("entrypoint") {
                return None;
            }
            add(p, image, "entrypoint", "[\"\"]")?
        }
        Value::Str(s) => {
            let written = slice(file, image.span)?;
            // Old libyaml refuses `a:b` in a flow mapping: a plain name with `:` is quoted.
            let plain = image.style == crate::load::yaml::Style::Plain;
            let name = if written.contains(['\n', ',', '[', ']', '{', '}', '#'])
                || (plain && written.contains(':'))
            {
                value::double_quoted(s)
            } else {
                written.to_string()
            };
            Edit::replace(image.span, format!("{{name: {name}, entrypoint: [\"\"]}}"))
        }
        _ => return None,
    };
    let mut title = "add `entrypoint: [\"\"]` to the image".to_string();
    let mut applicability = Applicability::Safe;
    if own.is_none() {
        applicability = Applicability::Unsafe;
        let heirs: Vec<String> = p
            .visible_jobs()
            .filter(|j| {
                j.node.get("image").is_none() && crate::model::inherits(j, "default", "image")
            })
            .map(|j| format!("`{}`", j.name))
            .collect();
        title.push_str(&format!(" in `default:` (changes {})", heirs.join(", ")));
    }
    Some(fix(
        title,
        applicability,
        vec![edit],
        &[image.span],
        &[&["image"]],
    ))
}

/// KAS303: `allow_failure: true` on a manual stop job (neither the job nor its rules say
/// anything about `allow_failure`). Safe: it makes the manual job do what it means.
pub fn allow_failure(p: &Pipeline, job: &Job) -> Option<Fix> {
    if job.node.get("allow_failure").is_some() {
        return None;
    }
    let rules = job.node.get("rules")?.as_seq()?;
    if rules.iter().any(|r| r.get("allow_failure").is_some()) {
        return None;
    }
    let edit = add(p, &job.node, "allow_failure", "true")?;
    Some(fix(
        "add `allow_failure: true` to the stop job",
        Applicability::Safe,
        vec![edit],
        &[job.node.span],
        &[&["allow_failure"]],
    ))
}

/// KAS302: `when: manual` in each rule of the stop job (none has `when`), or on the job
/// when it has no `rules`. Unsafe: the job stops running by itself.
pub fn when_manual(p: &Pipeline, job: &Job) -> Option<Fix> {
    let (edits, targets) = match job.node.get("rules") {
        Some(rules) => {
            // Rules written elsewhere (an anchor, a template) may be other jobs' too.
            if !job.node.span.contains(rules.span) {
                return None;
            }
            let items = rules.as_seq()?;
            let mut edits = Vec::new();
            for r in items {
                if r.is_reference() || r.get("when").is_some() {
                    return None;
                }
                edits.push(add(p, r, "when", "manual")?);
            }
            let targets: Vec<Span> = items.iter().map(|r| r.span).collect();
            (edits, targets)
        }
        None => (
            vec![add(p, &job.node, "when", "manual")?],
            vec![job.node.span],
        ),
    };
    if edits.is_empty() {
        return None;
    }
    Some(fix(
        "add `when: manual` to the stop job",
        Applicability::Unsafe,
        edits,
        &targets,
        &[&["when"], &["rules"]],
    ))
}

/// KAS308: ` --ignore-not-found` after the `delete` of `kubectl delete`. Unsafe: a
/// misspelt object name no longer fails the job.
pub fn ignore_not_found(p: &Pipeline, delete: &crate::analysis::Word) -> Option<Fix> {
    let file = p.sources.get(delete.span.file);
    if slice(file, delete.span)? != "delete" {
        return None;
    }
    let edit = Edit::insert(
        delete.span.file,
        delete.span.end as usize,
        " --ignore-not-found",
    );
    Some(fix(
        "add `--ignore-not-found` to `kubectl delete`",
        Applicability::Unsafe,
        vec![edit],
        &[delete.span],
        &[],
    ))
}

/// The one place in `span` where `word` is written as a whole token (`part` tells the
/// characters that would make it part of a longer one).
fn only_occurrence(p: &Pipeline, span: Span, word: &str, part: fn(char) -> bool) -> Option<Span> {
    let text = slice(p.sources.get(span.file), span)?;
    let mut found = text.match_indices(word).filter(|(i, _)| {
        !text[..*i].chars().next_back().is_some_and(part)
            && !text[i + word.len()..].chars().next().is_some_and(part)
    });
    let (i, _) = found.next()?;
    if found.next().is_some() {
        return None;
    }
    let start = span.start as usize + i;
    Some(Span::new(span.file, start, start + word.len()))
}

fn name_part(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

fn version_part(c: char) -> bool {
    c.is_ascii_digit() || c == '.'
}

/// KAS102: the use of an undefined variable renamed to the defined one. Unsafe: it
/// changes which variable the job reads.
pub fn rename_variable(p: &Pipeline, use_span: Span, name: &str, defined: &str) -> Option<Fix> {
    let at = only_occurrence(p, use_span, name, name_part)?;
    Some(fix(
        format!("rename `${name}` to `${defined}`"),
        Applicability::Unsafe,
        vec![Edit::replace(at, defined)],
        &[use_span],
        &[],
    ))
}

/// KAS210: the kubectl version in a release download URL set to 1.27.2 (the first 1.27
/// patch without the bug, published at the same URL); an image tag or a package pin
/// gets the same edit as a suggestion only, since kaslint cannot know that tag exists.
pub fn kubectl_version(p: &Pipeline, span: Span, version: &str, from_url: bool) -> Option<Fix> {
    let at = only_occurrence(p, span, version, version_part)?;
    let applicability = if from_url {
        Applicability::Unsafe
    } else {
        Applicability::DisplayOnly
    };
    Some(fix(
        format!("use kubectl {GOOD_KUBECTL} instead of {version}"),
        applicability,
        vec![Edit::replace(at, GOOD_KUBECTL)],
        &[span],
        &[],
    ))
}

/// A kubectl 1.27 release that validates through the agent.
pub const GOOD_KUBECTL: &str = "1.27.2";

/// KAS305: `GIT_STRATEGY: none` in the stop job's `variables` (added when it has none).
/// Unsafe; DisplayOnly when the stop script may read a file of the repository.
pub fn git_strategy_none(p: &Pipeline, job: &Job, reads_files: bool) -> Option<Fix> {
    let (edit, target) = match job.node.get("variables") {
        Some(vars) if vars.as_map().is_some() && job.node.span.contains(vars.span) => {
            (add(p, vars, "GIT_STRATEGY", "none")?, vars.span)
        }
        Some(_) => return None,
        None => (
            add(p, &job.node, "variables", "{GIT_STRATEGY: none}")?,
            job.node.span,
        ),
    };
    let applicability = if reads_files {
        Applicability::DisplayOnly
    } else {
        Applicability::Unsafe
    };
    Some(fix(
        "set `GIT_STRATEGY: none` in the stop job",
        applicability,
        vec![edit],
        &[target],
        &[&["variables", "GIT_STRATEGY"]],
    ))
}

/// KAS020: an unknown key renamed to the one key it is a typo of. Unsafe: the renamed
/// key starts to take effect. No fix when the mapping already has that key.
pub fn rename_key(p: &Pipeline, key_span: Span, to: &str) -> Option<Fix> {
    let map = map_with_key(p, key_span)?;
    if map.contains_key(to) {
        return None;
    }
    Some(fix(
        format!("rename the key to `{to}`"),
        Applicability::Unsafe,
        vec![Edit::replace(key_span, value::string(to))],
        &[key_span],
        &[],
    ))
}

/// The mapping (in the merged configuration) with an entry whose key is at `key_span`.
fn map_with_key(p: &Pipeline, key_span: Span) -> Option<&crate::load::Map> {
    let mut stack: Vec<&Node> = vec![p.root.as_deref()?];
    let mut budget = 200_000usize;
    while let Some(n) = stack.pop() {
        budget = budget.checked_sub(1)?;
        match &n.value {
            Value::Map(m) => {
                if m.iter().any(|(_, e)| e.key_span == key_span) {
                    return Some(m);
                }
                stack.extend(m.iter().map(|(_, e)| &*e.value));
            }
            Value::Seq(s) => stack.extend(s.iter().map(|i| &**i)),
            _ => {}
        }
    }
    None
}

/// The suggestion of a "did you mean `x`?" help, when it is the whole help.
pub fn suggested_key(help: &str) -> Option<&str> {
    help.strip_prefix("did you mean `")?.strip_suffix("`?")
}

/// The script may read a file of the repository: a relative path, a file name with a
/// manifest or script extension, `-f`/`-k`/`--values` and the like, or a script kaslint
/// could not read whole. (Used to keep `GIT_STRATEGY: none` from removing what it reads.)
pub fn reads_repository_files(script: &crate::analysis::JobScript) -> bool {
    const FILE_FLAGS: &[&str] = &[
        "-f",
        "--filename",
        "-k",
        "--kustomize",
        "--values",
        "--from-file",
        "--from-env-file",
        "-R",
        "--recursive",
        "--path",
    ];
    const EXTENSIONS: &[&str] = &[
        ".yaml", ".yml", ".json", ".sh", ".tpl", ".tf", ".env", ".txt", ".conf",
    ];
    if script.incomplete {
        return true;
    }
    script.commands.iter().any(|c| {
        // `kubectl delete deployment/web`, `helm install bitnami/nginx`: names, not paths.
        let names = matches!(c.program(), Some("kubectl" | "helm" | "flux" | "oc"));
        matches!(
            c.program(),
            Some("source" | "." | "make" | "bash" | "sh" | "python" | "python3")
        ) || c
            .program()
            .is_some_and(|p| p.contains('/') && !p.starts_with('/'))
            || c.words.iter().any(|w| {
                let t = w.text.as_str();
                let value = t.split_once('=').map_or(t, |(_, v)| v);
                FILE_FLAGS.contains(&t)
                    || FILE_FLAGS.iter().any(|f| t.starts_with(&format!("{f}=")))
                    || value.starts_with("./")
                    || value.starts_with("../")
                    || EXTENSIONS.iter().any(|e| value.ends_with(e))
                    || (!names
                        && value.contains('/')
                        && !value.contains("://")
                        && !value.starts_with(['/', '$', '-']))
            })
    })
}
