//! The machine formats (`gitlab` Code Quality, `sarif`, `junit`) on real checks of fixtures:
//! SARIF validated against the official SARIF 2.1.0 schema, JUnit read back by an independent
//! JUnit parser, Code Quality held to GitLab's documented fields, fingerprints unique and
//! stable when lines move, and a snapshot of each format.

mod common;

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use kaslint::diagnostic::External;
use kaslint::load::{SourceFile, Span};
use kaslint::report::{codequality, junit, sarif, Diagnostic, FileReport, RenderOptions};
use serde_json::Value;

use common::{check, files_below, manifest_dir};

const BAD: &str = "fixtures/KAS204/bad/seed-as-written";
const GOOD: &str = "fixtures/KAS204/good/seed-corrected";
/// A pipeline with includes: findings in several files.
const INCLUDES: &str = "fixtures/KAS102/bad/hidden-behind-templates";

fn check_dir(dir: &Path) -> FileReport {
    check(&dir.join(".gitlab-ci.yml"), dir)
}

fn fixture(dir: &str) -> FileReport {
    check_dir(Path::new(dir))
}

/// Options as the CLI builds them in CI, with `CI_PROJECT_DIR` = the fixture's folder and a
/// fixed version so snapshots do not change with releases.
fn opts(dir: &str) -> RenderOptions {
    RenderOptions {
        project_dir: Some(manifest_dir().join(dir)),
        tool_version: "0.0.0-test",
    }
}

/// A ShellCheck finding carried by the first finding's rule, as the ShellCheck rule makes them.
fn with_shellcheck(mut report: FileReport) -> FileReport {
    let mut d = report.diagnostics[0].clone();
    d.message = "Double quote to prevent globbing and word splitting.".into();
    d.external = Some(External {
        tool: "shellcheck",
        code: "SC2086".into(),
        url: "https://www.shellcheck.net/wiki/SC2086".into(),
    });
    report.diagnostics.push(d);
    report
}

/// A validator of the official SARIF 2.1.0 schema (draft-04), `format` (`uri`,
/// `uri-reference`, ...) checked too.
///
/// jsonschema checks a schema against its meta-schema, `format: regex` included, and rejects
/// the `language` patterns of the official schema (`run`, `toolComponent`: `^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$`,
/// with a stray `]`; a property kaslint never writes). That `]` is escaped; nothing else changes.
fn sarif_validator() -> jsonschema::Validator {
    let path = manifest_dir().join("../shared/data/sarif-2.1.0.schema.json");
    let text = std::fs::read_to_string(&path).expect("shared/data/sarif-2.1.0.schema.json");
    let mut schema: Value = serde_json::from_str(&text).expect("schema is JSON");
    assert_eq!(schema["$schema"], "http://json-schema.org/draft-04/schema#");
    let patched = escape_stray_bracket(&mut schema);
    assert_eq!(patched, 2, "run.language and toolComponent.language");
    jsonschema::draft4::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("SARIF schema compiles")
}

/// Escapes the stray `]` of the schema's `language` patterns; returns how many it changed.
fn escape_stray_bracket(v: &mut Value) -> usize {
    const STRAY: &str = "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$";
    const ESCAPED: &str = "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}\\]?$";
    match v {
        Value::Object(map) => map
            .iter_mut()
            .map(|(k, v)| {
                if k == "pattern" && v == STRAY {
                    *v = Value::String(ESCAPED.into());
                    1
                } else {
                    escape_stray_bracket(v)
                }
            })
            .sum(),
        Value::Array(items) => items.iter_mut().map(escape_stray_bracket).sum(),
        _ => 0,
    }
}

fn assert_valid_sarif(validator: &jsonschema::Validator, text: &str) -> Value {
    let log: Value = serde_json::from_str(text).expect("SARIF is JSON");
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "SARIF schema errors:\n{}",
        errors.join("\n")
    );
    log
}

