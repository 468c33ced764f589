//! The pipeline as GitLab sees it before validation: includes merged, `extends` and
//! `!reference` resolved, jobs listed. Values keep the spans of the text they came from.

pub mod agents;
pub mod extends;
pub mod include;
pub mod inputs;
pub mod job;
pub mod keywords;
pub mod merge;
pub mod path;
pub mod problem;
pub mod reference;

use std::path::PathBuf;

use crate::load::{
    self, yaml::DuplicateKey, FileId, FileProblem, FileProblemKind, NodeRef, Sources,
};
pub use job::{Environment, Job, JobKind, OnStopPair};
pub use problem::{Problem, ProblemKind};

/// How the checked file is used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// A pipeline's entry file (`.gitlab-ci.yml`, `--entry`): references must resolve.
    Entry,
    /// A file meant to be included: it may use stages, jobs and templates defined elsewhere.
    Fragment,
}

#[derive(Debug)]
pub struct Pipeline {
    pub sources: Sources,
    pub entry: FileId,
    pub role: Role,
    /// The spec header of the entry file.
    pub header: Option<NodeRef>,
    /// The spec headers of every file read (the entry's first), once per file.
    pub headers: Vec<(FileId, NodeRef)>,
    /// The merged configuration (`None` when the file could not be loaded).
    pub root: Option<NodeRef>,
    pub jobs: Vec<Job>,
    pub problems: Vec<Problem>,
    pub unresolved: Vec<include::Unresolved>,
    pub included: Vec<FileId>,
    /// Every include as written (kind, location, ref, integrity, span), in every file.
    pub includes: Vec<include::IncludeEntry>,
    /// The files read from beyond the repository (project, component, template, remote).
    pub fetched: Vec<include::FetchedFile>,
    /// The repository root, when known (`--root`, a `.git` folder, or a folder holding
    /// `.gitlab/agents`).
    pub root_dir: Option<PathBuf>,
    /// The repository's agent configurations (`.gitlab/agents/<name>/`).
    pub agents: Vec<agents::AgentConfig>,
    /// Job name → position in `jobs`.
    by_name: job::NameIndex,
    /// `on_stop` start/stop pairs, as positions in `jobs`.
    on_stop: Vec<(usize, usize)>,
    /// `default:` holds a job's keys, so it is a job named `default`, not defaults.
    default_is_job: bool,
}

/// Inputs to build a pipeline from one file.
pub struct BuildOptions {
    pub root: Option<PathBuf>,
    /// `root` came from `--root` or a `.git` folder, not a guess.
    pub root_certain: bool,
    /// How the root is shown in file names.
    pub display_root: String,
    pub role: Role,
}

pub fn file_problem(p: FileProblem) -> Problem {
    let kind = match p.kind {
        FileProblemKind::Syntax | FileProblemKind::NotUtf8 => ProblemKind::YamlSyntax,
        FileProblemKind::TooBig | FileProblemKind::TooDeep => ProblemKind::YamlLimit,
        FileProblemKind::NotMapping | FileProblemKind::Empty => ProblemKind::ConfigFormat,
    };
    let problem = Problem::new(kind, p.span, p.message);
    match p.help {
        Some(h) => problem.help(h),
        None => problem,
    }
}

pub fn duplicate_problems(dups: &[DuplicateKey]) -> Vec<Problem> {
    dups.iter()
        .map(|d| {
            Problem::new(
                ProblemKind::DuplicateKey,
                d.second,
                format!(
                    "duplicate key `{}`: GitLab keeps only this last value",
                    d.key
                ),
            )
            .related(d.first, "first defined here")
        })
        .collect()
}

/// The closest of `candidates` to `word`, if close enough to be a likely typo.
pub fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let mut best: Option<(&str, f64)> = None;
    for c in candidates {
        if c == word {
            continue;
        }
        let score = strsim::jaro_winkler(&word.to_lowercase(), &c.to_lowercase());
        if score > 0.85 && best.is_none_or(|(_, s)| score > s) {
            best = Some((c, score));
        }
    }
    best.map(|(c, _)| c)
}

impl Pipeline {
    /// A pipeline from `yaml` alone, read as an entry file with no repository (tests).
    #[cfg(test)]
    pub(crate) fn from_yaml(name: &str, yaml: &str) -> Pipeline {
        let mut sources = Sources::default();
        let (id, problem) =
            crate::load::decode(&mut sources, name.into(), None, yaml.as_bytes().to_vec());
        let opts = BuildOptions {
            root: None,
            root_certain: false,
            display_root: String::new(),
            role: Role::Entry,
        };
        Pipeline::build(sources, id, problem, &opts)
    }

