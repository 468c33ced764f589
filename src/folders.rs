//! Answers about folders, remembered for the run: a folder's canonical path and the
//! nearest ancestor holding a marker (`.git`, `kaslint.toml`). Checking many files of one
//! tree then asks the file system once per folder instead of once per file and level
//! (each `canonicalize` is a `readlink` per path component, each level a `stat`).
//!
//! Folders are assumed not to move while kaslint runs.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

// Fx hashing: a path key is hashed per component, and SipHash made the look-ups a tenth of
// a one-file check.
type Memo<K> = OnceLock<Mutex<HashMap<K, Option<PathBuf>, rustc_hash::FxBuildHasher>>>;

/// The remembered answer for `key`, or `compute`'s (remembered from now on).
fn remembered<K: std::hash::Hash + Eq>(
    memo: &'static Memo<K>,
    key: K,
    compute: impl FnOnce() -> Option<PathBuf>,
) -> Option<PathBuf> {
    let map = memo.get_or_init(Default::default);
    let lock = || map.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(hit) = lock().get(&key) {
        return hit.clone();
    }
    // Computed without the lock held: another thread may do the same work, never wrong.
    let answer = compute();
    lock().insert(key, answer.clone());
    answer
}

/// The working folder, read once (kaslint never changes it): the one place it is read.
pub fn cwd() -> Option<&'static Path> {
    static CWD: OnceLock<Option<PathBuf>> = OnceLock::new();
    CWD.get_or_init(|| std::env::current_dir().ok()).as_deref()
}

/// `std::fs::canonicalize(path)`, built from the canonical paths of its folders, each
/// looked up once per run: a new path costs one `lstat` (a symbolic link is resolved by
/// the system in full).
pub fn canonical(path: &Path) -> Option<PathBuf> {
    if path.is_absolute() {
        canonical_absolute(path)
    } else {
        canonical_absolute(&cwd()?.join(path))
    }
}

fn canonical_absolute(path: &Path) -> Option<PathBuf> {
    static PATHS: Memo<PathBuf> = OnceLock::new();
    let (Some(parent), Some(name)) = (path.parent(), path.file_name()) else {
        // The root, or a path ending in `..`.
        return match path.parent() {
            None => Some(path.to_path_buf()),
            Some(parent) => canonical_absolute(parent)?.parent().map(Path::to_path_buf),
        };
    };
    let map = PATHS.get_or_init(Default::default);
    let lock = || map.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(Some(hit)) = lock().get(path) {
        return Some(hit.clone());
    }
    let meta = std::fs::symlink_metadata(path).ok()?;
    let answer = if meta.file_type().is_symlink() {
        std::fs::canonicalize(path).ok()?
    } else {
        canonical_absolute(parent)?.join(name)
    };
    // Only paths that exist are remembered: a file may be created during the run.
    lock().insert(path.to_path_buf(), Some(answer.clone()));
    Some(answer)
}

/// The first `found(dir)` answer walking up from `start` (a file's folder, or the folder);
/// `marker` names what `found` looks for, so that answers are remembered per marker and
/// folder.
pub fn find_upward(
    marker: &'static str,
    start: &Path,
    found: impl Fn(&Path) -> Option<PathBuf>,
) -> Option<PathBuf> {
    static ANSWERS: Memo<(&'static str, PathBuf)> = OnceLock::new();
    let start = canonical(start)?;
    let mut dir = if start.is_dir() {
        start
    } else {
        start.parent()?.to_path_buf()
    };
    // Walk up until a folder whose answer is known or holds the marker; every folder
    // passed on the way has that same answer.
    let mut passed = Vec::new();
    let answer = loop {
        let known = ANSWERS
            .get_or_init(Default::default)
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
        remembered(&ANSWERS, (marker, d), || answer.clone());
    }
    answer
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_matches_std() {
        let here = std::env::current_dir().expect("cwd");
        for p in [
            "Cargo.toml",
            "src/lib.rs",
            "./src/../Cargo.toml",
            "src",
            ".",
        ] {
            assert_eq!(
                canonical(&here.join(p)),
                std::fs::canonicalize(here.join(p)).ok(),
                "{p}"
            );
            assert_eq!(
                canonical(Path::new(p)),
                std::fs::canonicalize(p).ok(),
                "{p}"
            );
        }
        assert_eq!(canonical(Path::new("no/such/file")), None);
    }

    #[test]
    fn find_upward_remembers_per_marker() {
        let here = std::env::current_dir().expect("cwd");
        let has =
            |name: &'static str| move |d: &Path| d.join(name).exists().then(|| d.to_path_buf());
        let root = find_upward("Cargo.toml", &here.join("src/rules"), has("Cargo.toml"));
        assert_eq!(
            root.as_deref(),
            Some(here.canonicalize().expect("c").as_path())
        );
        // Same folder, other marker: its own answer.
        let none = find_upward(
            "no-such-marker",
            &here.join("src/rules"),
            has("no-such-marker"),
        );
        assert_eq!(none, None);
        // Asked again from a sibling: the remembered answer.
        let again = find_upward("Cargo.toml", &here.join("src/load"), |_| None);
        assert_eq!(again, root);
    }
}
