//! `gitlab`: GitLab's Code Quality report (the merge request widget and the pipeline's
//! Code Quality tab), with exactly the fields GitLab documents:
//!
//! ```json
//! [{"description": "KAS204: `image: \"\"` ...", "check_name": "KAS204",
//!   "fingerprint": "<64 hex digits>", "severity": "major",
//!   "location": {"path": ".gitlab-ci.yml", "lines": {"begin": 24}}}]
//! ```
//!
//! - `description` starts with the code (`KAS204: `, `SC2086: `): GitLab shows the
//!   description and not `check_name`.
//! - `severity`: `info` → `info`, `warning` → `minor`, `error` → `major` (GitLab also has
//!   `critical` and `blocker`; kaslint has no level above error).
//! - `location.path` is relative to [`RenderOptions::project_dir`] (`CI_PROJECT_DIR`) when the
//!   file is below it, else the path as kaslint displays it.
//! - `fingerprint`: see [`super::options`]; unique per finding (GitLab keeps only the first of
//!   equal fingerprints) and free of line numbers (stable when unrelated lines move). A finding
//!   reported twice in one run (a file checked on its own and as an include) is written once.

use serde::Serialize;

use super::options::{fingerprints, Paths};
use super::{locate, FileReport, RenderOptions, Severity};

#[derive(Serialize)]
struct Issue {
    description: String,
    check_name: String,
    fingerprint: String,
    severity: &'static str,
    location: Location,
}

#[derive(Serialize)]
struct Location {
    path: String,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: usize,
}

/// GitLab's severity for a kaslint severity.
pub fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Info => "info",
        Severity::Warning => "minor",
        Severity::Error => "major",
    }
}

/// The Code Quality report of every finding, as a JSON array (`[]` when there is none).
pub fn render(reports: &[FileReport], opts: &RenderOptions) -> String {
    let paths = Paths::new(opts);
    let prints = fingerprints(reports, &paths);
    let mut issues = Vec::new();
    for (r, prints) in reports.iter().zip(prints) {
        for (d, print) in r.diagnostics.iter().zip(prints) {
            if print.duplicate {
                continue;
            }
            let loc = locate(&r.sources, d.primary);
            issues.push(Issue {
                description: format!("{}: {}", d.code(), d.message),
                check_name: d.code().to_string(),
                fingerprint: print.value,
                severity: severity(d.severity),
                location: Location {
                    path: paths.of(r.sources.get(d.primary.file)).path,
                    lines: Lines { begin: loc.line },
                },
            });
        }
    }
    let mut s = serde_json::to_string_pretty(&issues).unwrap_or_else(|_| "[]".to_string());
    s.push('\n');
    s
}
