//! `check --fix/--unsafe-fixes/--diff`: every case under `tests/fixes/` (a `.yml` file
//! checked as a repository's `.gitlab-ci.yml`, or a folder that is the repository) is
//! fixed on a copy; the unified diff is an insta snapshot; the fixed files load, a second
//! run changes nothing, `--diff` writes nothing; line endings, a BOM and a missing final
//! newline survive; a fix that fails verification leaves the file untouched.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::manifest_dir;
use kaslint::autofix::run::{fix_target, fix_with, Mode, Outcome};
use kaslint::check::{CheckOptions, Target};
use kaslint::fix::Applicability;

const UNSAFE: Mode = Mode {
    min: Applicability::Unsafe,
    write: true,
};
const DIFF: Mode = Mode {
    min: Applicability::Unsafe,
    write: false,
};

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("fixes")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join(".git")).expect("scratch dir");
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).expect("case folder").flatten() {
        let dest = to.join(entry.file_name());
        if entry.path().is_dir() {
            std::fs::create_dir_all(&dest).expect("mkdir");
            copy_dir(&entry.path(), &dest);
        } else {
            std::fs::copy(entry.path(), dest).expect("copy");
        }
    }
}

/// A copy of a case as a repository; its `.gitlab-ci.yml`.
fn prepare(case: &Path, name: &str) -> PathBuf {
    let dir = scratch(name);
    if case.is_dir() {
        copy_dir(case, &dir);
    } else {
        std::fs::copy(case, dir.join(".gitlab-ci.yml")).expect("copy case");
    }
    dir
}

/// Settings without ShellCheck (the cases do not depend on one being installed).
fn no_shellcheck() -> kaslint::settings::Settings {
    let mut settings = kaslint::settings::Settings::default();
    settings.shellcheck.mode = kaslint::settings::ShellcheckMode::Off;
    settings
}

/// The options to check a case's copy as its repository's pipeline; the target.
fn options<'a>(
    dir: &Path,
    settings: &'a kaslint::settings::Settings,
) -> (CheckOptions<'a>, Target) {
    let entry = dir.join(".gitlab-ci.yml");
    let opts = CheckOptions {
        root: Some(dir.to_path_buf()),
        entry: Some(entry.clone()),
        settings,
        shared: Default::default(),
        leak_model: false,
    };
    (opts, Target::File(entry))
}

fn fix(dir: &Path, mode: Mode) -> Outcome {
    let settings = no_shellcheck();
    let (opts, target) = options(dir, &settings);
    fix_target(&target, &opts, mode).expect("case readable")
}

/// Every file below `dir` (but `.git`) with its bytes.
fn contents(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out: Vec<_> = common::files_below(dir)
        .into_iter()
        .filter(|p| !p.components().any(|c| c.as_os_str() == ".git"))
        .map(|p| {
            let bytes = std::fs::read(&p).expect("read");
            (p, bytes)
        })
        .collect();
    out.sort();
    out
}

fn cases() -> Vec<PathBuf> {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(manifest_dir().join("tests/fixes"))
        .expect("tests/fixes")
        .flatten()
        .map(|e| e.path())
        .collect();
    cases.sort();
    cases
}

/// What a case's findings offer and the diff `--diff --unsafe-fixes` prints.
fn describe(before: &kaslint::report::FileReport, diff: &Outcome) -> String {
    let mut s = String::new();
    for d in &before.diagnostics {
        if let Some(f) = &d.fix {
            s.push_str(&format!(
                "{} [{}] {}\n",
                d.code(),
                f.applicability.as_str(),
                f.title
            ));
        }
    }
    s.push_str(&format!("\napplied: {}\n\n", diff.applied));
    s.push_str(&diff.diffs.concat());
    let abs = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("fixes");
    let rel = abs
        .strip_prefix(manifest_dir())
        .unwrap_or(&abs)
        .to_path_buf();
    s.replace(&*abs.to_string_lossy(), "<tmp>")
        .replace(&*rel.to_string_lossy(), "<tmp>")
}

