//! `check --fix`, `--unsafe-fixes`, `--diff` for one target: check, apply the fixes that
//! do not overlap, check the new text in memory, verify it, repeat until nothing applies
//! (at most [`MAX_ROUNDS`]); then write each changed file atomically, or print its diff.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::check::{self, CheckOptions, IoError, Target};
use crate::fix::apply::unified_diff;
use crate::fix::verify::{self, Key};
use crate::fix::{apply, Applicability};
use crate::load::{self, NodeRef};
use crate::report::FileReport;

/// Rounds of fixing before giving up with "failed to converge".
pub const MAX_ROUNDS: usize = 10;

#[derive(Clone, Copy, Debug)]
pub struct Mode {
    /// The least applicability applied (Safe, or Unsafe with `--unsafe-fixes`).
    pub min: Applicability,
    /// Write the files (`--fix`), or only show the diff (`--diff`).
    pub write: bool,
}

/// What fixing one target did.
pub struct Outcome {
    /// The findings left, on the fixed text.
    pub report: FileReport,
    /// Fixes applied (or, with `--diff`, that would be).
    pub applied: usize,
    /// Unified diffs of the changed files, in file order (from [`fix_target`] always; from
    /// [`fix_with`] with `--diff` only).
    pub diffs: Vec<String>,
    /// Fixes refused by verification, or a failure to converge or to write.
    pub failures: Vec<String>,
    /// Files still to write (when the caller writes them, see [`write_all`]).
    pub writes: Vec<PendingWrite>,
}

/// A fixed file to write: its path, shown name, the text the fixes were made on, the new text.
pub struct PendingWrite {
    pub path: PathBuf,
    pub name: String,
    pub original: String,
    pub new: String,
}

struct FileText {
    name: String,
    original: String,
    current: String,
}

/// One round's fixes, checked on the next round's load.
struct Pending {
    root: Option<NodeRef>,
    old: Vec<crate::diagnostic::Diagnostic>,
    fixed: Vec<Key>,
    titles: Vec<String>,
    changes: Vec<Vec<String>>,
    before: Vec<(PathBuf, String)>,
}

fn load_and_check(
    target: &Target,
    opts: &CheckOptions<'_>,
    texts: &BTreeMap<PathBuf, FileText>,
) -> Result<(Option<NodeRef>, FileReport), IoError> {
    let overlay = texts
        .iter()
        .map(|(p, t)| (p.clone(), t.current.clone()))
        .collect();
    load::with_overlay(overlay, || {
        let loaded = check::load_for(target, opts)?;
        let root = loaded.pipeline().root.clone();
        Ok((root, check::check_loaded(loaded, opts)))
    })
}

/// Fix one target (see the module's documentation) and write its files.
pub fn fix_target(
    target: &Target,
    opts: &CheckOptions<'_>,
    mode: Mode,
) -> Result<Outcome, IoError> {
    fix_with(target, opts, mode, &|_| {}).map(|mut o| {
        let writes = std::mem::take(&mut o.writes);
        for w in &writes {
            o.diffs.push(unified_diff(&w.name, &w.original, &w.new));
        }
        o.failures.extend(write_all(writes));
        o
    })
}

/// Write fixed files, several at once (each write waits for the disk); the failures.
pub fn write_all(writes: Vec<PendingWrite>) -> Vec<String> {
    let failures = std::sync::Mutex::new(Vec::new());
    let next = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..writes.len().min(WRITERS) {
            s.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(w) = writes.get(i) else { break };
                if let Err(e) = write_if_unchanged(&w.path, &w.original, &w.new) {
                    let mut f = failures.lock().unwrap_or_else(|e| e.into_inner());
                    f.push(format!("{}: {e}", w.name));
                }
            });
        }
    });
    failures.into_inner().unwrap_or_else(|e| e.into_inner())
}

/// Writes at once: each waits for the disk (`fsync`), not for a core.
const WRITERS: usize = 16;

