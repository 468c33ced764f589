//! The `check` command's side of fixing: which fixes the flags ask for, every target
//! fixed in turn on the machine's cores, and what is said at the end (diffs, the count
//! of fixes applied and of those `--unsafe-fixes` would add, failures).

use std::path::PathBuf;

use super::run::{self, Mode, Outcome};
use crate::check::{self, IoError, Target};
use crate::fix::Applicability;
use crate::report::FileReport;
use crate::settings::Settings;

/// The fixing mode the flags ask for, if any.
pub fn mode(fix: bool, unsafe_fixes: bool, diff: bool) -> Option<Mode> {
    let min = if unsafe_fixes {
        Applicability::Unsafe
    } else {
        Applicability::Safe
    };
    (fix || unsafe_fixes || diff).then_some(Mode { min, write: !diff })
}

/// What fixing every target did, for the closing lines.
#[derive(Default)]
pub struct Summary {
    pub applied: usize,
    pub diffs: Vec<String>,
    /// Files changed (or, with `--diff`, that would be).
    pub files: usize,
    pub failures: Vec<String>,
    /// Applied fixes below this applicability are not counted as "more with --unsafe-fixes".
    pub min: Option<Applicability>,
}

/// Fix every target, several at once; the reports carry the findings left.
pub fn fix_all(
    jobs: &[(Target, usize)],
    configs: &[(Option<PathBuf>, Settings)],
    args: &crate::cli::CheckArgs,
    shared: &std::sync::Arc<check::Shared>,
    mode: Mode,
    summary: &mut Summary,
) -> Vec<Result<FileReport, IoError>> {
    summary.min = Some(mode.min);
    let run_one = |(target, idx): &(Target, usize)| {
        // (Each round's tree is left unfreed too: freeing costs more than it saves.)
        let opts = check::CheckOptions::for_cli(args.locate.root.clone(), &configs[*idx].1, shared);
        run::fix_with(target, &opts, mode, &|_| {})
    };
    let outcomes: Vec<Result<Outcome, IoError>> =
        check::on_all_cores(jobs.len(), |i| run_one(&jobs[i]));
    let mut writes = Vec::new();
    let reports = outcomes
        .into_iter()
        .map(|o| {
            o.map(|o| {
                summary.applied += o.applied;
                summary.files += o.diffs.len() + o.writes.len();
                summary.diffs.extend(o.diffs);
                summary.failures.extend(o.failures);
                writes.extend(o.writes);
                o.report
            })
        })
        .collect();
    // All files at once at the end: each write waits for the disk.
    summary.failures.extend(run::write_all(writes));
    reports
}

impl Summary {
    /// Say what was fixed (on standard error, so that machine formats stay clean). With
    /// `--diff`, print the diffs and return the exit status: 1 when something would be
    /// fixed. `None` when not fixing or after `--fix` (the findings left decide then).
    pub fn finish(&self, diff: bool, reports: &[FileReport]) -> Option<u8> {
        let min = self.min?;
        for f in &self.failures {
            eprintln!("kaslint: {f}");
        }
        let more = if min == Applicability::Safe {
            reports
                .iter()
                .flat_map(|r| &r.diagnostics)
                .filter(|d| {
                    d.fix
                        .as_ref()
                        .is_some_and(|f| f.applicability == Applicability::Unsafe)
                })
                .count()
        } else {
            0
        };
        let hint = if more > 0 {
            format!(" ({more} more with --unsafe-fixes)")
        } else {
            String::new()
        };
        if diff {
            print!("{}", self.diffs.concat());
            eprintln!(
                "kaslint: would fix {} finding(s) in {} file(s){hint}; nothing written",
                self.applied, self.files
            );
            let something = self.applied > 0 || !self.failures.is_empty();
            return Some(if something {
                crate::exit::FINDINGS
            } else {
                crate::exit::CLEAN
            });
        }
        eprintln!(
            "kaslint: fixed {} finding(s) in {} file(s){hint}",
            self.applied, self.files
        );
        None
    }
}
