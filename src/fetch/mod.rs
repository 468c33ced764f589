//! Includes from beyond the repository: `project:`, `component:`, `template:` and
//! `remote:` files, read through one small [`Source`] trait each, and kept in a cache
//! (`<cache root>/includes/`) so that `kaslint check` reads them offline.
//!
//! Network discipline: in [`Mode::Offline`] (plain `kaslint check`) nothing but the cache
//! is read; [`Mode::Fetch`] (`kaslint fetch`, `check --fetch`) fetches what the cache
//! lacks; [`Mode::Refresh`] also re-resolves moving refs (branches, `HEAD`, `~latest`,
//! partial versions). Immutable refs (a commit SHA, a tag) are never fetched twice.
//! Nothing fetched is ever executed: git files are read from a bare repository with
//! `git cat-file`, and every cache entry is placed by an atomic rename.

pub mod component;
pub mod git;
pub mod http;
pub mod project;
pub mod remote;
pub mod store;
pub mod template;

use std::path::PathBuf;
use std::time::Duration;

/// Whether the network may be used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// The cache only (`kaslint check`).
    Offline,
    /// Fetch what the cache lacks (`kaslint fetch`, `check --fetch`).
    Fetch,
    /// Fetch what the cache lacks and re-resolve moving refs (`--refresh`).
    Refresh,
}

/// One include to read, as written (variables other than `$CI_SERVER_FQDN` are left
/// to the caller: a location with `$` is not requested).
#[derive(Clone, Debug)]
pub enum Request<'a> {
    Project {
        project: &'a str,
        reference: Option<&'a str>,
        file: &'a str,
    },
    /// A local include inside a file read from a project at a commit.
    Local {
        tree: &'a Tree,
        file: &'a str,
    },
    Component {
        location: &'a str,
    },
    Template {
        name: &'a str,
    },
    Remote {
        url: &'a str,
        integrity: Option<&'a str>,
    },
}

/// A project's files at one commit, in the cache.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tree {
    /// The project's full path (`group/project`).
    pub project: String,
    /// The ref as shown (`main`, `1.2.0`, a SHA).
    pub shown_ref: String,
    pub commit: String,
    /// The cache folder holding the files.
    pub dir: PathBuf,
}

impl Tree {
    /// How a file of the tree is named in findings: `group/project@ref:path`.
    pub fn display(&self, path: &str) -> String {
        format!("{}@{}:{}", self.project, self.shown_ref, path)
    }

    /// The YAML files of the tree (for wildcards), sorted.
    pub fn files(&self) -> Vec<String> {
        store::tree_listing(&self.dir)
            .map(|l| l.into_iter().map(|(_, p)| p).collect())
            .unwrap_or_default()
    }
}

/// What a component include resolved to (`$[[ component.* ]]`).
#[derive(Clone, Debug, Default)]
pub struct ComponentInfo {
    pub name: String,
    pub sha: String,
    /// The version as written (`1.2`, `~latest`, a tag, a branch, a SHA).
    pub reference: String,
    /// The released version it resolved to, when a tag (else the ref as written).
    pub version: String,
}

/// A file read from a source.
#[derive(Clone, Debug)]
pub struct Fetched {
    /// The name findings show (`group/project@ref:path`, a URL, `template:Name`).
    pub name: String,
    /// Where the bytes are on disk (the cache entry).
    pub path: PathBuf,
    pub bytes: Vec<u8>,
    /// For git files: the project and commit local includes inside it are read from.
    pub tree: Option<Tree>,
    pub component: Option<ComponentInfo>,
    /// A note worth showing with findings (e.g. how `~latest` was resolved offline).
    pub note: Option<String>,
}

/// Why an include could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FetchError {
    /// Not in the cache and the network is not to be used: not checked (info).
    NotCached(String),
    /// The fetch failed for a reason that says nothing about the pipeline (network,
    /// credentials, a corrupt cache entry, a nested template the API cannot serve).
    Unavailable(String),
    /// GitLab would refuse the include too because what it names does not exist (a
    /// project ref or file, a component, an HTTP error): an error, in GitLab's words.
    Refused(String),
    /// GitLab would refuse the content (an integrity mismatch, past the size limit).
    Invalid(String),
}

