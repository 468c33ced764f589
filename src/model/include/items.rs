//! The items of an `include:` list, normalised (`Mapper::Normalizer`), with the checks
//! GitLab makes on an item before reading anything: the location's file name and
//! address (`File::Base`, `File::Remote`, `File::Template`), `integrity`
//! (`Entry::Concerns::BaseInclude`), `cache`, and `artifact` outside a child pipeline
//! (`File::Artifact#validate_context!`).

use super::Unresolved;
use crate::load::{NodeRef, Span, Value};
use crate::model::inputs;

/// Where an external include's file is.
#[derive(Clone, Debug)]
pub enum Target {
    Project {
        project: String,
        reference: Option<String>,
        files: Vec<String>,
    },
    Component(String),
    Template(String),
    Remote {
        url: String,
        integrity: Option<String>,
    },
}

/// An include of a file beyond the repository.
pub(super) struct External {
    pub target: Target,
    pub unresolved: Unresolved,
    pub inputs: Option<NodeRef>,
    pub conditional: bool,
}

/// One item of an `include:` list, normalised.
pub(super) enum Item {
    Local {
        path: String,
        span: Span,
        inputs: Option<NodeRef>,
        conditional: bool,
    },
    External(External),
    /// Never readable here (an artifact, a location with variables).
    Other(Unresolved),
    Invalid(Span, String),
    /// Unreadable, and invalid already (a remote address GitLab refuses): the error,
    /// and still nothing it may define is reported missing.
    InvalidOther(Unresolved, String),
}

/// One include as written, for rules that judge how includes are pinned.
#[derive(Clone, Debug)]
pub struct IncludeEntry {
    /// `local`, `project`, `component`, `template`, `remote` or `artifact`.
    pub kind: &'static str,
    /// The path, project, component address, template name or URL.
    pub location: String,
    /// `ref:` of a project include, the version of a component.
    pub reference: Option<String>,
    pub integrity: Option<String>,
    /// The location's value in the including file.
    pub span: Span,
}

/// The entries of an `include:` value; `entry_pipeline` when the file belongs to a
/// top-level pipeline (where `artifact:` is refused).
pub(super) fn normalise(include: &NodeRef, entry_pipeline: bool) -> Vec<Item> {
    let items: Vec<NodeRef> = match &include.value {
        Value::Seq(items) => items.clone(),
        _ => vec![include.clone()],
    };
    items
        .iter()
        .filter_map(|i| item(i, entry_pipeline))
        .collect()
}

impl Item {
    /// The entry as written, when the item names a location.
    pub(super) fn entry(&self) -> Option<IncludeEntry> {
        let (u, target) = match self {
            Item::Local { path, span, .. } => {
                return Some(IncludeEntry {
                    kind: "local",
                    location: path.clone(),
                    reference: None,
                    integrity: None,
                    span: *span,
                })
            }
            Item::External(e) => (&e.unresolved, Some(&e.target)),
            Item::Other(u) | Item::InvalidOther(u, _) => (u, None),
            Item::Invalid(..) => return None,
        };
        let (location, reference, integrity) = match target {
            Some(Target::Project {
                project, reference, ..
            }) => (project.clone(), reference.clone(), None),
            Some(Target::Component(c)) => {
                let (path, version) = c.split_once('@').unwrap_or((c, ""));
                let version = (!version.is_empty()).then(|| version.to_string());
                (path.to_string(), version, None)
            }
            Some(Target::Template(t)) => (t.clone(), None, None),
            Some(Target::Remote { url, integrity }) => (url.clone(), None, integrity.clone()),
            None => (u.location.clone(), None, None),
        };
        Some(IncludeEntry {
            kind: u.kind,
            location,
            reference,
            integrity,
            span: u.span,
        })
    }
}

