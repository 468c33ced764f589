//! `cargo xtask new-rule KASnnn rule-name [summary]`: the scaffold of a new rule. Writes the
//! rule file (`src/rules/<family>/<name>.rs`), its page (`rules/KASnnn.md`), a bad and a
//! good fixture (`fixtures/KASnnn/{bad,good}/example.yml`): four files, nothing else to
//! edit (`build.rs` registers every rule file of a family). The skeleton is a working rule
//! (it reports a placeholder command, and its page's Example fires it); write the real
//! logic, page and fixtures, then `INSTA_UPDATE=always cargo test --test fixtures` writes
//! the fixtures' two snapshots to review.
//! Never overwrites a file.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("new-rule") if args.len() == 3 || args.len() == 4 => {
            let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
            match new_rule(&root, &args[1], &args[2], args.get(3).map(String::as_str)) {
                Ok(written) => {
                    for p in written {
                        println!("wrote {}", p.display());
                    }
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::from(2)
                }
            }
        }
        _ => {
            eprintln!("usage: cargo xtask new-rule KASnnn rule-name [\"one-line summary\"]");
            ExitCode::from(2)
        }
    }
}

/// A new rule's names, from its code and kebab-case name.
#[derive(Debug, PartialEq)]
struct Names {
    code: String,
    name: String,
    /// `deploy` (KAS1xx-KAS3xx) or `security` (KAS4xx).
    family: &'static str,
    /// The module: the name in snake case.
    module: String,
    /// The type: the name in camel case.
    ty: String,
}

fn names(code: &str, name: &str) -> Result<Names, String> {
    let digits = code.strip_prefix("KAS").unwrap_or("");
    if digits.len() != 3 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "`{code}` is not a rule code (`KAS` and three digits)"
        ));
    }
    let family = match digits.as_bytes()[0] {
        b'1'..=b'3' => "deploy",
        b'4' => "security",
        _ => {
            return Err(format!(
                "{code}: the scaffold writes deployment (KAS1xx-KAS3xx) and security (KAS4xx) rules; \
                 a KAS0xx finding of the model or of GitLab's validation is a line in `src/rules/reported.rs`"
            ))
        }
    };
    let kebab = !name.is_empty()
        && name.split('-').all(|w| {
            !w.is_empty()
                && w.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
        && name.as_bytes()[0].is_ascii_lowercase();
    if !kebab {
        return Err(format!("`{name}` is not a kebab-case rule name"));
    }
    let ty = name
        .split('-')
        .map(|w| w[..1].to_ascii_uppercase() + &w[1..])
        .collect();
    Ok(Names {
        code: code.to_string(),
        name: name.to_string(),
        family,
        module: name.replace('-', "_"),
        ty,
    })
}

/// The placeholder command the skeleton reports (replace it with the rule's logic).
const PLACEHOLDER: &str = "change-me";

fn rule_file(n: &Names, summary: &str) -> String {
    format!(
        r#"//! {code}: {summary}.

use crate::rules::prelude::*;

declare_rule!(
    {ty},
    "{code}",
    "{name}",
    Warning,
    "{summary}",
    uses: [facts]
);

/// The command the scaffold's example looks for: replace it with the rule's logic.
const COMMAND: &str = "{PLACEHOLDER}";

impl Rule for {ty} {{
    fn check_job(&self, _cx: &Context<'_>, job: &Job, f: &Facts<'_>, out: &mut Vec<Diagnostic>) {{
        for c in &f.script.commands {{
            if c.words.first().is_some_and(|w| w.text == COMMAND) {{
                out.push(
                    Diagnostic::new(&META, c.span, format!("the job runs `{{COMMAND}}`"))
                        .label("here")
                        .job(job.name.clone())
                        .help("say how to fix it"),
                );
            }}
        }}
    }}
}}
"#,
        code = n.code,
        name = n.name,
        ty = n.ty,
    )
}

const BAD: &str = "deploy:\n  script:\n    - change-me # expect: CODE\n";
const GOOD: &str = "deploy:\n  script:\n    - echo ok\n";

fn page(n: &Names, summary: &str) -> String {
    format!(
        "# {code}: {name}\n\n\
         | Default severity | Since | Offline | Autofix |\n\
         |---|---|---|---|\n\
         | warning | 0.1.0 | yes | no |\n\n\
         ## What it does\n\nReports {summary}.\n\n\
         ## Why it matters\n\nWhat goes wrong in GitLab when this happens.\n\n\
         ## Example\n\n```yaml\n{bad}```\n\n\
         ## Fix\n\n```yaml\n{good}```\n\n\
         ## Known limitations\n\nNone known.\n\n\
         ## References\n\n- <https://docs.gitlab.com/ci/yaml/>\n",
        code = n.code,
        name = n.name,
        bad = BAD.replace("CODE", &n.code),
        good = GOOD,
    )
}

/// Create `path` with `text`; an existing file is an error.
fn create(path: &Path, text: &str) -> Result<(), String> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let mut f = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    f.write_all(text.as_bytes())
        .map_err(|e| format!("{}: {e}", path.display()))
}

fn new_rule(
    root: &Path,
    code: &str,
    name: &str,
    summary: Option<&str>,
) -> Result<Vec<PathBuf>, String> {
    let n = names(code, name)?;
    let default_summary = format!("a job runs `{PLACEHOLDER}`");
    let summary = summary.unwrap_or(&default_summary);
    let page_path = root.join("rules").join(format!("{code}.md"));
    if page_path.exists() {
        return Err(format!("{code} exists: {}", page_path.display()));
    }
    let rule_path = root
        .join("src/rules")
        .join(n.family)
        .join(format!("{}.rs", n.module));
    let fixtures = root.join("fixtures").join(code);
    let files = [
        (rule_path, rule_file(&n, summary)),
        (page_path, page(&n, summary)),
        (fixtures.join("bad/example.yml"), BAD.replace("CODE", code)),
        (fixtures.join("good/example.yml"), GOOD.to_string()),
    ];
    for (path, text) in &files {
        create(path, text)?;
    }
    let written: Vec<PathBuf> = files.into_iter().map(|(p, _)| p).collect();
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_from_code_and_name() {
        let n = names("KAS310", "stop-job-too-slow").unwrap();
        assert_eq!(
            (n.family, n.module.as_str(), n.ty.as_str()),
            ("deploy", "stop_job_too_slow", "StopJobTooSlow")
        );
        assert_eq!(names("KAS410", "x").unwrap().family, "security");
        assert!(names("KAS031", "x").is_err());
        assert!(names("KAS31", "x").is_err());
        assert!(names("KAS310", "Not-Kebab").is_err());
        assert!(names("KAS310", "a--b").is_err());
    }

    #[test]
    fn the_page_example_is_the_bad_fixture_and_fires() {
        let n = names("KAS310", "stop-job-too-slow").unwrap();
        let page = page(&n, "a job runs `change-me`");
        assert!(page.starts_with("# KAS310: stop-job-too-slow\n\n| Default severity |"));
        for section in [
            "## What it does",
            "## Why it matters",
            "## Example",
            "## Fix",
            "## References",
        ] {
            assert!(page.contains(section), "{section}");
        }
        assert!(page.contains("    - change-me # expect: KAS310\n"));
        let rule = rule_file(&n, "a job runs `change-me`");
        assert!(rule.contains(
            "\ndeclare_rule!(\n    StopJobTooSlow,\n    \"KAS310\",\n    \"stop-job-too-slow\","
        ));
        assert!(rule.contains(&format!("const COMMAND: &str = \"{PLACEHOLDER}\";")));
    }
}
