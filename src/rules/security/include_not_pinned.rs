//! KAS409: an include whose content can change under the pipeline: `remote` without
//! `integrity`, `project` without a pinned `ref`, a component at `~latest`, a branch or a
//! partial version.

use std::sync::LazyLock;

use regex::Regex;

use crate::diagnostic::Severity;
use crate::load::{yaml, FileId, NodeRef, Span, Value};
use crate::rules::prelude::*;

declare_rule!(
    IncludeNotPinned,
    "KAS409",
    "include-not-pinned",
    Warning,
    "an included file can change under the pipeline (no `integrity`, a branch, `~latest`)"
);

static SHA: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^([0-9a-f]{40}|[0-9a-f]{64})$").expect("valid regex"));
/// A full version (`1.2.3`, `v1.2.3`, `1.2.3-rc.1`).
static FULL_VERSION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^v?\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$").expect("valid regex"));
/// A partial version a component resolves to its latest release (`1`, `1.2`); with a
/// `v`, the shape of a tag.
static PARTIAL_VERSION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^v?\d+(\.\d+)?$").expect("valid regex"));

/// What an include points at, and how firmly.
#[derive(Debug, PartialEq, Eq)]
pub enum Pin {
    /// A commit SHA, or a full component version: the content is fixed.
    Pinned,
    /// A tag-shaped ref of `include:project` (tags can be moved) or a partial component
    /// version (the latest matching release): info.
    Loose(String),
    /// A branch, `~latest`, no `ref`, or a remote URL without `integrity`: warning.
    Moving(String),
    /// Variables: decided when the pipeline is created.
    Unknown,
}

/// How firmly `include:project`'s `ref` pins the file. Offline, a tag cannot be told from
/// a branch: a version-shaped ref (`v1.2.3`, `1.2.3`) is taken for a tag.
pub fn project_ref(r: Option<&str>) -> Pin {
    let Some(r) = r else {
        return Pin::Moving(
            "no `ref`: the project's default branch, as it is when the pipeline runs".into(),
        );
    };
    if r.contains('$') {
        Pin::Unknown
    } else if SHA.is_match(r) {
        Pin::Pinned
    } else if FULL_VERSION.is_match(r) || PARTIAL_VERSION.is_match(r) {
        Pin::Loose(format!(
            "`ref: {r}` looks like a tag, which can be moved to another commit"
        ))
    } else {
        Pin::Moving(format!(
            "`ref: {r}` is taken for a branch, which moves with every push"
        ))
    }
}

/// How firmly a component's `@version` pins it.
pub fn component_version(location: &str) -> Pin {
    let Some((_, version)) = location.rsplit_once('@') else {
        return Pin::Unknown;
    };
    if version.contains('$') {
        Pin::Unknown
    } else if version == "~latest" {
        Pin::Moving("`~latest` is whatever release is newest when the pipeline runs".into())
    } else if SHA.is_match(version) || FULL_VERSION.is_match(version) {
        Pin::Pinned
    } else if PARTIAL_VERSION.is_match(version) {
        Pin::Loose(format!("`@{version}` is the latest release matching `{version}`, which changes with each release"))
    } else {
        Pin::Moving(format!(
            "`@{version}` is taken for a branch, which moves with every push"
        ))
    }
}

/// The message's tail: the commit the include resolves to, when known (a fetched include
/// records it), so that the fix can name it.
pub fn pin_hint(what: &str, commit: Option<&str>) -> String {
    match commit {
        Some(c) => format!("pin it: {what} (it resolves to commit `{c}` today)"),
        None => format!("pin it: {what}"),
    }
}

/// The `include` entries of one file's configuration document.
fn includes(p: &crate::model::Pipeline, id: FileId) -> Vec<NodeRef> {
    let text = &p.sources.get(id).text;
    if !text.contains("include") {
        return Vec::new();
    }
    let Ok(loaded) = yaml::parse(id, text) else {
        return Vec::new();
    };
    let mut docs = loaded.documents.into_iter();
    let (first, second) = (docs.next(), docs.next());
    let content = match (first, second) {
        (Some(h), Some(c)) if h.get("spec").is_some() => c,
        (Some(f), _) => f,
        _ => return Vec::new(),
    };
    match content.get("include").map(|i| &i.value) {
        Some(Value::Seq(items)) => items.clone(),
        Some(_) => content.get("include").cloned().into_iter().collect(),
        None => Vec::new(),
    }
}

