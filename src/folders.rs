//! Answers about folders, remembered for one command: the working folder, a folder's
//! canonical path and the nearest ancestor holding a marker (`.git`, `kaslint.toml`).
//! Checking many files of one tree then asks the file system once per folder instead of
//! once per file and level (each `canonicalize` is a `readlink` per path component, each
//! level a `stat`): a third of a corpus check.
//!
//! A [`Folders`] value is made once per command and shared by its threads; nothing is
//! remembered beyond it. Folders are assumed not to move while kaslint runs.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

// Fx hashing: a path key is hashed per component, and SipHash made the look-ups a tenth of
// a one-file check.
type Memo<K> = Mutex<HashMap<K, Option<PathBuf>, rustc_hash::FxBuildHasher>>;

/// The working folder and the answers remembered so far.
pub struct Folders {
    cwd: Option<PathBuf>,
    paths: Memo<PathBuf>,
    answers: Memo<(&'static str, PathBuf)>,
}

/// Reads the working folder: the one place kaslint reads it.
impl Default for Folders {
    fn default() -> Self {
        Folders {
            cwd: std::env::current_dir().ok(),
            paths: Memo::default(),
            answers: Memo::default(),
        }
    }
}

/// The remembered answer for `key`, or `compute`'s (remembered from now on).
fn remembered<K: std::hash::Hash + Eq>(
    memo: &Memo<K>,
    key: K,
    compute: impl FnOnce() -> Option<PathBuf>,
) -> Option<PathBuf> {
    let lock = || memo.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(hit) = lock().get(&key) {
        return hit.clone();
    }
    // Computed without the lock held: another thread may do the same work, never wrong.
    let answer = compute();
    lock().insert(key, answer.clone());
    answer
}

impl Folders {
    /// The working folder (kaslint never changes it); `None` when it cannot be read.
    pub fn cwd(&self) -> Option<&Path> {
        self.cwd.as_deref()
    }

    /// `std::fs::canonicalize(path)`, built from the canonical paths of its folders, each
    /// looked up once: a new path costs one `lstat` (a symbolic link is resolved by the
    /// system in full).
    pub fn canonical(&self, path: &Path) -> Option<PathBuf> {
        if path.is_absolute() {
            self.canonical_absolute(path)
        } else {
            self.canonical_absolute(&self.cwd()?.join(path))
        }
    }

    fn canonical_absolute(&self, path: &Path) -> Option<PathBuf> {
        let (Some(parent), Some(name)) = (path.parent(), path.file_name()) else {
            // The root, or a path ending in `..`.
            return match path.parent() {
                None => Some(path.to_path_buf()),
                Some(parent) => self
                    .canonical_absolute(parent)?
                    .parent()
                    .map(Path::to_path_buf),
            };
        };
        let lock = || {
            self.paths
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
        };
        if let Some(Some(hit)) = lock().get(path) {
            return Some(hit.clone());
        }
        let meta = std::fs::symlink_metadata(path).ok()?;
        let answer = if meta.file_type().is_symlink() {
            std::fs::canonicalize(path).ok()?
        } else {
            self.canonical_absolute(parent)?.join(name)
        };
        // Only paths that exist are remembered: a file may be created during the run.
        lock().insert(path.to_path_buf(), Some(answer.clone()));
        Some(answer)
    }

    /// The first `found(dir)` answer walking up from `start` (a file's folder, or the
    /// folder); `marker` names what `found` looks for, so that answers are remembered per
    /// marker and folder.
    pub fn find_upward(
        &self,
        marker: &'static str,
        start: &Path,
        found: impl Fn(&Path) -> Option<PathBuf>,
    ) -> Option<PathBuf> {
        let start = self.canonical(start)?;
        let mut dir = if start.is_dir() {
            start
        } else {
            start.parent()?.to_path_buf()
        };
        // Walk up until a folder whose answer is known or holds the marker; every folder
        // passed on the way has that same answer.
        let mut passed = Vec::new();
        let answer = loop {
            let known = self
                .answers
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .get(&(marker, dir.clone()))
                .cloned();
            if let Some(known) = known {
                break known;
            }
            if let Some(hit) = found(&dir) {
                passed.push(dir);
                break Some(hit);
            }
            let parent = dir.parent().map(Path::to_path_buf);
            passed.push(dir);
            match parent {
                Some(p) => dir = p,
                None => break None,
            }
        };
        for d in passed {
            remembered(&self.answers, (marker, d), || answer.clone());
        }
        answer
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_matches_std() {
        let folders = Folders::default();
        let here = std::env::current_dir().expect("cwd");
        for p in [
            "Cargo.toml",
            "src/lib.rs",
            "./src/../Cargo.toml",
            "src",
            ".",
        ] {
            assert_eq!(
                folders.canonical(&here.join(p)),
                std::fs::canonicalize(here.join(p)).ok(),
                "{p}"
            );
            assert_eq!(
                folders.canonical(Path::new(p)),
                std::fs::canonicalize(p).ok(),
                "{p}"
            );
        }
        assert_eq!(folders.canonical(Path::new("no/such/file")), None);
    }

    #[test]
    fn find_upward_remembers_per_marker() {
        let folders = Folders::default();
        let here = std::env::current_dir().expect("cwd");
        let has =
            |name: &'static str| move |d: &Path| d.join(name).exists().then(|| d.to_path_buf());
        let root = folders.find_upward("Cargo.toml", &here.join("src/rules"), has("Cargo.toml"));
        assert_eq!(
            root.as_deref(),
            Some(here.canonicalize().expect("c").as_path())
        );
        // Same folder, other marker: its own answer.
        let none = folders.find_upward(
            "no-such-marker",
            &here.join("src/rules"),
            has("no-such-marker"),
        );
        assert_eq!(none, None);
        // Asked again from a sibling: the remembered answer.
        let again = folders.find_upward("Cargo.toml", &here.join("src/load"), |_| None);
        assert_eq!(again, root);
        // A new value remembers nothing.
        let fresh = Folders::default();
        assert_eq!(
            fresh.find_upward("Cargo.toml", &here.join("src/load"), |_| None),
            None
        );
    }
}
