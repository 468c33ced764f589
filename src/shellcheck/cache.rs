//! ShellCheck results kept across runs, under `<cache root>/shellcheck/` (the root is
//! [`crate::environment::Environment::cache_root`], shared with fetched includes):
//!
//! - `results/<sha256>.json`: the comments ShellCheck gave one unit text, keyed by the
//!   ShellCheck version (and binary size), its options and excluded codes, the dialect
//!   and the exact text;
//! - `bin/<sha256 of the path>`: a binary's `--version` output, valid while the binary's
//!   size, modification time (and inode and change time on Unix) stay the same, so a warm
//!   run starts no ShellCheck process at all.
//!
//! Every write is a temporary file renamed into place ([`crate::write`]), so concurrent
//! runs see whole entries or none. An entry that does not parse, or names another key, is
//! a miss and is written again. The results are pruned, oldest first, past
//! [`MAX_BYTES`] (checked at most once per [`PRUNE_EVERY`]); a hit refreshes an entry's
//! time once a day so that entries in use survive.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use sha2::{Digest, Sha256};

use super::run::{Comment, ARGS};
use super::units::Dialect;
use super::Binary;
use crate::write::write_atomic_unsynced;

/// The results folder's size limit; pruning keeps the newest three quarters of it.
pub const MAX_BYTES: u64 = 32 << 20;
/// How often (at most) a run that wrote entries looks at the folder's size.
pub const PRUNE_EVERY: Duration = Duration::from_secs(3600);
/// A hit older than this gets a fresh modification time (pruning goes by it).
const TOUCH_AFTER: Duration = Duration::from_secs(24 * 3600);
/// Bumped when the entry format or the meaning of a key changes.
const FORMAT: &str = "kaslint-shellcheck-cache-1";

#[derive(serde::Serialize, serde::Deserialize)]
struct Entry {
    format: String,
    key: String,
    comments: Vec<Comment>,
}

/// The results of one ShellCheck version, under one cache root.
pub struct Cache {
    dir: PathBuf,
    /// The hash state after the version, build and options: each key goes on from it.
    salted: Sha256,
}

fn hex(digest: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(digest.len() * 2);
    for b in digest {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 15)] as char);
    }
    s
}

/// `<root>/shellcheck/<sub>`, created when missing; why it cannot be used otherwise.
fn folder(root: &Path, sub: &str) -> Result<PathBuf, String> {
    let dir = root.join("shellcheck").join(sub);
    if dir.is_dir() {
        return Ok(dir);
    }
    fs::create_dir_all(&dir).map_err(|e| format!("cannot create `{}`: {e}", dir.display()))?;
    Ok(dir)
}

impl Cache {
    /// The cache for `binary`'s results, or why there is none. A ShellCheck whose version
    /// is not known is not cached (its results could not be told apart).
    pub fn open(root: &Path, binary: &Binary) -> Result<Option<Cache>, String> {
        if binary.version == (0, 0, 0) {
            return Ok(None);
        }
        let dir = folder(root, "results")?;
        let salt = format!(
            "{FORMAT}\0{} {}\0{}",
            binary.version_text(),
            binary.size,
            ARGS.join(" ")
        );
        let mut salted = Sha256::new();
        salted.update(salt.as_bytes());
        Ok(Some(Cache { dir, salted }))
    }

    /// The key of one unit text checked in `dialect`.
    pub fn key(&self, dialect: Dialect, text: &str) -> String {
        let mut h = self.salted.clone();
        h.update(b"\0");
        h.update(dialect.name().as_bytes());
        h.update(dialect.disabled().as_bytes());
        h.update(b"\0");
        h.update(text.as_bytes());
        hex(&h.finalize())
    }

    fn path(&self, key: &str) -> PathBuf {
        self.dir.join(format!("{key}.json"))
    }

    /// The stored comments for `key`; `None` when absent, unreadable or corrupt.
    pub fn get(&self, key: &str) -> Option<Vec<Comment>> {
        let path = self.path(key);
        let bytes = fs::read(&path).ok()?;
        let entry: Entry = serde_json::from_slice(&bytes).ok()?;
        if entry.format != FORMAT || entry.key != key {
            return None;
        }
        touch_if_old(&path);
        Some(entry.comments)
    }

