//! Loading: bytes → text (size, UTF-8) → spanned YAML tree → header and content documents.

mod node;
pub mod posmap;
mod psych;
pub mod scalar;
pub mod source;
pub mod yaml;

use std::io::Read;
use std::path::Path;

pub use source::{FileId, SourceFile, Sources, Span};
pub use yaml::{Map, Node, NodeRef, Value};

/// GitLab refuses configuration files larger than this.
pub const MAX_FILE_BYTES: usize = 2 * 1024 * 1024;

/// Something that makes a file unusable, reported as a finding at `span`.
#[derive(Clone, Debug)]
pub struct FileProblem {
    pub kind: FileProblemKind,
    pub span: Span,
    pub message: String,
    pub help: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileProblemKind {
    Syntax,
    TooBig,
    TooDeep,
    NotUtf8,
    NotMapping,
    Empty,
}

/// The files below `root` (not following into folders `skip_dir` names), sorted, at
/// most `limit` of them.
pub fn files_below(
    root: &Path,
    skip_dir: &dyn Fn(&str) -> bool,
    limit: usize,
) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut dirs = vec![root.to_path_buf()];
    'walk: while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let Ok(ft) = entry.file_type() else { continue };
            if ft.is_dir() {
                if !skip_dir(&entry.file_name().to_string_lossy()) {
                    dirs.push(entry.path());
                }
            } else {
                out.push(entry.path());
                if out.len() >= limit {
                    break 'walk;
                }
            }
        }
    }
    out.sort();
    out
}

thread_local! {
    /// Texts that stand in for files on disk (canonical path → text) while `--fix` checks
    /// a fix before writing it; see [`with_overlay`].
    static OVERLAY: std::cell::RefCell<Vec<(std::path::PathBuf, String)>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// Run `f` with `files` (canonical paths) read from memory instead of disk, on this thread.
pub fn with_overlay<T>(files: Vec<(std::path::PathBuf, String)>, f: impl FnOnce() -> T) -> T {
    let before = OVERLAY.with(|o| std::mem::replace(&mut *o.borrow_mut(), files));
    let out = f();
    OVERLAY.with(|o| *o.borrow_mut() = before);
    out
}

fn overlaid(path: &Path) -> Option<Vec<u8>> {
    OVERLAY.with(|o| {
        let o = o.borrow();
        if o.is_empty() {
            return None;
        }
        let canonical = std::fs::canonicalize(path).ok()?;
        o.iter()
            .find(|(p, _)| *p == canonical)
            .map(|(_, t)| t.clone().into_bytes())
    })
}

/// Read at most `MAX_FILE_BYTES + 1` bytes: a larger file is a finding, not an allocation.
pub fn read_limited(path: &Path) -> std::io::Result<Vec<u8>> {
    if let Some(bytes) = overlaid(path) {
        return Ok(bytes);
    }
    let file = std::fs::File::open(path)?;
    let meta = file.metadata()?;
    if meta.is_dir() {
        return Err(std::io::Error::other("is a directory"));
    }
    // Sized once (a growing buffer copies the file several times over); one byte more
    // tells a file over the limit, and a file that grows meanwhile still reads whole.
    let expected = usize::try_from(meta.len()).unwrap_or(usize::MAX);
    let mut buf = Vec::with_capacity(expected.min(MAX_FILE_BYTES) + 1);
    file.take(MAX_FILE_BYTES as u64 + 1).read_to_end(&mut buf)?;
    Ok(buf)
}

/// Turn raw bytes into a source file; a problem if they are too many or not UTF-8.
pub fn decode(
    sources: &mut Sources,
    name: String,
    path: Option<&Path>,
    bytes: Vec<u8>,
) -> (FileId, Option<FileProblem>) {
    if bytes.len() > MAX_FILE_BYTES {
        let id = sources.add(SourceFile::new(
            name,
            path.map(Path::to_path_buf),
            String::new(),
        ));
        return (
            id,
            Some(FileProblem {
                kind: FileProblemKind::TooBig,
                span: Span::point(id, 0),
                message: "The parsed YAML is too big".into(),
                help: Some(format!(
                    "the file is larger than {} MB",
                    MAX_FILE_BYTES / (1024 * 1024)
                )),
            }),
        );
    }
    match String::from_utf8(bytes) {
        Ok(text) => (
            sources.add(SourceFile::new(name, path.map(Path::to_path_buf), text)),
            None,
        ),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            // The lossy text has the same bytes up to `at`.
            let id = sources.add(SourceFile::new(name, path.map(Path::to_path_buf), text));
            let end = sources.get(id).text[at..]
                .chars()
                .next()
                .map_or(at, |c| at + c.len_utf8());
            (
                id,
                Some(FileProblem {
                    kind: FileProblemKind::NotUtf8,
                    span: Span::new(id, at, end),
                    message: "Invalid YAML syntax: the file is not valid UTF-8".into(),
                    help: Some("save the file as UTF-8".into()),
                }),
            )
        }
    }
}

