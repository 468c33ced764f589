//! `junit`: JUnit XML for GitLab's Tests tab (`artifacts:reports:junit`), written with
//! quick-junit.
//!
//! - One `<testsuite>` per checked pipeline, named after its file.
//! - One `<testcase>` per (file, rule) pair with findings: `classname` = the file, `name` =
//!   `KAS204: image-empty` (`SC2086: shellcheck` for an external tool), and a `<failure>`
//!   whose `message` is the first finding's message, `type` the code, and whose text has one
//!   line per finding: `path:line:col: [severity] message` (a message of several lines is
//!   joined into one).
//! - A pipeline without findings gets one passing test case named `kaslint`.
//!
//! Paths are relative to [`RenderOptions::project_dir`] when below it, as in the other formats.

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use super::options::Paths;
use super::{locate, Diagnostic, FileReport, RenderOptions};

/// The name of the passing test case of a pipeline without findings.
pub const CLEAN_CASE: &str = "kaslint";

/// A message on one line (its lines joined by spaces).
fn one_line(message: &str) -> String {
    message
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The JUnit XML report of every checked pipeline.
pub fn render(reports: &[FileReport], opts: &RenderOptions) -> String {
    let paths = Paths::new(opts);
    let mut report = Report::new("kaslint");
    for r in reports {
        let suite_name = if r.sources.is_empty() {
            "<none>".to_string()
        } else {
            paths.of(r.sources.get(r.checked)).path
        };
        let mut suite = TestSuite::new(suite_name.as_str());

        // (file, code) pairs in order of first finding, with their findings.
        let mut groups: Vec<(String, &Diagnostic, Vec<String>)> = Vec::new();
        for d in &r.diagnostics {
            let path = paths.of(r.sources.get(d.primary.file)).path;
            let loc = locate(&r.sources, d.primary);
            let line = format!(
                "{path}:{}:{}: [{}] {}",
                loc.line,
                loc.column,
                d.severity.as_str(),
                one_line(&d.message)
            );
            match groups
                .iter_mut()
                .find(|(p, first, _)| *p == path && first.code() == d.code())
            {
                Some((_, _, lines)) => lines.push(line),
                None => groups.push((path, d, vec![line])),
            }
        }

        if groups.is_empty() {
            let mut case = TestCase::new(CLEAN_CASE, TestCaseStatus::success());
            case.set_classname(suite_name.as_str());
            suite.add_test_case(case);
        }
        for (path, first, lines) in groups {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
            status
                .set_message(first.message.as_str())
                .set_type(first.code())
                .set_description(lines.join("\n"));
            let name = match &first.external {
                Some(ext) => format!("{}: {}", ext.code, ext.tool),
                None => format!("{}: {}", first.code(), first.name()),
            };
            let mut case = TestCase::new(name, status);
            case.set_classname(path);
            suite.add_test_case(case);
        }
        report.add_test_suite(suite);
    }
    match report.to_string() {
        Ok(mut s) => {
            if !s.ends_with('\n') {
                s.push('\n');
            }
            s
        }
        // Writing into a String cannot fail; keep a valid, empty document all the same.
        Err(_) => "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"kaslint\" tests=\"0\" failures=\"0\" errors=\"0\"/>\n".to_string(),
    }
}
