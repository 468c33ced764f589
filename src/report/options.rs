//! What the machine formats (`gitlab`, `sarif`, `junit`) share: their options, the path
//! each writes for a file, and the stable fingerprint of a finding.
//!
//! Report code never reads the environment: the CLI reads `CI_PROJECT_DIR` once and passes
//! it here as [`RenderOptions::project_dir`].

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

use sha2::{Digest, Sha256};

use super::{Diagnostic, FileReport};
use crate::load::{SourceFile, Sources};

/// Options of the machine formats.
#[derive(Clone, Debug)]
pub struct RenderOptions {
    /// The project's checkout (`CI_PROJECT_DIR` in GitLab CI). Paths of files below it are
    /// written relative to it (and, in SARIF, against the `%SRCROOT%` base).
    pub project_dir: Option<PathBuf>,
    /// kaslint's version, written in SARIF's `tool.driver.version`.
    pub tool_version: &'static str,
}

impl RenderOptions {
    pub fn new(project_dir: Option<PathBuf>) -> Self {
        RenderOptions {
            project_dir,
            tool_version: env!("CARGO_PKG_VERSION"),
        }
    }
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions::new(None)
    }
}

/// A file's path as a machine format writes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ReportPath {
    /// `/`-separated; relative to the project when `in_project`, else as displayed.
    pub path: String,
    /// The file lies below [`RenderOptions::project_dir`].
    pub in_project: bool,
}

/// Turns files into [`ReportPath`]s (the project directory is resolved once).
pub(crate) struct Paths {
    bases: Vec<PathBuf>,
}

impl Paths {
    pub(crate) fn new(opts: &RenderOptions) -> Self {
        let mut bases = Vec::new();
        if let Some(dir) = &opts.project_dir {
            bases.push(dir.clone());
            // Files carry canonical paths; the project directory may be given through a symlink.
            if let Ok(canonical) = std::fs::canonicalize(dir) {
                if canonical != *dir {
                    bases.push(canonical);
                }
            }
        }
        Paths { bases }
    }

    /// The project directory as given, when there is one.
    pub(crate) fn project_dir(&self) -> Option<&Path> {
        self.bases.first().map(PathBuf::as_path)
    }

    pub(crate) fn of(&self, file: &SourceFile) -> ReportPath {
        let candidates = file
            .path
            .as_deref()
            .into_iter()
            .chain(std::iter::once(Path::new(&file.name)));
        for candidate in candidates {
            for base in &self.bases {
                if let Some(rel) = relative(candidate, base) {
                    return ReportPath {
                        path: rel,
                        in_project: true,
                    };
                }
            }
        }
        ReportPath {
            path: file.name.clone(),
            in_project: false,
        }
    }
}

/// `path` below `base` as a `/`-separated relative path (None when not strictly below it,
/// or when the rest is not plain names).
fn relative(path: &Path, base: &Path) -> Option<String> {
    if !path.is_absolute() || !base.is_absolute() {
        return None;
    }
    let rest = path.strip_prefix(base).ok()?;
    let mut parts = Vec::new();
    for c in rest.components() {
        match c {
            Component::Normal(s) => parts.push(s.to_string_lossy().into_owned()),
            Component::CurDir => {}
            _ => return None,
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// Version of the fingerprint recipe; change it only with a changelog entry, since
/// GitLab and SARIF consumers compare fingerprints across pipelines.
const FINGERPRINT_RECIPE: &str = "kaslint-fingerprint-v1";

/// At most this many characters of the finding's source text enter its fingerprint.
const SNIPPET_CHARS: usize = 200;

/// The fingerprint of one finding.
#[derive(Clone, Debug)]
pub(crate) struct Fingerprint {
    /// 64 lowercase hex digits.
    pub value: String,
    /// The very same finding (same file, span, rule, job and message) was already seen in an
    /// earlier report of this run (a file checked twice, e.g. as entry and as include).
    pub duplicate: bool,
}

/// The fingerprints of every finding, per report and in the reports' order.
///
/// SHA-256 of the code, the file's report path, the job, the normalised source text of the
/// first line of the primary span (or of the line it sits on when empty) and the message: no
/// line or column, so a finding keeps its fingerprint when unrelated lines move. Two distinct
/// findings with the same inputs get a counter (`#1`, `#2`, … in file order) hashed in.
pub(crate) fn fingerprints(reports: &[FileReport], paths: &Paths) -> Vec<Vec<Fingerprint>> {
    // base hash -> identities already given a fingerprint from it
    let mut seen: HashMap<String, Vec<Identity>> = HashMap::new();
    let mut out = Vec::with_capacity(reports.len());
    for r in reports {
        let mut per = Vec::with_capacity(r.diagnostics.len());
        for d in &r.diagnostics {
            let file = r.sources.get(d.primary.file);
            let path = paths.of(file).path;
            let base = hex(&Sha256::digest(
                [
                    FINGERPRINT_RECIPE,
                    d.code(),
                    &path,
                    d.job.as_deref().unwrap_or(""),
                    &snippet(&r.sources, d),
                    &d.message,
                ]
                .join("\0"),
            ));
            let identity = Identity {
                path,
                start: d.primary.start,
                end: d.primary.end,
                code: d.code().to_string(),
                job: d.job.clone(),
                message: d.message.clone(),
            };
            let taken = seen.entry(base.clone()).or_default();
            let (n, duplicate) = match taken.iter().position(|i| *i == identity) {
                Some(n) => (n, true),
                None => {
                    taken.push(identity);
                    (taken.len() - 1, false)
                }
            };
            let value = if n == 0 {
                base
            } else {
                hex(&Sha256::digest(format!("{base}#{n}")))
            };
            per.push(Fingerprint { value, duplicate });
        }
        out.push(per);
    }
    out
}

#[derive(PartialEq, Eq)]
struct Identity {
    path: String,
    start: u32,
    end: u32,
    code: String,
    job: Option<String>,
    message: String,
}

/// The finding's source text, whitespace-collapsed: the first line of the primary span, or
/// the line the span sits on when it has no text.
fn snippet(sources: &Sources, d: &Diagnostic) -> String {
    let file = sources.get(d.primary.file);
    let text = file.text.get(d.primary.range()).unwrap_or("");
    let first = text.lines().map(str::trim).find(|l| !l.is_empty());
    let line = match first {
        Some(l) => l,
        None => {
            let (line, _) = file.line_col(d.primary.start);
            file.line_text(line).trim()
        }
    };
    let mut out = String::new();
    for word in line.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out.chars().take(SNIPPET_CHARS).collect()
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 0xf) as usize] as char);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths() {
        let base = Path::new("/builds/group/project");
        assert_eq!(
            relative(Path::new("/builds/group/project/ci/a.yml"), base).as_deref(),
            Some("ci/a.yml")
        );
        assert_eq!(relative(Path::new("/builds/group/other/a.yml"), base), None);
        assert_eq!(relative(base, base), None);
        assert_eq!(relative(Path::new("ci/a.yml"), base), None);
    }

    #[test]
    fn hex_digits() {
        assert_eq!(hex(&[0x00, 0xab, 0x7f]), "00ab7f");
    }
}