    /// Store the comments for `key`.
    pub fn put(&self, key: &str, comments: &[Comment]) -> Result<(), String> {
        let entry = Entry {
            format: FORMAT.into(),
            key: key.into(),
            comments: comments.to_vec(),
        };
        let bytes = serde_json::to_vec(&entry).map_err(|e| e.to_string())?;
        write_atomic_unsynced(&self.path(key), &bytes).map_err(|e| e.0)
    }

    /// Prune the results when the last look is older than [`PRUNE_EVERY`].
    pub fn prune_if_due(&self) {
        let stamp = self.dir.join(".pruned");
        let due = fs::metadata(&stamp)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_none_or(|age| age >= PRUNE_EVERY);
        if due && write_atomic_unsynced(&stamp, b"").is_ok() {
            prune(&self.dir, MAX_BYTES);
        }
    }
}

fn touch_if_old(path: &Path) {
    let Ok(file) = fs::File::options().append(true).open(path) else {
        return;
    };
    let old = file
        .metadata()
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.elapsed().ok())
        .is_some_and(|age| age >= TOUCH_AFTER);
    if old {
        let _ = file.set_modified(SystemTime::now());
    }
}

/// Delete the oldest entries of `dir` until they take at most three quarters of
/// `max_bytes` (nothing when they fit in `max_bytes`), and temporary files left by
/// interrupted runs. Returns how many entries were deleted.
pub fn prune(dir: &Path, max_bytes: u64) -> usize {
    let Ok(read) = fs::read_dir(dir) else {
        return 0;
    };
    let mut entries: Vec<(SystemTime, u64, PathBuf)> = Vec::new();
    let mut total = 0;
    for e in read.flatten() {
        let name = e.file_name();
        let name = name.to_string_lossy();
        let Ok(meta) = e.metadata() else { continue };
        let modified = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
        if name.ends_with(".tmp") {
            let stale = modified.elapsed().is_ok_and(|age| age >= PRUNE_EVERY);
            if stale {
                let _ = fs::remove_file(e.path());
            }
            continue;
        }
        if !name.ends_with(".json") {
            continue;
        }
        total += meta.len();
        entries.push((modified, meta.len(), e.path()));
    }
    if total <= max_bytes {
        return 0;
    }
    entries.sort();
    let target = max_bytes / 4 * 3;
    let mut deleted = 0;
    for (_, len, path) in entries {
        if total <= target {
            break;
        }
        // Another run may have deleted or replaced it: either way it is gone or fresh.
        if fs::remove_file(&path).is_ok() {
            deleted += 1;
        }
        total -= len;
    }
    deleted
}

/// What identifies a binary file's contents without reading it.
fn stamp(path: &Path) -> Option<String> {
    let m = fs::metadata(path).ok()?;
    let mtime = m
        .modified()
        .ok()?
        .duration_since(SystemTime::UNIX_EPOCH)
        .ok()?
        .as_nanos();
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Some(format!(
            "{} {mtime} {} {} {}.{}",
            m.len(),
            m.dev(),
            m.ino(),
            m.ctime(),
            m.ctime_nsec()
        ))
    }
    #[cfg(not(unix))]
    Some(format!("{} {mtime}", m.len()))
}

fn version_file(root: &Path, binary: &Path) -> PathBuf {
    let digest = Sha256::digest(binary.as_os_str().as_encoded_bytes());
    root.join("shellcheck").join("bin").join(hex(&digest[..16]))
}

