//! KAS500 (ShellCheck): positions for every scalar form, one process per pipeline, the
//! corpus, and the behaviour without ShellCheck. Tests that need a real ShellCheck look
//! for it in `KASLINT_SHELLCHECK`, then on `PATH`, and are skipped (with a line on stderr)
//! when there is none; the fake-binary tests run everywhere on Unix.

mod common;

use std::path::{Path, PathBuf};

use common::manifest_dir;
use kaslint::check::{check_target, CheckOptions, Target};
use kaslint::report::FileReport;
use kaslint::settings::{Settings, ShellcheckMode};

fn real_shellcheck() -> Option<PathBuf> {
    let mut s = Settings::default();
    s.shellcheck
        .locate_with(&kaslint::environment::Environment::read());
    match kaslint::shellcheck::discover(&s) {
        Ok(Some(b)) => Some(b.path),
        _ => {
            eprintln!("no shellcheck found: skipping the tests that need a real one");
            None
        }
    }
}

fn settings_with(path: &Path) -> Settings {
    let mut s = Settings::default();
    s.shellcheck.path = Some(path.to_path_buf());
    s
}

fn check_dir(dir: &Path, settings: &Settings) -> FileReport {
    let entry = dir.join(".gitlab-ci.yml");
    check_file(&entry, dir, settings)
}

fn check_file(entry: &Path, root: &Path, settings: &Settings) -> FileReport {
    let opts = CheckOptions {
        root: Some(root.to_path_buf()),
        entry: Some(entry.to_path_buf()),
        settings,
        shared: Default::default(),
        leak_model: false,
    };
    check_target(&Target::File(entry.to_path_buf()), &opts).expect("readable")
}

/// ShellCheck findings as `file:line:col-line:col CODE [job] `text` message`.
fn sc_lines(report: &FileReport, only: Option<&str>) -> Vec<String> {
    report
        .diagnostics
        .iter()
        .filter(|d| d.external.is_some())
        .filter(|d| only.is_none_or(|c| d.code() == c))
        .map(|d| {
            let f = report.sources.get(d.primary.file);
            let (l, c) = f.line_col(d.primary.start);
            let (el, ec) = f.line_col(d.primary.end);
            let name = Path::new(&f.name)
                .file_name()
                .map_or(String::new(), |n| n.to_string_lossy().into_owned());
            format!(
                "{name}:{l}:{c}-{el}:{ec} {} [{}] `{}` {}",
                d.code(),
                d.job.as_deref().unwrap_or("-"),
                &f.text[d.primary.range()],
                d.message
            )
        })
        .collect()
}

const CASES: &[&str] = &[
    "plain",
    "plain-multiline",
    "single-quoted",
    "double-quoted",
    "literal",
    "literal-strip",
    "literal-indent",
    "folded",
    "script-string",
    "reference",
    "anchor",
    "template-three-jobs",
    "inputs",
];

fn cases_dir() -> PathBuf {
    manifest_dir().join("tests").join("shellcheck")
}

#[test]
fn sc2086_lands_on_var_in_every_scalar_form() {
    let Some(sc) = real_shellcheck() else {
        return;
    };
    let settings = settings_with(&sc);
    for case in CASES {
        let report = check_dir(&cases_dir().join(case), &settings);
        let lines = sc_lines(&report, Some("SC2086"));
        assert!(!lines.is_empty(), "{case}: no SC2086");
        for d in report.diagnostics.iter().filter(|d| d.code() == "SC2086") {
            let f = report.sources.get(d.primary.file);
            assert_eq!(&f.text[d.primary.range()], "$VAR", "{case}: {lines:?}");
        }
        insta::with_settings!({snapshot_path => "snapshots/shellcheck", prepend_module_to_snapshot => false, omit_expression => true}, {
            insta::assert_snapshot!(*case, lines.join("\n"));
        });
    }
}

#[test]
fn template_of_three_jobs_is_reported_once_naming_them() {
    let Some(sc) = real_shellcheck() else {
        return;
    };
    let report = check_dir(
        &cases_dir().join("template-three-jobs"),
        &settings_with(&sc),
    );
    let lines = sc_lines(&report, None);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].contains("(in jobs a, b, c)"), "{lines:?}");
    assert!(lines[0].contains("[a]"), "{lines:?}");
}