/// One parsed file: its optional `spec:` header and its configuration document.
#[derive(Debug, Default)]
pub struct ParsedFile {
    /// Whether the file uses `!reference`.
    pub has_references: bool,
    pub header: Option<NodeRef>,
    pub content: Option<NodeRef>,
    pub duplicates: Vec<yaml::DuplicateKey>,
    pub problem: Option<FileProblem>,
}

/// Parse a decoded file. `content` is a mapping whenever `problem` is `None`.
pub fn parse_file(sources: &mut Sources, id: FileId) -> ParsedFile {
    let file = sources.get(id);
    // The agent reads its configuration with Go's YAML, not Psych.
    let agent_config = file.name.replace('\\', "/").contains(".gitlab/agents/");
    let text = &file.text;
    let parsed = if agent_config {
        yaml::parse_go(id, text)
    } else {
        yaml::parse(id, text)
    };
    let loaded = match parsed {
        Ok(l) => l,
        Err(e) => {
            let kind = match e.kind {
                yaml::ErrorKind::Syntax => FileProblemKind::Syntax,
                yaml::ErrorKind::TooDeep => FileProblemKind::TooDeep,
                yaml::ErrorKind::TooBig => FileProblemKind::TooBig,
            };
            let message = match kind {
                FileProblemKind::Syntax => format!("Invalid YAML syntax: {}", e.message),
                _ => "The parsed YAML is too big".to_string(),
            };
            let help = match kind {
                FileProblemKind::Syntax => split_key_hint(sources.get(id), e.span),
                _ => Some(e.message.clone()),
            };
            return ParsedFile {
                problem: Some(FileProblem {
                    kind,
                    span: e.span,
                    message,
                    help,
                }),
                ..ParsedFile::default()
            };
        }
    };
    sources.get_mut(id).comments = loaded.comments;
    let has_references = loaded.has_references;
    let mut docs = loaded.documents.into_iter();
    let first = docs.next();
    let second = docs.next();
    // GitLab's two-document form: a `spec:` header, `---`, then the configuration.
    let (header, content) = match (first, second) {
        (Some(h), Some(c)) if h.get("spec").is_some() => (Some(h), Some(c)),
        (Some(f), _) => (None, Some(f)),
        (None, _) => (None, None),
    };
    let problem = match &content {
        None => Some(FileProblem {
            kind: FileProblemKind::Empty,
            span: Span::point(id, 0),
            message: "Please provide content of .gitlab-ci.yml".into(),
            help: None,
        }),
        Some(c) if c.is_null() => Some(FileProblem {
            kind: FileProblemKind::Empty,
            span: c.span,
            message: "Please provide content of .gitlab-ci.yml".into(),
            help: None,
        }),
        Some(c) if c.as_map().is_none() => Some(FileProblem {
            kind: FileProblemKind::NotMapping,
            span: c.span,
            message: "Invalid configuration format".into(),
            help: None,
        }),
        _ => None,
    };
    ParsedFile {
        has_references,
        header,
        content: if problem.is_none() { content } else { None },
        duplicates: loaded.duplicates,
        problem,
    }
}

/// A keyword whose `_` became a line break or a space (`before` / `script:`), the
/// classic copy-paste damage: suggest the keyword.
fn split_key_hint(file: &SourceFile, at: Span) -> Option<String> {
    const SPLIT_KEYWORDS: &[&str] = &[
        "before_script",
        "after_script",
        "allow_failure",
        "on_stop",
        "auto_stop_in",
        "deployment_tier",
        "resource_group",
        "expire_in",
        "start_in",
        "id_tokens",
        "pull_policy",
    ];
    let (line, _) = file.line_col(at.start);
    let candidates = [line.saturating_sub(1), line, line + 1];
    for l in candidates.into_iter().filter(|l| *l > 0) {
        let here = file.line_text(l).trim().trim_start_matches("- ").trim();
        let here = here.split('#').next().unwrap_or("").trim();
        let next = file.line_text(l + 1).trim();
        let joined_break = format!("{here}_{}", next.split(':').next().unwrap_or(""));
        let joined_space = here.replace(' ', "_");
        for joined in [joined_break, joined_space] {
            let key = joined.trim_end_matches(':');
            if SPLIT_KEYWORDS.contains(&key) {
                return Some(format!(
                    "did you mean `{key}:`? The `_` of the keyword seems to have been lost"
                ));
            }
        }
    }
    None
}