fn item(node: &NodeRef, entry_pipeline: bool) -> Option<Item> {
    if let Some(s) = node.as_str() {
        // GitLab's `Mapper::Normalizer`: a string with a valid address is remote.
        if !valid_address(s) {
            return Some(Item::Local {
                path: s.to_string(),
                span: node.span,
                inputs: None,
                conditional: false,
            });
        }
        return Some(remote(s, None, node.span, None, false));
    }
    if node.is_null() {
        return None;
    }
    let Some(map) = node.as_map() else {
        return Some(Item::Invalid(
            node.span,
            "Each include must be a hash or a string".into(),
        ));
    };
    const SUBKEYS: [&str; 6] = [
        "local",
        "project",
        "remote",
        "template",
        "artifact",
        "component",
    ];
    let valid_subkeys = "`local`, `project`, `remote`, `template`, `artifact`, `component`";
    match SUBKEYS.iter().filter(|k| map.contains_key(k)).count() {
        0 => {
            return Some(Item::Invalid(
                node.span,
                format!(
                "`{}` does not have a valid subkey for include. Valid subkeys are: {valid_subkeys}",
                inputs::to_json(node)
            ),
            ))
        }
        1 => {}
        _ => {
            return Some(Item::Invalid(
                node.span,
                format!("Each include must use only one of: {valid_subkeys}"),
            ))
        }
    }
    let text = |k: &str| map.get(k).and_then(|v| v.scalar_text());
    if let Some(message) = integrity_problem(node).or_else(|| cache_problem(node)) {
        // Refused, and still nothing it may define is reported missing.
        let kind = SUBKEYS
            .into_iter()
            .find(|k| map.contains_key(k))
            .unwrap_or("local");
        let u = Unresolved::new(kind, text(kind).unwrap_or_default(), node.span);
        return Some(Item::InvalidOther(u, message));
    }
    let inputs = map.get("inputs").cloned();
    let conditional = map.contains_key("rules");
    if let Some(local) = map.get("local") {
        return Some(match local.as_str() {
            Some(p) => Item::Local {
                path: p.to_string(),
                span: local.span,
                inputs,
                conditional,
            },
            None => Item::Invalid(local.span, "include:local should be a string".into()),
        });
    }
    if let Some(v) = map.get("remote") {
        if let Some(location) = v.as_str() {
            let integrity = text("integrity");
            return Some(remote(location, integrity, v.span, inputs, conditional));
        }
    }
    for kind in ["project", "remote", "template", "component"] {
        if let Some(v) = map.get(kind) {
            let mut location = text(kind).unwrap_or_default();
            // The file names GitLab checks before reading anything (`File::Base`).
            let mut names = vec![];
            let mut target = None;
            if kind == "project" {
                let files: Vec<String> = match map.get("file").map(|f| &f.value) {
                    Some(Value::Seq(items)) => {
                        items.iter().filter_map(|i| i.scalar_text()).collect()
                    }
                    Some(_) => map
                        .get("file")
                        .and_then(|f| f.scalar_text())
                        .into_iter()
                        .collect(),
                    None => Vec::new(),
                };
                target = Some(Target::Project {
                    project: location.clone(),
                    reference: text("ref"),
                    files: files.clone(),
                });
                if map.contains_key("file") {
                    location = format!("{location}: {}", files.join(", "));
                }
                names = files;
            } else if kind == "template" {
                names.push(location.clone());
                target = Some(Target::Template(location.clone()));
            } else if kind == "component" && v.as_str().is_some() {
                target = Some(Target::Component(location.clone()));
            }
            let u = Unresolved::new(kind, location, v.span);
            let wrong = names.iter().filter(|n| !n.contains('$')).find_map(|n| {
                if !has_yaml_extension(n) {
                    Some(format!("Included file `{n}` does not have YAML extension!"))
                } else if kind == "template" && !n.ends_with(".gitlab-ci.yml") {
                    // `File::Template#template_name_valid?`
                    Some(format!("Template file `{n}` is not a valid location!"))
                } else {
                    None
                }
            });
            return Some(match (wrong, target) {
                (Some(message), _) => Item::InvalidOther(u, message),
                (None, Some(target)) if !has_variables(&target) => Item::External(External {
                    target,
                    unresolved: u,
                    inputs,
                    conditional,
                }),
                (None, _) => Item::Other(u),
            });
        }
    }
    let u = Unresolved::new("artifact", text("artifact").unwrap_or_default(), node.span);
    if entry_pipeline {
        // `File::Artifact#validate_context!`: there is no parent pipeline.
        let message =
            "Including configs from artifacts is only allowed when triggering child pipelines";
        return Some(Item::InvalidOther(u, message.into()));
    }
    // A child pipeline can include an artifact of its parent's job: not readable here.
    Some(Item::Other(u))
}

