//! The include cache on disk, under `<cache root>/includes/`:
//!
//! - `servers/<server>/<project>/refs/<ref>`: the commit a ref resolved to (one line
//!   `<commit> <kind>`, then the name to show);
//! - `servers/<server>/<project>/trees/<commit>/`: that commit's YAML files, with a
//!   listing (`.kaslint-listing`: the SHA-256 and path of each file) written last;
//! - `remote/<sha256 of the URL>`, `templates/<server>/<name>`: single files.
//!
//! A tree is built in `tmp/` and renamed into place whole; single files go through
//! [`write_atomic`]. Two processes filling the same entry both build complete copies and
//! one rename wins: no reader ever sees half an entry. Every read checks the listing's
//! hashes, so a damaged entry is reported (and fetched again with `--fetch`), never used.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::write::write_atomic;

pub const LISTING: &str = ".kaslint-listing";
/// Present in a tree kept in part (a project past the size limits).
pub const PARTIAL: &str = ".kaslint-partial";

/// A file-name part for any text: `[A-Za-z0-9._-]` kept, everything else `%XX`; never
/// `.` or `..`.
pub fn key(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    if out.is_empty() || out.chars().all(|c| c == '.') {
        out = out.replace('.', "%2E");
        out.push('%');
    }
    out
}

/// The server address without credentials (never part of a cache path).
pub fn server_name(server: &str) -> String {
    match server.split_once("://") {
        Some((scheme, rest)) => {
            let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
            let host = host.rsplit('@').next().unwrap_or(host);
            format!("{scheme}://{host}/{path}")
                .trim_end_matches('/')
                .to_string()
        }
        None => server.to_string(),
    }
}

pub fn project_dir(cache: &Path, server: &str, project: &str) -> PathBuf {
    let mut dir = cache.join("servers").join(key(&server_name(server)));
    for part in project.to_lowercase().split('/').filter(|p| !p.is_empty()) {
        dir = dir.join(key(part));
    }
    dir
}

/// How a ref resolved, as recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefRecord {
    pub commit: String,
    /// `sha`, `tag`, `branch`, `head`, `latest` or `semver`.
    pub kind: String,
    /// The name shown (`1.2.0` for `~latest`).
    pub shown: String,
}

impl RefRecord {
    /// A SHA or a tag never moves: never resolved again.
    pub fn immutable(&self) -> bool {
        matches!(self.kind.as_str(), "sha" | "tag")
    }
}

fn ref_path(project_dir: &Path, reference: &str) -> PathBuf {
    project_dir.join("refs").join(key(reference))
}

/// The recorded resolution of `reference`, if any (a damaged record reads as none).
pub fn read_ref(project_dir: &Path, reference: &str) -> Option<RefRecord> {
    let text = fs::read_to_string(ref_path(project_dir, reference)).ok()?;
    let mut lines = text.lines();
    let (commit, kind) = lines.next()?.split_once(' ')?;
    let shown = lines.next()?.to_string();
    let hex = commit.len() == 40 && commit.bytes().all(|b| b.is_ascii_hexdigit());
    (hex && !kind.is_empty()).then(|| RefRecord {
        commit: commit.to_string(),
        kind: kind.to_string(),
        shown,
    })
}

pub fn write_ref(project_dir: &Path, reference: &str, record: &RefRecord) -> Result<(), String> {
    let text = format!("{} {}\n{}\n", record.commit, record.kind, record.shown);
    write_atomic(&ref_path(project_dir, reference), text.as_bytes(), true).map_err(|e| e.0)
}

pub fn tree_dir(project_dir: &Path, commit: &str) -> PathBuf {
    project_dir.join("trees").join(key(commit))
}

