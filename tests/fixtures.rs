//! Every fixture under `fixtures/<CODE>/{good,bad}/`: a `.yml` file (its folder is the
//! repository root) or a folder holding `.gitlab-ci.yml` (the folder is the root).
//! Bad cases mark each finding's line with `# expect: CODE`; the (file, line, code)
//! set must match exactly. Good cases must have no finding at all. Each case's plain
//! output is an insta snapshot.

mod common;

use std::path::{Path, PathBuf};

use common::{check, expected, files_below, found, manifest_dir, render};

struct Case {
    entry: PathBuf,
    root: PathBuf,
    files: Vec<PathBuf>,
    name: String,
    good: bool,
}

fn cases() -> Vec<Case> {
    let base = manifest_dir().join("fixtures");
    let mut out = Vec::new();
    let mut codes: Vec<_> = std::fs::read_dir(&base)
        .expect("fixtures/")
        .flatten()
        .map(|e| e.path())
        .collect();
    codes.sort();
    for code_dir in codes.into_iter().filter(|p| p.is_dir()) {
        let code = code_dir.file_name().unwrap().to_string_lossy().into_owned();
        for kind in ["good", "bad"] {
            let dir = code_dir.join(kind);
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
            entries.sort();
            for p in entries {
                let stem = p.file_stem().unwrap().to_string_lossy().into_owned();
                let rel = |x: &Path| x.strip_prefix(manifest_dir()).unwrap().to_path_buf();
                let case = if p.is_dir() {
                    let entry = p.join(".gitlab-ci.yml");
                    assert!(entry.is_file(), "{} has no .gitlab-ci.yml", p.display());
                    Case {
                        entry: rel(&entry),
                        root: rel(&p),
                        files: files_below(&p),
                        name: format!("{code}__{kind}__{stem}"),
                        good: kind == "good",
                    }
                } else if p.extension().is_some_and(|e| e == "yml" || e == "yaml") {
                    Case {
                        entry: rel(&p),
                        root: rel(&dir),
                        files: vec![p.clone()],
                        name: format!("{code}__{kind}__{stem}"),
                        good: kind == "good",
                    }
                } else {
                    continue;
                };
                out.push(case);
            }
        }
    }
    out
}

#[test]
fn fixtures() {
    std::env::set_current_dir(manifest_dir()).expect("cd");
    let mut failures = Vec::new();
    let mut outputs = Vec::new();
    let cases = cases();
    assert!(!cases.is_empty(), "no fixtures found");
    for case in &cases {
        let report = check(&case.entry, &case.root);
        let got = found(&report);
        let want = expected(&case.files);
        if case.good {
            if !got.is_empty() {
                failures.push(format!(
                    "{}: a good case has findings:\n{}",
                    case.name,
                    render(&report)
                ));
            }
        } else if want.is_empty() {
            failures.push(format!(
                "{}: a bad case has no `# expect:` marker",
                case.name
            ));
        } else if got != want {
            let missing: Vec<_> = want.difference(&got).collect();
            let extra: Vec<_> = got.difference(&want).collect();
            failures.push(format!(
                "{}: findings differ from the markers\n  missing: {missing:?}\n  unexpected: {extra:?}\n{}",
                case.name,
                render(&report)
            ));
        }
        outputs.push((case.name.clone(), render(&report)));
    }
    assert!(
        failures.is_empty(),
        "{} fixture(s) failed:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    for (name, output) in outputs {
        insta::with_settings!({snapshot_path => "snapshots/fixtures", prepend_module_to_snapshot => false, omit_expression => true}, {
            insta::assert_snapshot!(name.as_str(), output);
        });
    }
}