#[test]
fn placeholders_neither_break_parsing_nor_misfire() {
    let Some(sc) = real_shellcheck() else {
        return;
    };
    let settings = settings_with(&sc);
    let report = check_dir(&cases_dir().join("inputs"), &settings);
    let codes: Vec<String> = sc_lines(&report, None);
    assert!(
        codes
            .iter()
            .all(|l| !l.contains(" SC2050 ") && !l.contains(" SC2043 ")),
        "{codes:?}"
    );
    // Every corpus file using `$[[ ]]`.
    let corpus = manifest_dir().join("../shared/corpus");
    let mut files = Vec::new();
    collect_yaml(&corpus, &mut files);
    let mut checked = 0;
    for f in files {
        let Ok(text) = std::fs::read_to_string(&f) else {
            continue;
        };
        if !text.contains("$[[") {
            continue;
        }
        checked += 1;
        let dir = f.parent().unwrap_or(Path::new(".")).to_path_buf();
        let report = check_file(&f, &dir, &settings);
        for d in report.diagnostics.iter().filter(|d| d.external.is_some()) {
            let code = d.code();
            let src = &report.sources.get(d.primary.file).text;
            let at = &src[d.primary.range()];
            assert!(
                code != "SC1072" && code != "SC1073",
                "{}: parse error {code}: {}",
                f.display(),
                d.message
            );
            if code == "SC2050" || code == "SC2043" {
                assert!(!at.contains("$[["), "{}: {code} on `{at}`", f.display());
            }
        }
    }
    if corpus.is_dir() {
        assert!(checked > 10, "only {checked} corpus files use $[[ ]]");
    }
}

fn collect_yaml(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            collect_yaml(&p, out);
        } else if p.extension().is_some_and(|e| e == "yml" || e == "yaml") {
            out.push(p);
        }
    }
}

#[test]
fn powershell_template_has_no_findings() {
    let file = manifest_dir().join("../shared/corpus/templates/dotNET.gitlab-ci.yml");
    if !file.is_file() {
        return;
    }
    let Some(sc) = real_shellcheck() else {
        return;
    };
    let dir = file.parent().expect("folder").to_path_buf();
    let report = check_file(&file, &dir, &settings_with(&sc));
    assert_eq!(sc_lines(&report, None), Vec::<String>::new());
}

#[test]
fn missing_explicit_binary_is_an_error_note() {
    let s = settings_with(Path::new("/nonexistent/shellcheck"));
    assert!(kaslint::shellcheck::discover(&s).is_err());
    let report = check_dir(&cases_dir().join("plain"), &s);
    let notes: Vec<_> = report
        .diagnostics
        .iter()
        .filter(|d| d.rule.code == "KAS500")
        .collect();
    assert_eq!(notes.len(), 1);
    assert!(notes[0].message.contains("/nonexistent/shellcheck"));
}

#[test]
fn off_and_deselected_run_nothing() {
    let mut s = settings_with(Path::new("/nonexistent/shellcheck"));
    s.shellcheck.mode = ShellcheckMode::Off;
    let report = check_dir(&cases_dir().join("plain"), &s);
    assert!(report.diagnostics.iter().all(|d| d.rule.code != "KAS500"));
    let mut s = settings_with(Path::new("/nonexistent/shellcheck"));
    s.ignore = vec!["KAS500"];
    let report = check_dir(&cases_dir().join("plain"), &s);
    assert!(report.diagnostics.iter().all(|d| d.rule.code != "KAS500"));
}

#[cfg(unix)]
mod fake {
    use super::*;
    use std::os::unix::fs::PermissionsExt;
    use std::process::Command;

    /// A `shellcheck` that logs its arguments and prints canned json1: one SC2086 at
    /// line 2, columns 8-12 of the first unit (`echo é<TAB>$VAR` after the directive).
    fn fake(dir: &Path) -> (PathBuf, PathBuf) {
        std::fs::create_dir_all(dir).expect("tmp");
        let log = dir.join("calls.log");
        let _ = std::fs::remove_file(&log);
        let bin = dir.join("shellcheck");
        let script = format!(
            r#"#!/bin/sh
echo "$*" >> '{log}'
if [ "$1" = "--version" ]; then
  printf 'ShellCheck - shell script analysis tool\nversion: 0.11.0\n'
  exit 0
fi
printf '%s' '{{"comments":[{{"file":"u0.sh","line":2,"endLine":2,"column":8,"endColumn":12,"level":"info","code":2086,"message":"Double quote to prevent globbing and word splitting.","fix":null}}]}}'
exit 1
"#,
            log = log.display()
        );
        std::fs::write(&bin, script).expect("write fake");
        std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        (bin, log)
    }

