//! `--format json`: a versioned, documented DTO (never internal types).
//!
//! ```json
//! {"version": 1, "findings": [{"rule": "KAS005", "name": "include-not-found",
//!   "severity": "error", "message": "...", "file": ".gitlab-ci.yml", "line": 3,
//!   "column": 12, "end_line": 3, "end_column": 21, "job": null, "jobs": [], "help": null,
//!   "related": [{"message": "...", "file": "...", "line": 1, "column": 1,
//!   "end_line": 1, "end_column": 4}],
//!   "fix": {"title": "...", "applicability": "safe", "edits": [{"file": "...",
//!     "line": 3, "column": 12, "end_line": 3, "end_column": 21, "start_byte": 40,
//!     "end_byte": 49, "content": "..."}]}}],
//!  "summary": {"files": 1, "error": 1, "warning": 0, "info": 0}}
//! ```

use serde::Serialize;

use super::{locate, FileReport, Location, Severity};

pub const VERSION: u32 = 1;

#[derive(Serialize)]
pub struct Output {
    pub version: u32,
    pub findings: Vec<Finding>,
    pub summary: Summary,
}

#[derive(Serialize)]
pub struct Finding {
    pub rule: String,
    pub name: String,
    pub severity: Severity,
    pub message: String,
    /// `file`, `line`, `column`, `end_line`, `end_column`.
    #[serde(flatten)]
    pub at: Location,
    pub job: Option<String>,
    /// Every job the finding concerns (a shared template names them all).
    pub jobs: Vec<String>,
    pub help: Option<String>,
    pub related: Vec<Related>,
    /// The fix, when one is known (absent otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<Fix>,
}

#[derive(Serialize)]
pub struct Fix {
    pub title: String,
    /// `safe`, `unsafe` or `display-only`.
    pub applicability: crate::fix::Applicability,
    pub edits: Vec<Edit>,
}

/// Replace the bytes `[start_byte, end_byte)` of `file` (from `line:column` to
/// `end_line:end_column`) with `content`.
#[derive(Serialize)]
pub struct Edit {
    /// `file`, `line`, `column`, `end_line`, `end_column`.
    #[serde(flatten)]
    pub at: Location,
    pub start_byte: u32,
    pub end_byte: u32,
    pub content: String,
}

#[derive(Serialize)]
pub struct Related {
    pub message: String,
    /// `file`, `line`, `column`, `end_line`, `end_column`.
    #[serde(flatten)]
    pub at: Location,
}

#[derive(Serialize)]
pub struct Summary {
    pub files: usize,
    pub error: usize,
    pub warning: usize,
    pub info: usize,
}

pub fn build(reports: &[FileReport]) -> Output {
    let mut findings = Vec::new();
    let mut summary = Summary {
        files: reports.len(),
        error: 0,
        warning: 0,
        info: 0,
    };
    for r in reports {
        for d in &r.diagnostics {
            match d.severity {
                Severity::Error => summary.error += 1,
                Severity::Warning => summary.warning += 1,
                Severity::Info => summary.info += 1,
            }
            findings.push(Finding {
                rule: d.code().to_string(),
                name: d.name().to_string(),
                severity: d.severity,
                message: d.message.clone(),
                at: locate(&r.sources, d.primary),
                job: d.job.clone(),
                jobs: d.jobs().map(str::to_string).collect(),
                help: d.help.clone(),
                related: d
                    .related
                    .iter()
                    .map(|l| Related {
                        message: l.text.clone(),
                        at: locate(&r.sources, l.span),
                    })
                    .collect(),
                fix: d.fix.as_ref().map(|f| Fix {
                    title: f.title.clone(),
                    applicability: f.applicability,
                    edits: f
                        .edits
                        .iter()
                        .map(|e| Edit {
                            at: locate(&r.sources, e.span),
                            start_byte: e.span.start,
                            end_byte: e.span.end,
                            content: e.content.clone(),
                        })
                        .collect(),
                }),
            });
        }
    }
    Output {
        version: VERSION,
        findings,
        summary,
    }
}

pub fn render(reports: &[FileReport]) -> String {
    let mut s = serde_json::to_string_pretty(&build(reports)).expect("serializable");
    s.push('\n');
    s
}
