//! The shape of an agent configuration's `ci_access` as the agent server accepts it
//! (reported by KAS111; a rejected file also makes the agent's rules say nothing).

use crate::load::{FileProblemKind, NodeRef, Span, Value};
use crate::model::agents::AgentConfig;
use crate::model::{Pipeline, Role};

const CI_ACCESS_KEYS: &[&str] = &["projects", "groups", "instance"];
const ENTRY_KEYS: &[&str] = &[
    "id",
    "default_namespace",
    "access_as",
    "environments",
    "protected_branches_only",
    "resource_management",
];
const ACCESS_AS_KEYS: &[&str] = &["agent", "ci_job", "impersonate"];
const IMPERSONATE_KEYS: &[&str] = &["username", "uid", "groups", "extra"];

/// The repository's agent configurations, for the rules that judge the files themselves:
/// the files belong to the repository, not to one pipeline, so only the repository's entry
/// pipeline reports them (a fragment has none).
pub fn repo_configs(p: &Pipeline) -> &[AgentConfig] {
    match p.role {
        Role::Entry => &p.agents,
        Role::Fragment => &[],
    }
}

/// [`repo_configs`] that have a `ci_access`, with it.
pub fn repo_ci_access(p: &Pipeline) -> impl Iterator<Item = (&AgentConfig, &NodeRef)> {
    repo_configs(p)
        .iter()
        .filter_map(|a| Some((a, a.ci_access()?)))
}

/// One problem in an agent configuration.
pub struct Invalid {
    pub span: Span,
    pub message: String,
    pub help: Option<String>,
}

/// Everything wrong with one agent's configuration.
pub fn validate(agent: &AgentConfig) -> Vec<Invalid> {
    let mut out = Vec::new();
    let Some(file) = agent.file else {
        return out;
    };
    if let Some(p) = &agent.problem {
        let message = match p.kind {
            FileProblemKind::NotMapping => p.message.clone(),
            _ => format!("agent `{}`: {}", agent.name, p.message),
        };
        out.push(Invalid {
            span: p.span,
            message,
            help: p.help.clone(),
        });
        return out;
    }
    if agent.wrong_extension {
        out.push(Invalid {
            span: Span::point(file, 0),
            message: format!(
                "GitLab reads `.gitlab/agents/{}/config.yaml` only: this `config.yml` is ignored",
                agent.name
            ),
            help: Some("rename the file to `config.yaml`".into()),
        });
    }
    let Some(ci_access) = agent.ci_access() else {
        return out;
    };
    let mut v = Validator { out: &mut out };
    let Some(map) = v.map(ci_access, "`ci_access`") else {
        return out;
    };
    for (key, e) in map.iter() {
        let value = &e.value;
        match key.as_str() {
            "projects" | "groups" => {
                let Some(items) = v.seq(value, &format!("`ci_access.{key}`")) else {
                    continue;
                };
                for (i, item) in items.iter().enumerate() {
                    v.entry(item, &format!("`ci_access.{key}[{i}]`"), true);
                }
            }
            "instance" => v.entry(value, "`ci_access.instance`", false),
            _ => v.unknown(key, e.key_span, "`ci_access`", CI_ACCESS_KEYS),
        }
    }
    out
}

struct Validator<'o> {
    out: &'o mut Vec<Invalid>,
}