/// The findings of a plain check of the case's copy.
fn plain_check(dir: &Path) -> kaslint::report::FileReport {
    let settings = no_shellcheck();
    let (opts, target) = options(dir, &settings);
    kaslint::check::check_target(&target, &opts).expect("case readable")
}

#[test]
fn every_fix_case() {
    let mut offered_codes = std::collections::BTreeSet::new();
    for case in cases() {
        let name = case.file_stem().unwrap().to_string_lossy().into_owned();
        let dir = prepare(&case, &name);
        let original = contents(&dir);
        let offered = plain_check(&dir);
        for d in offered.diagnostics.iter().filter(|d| d.fix.is_some()) {
            offered_codes.insert(d.code().to_string());
        }
        let shown = fix(&dir, DIFF);
        assert_eq!(contents(&dir), original, "{name}: --diff wrote");
        assert!(shown.failures.is_empty(), "{name}: {:?}", shown.failures);
        assert!(
            shown.applied > 0 || name.contains("display"),
            "{name}: nothing fixed"
        );
        insta::assert_snapshot!(format!("fix__{name}"), describe(&offered, &shown));

        let written = fix(&dir, UNSAFE);
        assert!(
            written.failures.is_empty(),
            "{name}: {:?}",
            written.failures
        );
        assert_eq!(
            written.diffs, shown.diffs,
            "{name}: --fix wrote what --diff showed"
        );
        assert_ne!(contents(&dir), original, "{name}: nothing written");
        let fixed = contents(&dir);
        let again = fix(&dir, UNSAFE);
        assert_eq!(again.applied, 0, "{name}: a second run fixed more");
        assert_eq!(
            contents(&dir),
            fixed,
            "{name}: a second run changed the files"
        );
        assert!(
            again.report.diagnostics.iter().all(|d| d
                .fix
                .as_ref()
                .is_none_or(|f| f.applicability == Applicability::DisplayOnly)),
            "{name}: fixes left after fixing"
        );
    }
    // (KAS500's fixes come from ShellCheck: see `shellcheck_fixes_map_into_one_scalar`.)
    for code in kaslint::fix::build::FIXED_RULES
        .iter()
        .filter(|c| **c != "KAS500")
    {
        assert!(
            offered_codes.contains(*code),
            "{code}: no case in tests/fixes shows its fix"
        );
    }
}

/// Each rule page says whether the rule fixes (the table's Autofix) and, when it does,
/// how safe the fix is (`## Fix safety`).
#[test]
fn rule_pages_document_their_fixes() {
    for r in kaslint::rules::RULES {
        let m = r.meta();
        let row = m.doc.lines().nth(4).unwrap_or_default();
        let cell = row
            .trim_end_matches('|')
            .rsplit('|')
            .next()
            .unwrap_or("")
            .trim();
        if kaslint::fix::build::FIXED_RULES.contains(&m.code) {
            assert!(
                cell != "no" && !cell.is_empty(),
                "{}: Autofix says `{cell}`",
                m.code
            );
            assert!(
                m.doc.contains("\n## Fix safety\n"),
                "{}: no `## Fix safety`",
                m.code
            );
        } else {
            assert_eq!(cell, "no", "{}: Autofix without a fix", m.code);
        }
    }
}

/// The text of `.gitlab-ci.yml` after `--fix --unsafe-fixes` on `text`.
fn fixed_text(name: &str, text: &[u8]) -> Vec<u8> {
    let dir = scratch(name);
    std::fs::write(dir.join(".gitlab-ci.yml"), text).expect("write");
    let out = fix(&dir, UNSAFE);
    assert!(out.failures.is_empty(), "{name}: {:?}", out.failures);
    assert!(out.applied > 0, "{name}: nothing fixed");
    std::fs::read(dir.join(".gitlab-ci.yml")).expect("read")
}

