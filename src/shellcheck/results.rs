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
        let mut lookup = Lookup::unkeyed(units);
        lookup.open(binary, units, root);
        lookup.found = match &lookup.cache {
            Some(c) => lookup.keys.iter().map(|k| c.get(k)).collect(),
            None => lookup.found,
        };
        lookup
    }

    /// Nothing looked up: ShellCheck's version, which keys the cache, is being probed
    /// while the texts are checked (a cold cache); [`Lookup::store`] keeps the results.
    pub fn unkeyed(units: &[Unit]) -> Lookup {
        let (texts, users) = distinct(units);
        Lookup {
            found: vec![None; texts.len()],
            users,
            cache: None,
            keys: Vec::new(),
            cache_problem: None,
        }
    }

    /// Open the cache of `binary`'s version under `root` and key each distinct text.
    fn open(&mut self, binary: &Binary, units: &[Unit], root: Option<&Path>) {
        let (cache, problem) = match root.map(|r| Cache::open(r, binary)) {
            Some(Ok(c)) => (c, None),
            Some(Err(e)) => (None, Some(e)),
            None => (None, None),
        };
        self.keys = match &cache {
            Some(c) => self
                .users
                .iter()
                .map(|u| c.key(units[u[0]].dialect, &units[u[0]].text))
                .collect(),
            None => Vec::new(),
        };
        self.cache = cache;
        self.cache_problem = self.cache_problem.take().or(problem);
    }

    /// Whether the cache had every text.
    pub fn complete(&self) -> bool {
        self.found.iter().all(Option::is_some)
    }

    /// Check the missing texts with `processes` ShellCheck processes (`None`: one per
    /// core when worth it), store their results, and return everything.
    pub fn finish(mut self, binary: &Binary, units: &[Unit], processes: Option<usize>) -> Results {
        let (fresh, failure) = self.check_missing(binary, units, processes);
        self.put(&fresh);
        self.results(failure)
    }

    /// [`Lookup::unkeyed`]'s results stored in the cache of `binary` (now known).
    pub fn store(mut self, binary: &Binary, units: &[Unit], root: Option<&Path>) -> Lookup {
        self.open(binary, units, root);
        let all: Vec<usize> = (0..self.found.len()).collect();
        self.put(&all);
        self
    }

    /// Check the texts the lookup lacks; their indices and the first failure.
    pub fn check_missing(
        &mut self,
        binary: &Binary,
        units: &[Unit],
        processes: Option<usize>,
    ) -> (Vec<usize>, Option<String>) {
        let missing: Vec<usize> = (0..self.found.len())
            .filter(|&i| self.found[i].is_none())
            .collect();
        if missing.is_empty() {
            return (missing, None);
        }
        let to_check: Vec<&str> = missing
            .iter()
            .map(|&i| units[self.users[i][0]].text.as_str())
            .collect();
        let processes = processes.unwrap_or_else(|| {
            let cores = std::thread::available_parallelism().map_or(1, |c| c.get());
            run::processes_for(&to_check, cores)
        });
        let (checked, failure) = run::check(binary, &to_check, processes);
        for (&i, comments) in missing.iter().zip(checked) {
            self.found[i] = comments;
        }
        (missing, failure)
    }

    /// Store the results of `fresh` texts (those checked) in the cache, if any.
    fn put(&mut self, fresh: &[usize]) {
        let Some(c) = &self.cache else { return };
        let mut wrote = false;
        for &i in fresh {
            if let (Some(comments), Some(key)) = (&self.found[i], self.keys.get(i)) {
                wrote = true;
                if let Err(e) = c.put(key, comments) {
                    self.cache_problem = self.cache_problem.take().or(Some(e));
                }
            }
        }
        if wrote {
            c.prune_if_due();
        }
    }

    /// Every text's comments (in text order), with the run's notes.
    pub fn results(self, failure: Option<String>) -> Results {
        let comments = self
            .found
            .into_iter()
            .enumerate()
            .flat_map(|(i, cs)| cs.unwrap_or_default().into_iter().map(move |c| (i, c)))
            .collect();
        Results {
            comments,
            failure,
            cache_problem: self.cache_problem,
        }
    }
}
