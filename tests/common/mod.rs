//! Shared helpers for the integration tests.
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use kaslint::check::{check_target, CheckOptions, Target};
use kaslint::report::{self, FileReport};

/// Check `entry` as a pipeline entry with `root` as the repository root.
pub(crate) fn check(entry: &Path, root: &Path) -> FileReport {
    let mut all = kaslint::settings::Settings::default();
    // Results must not depend on whether a ShellCheck happens to be on PATH: only
    // KAS500's own cases (written to give the same findings either way) look for one.
    // tests/shellcheck.rs covers the real binary.
    if !entry.to_string_lossy().contains("KAS500") {
        all.shellcheck.mode = kaslint::settings::ShellcheckMode::Off;
    }
    // A case's own `kaslint.toml` (e.g. `project`, `contexts`), as the CLI would read it.
    let toml = root.join("kaslint.toml");
    if toml.is_file() {
        let raw = kaslint::config::load(&toml).expect("fixture kaslint.toml");
        kaslint::config::apply(raw, &toml, &mut all).expect("fixture kaslint.toml applies");
    }
    let opts = CheckOptions {
        root: Some(root.to_path_buf()),
        entry: Some(entry.to_path_buf()),
        settings: &all,
        shared: Default::default(),
        leak_model: false,
    };
    check_target(&Target::File(entry.to_path_buf()), &opts).expect("fixture readable")
}

/// Plain rendering of every finding (no colour), as the snapshot stores it.
pub(crate) fn render(report: &FileReport) -> String {
    let mut s = String::new();
    for d in &report.diagnostics {
        s.push_str(&report::human::render(report, d, false));
        s.push_str("\n\n");
    }
    if s.is_empty() {
        s.push_str("(no findings)\n");
    }
    s
}

/// (canonical file, line, code) of every finding.
pub(crate) fn found(report: &FileReport) -> BTreeSet<(PathBuf, usize, String)> {
    report
        .diagnostics
        .iter()
        .map(|d| {
            let file = report.sources.get(d.primary.file);
            let (line, _) = file.line_col(d.primary.start);
            let path = file.path.clone().unwrap_or_default();
            (path, line, d.rule.code.to_string())
        })
        .collect()
}

/// `# expect: KAS001, KAS002` markers in the YAML files of a case.
pub(crate) fn expected(files: &[PathBuf]) -> BTreeSet<(PathBuf, usize, String)> {
    let mut out = BTreeSet::new();
    for f in files {
        let Ok(text) = std::fs::read(f) else { continue };
        let text = String::from_utf8_lossy(&text);
        let canonical = std::fs::canonicalize(f).expect("exists");
        for (i, line) in text.lines().enumerate() {
            if let Some(pos) = line.find("# expect:") {
                for code in line[pos + 9..].split(',') {
                    let code = code.trim();
                    if !code.is_empty() {
                        out.insert((canonical.clone(), i + 1, code.to_string()));
                    }
                }
            }
        }
    }
    out
}

/// All files below a folder (sorted).
pub(crate) fn files_below(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("readable").flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

pub(crate) fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}
