//! `kaslint check`: find the files, build each pipeline, run the rules; the post-pass over
//! the findings is `check/post.rs`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

mod post;

use crate::folders::Folders;
use crate::load::{self, Sources};
use crate::model::{BuildOptions, Pipeline, Role};
use crate::report::FileReport;
use crate::rules;

/// One thing to check.
#[derive(Clone, Debug)]
pub enum Target {
    File(PathBuf),
    Stdin,
}

pub struct CheckOptions<'a> {
    pub root: Option<PathBuf>,
    pub entry: Option<PathBuf>,
    pub settings: &'a crate::settings::Settings,
    /// What the command's checks share (folder answers, ShellCheck's probe).
    pub shared: Arc<Shared>,
    /// Skip freeing the model's tree and the rules' shared analyses after the check (the
    /// CLI exits right after; freeing
    /// a 2 MB pipeline's nodes costs a quarter of the run).
    pub leak_model: bool,
}

impl<'a> CheckOptions<'a> {
    /// How the command line checks a target: the run's `--root`, the settings' entry, and
    /// the model left unfreed (the process exits right after).
    pub fn for_cli(
        root: Option<PathBuf>,
        settings: &'a crate::settings::Settings,
        shared: &Arc<Shared>,
    ) -> Self {
        CheckOptions {
            root,
            entry: settings.entry.clone(),
            settings,
            shared: Arc::clone(shared),
            leak_model: true,
        }
    }
}

/// What the checks of one command share, made once by the command: the folder answers
/// and what is known of ShellCheck (its version probe runs beside the first checks).
#[derive(Default)]
pub struct Shared {
    pub folders: Folders,
    pub shellcheck: Arc<crate::shellcheck::Finder>,
}

/// An I/O problem that stops the run (exit 2).
#[derive(Debug)]
pub struct IoError(pub String);

/// The nearest ancestor folder (or the folder itself) holding `.git`.
pub fn find_repo_root(folders: &Folders, start: &Path) -> Option<PathBuf> {
    folders.find_upward(".git", start, |dir| {
        dir.join(".git").exists().then(|| dir.to_path_buf())
    })
}

/// Expand the command line's paths: directories are searched for pipeline files.
pub fn targets(
    paths: &[PathBuf],
    root: Option<&Path>,
    folders: &Folders,
) -> Result<Vec<Target>, IoError> {
    if paths.is_empty() {
        let cwd = working_folder(folders)?;
        let root = root
            .map(Path::to_path_buf)
            .or_else(|| find_repo_root(folders, &cwd))
            .unwrap_or(cwd);
        let file = root.join(".gitlab-ci.yml");
        if !file.is_file() {
            return Err(IoError(format!(
                "no .gitlab-ci.yml in {}; pass a path to check",
                root.display()
            )));
        }
        return Ok(vec![Target::File(relative_to_cwd(&file, folders))]);
    }
    let mut out = Vec::new();
    for p in paths {
        if p.as_os_str() == "-" {
            out.push(Target::Stdin);
        } else if p.is_dir() {
            let found = find_pipelines(p);
            if found.is_empty() {
                return Err(IoError(format!(
                    "{}: no .gitlab-ci.yml or *.gitlab-ci.yml file found",
                    p.display()
                )));
            }
            out.extend(found.into_iter().map(Target::File));
        } else if p.exists() {
            out.push(Target::File(p.clone()));
        } else {
            return Err(IoError(format!(
                "{}: no such file or directory",
                p.display()
            )));
        }
    }
    Ok(out)
}

/// The working folder, or the error that names why there is none.
fn working_folder(folders: &Folders) -> Result<PathBuf, IoError> {
    folders
        .cwd()
        .map(Path::to_path_buf)
        .ok_or_else(|| IoError("the working folder cannot be read".into()))
}