    /// Load `entry` (already decoded into `sources`) and build the model.
    pub fn build(
        sources: Sources,
        entry: FileId,
        decode_problem: Option<FileProblem>,
        opts: &BuildOptions,
    ) -> Pipeline {
        Pipeline::build_with(sources, entry, decode_problem, opts, None)
    }

    /// [`Pipeline::build`], reading project, component, template and remote includes
    /// through `includes`.
    pub fn build_with(
        mut sources: Sources,
        entry: FileId,
        decode_problem: Option<FileProblem>,
        opts: &BuildOptions,
        includes: Option<&crate::fetch::Includes>,
    ) -> Pipeline {
        let mut pipeline = Pipeline {
            sources: Sources::default(),
            entry,
            role: opts.role,
            header: None,
            headers: Vec::new(),
            root: None,
            jobs: Vec::new(),
            problems: Vec::new(),
            unresolved: Vec::new(),
            included: Vec::new(),
            includes: Vec::new(),
            fetched: Vec::new(),
            root_dir: opts
                .root
                .clone()
                .filter(|r| opts.root_certain || r.join(agents::AGENTS_DIR).is_dir()),
            agents: Vec::new(),
            by_name: Default::default(),
            on_stop: Vec::new(),
            default_is_job: false,
        };
        if let Some(p) = decode_problem {
            pipeline.problems.push(file_problem(p));
            pipeline.sources = sources;
            return pipeline;
        }
        let parsed = load::parse_file(&mut sources, entry);
        pipeline
            .problems
            .extend(duplicate_problems(&parsed.duplicates));
        pipeline.header = parsed.header.clone();
        pipeline
            .headers
            .extend(parsed.header.iter().map(|h| (entry, h.clone())));
        if let Some(p) = parsed.problem {
            pipeline.problems.push(file_problem(p));
            pipeline.sources = sources;
            return pipeline;
        }
        let content = parsed.content.expect("content without problem");
        let content = match &parsed.header {
            Some(h) => {
                let (c, problems) = inputs::interpolate(h, None, &content, content.span);
                pipeline.problems.extend(problems);
                c
            }
            None => content,
        };
        let entry_path = entry_repo_path(&sources, entry, opts.root.as_deref());
        let mut resolver = include::Resolver::new(
            &mut sources,
            opts.root.clone(),
            opts.root_certain,
            opts.display_root.clone(),
        );
        resolver.includes = includes;
        resolver.entry_pipeline = opts.role == Role::Entry;
        let merged = resolver.expand(&content, &mut vec![entry_path]);
        pipeline.problems.append(&mut resolver.problems);
        pipeline.unresolved = std::mem::take(&mut resolver.unresolved);
        pipeline.included = std::mem::take(&mut resolver.included);
        pipeline.headers.append(&mut resolver.headers);
        pipeline.includes = std::mem::take(&mut resolver.entries);
        pipeline.fetched = std::mem::take(&mut resolver.fetched);
        let has_references = parsed.has_references || resolver.has_references;
        drop(resolver);
        let complete = opts.role == Role::Entry && pipeline.unresolved.is_empty();
        let (extended, problems) = extends::resolve(&merged, complete);
        pipeline.problems.extend(problems);
        let resolved = if has_references {
            let (resolved, problems) = reference::resolve(&extended, complete);
            pipeline.problems.extend(problems);
            resolved
        } else {
            extended
        };
        pipeline.jobs = job::jobs_of(&resolved, &merged);
        pipeline.by_name = job::name_index(&pipeline.jobs);
        pipeline.on_stop = job::on_stop_pairs(&pipeline.jobs, &pipeline.by_name);
        pipeline.default_is_job = pipeline.by_name.contains_key("default");
        pipeline.root = Some(resolved);
        if let Some(dir) = &pipeline.root_dir {
            pipeline.agents = agents::load(dir, &opts.display_root, &mut sources);
        }
        pipeline.sources = sources;
        pipeline
    }

    /// Split into the source files and everything else (the node tree).
    pub fn into_parts(self) -> (Sources, impl Sized) {
        let Pipeline {
            sources,
            header,
            root,
            jobs,
            problems,
            ..
        } = self;
        (sources, (header, root, jobs, problems))
    }

