//! The ShellCheck comments of a pipeline's distinct unit texts: first from the cache,
//! then, for the texts it lacks, from ShellCheck processes (whose results are stored).
//! A lookup owns its data so that the missing part can run on a thread; when nothing is
//! missing, no thread and no process is needed.

use std::path::Path;

use super::cache::Cache;
use super::run::{self, Comment};
use super::units::Unit;
use super::{distinct, Binary};

/// What is known of each distinct text before ShellCheck runs.
pub struct Lookup {
    /// Per distinct text (in first-use order), the units that have it.
    pub users: Vec<Vec<usize>>,
    cache: Option<Cache>,
    keys: Vec<String>,
    found: Vec<Option<Vec<Comment>>>,
    /// Why the cache is not used (or not written), for the run's one note.
    pub cache_problem: Option<String>,
}

/// Comments per distinct text (in text order), and the notes to give.
pub struct Results {
    pub comments: Vec<(usize, Comment)>,
    /// A ShellCheck process that failed.
    pub failure: Option<String>,
    pub cache_problem: Option<String>,
}

impl Lookup {
    /// Look every distinct text of `units` up in the cache under `root` (if any).
    pub fn new(binary: &Binary, units: &[Unit], root: Option<&Path>) -> Lookup {
        let (texts, users) = distinct(units);
        let (cache, cache_problem) = match root.map(|r| Cache::open(r, binary)) {
            Some(Ok(c)) => (c, None),
            Some(Err(e)) => (None, Some(e)),
            None => (None, None),
        };
        let keys: Vec<String> = match &cache {
            Some(c) => texts
                .iter()
                .zip(&users)
                .map(|(t, u)| c.key(units[u[0]].dialect, t))
                .collect(),
            None => Vec::new(),
        };
        let found = match &cache {
            Some(c) => keys.iter().map(|k| c.get(k)).collect(),
            None => vec![None; texts.len()],
        };
        Lookup {
            users,
            cache,
            keys,
            found,
            cache_problem,
        }
    }

    /// Whether the cache had every text.
    pub fn complete(&self) -> bool {
        self.found.iter().all(Option::is_some)
    }

    /// Check the missing texts with `processes` ShellCheck processes (`None`: one per
    /// core when worth it), store their results, and return everything.
    pub fn finish(self, binary: &Binary, units: &[Unit], processes: Option<usize>) -> Results {
        let Lookup {
            users,
            cache,
            keys,
            mut found,
            mut cache_problem,
        } = self;
        let missing: Vec<usize> = (0..found.len()).filter(|&i| found[i].is_none()).collect();
        let mut failure = None;
        if !missing.is_empty() {
            let to_check: Vec<&str> = missing
                .iter()
                .map(|&i| units[users[i][0]].text.as_str())
                .collect();
            let processes = processes.unwrap_or_else(|| {
                let cores = std::thread::available_parallelism().map_or(1, |c| c.get());
                run::processes_for(&to_check, cores)
            });
            let (checked, failed) = run::check(binary, &to_check, processes);
            failure = failed;
            for (&i, comments) in missing.iter().zip(checked) {
                if let (Some(c), Some(comments)) = (&cache, &comments) {
                    if let Err(e) = c.put(&keys[i], comments) {
                        cache_problem = cache_problem.or(Some(e));
                    }
                }
                found[i] = comments;
            }
            if let Some(c) = &cache {
                c.prune_if_due();
            }
        }
        let comments = found
            .into_iter()
            .enumerate()
            .flat_map(|(i, cs)| cs.unwrap_or_default().into_iter().map(move |c| (i, c)))
            .collect();
        Results {
            comments,
            failure,
            cache_problem,
        }
    }
}
