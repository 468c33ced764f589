//! Shared by the bench binaries.

// The allocator of the `kaslint` binary, so that the benches measure what users run.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The shortest of `runs` timed calls of `f`.
#[allow(dead_code)] // not every bench times this way
pub(crate) fn best_of<F: FnMut()>(runs: usize, mut f: F) -> Duration {
    (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .min()
        .unwrap_or_default()
}

/// Every `.yml`/`.yaml` file below `dir`, sorted.
#[allow(dead_code)] // not every bench walks the corpus
pub(crate) fn corpus_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = kaslint::load::files_below(dir, &|_| false, usize::MAX);
    files.retain(|p| p.extension().is_some_and(|x| x == "yml" || x == "yaml"));
    files
}
