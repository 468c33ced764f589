//! The rule registry is consistent with the pages in `rules/` and the fixtures: every
//! registered rule has a page and fixtures, every page a rule, and each page's
//! `## Example` triggers its rule while its `## Fix` is clean.

mod common;

use std::collections::BTreeSet;

use common::{check, manifest_dir, render};
use kaslint::rules::RULES;

fn is_kebab(s: &str) -> bool {
    !s.is_empty()
        && s.split('-').all(|w| {
            !w.is_empty()
                && w.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
}

#[test]
fn registry_is_consistent() {
    let mut codes = BTreeSet::new();
    let mut names = BTreeSet::new();
    for r in RULES {
        let m = r.meta();
        assert!(
            m.code.len() == 6
                && m.code.starts_with("KAS")
                && m.code[3..].chars().all(|c| c.is_ascii_digit()),
            "bad code {}",
            m.code
        );
        assert!(is_kebab(m.name), "name `{}` is not kebab-case", m.name);
        assert!(codes.insert(m.code), "duplicate code {}", m.code);
        assert!(names.insert(m.name), "duplicate name {}", m.name);
        assert!(
            !m.summary.ends_with('.')
                && m.summary.chars().next().is_some_and(|c| !c.is_uppercase()),
            "{}: summary must be lowercase with no trailing period",
            m.code
        );
        let heading = format!("# {}: {}\n", m.code, m.name);
        assert!(
            m.doc.starts_with(&heading),
            "{}: page must start with `{}`",
            m.code,
            heading.trim()
        );
        for section in [
            "## What it does",
            "## Why it matters",
            "## Example",
            "## Fix",
            "## References",
        ] {
            assert!(
                m.doc.contains(section),
                "{}: page lacks `{section}`",
                m.code
            );
        }
        for kind in ["good", "bad"] {
            let dir = manifest_dir().join("fixtures").join(m.code).join(kind);
            let n = std::fs::read_dir(&dir).map(|d| d.count()).unwrap_or(0);
            assert!(n > 0, "{}: no fixtures in {}", m.code, dir.display());
        }
    }
    // Every page and fixture folder belongs to a rule.
    for entry in std::fs::read_dir(manifest_dir().join("rules"))
        .expect("rules/")
        .flatten()
    {
        let name = entry.file_name().to_string_lossy().into_owned();
        let code = name.strip_suffix(".md").unwrap_or(&name);
        assert!(codes.contains(code), "rules/{name} has no registered rule");
    }
    for entry in std::fs::read_dir(manifest_dir().join("fixtures"))
        .expect("fixtures/")
        .flatten()
    {
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.path().is_dir() && name.starts_with("KAS") {
            assert!(
                codes.contains(name.as_str()),
                "fixtures/{name} has no registered rule"
            );
        }
    }
}

/// The first fenced YAML block after `heading`.
fn yaml_after<'a>(doc: &'a str, heading: &str) -> Option<&'a str> {
    let start = doc.find(heading)? + heading.len();
    let rest = &doc[start..];
    let next_heading = rest.find("\n## ").unwrap_or(rest.len());
    let section = &rest[..next_heading];
    let open = section.find("```yaml\n")? + "```yaml\n".len();
    let close = section[open..].find("```")?;
    Some(&section[open..open + close])
}

/// The files of a `## Example files` (or `## Fix files`) section: each a line holding
/// the file's path in backticks, then a fenced block with its text.
fn files_after<'a>(doc: &'a str, heading: &str) -> Option<Vec<(&'a str, &'a str)>> {
    let start = doc.find(&format!("{heading}\n"))? + heading.len();
    let rest = &doc[start..];
    let section = &rest[..rest.find("\n## ").unwrap_or(rest.len())];
    let mut out = Vec::new();
    let mut lines = section.split_inclusive('\n');
    let mut at = 0;
    while let Some(line) = lines.next() {
        at += line.len();
        let t = line.trim();
        let Some(path) = t
            .strip_prefix('`')
            .and_then(|r| r.split_once('`'))
            .map(|(p, _)| p)
        else {
            continue;
        };
        let open = section[at..].find("```")? + at;
        let body = open + section[open..].find('\n')? + 1;
        let close = body + section[body..].find("```")?;
        out.push((path, &section[body..close]));
        lines = section[close + 3..].split_inclusive('\n');
        at = close + 3;
    }
    Some(out)
}

#[test]
fn pages_examples_trigger_and_fixes_are_clean() {
    let tmp = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("pages");
    let mut failures = Vec::new();
    for r in RULES {
        let m = r.meta();
        for (heading, must_fire) in [("## Example", true), ("## Fix", false)] {
            let Some(yaml) = yaml_after(m.doc, heading) else {
                failures.push(format!("{}: `{heading}` has no ```yaml block", m.code));
                continue;
            };
            let dir = tmp
                .join(m.code)
                .join(if must_fire { "example" } else { "fix" });
            std::fs::create_dir_all(&dir).expect("tmp dir");
            let file = dir.join(".gitlab-ci.yml");
            std::fs::write(&file, yaml).expect("write");
            // Other files of the example's repository (agent configurations, kaslint.toml);
            // the Fix uses the Example's unless it has its own.
            let files_heading = format!("{heading} files");
            let files = files_after(m.doc, &files_heading)
                .or_else(|| files_after(m.doc, "## Example files"))
                .unwrap_or_default();
            for (path, text) in files {
                let target = dir.join(path);
                std::fs::create_dir_all(target.parent().expect("parent")).expect("tmp dir");
                std::fs::write(target, text).expect("write");
            }
            let report = check(&file, &dir);
            let fired = report.diagnostics.iter().any(|d| d.rule.code == m.code);
            if must_fire && !fired {
                failures.push(format!(
                    "{}: the Example does not trigger the rule:\n{}",
                    m.code,
                    render(&report)
                ));
            }
            if !must_fire && !report.diagnostics.is_empty() {
                failures.push(format!(
                    "{}: the Fix is not clean:\n{}",
                    m.code,
                    render(&report)
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