impl Validator<'_> {
    fn push(&mut self, span: Span, message: String, help: Option<String>) {
        self.out.push(Invalid {
            span,
            message,
            help,
        });
    }

    fn unknown(&mut self, key: &str, span: Span, within: &str, known: &[&str]) {
        let help = match crate::model::suggest(key, known.iter().copied()) {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!("{within} accepts {}", crate::diagnostic::quoted_list(known)),
        };
        self.push(span, format!("unknown key `{key}` in {within}"), Some(help));
    }

    /// A mapping (a null value counts as an empty one).
    fn map<'n>(&mut self, node: &'n NodeRef, what: &str) -> Option<&'n crate::load::Map> {
        if node.is_null() {
            return None;
        }
        let m = node.as_map();
        if m.is_none() {
            self.push(
                node.span,
                format!("{what} must be a mapping, not a {}", node.type_name()),
                None,
            );
        }
        m
    }

    fn seq<'n>(&mut self, node: &'n NodeRef, what: &str) -> Option<&'n [NodeRef]> {
        if node.is_null() {
            return None;
        }
        let s = node.as_seq();
        if s.is_none() {
            self.push(
                node.span,
                format!("{what} must be a list, not a {}", node.type_name()),
                None,
            );
        }
        s
    }

    fn scalar(&mut self, node: &NodeRef, what: &str) {
        if node.as_seq().is_some() || node.as_map().is_some() {
            self.push(
                node.span,
                format!("{what} must be a single value, not a {}", node.type_name()),
                None,
            );
        }
    }

    /// A `projects`/`groups` entry (`with_id`) or the `instance` entry.
    fn entry(&mut self, node: &NodeRef, what: &str, with_id: bool) {
        let Some(map) = self.map(node, what) else {
            if with_id && node.is_null() {
                self.push(node.span, format!("{what} has no `id`"), None);
            }
            return;
        };
        if with_id {
            match map.get("id") {
                None => self.push(
                    node.span,
                    format!("{what} has no `id`"),
                    Some(
                        "name the project or group by its full path: `id: my-group/my-project`"
                            .into(),
                    ),
                ),
                Some(id)
                    if id.is_null() || id.scalar_text().is_some_and(|t| t.trim().is_empty()) =>
                {
                    self.push(id.span, format!("{what}: `id` is empty"), None)
                }
                Some(id) => self.scalar(id, &format!("{what}: `id`")),
            }
        }
        for (key, e) in map.iter() {
            let value = &e.value;
            match key.as_str() {
                "id" if with_id => {}
                "default_namespace" => self.scalar(value, &format!("{what}: `default_namespace`")),
                "protected_branches_only" => {
                    self.scalar(value, &format!("{what}: `protected_branches_only`"))
                }
                "environments" => {
                    if let Some(items) = self.seq(value, &format!("{what}: `environments`")) {
                        for item in items {
                            self.scalar(item, &format!("{what}: an environment"));
                        }
                    }
                }
                "access_as" => self.access_as(value, &format!("{what}: `access_as`")),
                // GitLab-managed Kubernetes resources (17.9): `{enabled: true}`.
                "resource_management" => {
                    self.map(value, &format!("{what}: `resource_management`"));
                }
                _ => {
                    let known: Vec<&str> = ENTRY_KEYS
                        .iter()
                        .copied()
                        .filter(|k| with_id || *k != "id")
                        .collect();
                    self.unknown(key, e.key_span, what, &known)
                }
            }
        }
    }

    fn access_as(&mut self, node: &NodeRef, what: &str) {
        let Some(map) = self.map(node, what) else {
            return;
        };
        let mut known = Vec::new();
        for (key, e) in map.iter() {
            if ACCESS_AS_KEYS.contains(&key.as_str()) {
                known.push((key.as_str(), e));
            } else {
                self.unknown(key, e.key_span, what, ACCESS_AS_KEYS);
            }
        }
        if map.is_empty() {
            self.push(
                node.span,
                format!(
                    "{what} is empty: it must hold exactly one of `agent`, `ci_job`, `impersonate`"
                ),
                Some(
                    "`access_as: {agent: {}}` is the default; remove `access_as` or name one"
                        .into(),
                ),
            );
        }
        if known.len() > 1 {
            let names: Vec<String> = known.iter().map(|(k, _)| format!("`{k}`")).collect();
            self.push(
                known[1].1.key_span,
                format!(
                    "{what} holds {}: it must hold exactly one",
                    names.join(" and ")
                ),
                Some("keep the one access mode this entry should use".into()),
            );
        }
        for (key, e) in known {
            match key {
                "impersonate" => {
                    let inner = what.replace("`access_as`", "`access_as.impersonate`");
                    self.impersonate(&e.value, e.key_span, &inner)
                }
                _ => {
                    if !e.value.is_null() && e.value.as_map().is_none() {
                        self.push(
                            e.value.span,
                            format!(
                                "{}: must be a mapping (`{key}: {{}}`), not a {}",
                                what.replace("`access_as`", &format!("`access_as.{key}`")),
                                e.value.type_name()
                            ),
                            None,
                        );
                    }
                }
            }
        }
    }

    fn impersonate(&mut self, node: &NodeRef, key_span: Span, what: &str) {
        let Some(map) = self.map(node, what) else {
            if node.is_null() {
                self.push(key_span, format!("{what} has no `username`"), None);
            }
            return;
        };
        match map.get("username") {
            None => self.push(
                key_span,
                format!("{what} has no `username`: it is required"),
                Some(
                    "name the Kubernetes user to impersonate: `impersonate: {username: deployer}`"
                        .into(),
                ),
            ),
            Some(u) if u.is_null() || u.scalar_text().is_some_and(|t| t.is_empty()) => {
                self.push(u.span, format!("{what}: `username` is empty"), None)
            }
            Some(u) => self.scalar(u, &format!("{what}: `username`")),
        }
        for (key, e) in map.iter() {
            let value = &e.value;
            match key.as_str() {
                "username" => {}
                "uid" => self.scalar(value, &format!("{what}: `uid`")),
                "groups" => {
                    if let Some(items) = self.seq(value, &format!("{what}: `groups`")) {
                        for item in items {
                            self.scalar(item, &format!("{what}: a group"));
                        }
                    }
                }
                "extra" => {
                    if let Some(items) = self.seq(value, &format!("{what}: `extra`")) {
                        for item in items {
                            if !matches!(item.value, Value::Map(_)) {
                                self.push(
                                    item.span,
                                    format!("{what}: each `extra` item is a mapping `{{key: ..., val: [...]}}`"),
                                    None,
                                );
                            }
                        }
                    }
                }
                _ => self.unknown(key, e.key_span, what, IMPERSONATE_KEYS),
            }
        }
    }
}