/// An entry's kind, its location node, and how firmly it is pinned.
fn judge(item: &NodeRef) -> Option<(&'static str, Span, String, Pin)> {
    if let Some(s) = item.as_str() {
        let remote = s.starts_with("https://") || s.starts_with("http://");
        return remote.then(|| {
            (
                "remote",
                item.span,
                s.to_string(),
                Pin::Moving(
                    "no `integrity`: whatever the URL serves when the pipeline runs".into(),
                ),
            )
        });
    }
    let map = item.as_map()?;
    if let Some(url) = map.get("remote") {
        let pin = if map.contains_key("integrity") {
            Pin::Pinned
        } else {
            Pin::Moving("no `integrity`: whatever the URL serves when the pipeline runs".into())
        };
        return Some(("remote", url.span, url.scalar_text()?, pin));
    }
    if let Some(project) = map.get("project") {
        let r = map.get("ref");
        let pin = project_ref(r.and_then(|r| r.scalar_text()).as_deref());
        let span = r.map_or(project.span, |r| r.span);
        return Some(("project", span, project.scalar_text()?, pin));
    }
    let component = map.get("component")?;
    let location = component.scalar_text()?;
    Some((
        "component",
        component.span,
        location.clone(),
        component_version(&location),
    ))
}

impl Rule for IncludeNotPinned {
    fn check_pipeline(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let p = cx.pipeline;
        // The files that include a remote file, a project's or a component: only they are
        // read again for their `include` entries as written.
        let judged: std::collections::HashSet<FileId> = p
            .includes
            .iter()
            .filter(|e| matches!(e.kind, "remote" | "project" | "component"))
            .map(|e| e.span.file)
            .collect();
        let files = std::iter::once(p.entry).chain(p.included.iter().copied());
        let mut seen = std::collections::HashSet::new();
        for id in files {
            if !judged.contains(&id) || !seen.insert(id) {
                continue;
            }
            for item in includes(p, id) {
                let Some((kind, span, location, pin)) = judge(&item) else {
                    continue;
                };
                // GitLab refuses the entry itself (KAS007): nothing is fetched.
                let refused = p.problems.iter().any(|pr| {
                    pr.kind == crate::model::ProblemKind::IncludeInvalid
                        && item.span.contains(pr.span)
                });
                if refused {
                    continue;
                }
                let (why, severity) = match pin {
                    Pin::Moving(why) => (why, Severity::Warning),
                    Pin::Loose(why) => (why, Severity::Info),
                    Pin::Pinned | Pin::Unknown => continue,
                };
                let how = match kind {
                    "remote" => "add `integrity: sha256-<base64 of the file's SHA-256>`",
                    "project" => "`ref: <40-hex commit SHA>`",
                    _ => "`@<full version>` (`@1.2.3`) or `@<commit SHA>`",
                };
                // (Includes are not fetched here; a fetched include's commit goes in `None`'s place.)
                let mut d = Diagnostic::new(
                    &META,
                    span,
                    format!("`{kind}` include `{location}` can change under the pipeline: {why}"),
                )
                .label("not pinned")
                .help(pin_hint(how, None));
                d.severity = severity;
                out.push(d);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refs_and_versions() {
        assert_eq!(project_ref(Some(&"a".repeat(40))), Pin::Pinned);
        assert!(matches!(project_ref(Some("v1.2.3")), Pin::Loose(_)));
        assert!(matches!(project_ref(Some("main")), Pin::Moving(_)));
        assert!(matches!(project_ref(Some("v2")), Pin::Loose(_)));
        assert!(matches!(project_ref(Some("release-1.2")), Pin::Moving(_)));
        assert!(matches!(project_ref(None), Pin::Moving(_)));
        assert_eq!(project_ref(Some("$REF")), Pin::Unknown);
        assert_eq!(component_version("gitlab.com/a/b/c@1.2.3"), Pin::Pinned);
        assert!(matches!(
            component_version("gitlab.com/a/b/c@1.2"),
            Pin::Loose(_)
        ));
        assert!(matches!(
            component_version("gitlab.com/a/b/c@~latest"),
            Pin::Moving(_)
        ));
        assert!(matches!(
            component_version("gitlab.com/a/b/c@main"),
            Pin::Moving(_)
        ));
        assert_eq!(component_version("$CI_SERVER_FQDN/a/b/c@$V"), Pin::Unknown);
    }

    #[test]
    fn the_hint_names_a_known_commit() {
        assert_eq!(pin_hint("x", None), "pin it: x");
        assert!(pin_hint("x", Some("0123abc")).contains("commit `0123abc`"));
    }
}
