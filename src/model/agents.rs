//! The repository's agent configurations: `.gitlab/agents/<name>/config.yaml`, read into
//! the pipeline's sources (so findings in them can be shown) as spanned trees.

use std::path::{Path, PathBuf};

use crate::load::{self, FileId, FileProblem, FileProblemKind, NodeRef, Sources};

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
        None => agent.node = parsed.header.or(parsed.content),
    }
    agent
}