#[test]
fn line_endings_bom_and_final_newline_survive() {
    for case in [
        "entrypoint-scalar",
        "stop-job-rules",
        "unknown-key",
        "entrypoint-mapping",
    ] {
        let lf = std::fs::read_to_string(manifest_dir().join(format!("tests/fixes/{case}.yml")))
            .expect("case");
        let fixed = String::from_utf8(fixed_text(&format!("{case}-lf"), lf.as_bytes())).unwrap();
        assert!(!fixed.contains('\r'));

        let crlf = fixed_text(&format!("{case}-crlf"), lf.replace('\n', "\r\n").as_bytes());
        assert_eq!(
            String::from_utf8(crlf).unwrap(),
            fixed.replace('\n', "\r\n"),
            "{case}: CRLF"
        );

        let bom = fixed_text(&format!("{case}-bom"), format!("\u{feff}{lf}").as_bytes());
        assert_eq!(
            String::from_utf8(bom).unwrap(),
            format!("\u{feff}{fixed}"),
            "{case}: BOM"
        );

        let bare = lf.strip_suffix('\n').unwrap();
        let no_newline = fixed_text(&format!("{case}-bare"), bare.as_bytes());
        assert_eq!(
            String::from_utf8(no_newline).unwrap(),
            fixed.strip_suffix('\n').unwrap(),
            "{case}: no final newline"
        );
    }
}

#[test]
fn a_fix_that_fails_verification_writes_nothing() {
    let dir = prepare(
        &manifest_dir().join("tests/fixes/stop-job-rules.yml"),
        "tampered",
    );
    let original = contents(&dir);
    let settings = no_shellcheck();
    let (opts, target) = options(&dir, &settings);
    // A fix whose edits also change the deploy job's script: the merged configuration
    // changes where the fix did not say, so the file must stay as it is and the fix be named.
    let tamper = |r: &mut kaslint::report::FileReport| {
        for d in &mut r.diagnostics {
            if let Some(f) = &mut d.fix {
                if f.title.contains("--ignore-not-found") {
                    let file = f.edits[0].span.file;
                    let at = r.sources.get(file).text.find("k8s/\n").unwrap();
                    f.edits
                        .push(kaslint::fix::Edit::insert(file, at + 4, "base/"));
                    f.edits.sort_by_key(|e| e.span.start);
                }
            }
        }
    };
    let out = fix_with(&target, &opts, UNSAFE, &tamper).expect("runs");
    assert_eq!(contents(&dir), original, "a refused fix wrote the file");
    assert_eq!(out.applied, 0);
    let failure = out.failures.join("\n");
    assert!(failure.contains("nothing written"), "{failure}");
    assert!(
        failure.contains("--ignore-not-found"),
        "the failed fix is named: {failure}"
    );
    assert!(
        failure.contains("`deploy.script.1`"),
        "the changed path is named: {failure}"
    );
}

fn bin(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_kaslint"))
        .current_dir(dir)
        .env_remove("KASLINT_SHELLCHECK")
        .env_remove("CI_PROJECT_DIR")
        .env("NO_COLOR", "1")
        .arg("check")
        .arg("--no-shellcheck")
        .args(args)
        .output()
        .expect("binary runs")
}

