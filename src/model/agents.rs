//! The repository's agent configurations: `.gitlab/agents/<name>/config.yaml`, read into
//! the pipeline's sources (so findings in them can be shown) as spanned trees.

use std::path::{Path, PathBuf};

use crate::load::yaml::Entry;
use crate::load::{self, FileId, FileProblem, FileProblemKind, Map, NodeRef, Sources, Value};

/// One folder under `.gitlab/agents/`: an agent of this repository's configuration project.
#[derive(Debug)]
pub struct AgentConfig {
    /// The folder's name, which is the agent's name.
    pub name: String,
    /// The folder on disk.
    pub dir: PathBuf,
    /// The configuration file read (`config.yaml`, else `config.yml`), if any.
    pub file: Option<FileId>,
    /// The file is `config.yml`, which GitLab does not read.
    pub wrong_extension: bool,
    /// The parsed file (`None`: no file, an empty file, or a problem).
    pub node: Option<NodeRef>,
    /// Why the file could not be read as a mapping (an empty file is no problem).
    pub problem: Option<FileProblem>,
}

impl AgentConfig {
    /// The configuration's `ci_access` mapping, when it has one (not null).
    pub fn ci_access(&self) -> Option<&NodeRef> {
        self.node
            .as_ref()
            .and_then(|n| n.get("ci_access"))
            .filter(|c| !c.is_null())
    }
}

/// The folder holding agent configurations below a repository root.
pub const AGENTS_DIR: &str = ".gitlab/agents";

/// Read every agent folder below `root` (sorted by name) into `sources`.
pub fn load(root: &Path, display_root: &str, sources: &mut Sources) -> Vec<AgentConfig> {
    let Ok(entries) = std::fs::read_dir(root.join(AGENTS_DIR)) else {
        return Vec::new();
    };
    let mut dirs: Vec<(String, PathBuf)> = entries
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
        .collect();
    dirs.sort();
    dirs.into_iter()
        .map(|(name, dir)| read_agent(name, dir, display_root, sources))
        .collect()
}

fn read_agent(
    name: String,
    dir: PathBuf,
    display_root: &str,
    sources: &mut Sources,
) -> AgentConfig {
    let mut agent = AgentConfig {
        name,
        dir,
        file: None,
        wrong_extension: false,
        node: None,
        problem: None,
    };
    let Some((file_name, path)) = ["config.yaml", "config.yml"]
        .into_iter()
        .map(|f| (f, agent.dir.join(f)))
        .find(|(_, p)| p.is_file())
    else {
        return agent;
    };
    agent.wrong_extension = file_name == "config.yml";
    let Ok(bytes) = load::read_limited(&path) else {
        return agent;
    };
    let rel = format!("{AGENTS_DIR}/{}/{file_name}", agent.name);
    let shown = if display_root.is_empty() {
        rel
    } else {
        format!("{}/{rel}", display_root.trim_end_matches('/'))
    };
    let canonical = std::fs::canonicalize(&path).unwrap_or(path);
    let (id, problem) = load::decode(sources, shown, Some(&canonical), bytes);
    agent.file = Some(id);
    if let Some(p) = problem {
        agent.problem = Some(p);
        return agent;
    }
    let parsed = load::parse_file(sources, id);
    match parsed.problem {
        // An empty file is a valid configuration: the agent's defaults.
        Some(p) if p.kind == FileProblemKind::Empty => {}
        Some(mut p) => {
            if p.kind == FileProblemKind::NotMapping {
                p.message = "an agent configuration must be a mapping".into();
            }
            agent.problem = Some(p);
        }
        // GitLab's two-document form does not apply to agent configurations.
        None => {
            agent.node = parsed
                .header
                .or(parsed.content)
                .map(|n| proto_names(&n, true))
        }
    }
    agent
}

/// The fields of the agent configuration kaslint reads, by their proto names.
const PROTO_FIELDS: &[&str] = &[
    "ci_access",
    "user_access",
    "manifest_projects",
    "remote_development",
    "default_namespace",
    "access_as",
    "protected_branches_only",
    "resource_management",
    "ci_job",
];

/// The agent server reads its configuration with protojson, which takes a field by its
/// proto name (`ci_access`) or its JSON name (`ciAccess`): the configuration with the JSON
/// names of [`PROTO_FIELDS`] written as proto names, so that the rules see one spelling.
/// Only the top level and `ci_access` are rewritten (their keys are field names, never
/// data); another key keeps its spelling, so a finding quotes it as written.
fn proto_names(node: &NodeRef, top: bool) -> NodeRef {
    let rename = |key: &str| -> Option<String> {
        if !key.contains(|c: char| c.is_ascii_uppercase()) {
            return None;
        }
        let mut out = String::with_capacity(key.len() + 4);
        for c in key.chars() {
            if c.is_ascii_uppercase() {
                out.push('_');
                out.push(c.to_ascii_lowercase());
            } else {
                out.push(c);
            }
        }
        PROTO_FIELDS.contains(&out.as_str()).then_some(out)
    };
    match &node.value {
        Value::Map(map) => {
            let mut out = Map::default();
            for (key, entry) in map.iter() {
                let key = rename(key).unwrap_or_else(|| key.clone());
                let value = if !top || key == "ci_access" {
                    proto_names(&entry.value, false)
                } else {
                    entry.value.clone()
                };
                out.insert(
                    key,
                    Entry {
                        key_span: entry.key_span,
                        value,
                    },
                );
            }
            node.with_value(Value::Map(out))
        }
        Value::Seq(items) if !top => node.with_value(Value::Seq(
            items.iter().map(|i| proto_names(i, false)).collect(),
        )),
        _ => node.clone(),
    }
}