/// The `--version` output remembered for `binary`, while the file is unchanged.
/// The file holds four parts, one a line: format, path (for people), stamp, output.
pub fn known_version(root: &Path, binary: &Path) -> Option<String> {
    let text = fs::read_to_string(version_file(root, binary)).ok()?;
    let mut parts = text.splitn(4, '\n');
    let (format, _path, stamped, output) =
        (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    (format == FORMAT && stamp(binary).as_deref() == Some(stamped)).then(|| output.to_string())
}

/// Remember `binary`'s `--version` output (a failure only costs a probe next time).
pub fn remember_version(root: &Path, binary: &Path, version: &str) {
    let file = version_file(root, binary);
    let Some(stamp) = stamp(binary) else {
        return;
    };
    if folder(root, "bin").is_err() {
        return;
    }
    let text = format!(
        "{FORMAT}\n{}\n{stamp}\n{version}",
        binary.display().to_string().replace('\n', " ")
    );
    let _ = write_atomic_unsynced(&file, text.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("kaslint-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("scratch");
        dir
    }

    fn file_at(path: &Path, len: usize, hours: u64) {
        fs::write(path, vec![b'x'; len]).expect("write");
        let t = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000 + hours * 3600);
        let f = fs::File::options().append(true).open(path).expect("open");
        f.set_modified(t).expect("mtime");
    }

    #[test]
    fn prune_deletes_the_oldest_past_the_limit_and_stale_temporary_files() {
        let dir = scratch("prune");
        for i in 0..10 {
            file_at(&dir.join(format!("k{i}.json")), 100, i);
        }
        file_at(&dir.join(".k.json.1.0.tmp"), 10, 0);
        fs::write(dir.join(".k.json.2.0.tmp"), b"fresh").expect("tmp");
        assert_eq!(prune(&dir, 10_000), 0);
        assert_eq!(prune(&dir, 500), 7);
        let mut left: Vec<String> = fs::read_dir(&dir)
            .expect("dir")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, [".k.json.2.0.tmp", "k7.json", "k8.json", "k9.json"]);
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn keys_differ_by_version_build_dialect_and_text() {
        let root = scratch("keys");
        let binary = |version, size| Binary {
            path: PathBuf::from("/x/shellcheck"),
            version,
            size,
        };
        let open = |b: &Binary| Cache::open(&root, b).expect("usable").expect("known");
        let a = open(&binary((0, 11, 0), 10));
        let k = a.key(Dialect::Bash, "echo $x\n");
        assert_eq!(k.len(), 64);
        assert_eq!(
            k,
            open(&binary((0, 11, 0), 10)).key(Dialect::Bash, "echo $x\n")
        );
        assert_ne!(
            k,
            open(&binary((0, 10, 0), 10)).key(Dialect::Bash, "echo $x\n")
        );
        assert_ne!(
            k,
            open(&binary((0, 11, 0), 11)).key(Dialect::Bash, "echo $x\n")
        );
        assert_ne!(k, a.key(Dialect::Sh, "echo $x\n"));
        assert_ne!(k, a.key(Dialect::Bash, "echo $y\n"));
        assert!(Cache::open(&root, &binary((0, 0, 0), 10))
            .expect("usable")
            .is_none());
        // Round trip, and a stored entry is not another key's.
        let comments = vec![Comment {
            file: "u0.sh".into(),
            line: 2,
            end_line: 2,
            column: 6,
            end_column: 8,
            level: "info".into(),
            code: 2086,
            message: "Double quote".into(),
            fix: Some(crate::shellcheck::fix::RawFix {
                replacements: vec![crate::shellcheck::fix::Replacement {
                    line: 2,
                    column: 6,
                    end_line: 2,
                    end_column: 6,
                    replacement: "\"".into(),
                }],
            }),
        }];
        a.put(&k, &comments).expect("put");
        let back = a.get(&k).expect("hit");
        assert_eq!(back[0].code, 2086);
        assert_eq!(back[0].file, "", "the file name is not stored");
        let other = a.key(Dialect::Sh, "echo $x\n");
        fs::copy(a.path(&k), a.path(&other)).expect("copy");
        assert!(a.get(&other).is_none());
        let _ = fs::remove_dir_all(&root);
    }

    #[test]
    fn a_version_is_remembered_while_the_binary_is_unchanged() {
        let root = scratch("version");
        let bin = root.join("shellcheck-0.11");
        fs::write(&bin, b"#!/bin/sh\n").expect("bin");
        assert_eq!(known_version(&root, &bin), None);
        remember_version(&root, &bin, "version: 0.11.0\n");
        assert_eq!(
            known_version(&root, &bin).as_deref(),
            Some("version: 0.11.0\n")
        );
        fs::write(&bin, b"#!/bin/sh\n# another build\n").expect("bin");
        assert_eq!(known_version(&root, &bin), None);
        let _ = fs::remove_dir_all(&root);
    }
}