/// Variables other than the server's (`$CI_SERVER_FQDN`, `$CI_SERVER_HOST`) expand at
/// pipeline creation: not fetched.
fn has_variables(target: &Target) -> bool {
    let var = |s: &str| crate::fetch::component::expand_server_vars(s, "").contains('$');
    match target {
        Target::Project {
            project,
            reference,
            files,
        } => {
            var(project)
                || reference.as_deref().is_some_and(var)
                || files.is_empty()
                || files.iter().any(|f| var(f))
        }
        Target::Component(c) => var(c),
        Target::Template(t) => var(t),
        Target::Remote { url, .. } => var(url),
    }
}

/// `Entry::Concerns::BaseInclude`'s checks of `integrity`.
fn integrity_problem(node: &NodeRef) -> Option<String> {
    let value = node.get("integrity")?;
    if value.is_null() {
        return None;
    }
    if node.get("remote").is_none_or(|r| r.is_null()) {
        return Some("include config integrity can only be specified for remote includes".into());
    }
    let Some(s) = value.as_str().filter(|s| s.starts_with("sha256-")) else {
        return Some("include config integrity hash must start with 'sha256-'".into());
    };
    crate::fetch::remote::integrity_digest(s)
        .is_none()
        .then(|| "include config integrity hash must be base64 encoded".into())
}

/// `include:cache` (GitLab 18.9): `true`/`false` or a duration (`30 minutes`, `1 day`).
fn cache_problem(node: &NodeRef) -> Option<String> {
    let value = node.get("cache")?;
    let ok = match &value.value {
        Value::Null | Value::Bool(_) => true,
        Value::Str(s) => s.contains('$') || is_duration(s),
        _ => false,
    };
    (!ok).then(|| {
        "include config cache should be a boolean or a duration (e.g. `30 minutes`, `1 day`)".into()
    })
}

/// A duration as `ChronicDuration` reads one: numbers with units (`1h 30m`, `2 days`,
/// `1 hour and 30 minutes`), or a bare number of seconds.
fn is_duration(s: &str) -> bool {
    const UNITS: [&str; 24] = [
        "s", "sec", "secs", "second", "seconds", "m", "min", "mins", "minute", "minutes", "h",
        "hr", "hrs", "hour", "hours", "d", "day", "days", "w", "week", "weeks", "mo", "month",
        "months",
    ];
    let text = s.trim().to_ascii_lowercase().replace(',', " ");
    if text.is_empty() {
        return false;
    }
    if text.parse::<f64>().is_ok() {
        return true;
    }
    // Split "1h30m" into "1 h 30 m".
    let mut spaced = String::new();
    let mut prev_digit = None;
    for c in text.chars() {
        let digit = c.is_ascii_digit() || c == '.';
        if prev_digit.is_some_and(|p| p != digit) && !c.is_whitespace() {
            spaced.push(' ');
        }
        spaced.push(c);
        prev_digit = (!c.is_whitespace()).then_some(digit);
    }
    let words: Vec<&str> = spaced.split_whitespace().filter(|w| *w != "and").collect();
    !words.is_empty()
        && words.len().is_multiple_of(2)
        && words.chunks(2).all(|pair| {
            pair[0].parse::<f64>().is_ok()
                && (UNITS.contains(&pair[1])
                    || ["y", "yr", "yrs", "year", "years"].contains(&pair[1]))
        })
}