    /// Everything a job or stage may refer to is in the files read.
    pub fn is_complete(&self) -> bool {
        self.role == Role::Entry && self.unresolved.is_empty()
    }

    pub fn job(&self, name: &str) -> Option<&Job> {
        self.by_name.get(name).map(|&i| &self.jobs[i])
    }

    /// Every start/stop pair GitLab accepts (computed once when the model is built).
    pub fn on_stop_pairs(&self) -> impl Iterator<Item = OnStopPair<'_>> {
        self.on_stop.iter().filter_map(|&(a, b)| {
            let (start, stop) = (&self.jobs[a], &self.jobs[b]);
            let on_stop = start.environment()?.on_stop?;
            Some(OnStopPair {
                start,
                stop,
                on_stop,
            })
        })
    }

    pub fn visible_jobs(&self) -> impl Iterator<Item = &Job> {
        self.jobs.iter().filter(|j| !j.hidden)
    }

    pub fn root_get(&self, key: &str) -> Option<&NodeRef> {
        self.root.as_ref()?.get(key)
    }

    /// A job's value for `key`, falling back to `default:` (or the deprecated top-level
    /// form) for the keys GitLab inherits, unless `inherit:default` excludes it.
    pub fn job_value<'a>(&'a self, job: &'a Job, key: &str) -> Option<&'a NodeRef> {
        if let Some(v) = job.node.get(key) {
            return (!v.is_null()).then_some(v);
        }
        if !keywords::DEFAULT_KEYS.contains(&key) || !inherits(job, "default", key) {
            return None;
        }
        let from_default = self
            .root_get("default")
            .filter(|_| !self.default_is_job)
            .and_then(|d| d.get(key));
        let v = from_default.or_else(|| {
            keywords::DEPRECATED_GLOBAL_DEFAULTS
                .contains(&key)
                .then(|| self.root_get(key))
                .flatten()
        })?;
        (!v.is_null()).then_some(v)
    }

    /// The stages in order, as GitLab uses them (`Entry::Stages` and
    /// `EdgeStagesInjector`): GitLab's defaults when `stages:` is absent or null; a declared
    /// list (nested lists flattened) wrapped in `.pre`/`.post` unless empty (`stages: []`
    /// leaves no stage at all); `None` when a value is unknown offline or not a string.
    pub fn stages(&self) -> Option<Vec<String>> {
        let Some(declared) = self.root_get("stages").filter(|s| !s.is_null()) else {
            return Some(
                keywords::DEFAULT_STAGES
                    .iter()
                    .map(|s| s.to_string())
                    .collect(),
            );
        };
        let mut list = Vec::new();
        if !flatten_strings(declared, &mut list) {
            return None;
        }
        if list.is_empty() {
            return Some(list);
        }
        list.retain(|s| s != ".pre" && s != ".post");
        list.insert(0, ".pre".into());
        list.push(".post".into());
        Some(list)
    }

    pub fn file_name(&self, id: FileId) -> &str {
        &self.sources.get(id).name
    }
}

/// Does `job` inherit `key` from `default` (`what` = "default") or a global variable
/// (`what` = "variables")? `inherit: {default: false | true | [keys]}`.
pub fn inherits(job: &Job, what: &str, key: &str) -> bool {
    let Some(setting) = job.node.get("inherit").and_then(|i| i.get(what)) else {
        return true;
    };
    match &setting.value {
        load::Value::Bool(b) => *b,
        load::Value::Seq(items) => items.iter().any(|i| i.as_str() == Some(key)),
        _ => true,
    }
}

fn flatten_strings(n: &load::Node, out: &mut Vec<String>) -> bool {
    if job::unknown_offline(n) {
        return false;
    }
    match &n.value {
        load::Value::Str(s) => {
            out.push(s.to_string());
            true
        }
        load::Value::Seq(items) => items.iter().all(|i| flatten_strings(i, out)),
        _ => false,
    }
}

fn entry_repo_path(sources: &Sources, entry: FileId, root: Option<&std::path::Path>) -> String {
    let file = sources.get(entry);
    match (&file.path, root) {
        (Some(p), Some(r)) => p
            .strip_prefix(r)
            .map(|rel| rel.to_string_lossy().replace('\\', "/"))
            .unwrap_or_else(|_| file.name.clone()),
        _ => file.name.clone(),
    }
}