#[test]
fn sarif_validates_against_the_schema() {
    let validator = sarif_validator();
    let bad = fixture(BAD);
    assert!(!bad.diagnostics.is_empty());
    assert!(
        bad.diagnostics.iter().any(|d| !d.related.is_empty()),
        "the fixture should have related labels"
    );
    let reports = vec![with_shellcheck(bad), fixture(GOOD), fixture(INCLUDES)];
    let findings: usize = reports.iter().map(|r| r.diagnostics.len()).sum();

    for o in [opts(BAD), RenderOptions::default()] {
        let log = assert_valid_sarif(&validator, &sarif::render(&reports, &o));
        assert_eq!(log["version"], "2.1.0");
        let runs = log["runs"].as_array().unwrap();
        assert_eq!(runs.len(), 1);
        let run = &runs[0];
        assert_eq!(run["columnKind"], "unicodeCodePoints");
        let driver = &run["tool"]["driver"];
        assert_eq!(driver["name"], "kaslint");
        let rules = driver["rules"].as_array().unwrap();
        assert!(rules.len() >= kaslint::rules::RULES.len());
        for r in rules {
            for key in ["id", "name", "helpUri"] {
                assert!(r[key].is_string(), "rule without {key}: {r}");
            }
            assert!(r["shortDescription"]["text"].is_string());
            assert!(r["fullDescription"]["text"].is_string());
            assert!(r["help"]["markdown"].as_str().unwrap().starts_with("# KAS"));
            let level = r["defaultConfiguration"]["level"].as_str().unwrap();
            assert!(["error", "warning", "note"].contains(&level));
        }
        let extensions = run["tool"]["extensions"].as_array().unwrap();
        assert_eq!(extensions.len(), 1);
        assert_eq!(extensions[0]["name"], "ShellCheck");

        let results = run["results"].as_array().unwrap();
        assert_eq!(results.len(), findings);
        let mut external = 0;
        for r in results {
            let id = r["ruleId"].as_str().unwrap();
            // The rule a result names must be the one its index points at.
            if let Some(i) = r["ruleIndex"].as_u64() {
                assert_eq!(rules[i as usize]["id"], id);
            } else {
                let reference = &r["rule"];
                assert_eq!(reference["id"], id);
                let component = reference["toolComponent"]["index"].as_u64().unwrap() as usize;
                let index = reference["index"].as_u64().unwrap() as usize;
                assert_eq!(extensions[component]["rules"][index]["id"], id);
                external += 1;
            }
            let region = &r["locations"][0]["physicalLocation"]["region"];
            for key in ["startLine", "startColumn", "endLine", "endColumn"] {
                assert!(region[key].as_u64().unwrap() >= 1, "{key} in {r}");
            }
            let fp = r["partialFingerprints"]["kaslint/v1"].as_str().unwrap();
            assert_eq!(fp.len(), 64);
        }
        assert_eq!(external, 1);
        let related = results
            .iter()
            .filter_map(|r| r["relatedLocations"].as_array())
            .flatten()
            .count();
        assert!(related > 0);
    }

    // The validator is not vacuous: a 0 line and a `helpUri` that is no URI are rejected.
    let mut broken: Value = serde_json::from_str(&sarif::render(&reports, &opts(BAD))).unwrap();
    let location = &mut broken["runs"][0]["results"][0]["locations"][0]["physicalLocation"];
    location["region"]["startLine"] = Value::from(0);
    broken["runs"][0]["tool"]["driver"]["rules"][0]["helpUri"] = Value::from("rules/KAS001.md");
    let errors: Vec<String> = validator
        .iter_errors(&broken)
        .map(|e| e.instance_path().to_string())
        .collect();
    assert!(
        errors.iter().any(|p| p.ends_with("/region/startLine"))
            && errors.iter().any(|p| p.ends_with("/helpUri")),
        "{errors:?}"
    );

    // Relative to the project: `%SRCROOT%`; without a project directory: as displayed.
    let log: Value = serde_json::from_str(&sarif::render(&reports[..1], &opts(BAD))).unwrap();
    let artifact =
        &log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"];
    assert_eq!(artifact["uri"], ".gitlab-ci.yml");
    assert_eq!(artifact["uriBaseId"], "%SRCROOT%");
    let base = log["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .unwrap();
    assert!(
        base.starts_with("file:///") && base.ends_with('/'),
        "{base}"
    );
    let log: Value =
        serde_json::from_str(&sarif::render(&reports[..1], &RenderOptions::default())).unwrap();
    let artifact =
        &log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"];
    assert_eq!(artifact["uri"], format!("{BAD}/.gitlab-ci.yml"));
    assert!(artifact.get("uriBaseId").is_none());
}

#[test]
fn sarif_without_findings_validates() {
    let validator = sarif_validator();
    for reports in [vec![], vec![fixture(GOOD)]] {
        let log = assert_valid_sarif(&validator, &sarif::render(&reports, &opts(GOOD)));
        assert_eq!(log["runs"][0]["results"], Value::Array(vec![]));
        assert!(log["runs"][0]["tool"].get("extensions").is_none());
    }
}

#[test]
fn junit_parses_with_a_junit_parser() {
    let bad = with_shellcheck(fixture(BAD));
    // (file, code) pairs of the bad fixture: one failing test case each.
    let pairs: BTreeSet<(String, String)> = bad
        .diagnostics
        .iter()
        .map(|d| (".gitlab-ci.yml".to_string(), d.code().to_string()))
        .collect();
    let findings = bad.diagnostics.len();
    let reports = vec![bad, fixture(GOOD)];
    let xml = junit::render(&reports, &opts(BAD));
    let parsed =
        junit_parser::from_reader(std::io::Cursor::new(xml.as_bytes())).expect("JUnit XML parses");

    assert_eq!(parsed.name, "kaslint");
    assert_eq!(parsed.suites.len(), 2);
    assert_eq!(parsed.failures as usize, pairs.len());
    assert_eq!(parsed.errors, 0);

    let suite = &parsed.suites[0];
    assert_eq!(suite.name, ".gitlab-ci.yml");
    assert_eq!(suite.cases.len(), pairs.len());
    assert_eq!(suite.failures as usize, pairs.len());
    let mut seen = BTreeSet::new();
    for case in &suite.cases {
        let classname = case.classname.clone().unwrap();
        let (code, rule) = case
            .original_name
            .split_once(": ")
            .expect("CODE: rule-name");
        assert!(!rule.is_empty());
        seen.insert((classname.clone(), code.to_string()));
        let junit_parser::TestStatus::Failure(f) = &case.status else {
            panic!("{} should fail", case.name);
        };
        assert_eq!(f.failure_type, code);
        assert!(!f.message.is_empty());
        assert!(f.text.starts_with(&format!("{classname}:")), "{}", f.text);
    }
    assert_eq!(seen, pairs);

    // junit-parser 1.7 drops entity references (`&apos;`) in element text and splits the text
    // there, so the failure text is read back with quick-junit's own deserializer.
    let read = quick_junit::Report::deserialize_from_str(&xml).expect("JUnit XML deserializes");
    let mut lines = 0;
    for case in &read.test_suites[0].test_cases {
        let classname = case.classname.as_ref().unwrap().as_str();
        let quick_junit::TestCaseStatus::NonSuccess {
            description: Some(text),
            ..
        } = &case.status
        else {
            panic!("{} should fail with a text", case.name.as_str());
        };
        for line in text.as_str().lines() {
            assert!(line.starts_with(&format!("{classname}:")), "{line}");
            assert!(
                line.contains(": [error] ")
                    || line.contains(": [warning] ")
                    || line.contains(": [info] "),
                "{line}"
            );
            lines += 1;
        }
    }
    assert_eq!(lines, findings, "one line per finding");
    assert!(suite
        .cases
        .iter()
        .any(|c| c.original_name == "SC2086: shellcheck"));

    // The clean file: one passing case.
    let clean = &parsed.suites[1];
    assert_eq!(clean.name, format!("{GOOD}/.gitlab-ci.yml"));
    assert_eq!(clean.cases.len(), 1);
    assert_eq!(clean.cases[0].original_name, junit::CLEAN_CASE);
    assert!(clean.cases[0].status.is_success());
}

#[test]
fn junit_findings_in_included_files_are_classed_by_file() {
    let report = fixture(INCLUDES);
    let files: BTreeSet<String> = report
        .diagnostics
        .iter()
        .map(|d| {
            let name = &report.sources.get(d.primary.file).name;
            name.strip_prefix(&format!("{INCLUDES}/"))
                .unwrap_or(name)
                .to_string()
        })
        .collect();
    let xml = junit::render(std::slice::from_ref(&report), &opts(INCLUDES));
    let parsed = junit_parser::from_reader(std::io::Cursor::new(xml.as_bytes())).unwrap();
    let classes: BTreeSet<String> = parsed.suites[0]
        .cases
        .iter()
        .filter_map(|c| c.classname.clone())
        .collect();
    assert_eq!(classes, files);
}

/// GitLab's documented Code Quality fields, with their types, and nothing else.
fn assert_gitlab_fields(issue: &Value) {
    let keys = |v: &Value| -> BTreeSet<String> {
        v.as_object().expect("an object").keys().cloned().collect()
    };
    let set = |k: &[&str]| -> BTreeSet<String> { k.iter().map(|s| s.to_string()).collect() };
    assert_eq!(
        keys(issue),
        set(&[
            "description",
            "check_name",
            "fingerprint",
            "severity",
            "location"
        ])
    );
    assert_eq!(keys(&issue["location"]), set(&["path", "lines"]));
    assert_eq!(keys(&issue["location"]["lines"]), set(&["begin"]));
    let check = issue["check_name"].as_str().unwrap();
    let description = issue["description"].as_str().unwrap();
    assert!(
        description.starts_with(&format!("{check}: ")),
        "{description}"
    );
    let fp = issue["fingerprint"].as_str().unwrap();
    assert!(
        fp.len() == 64 && fp.bytes().all(|b| b.is_ascii_hexdigit()),
        "{fp}"
    );
    let severity = issue["severity"].as_str().unwrap();
    assert!(["info", "minor", "major", "critical", "blocker"].contains(&severity));
    assert!(!issue["location"]["path"].as_str().unwrap().is_empty());
    assert!(issue["location"]["lines"]["begin"].as_u64().unwrap() >= 1);
}

fn gitlab_issues(reports: &[FileReport], o: &RenderOptions) -> Vec<Value> {
    let text = codequality::render(reports, o);
    let v: Value = serde_json::from_str(&text).expect("Code Quality is JSON");
    v.as_array().expect("a JSON array").clone()
}

#[test]
fn gitlab_code_quality_fields() {
    let bad = with_shellcheck(fixture(BAD));
    let n = bad.diagnostics.len();
    let reports = vec![bad, fixture(GOOD), fixture(INCLUDES)];
    let n = n + reports[2].diagnostics.len();
    let issues = gitlab_issues(&reports, &opts(BAD));
    assert_eq!(issues.len(), n);
    for issue in &issues {
        assert_gitlab_fields(issue);
    }
    let prints: HashSet<&str> = issues
        .iter()
        .map(|i| i["fingerprint"].as_str().unwrap())
        .collect();
    assert_eq!(prints.len(), issues.len(), "fingerprints must be unique");
    assert!(issues
        .iter()
        .any(|i| i["location"]["path"] == ".gitlab-ci.yml"));
    assert!(issues.iter().any(|i| i["check_name"] == "SC2086"));
    // Severity mapping.
    assert!(issues
        .iter()
        .any(|i| i["check_name"] == "KAS204" && i["severity"] == "major"));

    assert_eq!(codequality::render(&[], &opts(BAD)), "[]\n");
    assert_eq!(codequality::render(&[fixture(GOOD)], &opts(GOOD)), "[]\n");
}

#[test]
fn gitlab_same_finding_twice_is_written_once() {
    let reports = vec![fixture(BAD), fixture(BAD)];
    let once = gitlab_issues(&reports[..1], &opts(BAD));
    assert_eq!(gitlab_issues(&reports, &opts(BAD)), once);
    let sarif: Value = serde_json::from_str(&sarif::render(&reports, &opts(BAD))).unwrap();
    assert_eq!(
        sarif["runs"][0]["results"].as_array().unwrap().len(),
        once.len()
    );
}

#[test]
fn gitlab_fingerprints_of_look_alike_findings_differ() {
    // Two findings alike in everything but their line: same rule, file, text and message.
    let mut sources = kaslint::load::Sources::default();
    let text = "a:\n  image: \"\"\nb:\n  image: \"\"\n";
    let id = sources.add(SourceFile::new("ci.yml".into(), None, text.to_string()));
    let meta = kaslint::rules::RULES[0].meta();
    let at = |line: usize| {
        let start = text
            .match_indices("image")
            .nth(line)
            .map(|(i, _)| i)
            .unwrap();
        Span::new(id, start, start + 9)
    };
    let report = FileReport {
        diagnostics: vec![
            Diagnostic::new(meta, at(0), "same"),
            Diagnostic::new(meta, at(1), "same"),
        ],
        ..fixture(GOOD)
    };
    let report = FileReport { sources, ..report };
    let issues = gitlab_issues(std::slice::from_ref(&report), &RenderOptions::default());
    assert_eq!(issues.len(), 2);
    assert_ne!(issues[0]["fingerprint"], issues[1]["fingerprint"]);
    assert_eq!(issues[0]["location"]["lines"]["begin"], 2);
    assert_eq!(issues[1]["location"]["lines"]["begin"], 4);
}

/// Copies a fixture folder to `dest`, with `prefix` put before the text of `.gitlab-ci.yml`.
fn copy_fixture(from: &Path, dest: &Path, prefix: &str) {
    let _ = std::fs::remove_dir_all(dest);
    for f in files_below(from) {
        let rel = f.strip_prefix(from).unwrap();
        let target = dest.join(rel);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        let mut text = std::fs::read_to_string(&f).unwrap();
        if rel == Path::new(".gitlab-ci.yml") {
            text.insert_str(0, prefix);
        }
        std::fs::write(&target, text).unwrap();
    }
}

#[test]
fn gitlab_fingerprints_survive_a_blank_line_at_the_top() {
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("formats-fingerprints");
    let fixture_dir = manifest_dir().join(BAD);
    let (a, b) = (tmp.join("a"), tmp.join("b"));
    copy_fixture(&fixture_dir, &a, "");
    copy_fixture(&fixture_dir, &b, "\n");

    let render = |dir: &Path| {
        let o = RenderOptions::new(Some(dir.to_path_buf()));
        (
            gitlab_issues(&[check_dir(dir)], &o),
            serde_json::from_str::<Value>(&sarif::render(&[check_dir(dir)], &o)).unwrap(),
        )
    };
    let (issues_a, sarif_a) = render(&a);
    let (issues_b, sarif_b) = render(&b);
    assert!(!issues_a.is_empty());
    assert_eq!(issues_a.len(), issues_b.len());
    for (x, y) in issues_a.iter().zip(&issues_b) {
        assert_eq!(x["fingerprint"], y["fingerprint"], "{x} / {y}");
        assert_eq!(x["location"]["path"], ".gitlab-ci.yml");
        assert_eq!(y["location"]["path"], ".gitlab-ci.yml");
        let (la, lb) = (
            x["location"]["lines"]["begin"].as_u64().unwrap(),
            y["location"]["lines"]["begin"].as_u64().unwrap(),
        );
        assert_eq!(la + 1, lb, "the finding moved down one line");
    }
    let prints = |s: &Value| -> Vec<Value> {
        s["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["partialFingerprints"].clone())
            .collect()
    };
    assert_eq!(prints(&sarif_a), prints(&sarif_b));
    // SARIF and Code Quality share the fingerprint.
    assert_eq!(
        prints(&sarif_a)[0]["kaslint/v1"],
        issues_a[0]["fingerprint"]
    );
}

/// The SARIF log with the rule pages (large, and owned by each rule) cut down to the rules
/// the findings use (`ruleIndex` renumbered), their help text replaced by a marker, and the
/// project path replaced.
fn sarif_for_snapshot(text: &str) -> String {
    let mut log: Value = serde_json::from_str(text).unwrap();
    let run = &mut log["runs"][0];
    let used: BTreeSet<String> = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap().to_string())
        .collect();
    let rules = run["tool"]["driver"]["rules"].as_array_mut().unwrap();
    rules.retain(|r| used.contains(r["id"].as_str().unwrap()));
    let ids: Vec<Value> = rules.iter().map(|r| r["id"].clone()).collect();
    for r in rules {
        r["help"] = Value::String("[rule page]".into());
    }
    // Indexes into the rules kept, so that adding a rule elsewhere leaves the snapshot alone.
    for r in run["results"].as_array_mut().unwrap() {
        let i = ids.iter().position(|id| *id == r["ruleId"]).unwrap();
        r["ruleIndex"] = Value::from(i);
    }
    if let Some(base) = run.get_mut("originalUriBaseIds") {
        base["%SRCROOT%"]["uri"] = Value::String("file:///[PROJECT]/".into());
    }
    serde_json::to_string_pretty(&log).unwrap()
}

#[test]
fn snapshots() {
    let report = fixture(BAD);
    let o = opts(BAD);
    let reports = std::slice::from_ref(&report);
    insta::with_settings!({snapshot_path => "snapshots/formats", prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!("gitlab", codequality::render(reports, &o));
        insta::assert_snapshot!("sarif", sarif_for_snapshot(&sarif::render(reports, &o)));
        insta::assert_snapshot!("junit", junit::render(reports, &o));
    });
}

/// Writes each format for the bad fixture (with a ShellCheck finding) and the clean one to
/// `target/tmp/formats-samples/`, for validators outside `cargo test`, e.g. Microsoft's:
/// `cargo test --test formats -- --ignored samples` then
/// `npx @microsoft/sarif-multitool validate target/tmp/formats-samples/kaslint.sarif`.
#[test]
#[ignore]
fn samples() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("formats-samples");
    std::fs::create_dir_all(&dir).unwrap();
    let reports = vec![
        with_shellcheck(fixture(BAD)),
        fixture(GOOD),
        fixture(INCLUDES),
    ];
    let o = opts(BAD);
    std::fs::write(dir.join("kaslint.sarif"), sarif::render(&reports, &o)).unwrap();
    std::fs::write(dir.join("junit.xml"), junit::render(&reports, &o)).unwrap();
    std::fs::write(
        dir.join("gl-code-quality.json"),
        codequality::render(&reports, &o),
    )
    .unwrap();
}