/// A `remote` include, with the checks GitLab makes before fetching it
/// (`File::Base#validate_location!`, then `File::Remote`'s address check). A location with
/// variables is expanded at pipeline creation: not checked.
fn remote(
    location: &str,
    integrity: Option<String>,
    span: Span,
    inputs: Option<NodeRef>,
    conditional: bool,
) -> Item {
    let u = Unresolved::new("remote", location.to_string(), span);
    if location.contains('$') {
        return Item::Other(u);
    }
    if !has_yaml_extension(location) {
        let message = format!("Included file `{location}` does not have YAML extension!");
        return Item::InvalidOther(u, message);
    }
    if !valid_address(location) {
        let message = format!("Remote file `{location}` does not have a valid address!");
        return Item::InvalidOther(u, message);
    }
    let fetchable = location.starts_with("http://") || location.starts_with("https://");
    if !fetchable {
        return Item::Other(u);
    }
    Item::External(External {
        target: Target::Remote {
            url: location.trim().to_string(),
            integrity,
        },
        unresolved: u,
        inputs,
        conditional,
    })
}

/// `File::Base::YAML_ALLOWLIST_EXTENSION` on the location's file name:
/// `/.+\.(yml|yaml)$/i`.
pub(super) fn has_yaml_extension(location: &str) -> bool {
    // (Surrounding blanks are forgiven: saying less when unsure.)
    let name = location.trim().trim_end_matches('/');
    let name = name.rsplit('/').next().unwrap_or(name).to_ascii_lowercase();
    [".yml", ".yaml"]
        .iter()
        .any(|ext| name.len() > ext.len() && name.ends_with(ext))
}

/// `Gitlab::UrlSanitizer.valid?`: the address parses with a scheme among `http`,
/// `https`, `ssh` and `git` (compared as written, as Ruby does).
fn valid_address(location: &str) -> bool {
    let s = location.trim();
    // RFC 3986's split (Addressable's): the scheme is what precedes the first `:`, when
    // no `/`, `?` or `#` comes before it.
    let Some(colon) = s.find(':') else {
        return false;
    };
    let scheme = &s[..colon];
    if scheme.is_empty() || scheme.contains(['/', '?', '#']) {
        return false;
    }
    matches!(scheme, "http" | "https" | "ssh" | "git")
}

#[cfg(test)]
mod tests {
    use super::{is_duration, normalise};

    #[test]
    fn entries_keep_kind_location_ref_and_integrity() {
        let text = "- component: $CI_SERVER_FQDN/g/c/deploy@1.2\n- project: g/ci\n  ref: main\n  file: a.yml\n- remote: https://h.example/x.yml\n  integrity: sha256-BozLjE+uzwZJEC5jBWZoJ+ZfvcTiBlj80d0CsVi+ZsI=\n- local: b.yml\n";
        let doc = crate::load::yaml::parse(0, text).unwrap().documents[0].clone();
        let entries: Vec<_> = normalise(&doc, true)
            .iter()
            .filter_map(|i| i.entry())
            .collect();
        let got: Vec<_> = entries
            .iter()
            .map(|e| {
                (
                    e.kind,
                    e.location.as_str(),
                    e.reference.as_deref(),
                    e.integrity.is_some(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (
                    "component",
                    "$CI_SERVER_FQDN/g/c/deploy",
                    Some("1.2"),
                    false
                ),
                ("project", "g/ci", Some("main"), false),
                ("remote", "https://h.example/x.yml", None, true),
                ("local", "b.yml", None, false),
            ]
        );
        assert_eq!(&text[entries[1].span.range()], "g/ci");
    }

    #[test]
    fn durations() {
        for ok in [
            "1 hour",
            "30 minutes",
            "1 day",
            "1h30m",
            "2 days and 3 hours",
            "3600",
        ] {
            assert!(is_duration(ok), "{ok}");
        }
        for bad in ["", "soon", "1 fortnight", "hour 1"] {
            assert!(!is_duration(bad), "{bad}");
        }
    }
}