/// [`fix_target`] without the writes (they are in [`Outcome::writes`] with `mode.write`),
/// with `tamper` run on each round's findings before the fixes are chosen (the tests use
/// it to show that a wrong fix is refused and nothing is written).
pub fn fix_with(
    target: &Target,
    opts: &CheckOptions<'_>,
    mode: Mode,
    tamper: &dyn Fn(&mut FileReport),
) -> Result<Outcome, IoError> {
    let mut texts: BTreeMap<PathBuf, FileText> = BTreeMap::new();
    let mut frozen: Vec<PathBuf> = Vec::new();
    let mut failures = Vec::new();
    // Per round: the files it edited and how many fixes it applied.
    let mut rounds: Vec<(Vec<PathBuf>, usize)> = Vec::new();
    let mut pending: Option<Pending> = None;
    let mut round = 0;
    let report = loop {
        let (root, mut report) = load_and_check(target, opts, &texts)?;
        tamper(&mut report);
        if let Some(p) = pending.take() {
            let verdict = verify::check(
                p.root.as_deref(),
                root.as_deref(),
                &p.old,
                &report.diagnostics,
                &p.fixed,
                &p.changes,
            );
            if let Err(why) = verdict {
                for (path, _) in p.before {
                    let t = texts.get_mut(&path).expect("tracked");
                    let which = match p.titles.as_slice() {
                        [one] => format!("the fix `{one}`"),
                        many => format!("the fixes `{}` (applied together)", many.join("`, `")),
                    };
                    failures.push(format!(
                        "{}: nothing written: {which} failed verification: {why}",
                        t.name
                    ));
                    t.current.clone_from(&t.original);
                    frozen.push(path);
                }
                continue;
            }
        }
        let frozen_ids: Vec<load::FileId> = report
            .sources
            .iter()
            .filter(|(_, f)| f.path.as_ref().is_some_and(|p| frozen.contains(p)))
            .map(|(id, _)| id)
            .collect();
        let fixes: Vec<_> = report.diagnostics.iter().map(|d| d.fix.as_ref()).collect();
        let pass = apply::choose(&fixes, mode.min, &frozen_ids);
        if pass.taken.is_empty() {
            break report;
        }
        if round == MAX_ROUNDS {
            for t in texts.values_mut() {
                t.current.clone_from(&t.original);
            }
            failures.push(format!(
                "failed to converge: fixes still apply after {MAX_ROUNDS} rounds; nothing written"
            ));
            rounds.clear();
            break load_and_check(target, opts, &texts)?.1;
        }
        round += 1;
        let mut before = Vec::new();
        let mut broken = None;
        for (id, edits) in &pass.edits {
            let file = report.sources.get(*id);
            let Some(path) = file.path.clone() else {
                broken = Some(file.name.clone());
                break;
            };
            let Some(new) = apply::apply(&file.text, edits) else {
                broken = Some(file.name.clone());
                break;
            };
            let t = texts.entry(path.clone()).or_insert_with(|| FileText {
                name: file.name.clone(),
                original: file.text.clone(),
                current: file.text.clone(),
            });
            before.push((path, std::mem::replace(&mut t.current, new)));
        }
        if let Some(name) = broken {
            for (path, old) in before {
                texts.get_mut(&path).expect("tracked").current = old;
            }
            failures.push(format!(
                "{name}: the fixes do not fit the file; nothing written"
            ));
            break report;
        }
        let taken: Vec<&crate::diagnostic::Diagnostic> =
            pass.taken.iter().map(|&i| &report.diagnostics[i]).collect();
        rounds.push((before.iter().map(|(p, _)| p.clone()).collect(), taken.len()));
        pending = Some(Pending {
            root,
            fixed: taken.iter().map(|d| verify::key(d)).collect(),
            titles: taken
                .iter()
                .filter_map(|d| d.fix.as_ref().map(|f| f.title.clone()))
                .collect(),
            changes: taken
                .iter()
                .flat_map(|d| {
                    d.fix
                        .as_ref()
                        .map(|f| f.changes.clone())
                        .unwrap_or_default()
                })
                .collect(),
            old: report.diagnostics,
            before,
        });
    };
    let applied = rounds
        .iter()
        .filter(|(paths, _)| paths.iter().all(|p| !frozen.contains(p)))
        .map(|(_, n)| n)
        .sum();
    let mut diffs = Vec::new();
    let mut writes = Vec::new();
    for (path, t) in &texts {
        if t.current == t.original {
            continue;
        }
        // (A diff of a big file costs more than checking it: only `--diff` makes one.)
        if mode.write {
            writes.push(PendingWrite {
                path: path.clone(),
                name: t.name.clone(),
                original: t.original.clone(),
                new: t.current.clone(),
            });
        } else {
            diffs.push(unified_diff(&t.name, &t.original, &t.current));
        }
    }
    Ok(Outcome {
        report,
        applied,
        diffs,
        failures,
        writes,
    })
}

/// Targets are fixed in parallel and may share a file (an include): a file is written only
/// while it still holds the text its fixes were made on, one writer per file at a time.
static WRITING: [std::sync::Mutex<()>; 16] = [const { std::sync::Mutex::new(()) }; 16];

fn write_if_unchanged(path: &std::path::Path, original: &str, new: &str) -> Result<(), String> {
    use std::hash::{Hash, Hasher};
    let mut h = rustc_hash::FxHasher::default();
    path.hash(&mut h);
    let lock = &WRITING[h.finish() as usize % WRITING.len()];
    let _one_at_a_time = lock.lock().unwrap_or_else(|e| e.into_inner());
    let now = load::read_limited(path).map_err(|e| e.to_string())?;
    if now != original.as_bytes() {
        return Err("changed while it was being fixed (another pipeline includes it); nothing written, run again".into());
    }
    crate::write::write_atomic(path, new.as_bytes(), true).map_err(|e| e.0)
}
