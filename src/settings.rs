//! What a run is configured with, from `kaslint.toml` and the command line merged
//! (`src/config.rs` reads the file; `src/lib.rs` applies the flags). Rules read it only
//! through what the engine hands them ([`crate::rules::Run`], from
//! [`Settings::rule_run`]), never the environment.

use std::collections::HashMap;
use std::path::PathBuf;

use crate::data::images::ImageInfo;
use crate::environment::Environment;
use crate::report::Severity;

#[derive(Debug, Clone)]
pub struct Settings {
    /// Only these rule codes run (empty: all).
    pub select: Vec<&'static str>,
    /// These rule codes never run.
    pub ignore: Vec<&'static str>,
    /// Per-rule severity overrides, by code.
    pub severity: HashMap<&'static str, Severity>,
    /// Exit 1 for findings at or above this severity.
    pub fail_on: Severity,
    /// The pipeline's entry file (relative to the repository root or absolute).
    pub entry: Option<PathBuf>,
    /// Variables defined in project, group or instance settings (invisible in the files).
    pub variables: Vec<String>,
    /// Agent contexts known to exist (`path/to/config-project:agent-name`).
    pub contexts: Vec<String>,
    /// The checked project's full path (`group/subgroup/project`), for `ci_access` checks.
    pub project: Option<String>,
    /// Extra image catalogue entries (checked before the built-in ones).
    pub images: Vec<&'static ImageInfo>,
    /// Show findings that `# kaslint: ignore[...]` comments suppress.
    pub no_ignores: bool,
    /// Whether and where to run ShellCheck on job scripts.
    pub shellcheck: Shellcheck,
    /// Say more about what was skipped (e.g. scripts ShellCheck does not see).
    pub verbose: bool,
    /// Compute each finding's symbolic key path (for baselines).
    pub key_paths: bool,
    /// Where results are kept across runs (`crate::cache::root_from_env`); `None` with
    /// `--no-cache` (and by default: library callers opt in).
    pub cache: Option<PathBuf>,
    /// `[includes]`: the server and templates folder project, component, template and
    /// remote includes are read from, and the reader built from them for this run.
    pub includes: Includes,
}

/// `[includes]` in `kaslint.toml`, and the reader the CLI builds from it.
#[derive(Debug, Clone, Default)]
pub struct Includes {
    /// The GitLab server (default: `$CI_SERVER_URL`, else gitlab.com).
    pub server: Option<String>,
    /// A folder of GitLab's CI templates.
    pub templates: Option<PathBuf>,
    /// The reader (cache, and network when asked); `None`: includes are not read.
    pub reader: Option<std::sync::Arc<crate::fetch::Includes>>,
}

/// ShellCheck use: `Auto` runs it when found (an info note otherwise), `Off` never,
/// `Required` makes a missing ShellCheck an error (exit 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ShellcheckMode {
    #[default]
    Auto,
    Off,
    Required,
}

#[derive(Debug, Clone, Default)]
pub struct Shellcheck {
    pub mode: ShellcheckMode,
    /// An explicit binary (`--shellcheck PATH` or `[shellcheck] path`); else the
    /// `KASLINT_SHELLCHECK` environment variable, the folder of the kaslint binary, `PATH`.
    pub path: Option<PathBuf>,
    /// The value of `KASLINT_SHELLCHECK` (from [`Environment`]).
    pub env_path: Option<PathBuf>,
    /// `PATH` (from [`Environment`]): the folders searched last; `None` searches none.
    pub search_path: Option<std::ffi::OsString>,
}

impl Shellcheck {
    /// Look for ShellCheck where the environment says: `KASLINT_SHELLCHECK`, then `PATH`.
    pub fn locate_with(&mut self, env: &Environment) {
        self.env_path = env.shellcheck.clone();
        self.search_path = env.path.clone();
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            select: Vec::new(),
            ignore: Vec::new(),
            severity: HashMap::new(),
            fail_on: Severity::Warning,
            entry: None,
            variables: Vec::new(),
            contexts: Vec::new(),
            project: None,
            images: Vec::new(),
            no_ignores: false,
            shellcheck: Shellcheck::default(),
            verbose: false,
            key_paths: false,
            cache: None,
            includes: Includes::default(),
        }
    }
}

impl Settings {
    /// What the rules may know of this run (see [`crate::rules::Run`]).
    pub fn rule_run(&self) -> crate::rules::Run {
        crate::rules::Run {
            enabled: crate::rules::RULES
                .iter()
                .map(|r| r.meta().code)
                .filter(|c| self.enabled(c))
                .collect(),
            variables: self.variables.clone(),
            contexts: self.contexts.clone(),
            project: self.project.clone(),
            images: self.images.clone(),
            shellcheck: self.shellcheck.mode != ShellcheckMode::Off,
        }
    }

    pub fn enabled(&self, code: &str) -> bool {
        (self.select.is_empty() || self.select.contains(&code)) && !self.ignore.contains(&code)
    }

    pub fn severity_of(&self, code: &str, default: Severity) -> Severity {
        self.severity.get(code).copied().unwrap_or(default)
    }
}