#[test]
fn cli_diff_writes_nothing_and_fix_writes() {
    let dir = prepare(
        &manifest_dir().join("tests/fixes/stop-job-rules.yml"),
        "cli",
    );
    let original = contents(&dir);
    let diff = bin(&dir, &["--diff", "--unsafe-fixes"]);
    assert_eq!(
        diff.status.code(),
        Some(1),
        "--diff exits 1 when something would be fixed"
    );
    let printed = String::from_utf8_lossy(&diff.stdout);
    assert!(
        printed.starts_with("--- a/.gitlab-ci.yml\n+++ b/.gitlab-ci.yml\n"),
        "{printed}"
    );
    assert!(printed.contains("+      when: manual"), "{printed}");
    assert_eq!(contents(&dir), original, "--diff wrote");

    // Safe fixes only: the stop job's fixes are all unsafe, so nothing changes and the
    // summary says how many more --unsafe-fixes would apply.
    let safe = bin(&dir, &["--fix"]);
    let err = String::from_utf8_lossy(&safe.stderr);
    assert!(
        err.contains("fixed 0 finding(s) in 0 file(s) (3 more with --unsafe-fixes)"),
        "{err}"
    );
    assert_eq!(contents(&dir), original);
    assert_eq!(safe.status.code(), Some(1), "warnings are left");

    let all = bin(&dir, &["--fix", "--unsafe-fixes", "--format", "json"]);
    let err = String::from_utf8_lossy(&all.stderr);
    assert!(err.contains("fixed 4 finding(s) in 1 file(s)"), "{err}");
    let json: serde_json::Value = serde_json::from_slice(&all.stdout).expect("json");
    assert_eq!(json["findings"].as_array().map(Vec::len), Some(0), "{json}");
    assert_eq!(all.status.code(), Some(0), "nothing left");
    let text = std::fs::read_to_string(dir.join(".gitlab-ci.yml")).unwrap();
    assert!(text.contains("      when: manual\n"), "{text}");

    let clean = bin(&dir, &["--diff", "--unsafe-fixes"]);
    assert_eq!(clean.status.code(), Some(0), "nothing left to fix");
    assert!(clean.stdout.is_empty());
}

#[test]
fn json_carries_the_fix() {
    let dir = prepare(
        &manifest_dir().join("tests/fixes/entrypoint-scalar.yml"),
        "json",
    );
    let out = bin(&dir, &["--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let fix = &json["findings"][0]["fix"];
    assert_eq!(fix["applicability"], "safe", "{json}");
    assert_eq!(fix["title"], "add `entrypoint: [\"\"]` to the image");
    let edit = &fix["edits"][0];
    assert_eq!(edit["file"], ".gitlab-ci.yml");
    assert_eq!(edit["line"], 4);
    assert_eq!(
        edit["content"],
        "{name: \"bitnami/kubectl:1.30\", entrypoint: [\"\"]}"
    );
    let human = bin(&dir, &[]);
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(text.contains("warning[KAS202]: [*] "), "{text}");
}

/// ShellCheck's own fixes, with the real ShellCheck (skipped when there is none).
#[test]
fn shellcheck_fixes_map_into_one_scalar() {
    let mut s = kaslint::settings::Settings::default();
    s.shellcheck
        .locate_with(&kaslint::environment::Environment::read());
    let Ok(Some(binary)) = kaslint::shellcheck::discover(&s) else {
        eprintln!("no shellcheck found: skipping");
        return;
    };
    let mut settings = kaslint::settings::Settings::default();
    settings.shellcheck.path = Some(binary.path);
    let case = manifest_dir().join("tests/fixes-shellcheck/scalar-styles.yml");
    let dir = prepare(&case, "shellcheck");
    let (opts, target) = options(&dir, &settings);
    let offered = kaslint::check::check_target(&target, &opts).expect("readable");
    let original = contents(&dir);
    let shown = fix_target(&target, &opts, DIFF).expect("runs");
    assert_eq!(contents(&dir), original, "--diff wrote");
    assert!(shown.failures.is_empty(), "{:?}", shown.failures);
    insta::assert_snapshot!("fix__shellcheck", describe(&offered, &shown));
    let written = fix_target(&target, &opts, UNSAFE).expect("runs");
    assert_eq!(written.diffs, shown.diffs);
    let again = fix_target(&target, &opts, UNSAFE).expect("runs");
    assert_eq!(again.applied, 0, "a second run fixed more");
    assert!(offered
        .diagnostics
        .iter()
        .any(|d| d.rule.code == "KAS500" && d.fix.is_some()));
}