impl FetchError {
    pub fn message(&self) -> &str {
        match self {
            FetchError::NotCached(m)
            | FetchError::Unavailable(m)
            | FetchError::Refused(m)
            | FetchError::Invalid(m) => m,
        }
    }
}

/// One kind of include source.
pub trait Source: Sync {
    /// Read the file `request` names (from the cache, fetching when `ctx` allows).
    fn read(&self, request: &Request<'_>, ctx: &Context) -> Result<Fetched, FetchError>;
}

/// What every source shares: where the server is, where the cache is, the mode.
#[derive(Clone, Debug)]
pub struct Context {
    pub mode: Mode,
    /// The server's base address (`https://gitlab.example.com`, `ssh://…`, `file:///…`).
    pub server: String,
    /// `$CI_SERVER_FQDN` as components name it: the server's host (and port).
    pub fqdn: String,
    /// `<cache root>/includes`.
    pub cache: PathBuf,
    /// A folder of GitLab's CI templates (`lib/gitlab/ci/templates`).
    pub templates: Option<PathBuf>,
    /// `CI_JOB_TOKEN`, used only for `server` over HTTPS (never stored).
    pub job_token: Option<String>,
    /// Upper bound of one git process or HTTP request.
    pub timeout: Duration,
    /// What this run has re-resolved already (`--refresh` goes to the network once per
    /// ref or address, however many includes name it).
    refreshed: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

/// The default server: `$CI_SERVER_URL`, else gitlab.com.
pub const DEFAULT_SERVER: &str = "https://gitlab.com";

impl Context {
    pub fn new(mode: Mode, server: &str, cache_root: PathBuf) -> Context {
        let server = server.trim_end_matches('/').to_string();
        Context {
            mode,
            fqdn: fqdn_of(&server),
            server,
            cache: cache_root.join("includes"),
            templates: None,
            job_token: None,
            timeout: Duration::from_secs(120),
            refreshed: Default::default(),
        }
    }

    /// Whether `key` (a ref or an address) is to be re-resolved now: in
    /// [`Mode::Refresh`], the first time this run asks.
    pub fn refresh_now(&self, key: &str) -> bool {
        if self.mode != Mode::Refresh {
            return false;
        }
        let mut done = self.refreshed.lock().unwrap_or_else(|e| e.into_inner());
        if done.iter().any(|k| k == key) {
            return false;
        }
        done.push(key.to_string());
        true
    }
}

/// The host (and port) of a server address; `localhost` for a `file://` server.
pub fn fqdn_of(server: &str) -> String {
    let rest = match server.split_once("://") {
        Some(("file", _)) | None => return "localhost".into(),
        Some((_, rest)) => rest,
    };
    let host = rest.split('/').next().unwrap_or(rest);
    // Credentials in the address are never part of the name.
    host.rsplit('@').next().unwrap_or(host).to_string()
}

/// The four sources behind one entry point.
#[derive(Debug)]
pub struct Includes {
    pub ctx: Context,
    project: project::ProjectSource,
    component: component::ComponentSource,
    template: template::TemplateSource,
    remote: remote::RemoteSource,
}

impl Includes {
    pub fn new(ctx: Context) -> Includes {
        Includes {
            ctx,
            project: project::ProjectSource,
            component: component::ComponentSource,
            template: template::TemplateSource,
            remote: remote::RemoteSource,
        }
    }

    pub fn read(&self, request: &Request<'_>) -> Result<Fetched, FetchError> {
        let source: &dyn Source = match request {
            Request::Project { .. } | Request::Local { .. } => &self.project,
            Request::Component { .. } => &self.component,
            Request::Template { .. } => &self.template,
            Request::Remote { .. } => &self.remote,
        };
        source.read(request, &self.ctx)
    }
}

/// The message for an include that is not in the cache.
pub fn not_cached(what: &str) -> FetchError {
    FetchError::NotCached(format!(
        "{what} is not in the cache; `kaslint fetch` (or `check --fetch`) reads it"
    ))
}