/// The listing of a complete tree: (SHA-256 hex, path), sorted by path.
pub fn tree_listing(dir: &Path) -> Option<Vec<(String, String)>> {
    let text = fs::read_to_string(dir.join(LISTING)).ok()?;
    let mut out = Vec::new();
    for line in text.lines() {
        let (hash, path) = line.split_once(' ')?;
        if hash.len() != 64 || path.is_empty() {
            return None;
        }
        out.push((hash.to_string(), path.to_string()));
    }
    Some(out)
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// What reading a file from a tree found.
pub enum TreeFile {
    Found(PathBuf, Vec<u8>),
    Missing,
    /// Not kept: the tree was kept in part.
    NotKept,
    /// The entry is damaged (no listing, a file gone or changed).
    Corrupt(String),
}

pub fn read_tree_file(dir: &Path, path: &str) -> TreeFile {
    let Some(listing) = tree_listing(dir) else {
        return TreeFile::Corrupt(format!("`{}` has no valid listing", dir.display()));
    };
    let Ok(i) = listing.binary_search_by(|(_, p)| p.as_str().cmp(path)) else {
        if dir.join(PARTIAL).exists() {
            return TreeFile::NotKept;
        }
        return TreeFile::Missing;
    };
    let full = dir.join(path);
    match fs::read(&full) {
        Ok(bytes) if sha256_hex(&bytes) == listing[i].0 => TreeFile::Found(full, bytes),
        Ok(_) => TreeFile::Corrupt(format!("`{}` does not match its listing", full.display())),
        Err(e) => TreeFile::Corrupt(format!("`{}`: {e}", full.display())),
    }
}

/// A new empty folder under `<cache>/tmp/` to build an entry in.
pub fn temp_dir(cache: &Path) -> io::Result<PathBuf> {
    let base = cache.join("tmp");
    fs::create_dir_all(&base)?;
    let pid = std::process::id();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    for n in 0..100u32 {
        let dir = base.join(format!("{pid}.{nanos}.{n}"));
        match fs::create_dir(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::other("no free temporary folder name"))
}

/// Write `files` (path, bytes) and their listing into `tmp`, then move `tmp` to `dest`.
/// When another process placed a complete `dest` first, its copy stays.
pub fn place_tree(
    tmp: &Path,
    dest: &Path,
    files: &[(String, Vec<u8>)],
    partial: bool,
) -> Result<(), String> {
    let fail = |e: io::Error| format!("cannot write the cache entry `{}`: {e}", dest.display());
    let mut listing: Vec<(String, &str)> = Vec::new();
    for (path, bytes) in files {
        let full = tmp.join(path);
        if let Some(parent) = full.parent() {
            fs::create_dir_all(parent).map_err(fail)?;
        }
        fs::write(&full, bytes).map_err(fail)?;
        listing.push((sha256_hex(bytes), path));
    }
    listing.sort_by(|a, b| a.1.cmp(b.1));
    let text: String = listing.iter().map(|(h, p)| format!("{h} {p}\n")).collect();
    if partial {
        fs::write(tmp.join(PARTIAL), b"").map_err(fail)?;
    }
    fs::write(tmp.join(LISTING), text).map_err(fail)?;
    if let Some(parent) = dest.parent() {
        fs::create_dir_all(parent).map_err(fail)?;
    }
    if tree_listing(dest).is_some() {
        let _ = fs::remove_dir_all(tmp);
        return Ok(());
    }
    // A damaged entry in the way goes first.
    if dest.exists() {
        let _ = fs::remove_dir_all(dest);
    }
    match fs::rename(tmp, dest) {
        Ok(()) => Ok(()),
        Err(_) if tree_listing(dest).is_some() => {
            let _ = fs::remove_dir_all(tmp);
            Ok(())
        }
        Err(e) => {
            let _ = fs::remove_dir_all(tmp);
            Err(fail(e))
        }
    }
}

/// Remove a damaged tree (before fetching it again).
pub fn remove_tree(dir: &Path) {
    let _ = fs::remove_dir_all(dir);
}

/// The folder of a single cached file (remote, template from the API).
pub fn blob_dir(cache: &Path, kind: &str, name: &str) -> PathBuf {
    cache.join(kind).join(sha256_hex(name.as_bytes()))
}

/// Keep `bytes` as the current content of `dir`: the file is named by its SHA-256,
/// then the `current` pointer is replaced (both atomically).
pub fn write_blob(dir: &Path, bytes: &[u8]) -> Result<PathBuf, String> {
    let hash = sha256_hex(bytes);
    let path = dir.join(format!("{hash}.yml"));
    write_atomic(&path, bytes, true).map_err(|e| e.0)?;
    write_atomic(&dir.join("current"), hash.as_bytes(), true).map_err(|e| e.0)?;
    Ok(path)
}

/// The current content of `dir`: `Missing` when never fetched.
pub fn read_blob(dir: &Path) -> TreeFile {
    let Ok(hash) = fs::read_to_string(dir.join("current")) else {
        return TreeFile::Missing;
    };
    let hash = hash.trim();
    if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        return TreeFile::Corrupt(format!("`{}` is not a hash", dir.join("current").display()));
    }
    let path = dir.join(format!("{hash}.yml"));
    match fs::read(&path) {
        Ok(bytes) if sha256_hex(&bytes) == hash => TreeFile::Found(path, bytes),
        Ok(_) => TreeFile::Corrupt(format!("`{}` does not match its hash", path.display())),
        Err(e) => TreeFile::Corrupt(format!("`{}`: {e}", path.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_plain_file_names() {
        assert_eq!(key("~latest"), "%7Elatest");
        assert_eq!(key("a/b"), "a%2Fb");
        assert_eq!(key(".."), "%2E%2E%");
        assert_eq!(key("v1.2.0"), "v1.2.0");
    }

    #[test]
    fn credentials_never_reach_a_path() {
        assert_eq!(
            server_name("https://gitlab-ci-token:secret@gitlab.example.com/"),
            "https://gitlab.example.com"
        );
        let dir = project_dir(
            Path::new("/c"),
            "https://u:p@h.example",
            "Group/Sub/Project",
        );
        assert!(!dir.to_string_lossy().contains("p@"));
        assert!(dir.ends_with("group/sub/project"));
    }
}