fn relative_to_cwd(p: &Path, folders: &Folders) -> PathBuf {
    folders
        .cwd()
        .and_then(|cwd| p.strip_prefix(cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| p.to_path_buf())
}

fn find_pipelines(dir: &Path) -> Vec<PathBuf> {
    let skip = |name: &str| matches!(name, ".git" | "target" | "node_modules");
    let mut found = load::files_below(dir, &skip, usize::MAX);
    found.retain(|p| {
        p.file_name()
            .is_some_and(|n| n.to_string_lossy().ends_with(".gitlab-ci.yml"))
    });
    found
}

/// How a root folder is shown: relative to the current folder when it is below it.
fn display_of(root: &Path, folders: &Folders) -> String {
    let shown = relative_to_cwd(root, folders);
    let s = shown.to_string_lossy().replace('\\', "/");
    if s.is_empty() {
        String::new()
    } else {
        s
    }
}

struct Located {
    root: Option<PathBuf>,
    certain: bool,
    /// The root as shown (relative to the working folder when below it).
    display: String,
}

fn locate_root(file_dir: &Path, explicit: Option<&Path>, folders: &Folders) -> Located {
    let (root, certain) = match explicit {
        Some(r) => (
            Some(folders.canonical(r).unwrap_or_else(|| r.to_path_buf())),
            true,
        ),
        None => match find_repo_root(folders, file_dir) {
            Some(r) => (Some(r), true),
            None => (folders.canonical(file_dir), false),
        },
    };
    let display = root
        .as_deref()
        .map(|r| display_of(r, folders))
        .unwrap_or_default();
    Located {
        root,
        certain,
        display,
    }
}

fn is_entry(path: &Path, entry: Option<&Path>, folders: &Folders) -> bool {
    if path.file_name().is_some_and(|n| n == ".gitlab-ci.yml") {
        return true;
    }
    match entry {
        Some(e) => folders.canonical(e) == folders.canonical(path),
        None => false,
    }
}

fn build(
    sources: Sources,
    id: u32,
    problem: Option<load::FileProblem>,
    located: &Located,
    role: Role,
    includes: Option<&crate::fetch::Includes>,
) -> Pipeline {
    let opts = BuildOptions {
        display_root: located.display.clone(),
        root: located.root.clone(),
        root_certain: located.certain,
        role,
    };
    Pipeline::build_with(sources, id, problem, &opts, includes)
}

fn finish(pipeline: Pipeline, opts: &CheckOptions<'_>, only_file: Option<&Path>) -> FileReport {
    let settings = opts.settings;
    let shellcheck = crate::shellcheck::start(&pipeline, settings, &opts.shared.shellcheck);
    let mut diagnostics = rules::check_leaking(&pipeline, &settings.rule_run(), opts.leak_model);
    diagnostics.extend(shellcheck.finish());
    crate::shellcheck::fix::settle(&pipeline, &mut diagnostics);
    crate::fix::scope::settle(&pipeline, &mut diagnostics);
    // Comments that suppress ShellCheck codes are unused only when ShellCheck ran (asked
    // only when comments are honoured, as before).
    let shellcheck_ran = !settings.no_ignores
        && settings.enabled(crate::rules::shellcheck::META.code)
        && matches!(opts.shared.shellcheck.discover(settings), Ok(Some(_)));
    let (suppressed, checked) = post::run(
        &pipeline,
        &mut diagnostics,
        settings,
        shellcheck_ran,
        only_file,
    );
    let (sources, model) = pipeline.into_parts();
    if opts.leak_model {
        std::mem::forget(model);
    }
    FileReport {
        sources,
        diagnostics,
        suppressed,
        checked,
    }
}

/// `work(i)` for every `i` below `n`, spread over the machine's cores; results in order.
pub fn on_all_cores<T: Send>(n: usize, work: impl Fn(usize) -> T + Sync) -> Vec<T> {
    // One item (the usual `kaslint check`): no need to ask for the core count (cgroup files).
    if n <= 1 {
        return (0..n).map(work).collect();
    }
    let threads = std::thread::available_parallelism()
        .map_or(1, |c| c.get())
        .min(n)
        .max(1);
    if threads == 1 {
        return (0..n).map(work).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut slots: Vec<Option<T>> = (0..n).map(|_| None).collect();
    let results = std::sync::Mutex::new(&mut slots);
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= n {
                    break;
                }
                let r = work(i);
                results.lock().expect("no panic while holding the lock")[i] = Some(r);
            });
        }
    });
    slots
        .into_iter()
        .map(|r| r.expect("every item done"))
        .collect()
}

/// Build and check the pipeline for one target.
pub fn check_target(target: &Target, opts: &CheckOptions<'_>) -> Result<FileReport, IoError> {
    Ok(check_loaded(load_for(target, opts)?, opts))
}

