//! Shared by the bench binaries.

use std::path::{Path, PathBuf};

/// Every `.yml`/`.yaml` file below `dir`, sorted.
pub fn corpus_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = kaslint::load::files_below(dir, &|_| false, usize::MAX);
    files.retain(|p| p.extension().is_some_and(|x| x == "yml" || x == "yaml"));
    files
}