    fn tmp_cache() -> PathBuf {
        PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("fake-shellcheck-cache")
    }

    fn calls(log: &Path) -> Vec<String> {
        std::fs::read_to_string(log)
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect()
    }

    #[test]
    fn one_invocation_per_check_and_canned_positions_map() {
        let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("fake-shellcheck-one");
        let (bin, log) = fake(&tmp);
        // A pipeline with several jobs, parts and a template: still one process.
        let case = cases_dir().join("template-three-jobs");
        let out = Command::new(env!("CARGO_BIN_EXE_kaslint"))
            .args(["check", "--no-cache", "--format", "json", "--root"])
            .arg(&case)
            .arg("--shellcheck")
            .arg(&bin)
            .arg(case.join(".gitlab-ci.yml"))
            .output()
            .expect("run kaslint");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let runs: Vec<String> = calls(&log)
            .into_iter()
            .filter(|c| c.contains("json1"))
            .collect();
        assert_eq!(runs.len(), 1, "{runs:?}");
        assert!(runs[0].contains("-e SC1091,SC2154,SC2153"), "{runs:?}");
        assert!(calls(&log).len() <= 2, "{:?}", calls(&log));
        // The canned finding (line 2, columns 8-12 of the unit) is `$VAR` at 4:14-4:18.
        let json: serde_json::Value = serde_json::from_str(&stdout).expect("json");
        let f = json["findings"]
            .as_array()
            .and_then(|a| a.iter().find(|f| f["rule"] == "SC2086"))
            .cloned()
            .expect("SC2086 finding");
        assert_eq!(
            (&f["line"], &f["column"], &f["end_line"], &f["end_column"]),
            (
                &serde_json::json!(4),
                &serde_json::json!(14),
                &serde_json::json!(4),
                &serde_json::json!(18)
            ),
            "{stdout}"
        );
        assert!(f["message"]
            .as_str()
            .unwrap_or("")
            .contains("(in jobs a, b, c)"));
    }

    #[test]
    fn powershell_pipeline_starts_no_process() {
        let file = manifest_dir().join("../shared/corpus/templates/dotNET.gitlab-ci.yml");
        if !file.is_file() {
            return;
        }
        let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("fake-shellcheck-ps");
        let (bin, log) = fake(&tmp);
        let dir = file.parent().expect("folder").to_path_buf();
        let mut s = settings_with(&bin);
        s.verbose = true;
        let report = check_file(&file, &dir, &s);
        assert!(calls(&log).iter().all(|c| !c.contains("json1")));
        assert!(report.diagnostics.iter().all(|d| d.external.is_none()));
        let skipped = report
            .diagnostics
            .iter()
            .filter(|d| d.message.contains("not checked by ShellCheck"))
            .count();
        assert!(skipped >= 3, "verbose lists the skipped jobs");
    }

    #[test]
    fn missing_shellcheck_keeps_the_exit_code_and_required_exits_2() {
        let case = cases_dir().join("plain");
        let run = |extra: &[&str]| {
            Command::new(env!("CARGO_BIN_EXE_kaslint"))
                .args(["check", "--root"])
                .arg(&case)
                .args(extra)
                .arg(case.join(".gitlab-ci.yml"))
                .env("PATH", "/nonexistent")
                .env("XDG_CACHE_HOME", tmp_cache())
                .env_remove("KASLINT_SHELLCHECK")
                .output()
                .expect("run kaslint")
        };
        let auto = run(&[]);
        assert_eq!(auto.status.code(), Some(0), "{auto:?}");
        let verbose = run(&["--verbose"]);
        assert!(String::from_utf8_lossy(&verbose.stdout).contains(kaslint::shellcheck::MISSING));
        let required = run(&["--require-shellcheck"]);
        assert_eq!(required.status.code(), Some(2), "{required:?}");
    }
}