/// Build the pipeline for one target as `opts` say (root, entry, includes, folders).
pub fn load_for(target: &Target, opts: &CheckOptions<'_>) -> Result<Loaded, IoError> {
    load_target_with(
        target,
        opts.root.as_deref(),
        opts.entry.as_deref(),
        opts.settings.includes.reader.as_deref(),
        &opts.shared.folders,
    )
}

/// Check a pipeline [`load_target`] built.
pub fn check_loaded(pipeline: Loaded, opts: &CheckOptions<'_>) -> FileReport {
    let only = match &pipeline {
        Loaded::Within(_, file) => Some(file.clone()),
        Loaded::Alone(_) => None,
    };
    let p = match pipeline {
        Loaded::Within(p, _) | Loaded::Alone(p) => p,
    };
    finish(p, opts, only.as_deref())
}

/// A pipeline built for a target: on its own, or the repository's pipeline that includes it.
pub enum Loaded {
    Alone(Pipeline),
    Within(Pipeline, PathBuf),
}

impl Loaded {
    pub fn pipeline(&self) -> &Pipeline {
        match self {
            Loaded::Alone(p) | Loaded::Within(p, _) => p,
        }
    }
}

pub fn load_target(
    target: &Target,
    root: Option<&Path>,
    entry: Option<&Path>,
    folders: &Folders,
) -> Result<Loaded, IoError> {
    load_target_with(target, root, entry, None, folders)
}

/// [`load_target`], reading project, component, template and remote includes through
/// `includes`.
pub fn load_target_with(
    target: &Target,
    root: Option<&Path>,
    entry: Option<&Path>,
    includes: Option<&crate::fetch::Includes>,
    folders: &Folders,
) -> Result<Loaded, IoError> {
    match target {
        Target::Stdin => {
            let mut bytes = Vec::new();
            use std::io::Read;
            std::io::stdin()
                .take(load::MAX_FILE_BYTES as u64 + 1)
                .read_to_end(&mut bytes)
                .map_err(|e| IoError(format!("<stdin>: {e}")))?;
            let cwd = working_folder(folders)?;
            let located = locate_root(&cwd, root, folders);
            let mut sources = Sources::default();
            let (id, problem) = load::decode(&mut sources, "<stdin>".into(), None, bytes);
            Ok(Loaded::Alone(build(
                sources,
                id,
                problem,
                &located,
                Role::Entry,
                includes,
            )))
        }
        Target::File(path) => {
            let bytes = load::read_limited(path)
                .map_err(|e| IoError(format!("{}: {e}", path.display())))?;
            let dir = path
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            let located = locate_root(dir, root, folders);
            let role = if is_entry(path, entry, folders) {
                Role::Entry
            } else {
                Role::Fragment
            };
            if role == Role::Fragment && located.certain {
                if let Some(p) =
                    within_repository_pipeline(path, &located, entry, includes, folders)
                {
                    return Ok(p);
                }
            }
            let mut sources = Sources::default();
            let canonical = folders.canonical(path);
            let name = path.to_string_lossy().into_owned();
            let (id, problem) = load::decode(&mut sources, name, canonical.as_deref(), bytes);
            Ok(Loaded::Alone(build(
                sources, id, problem, &located, role, includes,
            )))
        }
    }
}

/// When the repository's entry file includes `path`, check `path` as part of it.
fn within_repository_pipeline(
    path: &Path,
    located: &Located,
    entry: Option<&Path>,
    includes: Option<&crate::fetch::Includes>,
    folders: &Folders,
) -> Option<Loaded> {
    let root = located.root.as_ref()?;
    let entry_path = entry
        .map(Path::to_path_buf)
        .unwrap_or_else(|| root.join(".gitlab-ci.yml"));
    let canonical = folders.canonical(path)?;
    let entry_canonical = folders.canonical(&entry_path)?;
    if canonical == entry_canonical {
        return None;
    }
    let bytes = load::read_limited(&entry_canonical).ok()?;
    let mut sources = Sources::default();
    let name = relative_to_cwd(&entry_canonical, folders)
        .to_string_lossy()
        .into_owned();
    let (id, problem) = load::decode(&mut sources, name, Some(&entry_canonical), bytes);
    let pipeline = build(sources, id, problem, located, Role::Entry, includes);
    let included = pipeline
        .included
        .iter()
        .any(|f| pipeline.sources.get(*f).path.as_deref() == Some(canonical.as_path()));
    included.then_some(Loaded::Within(pipeline, canonical))
}
