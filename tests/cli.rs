//! The real binary: exit codes, limits, formats, subcommands.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_kaslint"));
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    // The tests' own cache, never the user's.
    c.env(
        "XDG_CACHE_HOME",
        Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-cache"),
    );
    for (k, _) in std::env::vars() {
        if k.starts_with("CI")
            || k.starts_with("GITLAB_")
            || k.starts_with("KASLINT_")
            || k == "NO_COLOR"
            || k == "CLICOLOR_FORCE"
        {
            c.env_remove(k);
        }
    }
    c
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A fresh folder for one test (a repository root: it holds `.git`).
fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("cli")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join(".git")).expect("scratch dir");
    dir
}

fn write(dir: &Path, name: &str, text: impl AsRef<[u8]>) -> String {
    let p = dir.join(name);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, text).unwrap();
    p.to_string_lossy().into_owned()
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).expect("JSON output")
}

fn rules_of(v: &serde_json::Value) -> Vec<String> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn billion_laughs_is_a_finding() {
    let dir = scratch("laughs");
    let mut y = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    for (i, c) in "bcdefghi".chars().enumerate() {
        let prev = (b'a' + i as u8) as char;
        y.push_str(&format!(
            "{c}: &{c} [{}]\n",
            vec![format!("*{prev}"); 9].join(",")
        ));
    }
    let f = write(&dir, ".gitlab-ci.yml", y);
    let o = run(&["check", "--format", "json", &f]);
    assert_eq!(o.status.code(), Some(1));
    let v = json(&o);
    assert_eq!(rules_of(&v), ["KAS002"]);
    assert!(v["findings"][0]["line"].as_u64().unwrap() > 0);
}

#[test]
fn oversized_file_is_a_finding() {
    let dir = scratch("big");
    let mut y = String::new();
    let mut i = 0;
    while y.len() < 3 * 1024 * 1024 {
        y.push_str(&format!("job{i}:\n  script:\n    - echo {i}\n"));
        i += 1;
    }
    let f = write(&dir, ".gitlab-ci.yml", y);
    let o = run(&["check", "--format", "json", &f]);
    assert_eq!(o.status.code(), Some(1));
    let v = json(&o);
    assert_eq!(rules_of(&v), ["KAS002"]);
    assert_eq!(
        v["findings"][0]["message"].as_str(),
        Some("The parsed YAML is too big")
    );
}

#[test]
fn deep_nesting_is_a_finding_with_position() {
    let dir = scratch("deep");
    let mut y = String::from("job:\n  script: [make]\n  variables:\n");
    for d in 0..150 {
        y.push_str(&"  ".repeat(d + 2));
        y.push_str(&format!("k{d}:\n"));
    }
    let f = write(&dir, ".gitlab-ci.yml", y);
    let o = run(&["check", "--format", "json", &f]);
    assert_eq!(o.status.code(), Some(1));
    let v = json(&o);
    assert_eq!(rules_of(&v), ["KAS002"]);
    assert!(v["findings"][0]["line"].as_u64().unwrap() > 90);

    let flow = write(
        &dir,
        "flow/.gitlab-ci.yml",
        format!("a: {}1{}\n", "[".repeat(150), "]".repeat(150)),
    );
    let o = run(&["check", "--format", "json", &flow]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(rules_of(&json(&o)), ["KAS002"]);
}

#[test]
fn non_utf8_is_a_finding_with_position() {
    let dir = scratch("latin1");
    let f = write(
        &dir,
        ".gitlab-ci.yml",
        b"build:\n  script:\n    - echo caf\xe9\n",
    );
    let o = run(&["check", "--format", "json", &f]);
    assert_eq!(o.status.code(), Some(1));
    let v = json(&o);
    assert_eq!(rules_of(&v), ["KAS001"]);
    assert_eq!(v["findings"][0]["line"], 3);
    assert_eq!(v["findings"][0]["column"], 15);
}

#[test]
fn include_loop_is_a_finding() {
    let dir = scratch("loop");
    let f = write(
        &dir,
        ".gitlab-ci.yml",
        "include: a.yml\nbuild:\n  script: [make]\n",
    );
    write(&dir, "a.yml", "include: b.yml\n");
    write(&dir, "b.yml", "include: a.yml\n");
    let o = run(&["check", "--format", "json", &f]);
    assert_eq!(o.status.code(), Some(1));
    let v = json(&o);
    assert_eq!(rules_of(&v), ["KAS006"]);
    assert!(v["findings"][0]["file"]
        .as_str()
        .unwrap()
        .ends_with("b.yml"));
}

#[test]
fn missing_path_and_bad_flag_exit_2() {
    let o = run(&["check", "no/such/file.yml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no such file"));
    assert_eq!(run(&["check", "--no-such-flag"]).status.code(), Some(2));
    assert_eq!(
        run(&["check", "--select", "KAS9999", "fixtures"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(run(&["explain", "nope"]).status.code(), Some(2));
}

#[test]
fn clean_file_exits_0_and_fail_on_controls_exit() {
    let dir = scratch("clean");
    let f = write(&dir, ".gitlab-ci.yml", "build:\n  script: [make]\n");
    let o = run(&["check", &f]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains("All checks passed"));

    let w = write(
        &dir,
        "w/.gitlab-ci.yml",
        "build:\n  script: [make]\nbuild:\n  script: [make test]\n",
    );
    assert_eq!(run(&["check", &w]).status.code(), Some(1));
    assert_eq!(
        run(&["check", "--fail-on", "error", &w]).status.code(),
        Some(0)
    );
    assert_eq!(
        run(&["check", "--ignore", "duplicate-key", &w])
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        run(&["check", "--select", "KAS001", &w]).status.code(),
        Some(0)
    );
}

#[test]
fn human_output_is_plain_when_piped() {
    let dir = scratch("human");
    let f = write(
        &dir,
        ".gitlab-ci.yml",
        "include:\n  - local: missing.yml\nbuild:\n  script: [make]\n",
    );
    let o = run(&["check", &f]);
    let out = stdout(&o);
    assert!(!out.contains('\u{1b}'), "ANSI escape in piped output");
    assert!(
        out.contains("error[KAS005]: Local file `missing.yml` does not exist!"),
        "{out}"
    );
    assert!(out.contains(".gitlab-ci.yml:2:12"), "{out}");
    assert!(out.contains("^^^^^^^^^^^"), "{out}");
    assert!(out.contains("Found 1 finding (1 error)."), "{out}");
}

#[test]
fn json_format_is_versioned() {
    let dir = scratch("json");
    let f = write(
        &dir,
        ".gitlab-ci.yml",
        ".a:\n  script: [x]\nbuild:\n  extends: .b\n  script: [make]\n",
    );
    let o = run(&["check", "--format", "json", &f]);
    assert_eq!(o.status.code(), Some(1));
    let v = json(&o);
    assert_eq!(v["version"], 1);
    let f0 = &v["findings"][0];
    for key in [
        "rule",
        "name",
        "severity",
        "message",
        "file",
        "line",
        "column",
        "end_line",
        "end_column",
        "job",
    ] {
        assert!(f0.get(key).is_some(), "missing {key}");
    }
    assert_eq!(f0["rule"], "KAS010");
    assert_eq!(f0["job"], "build");
    assert_eq!(
        (
            f0["line"].as_u64(),
            f0["column"].as_u64(),
            f0["end_column"].as_u64()
        ),
        (Some(4), Some(12), Some(14))
    );
    assert_eq!(v["summary"]["error"], 1);
}

#[test]
fn a_finding_in_a_shared_template_names_every_job() {
    let dir = scratch("jobs");
    let f = write(
        &dir,
        ".gitlab-ci.yml",
        ".deploy:\n  image:\n    name: bitnami/kubectl:1.31.2\n    entrypoint: [\"\"]\n  script:\n    - kubectl apply -f k8s/\n\
         a:\n  extends: .deploy\n  environment: {name: staging, kubernetes: {agent: g/p:x}}\n\
         b:\n  extends: .deploy\n  environment: {name: production, kubernetes: {agent: g/p:x}}\n",
    );
    let o = run(&["check", "--no-shellcheck", "--format", "json", &f]);
    let v = json(&o);
    let kas101: Vec<_> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "KAS101")
        .collect();
    assert_eq!(kas101.len(), 1, "{v}");
    assert_eq!(kas101[0]["job"], "a");
    assert_eq!(kas101[0]["jobs"], serde_json::json!(["a", "b"]));
    let human = stdout(&run(&["check", "--no-shellcheck", &f]));
    assert!(human.contains("jobs `a`, `b`"), "{human}");
}

#[test]
fn stdin_and_directories() {
    let mut child = bin()
        .args(["check", "--format", "json", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"build:\n  extends: .nope\n  script: [make]\n")
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    let v = json(&o);
    assert_eq!(v["findings"][0]["file"], "<stdin>");

    let dir = scratch("dir");
    write(&dir, ".gitlab-ci.yml", "build:\n  script: [make]\n");
    write(
        &dir,
        "ci/deploy.gitlab-ci.yml",
        "deploy:\n  script: [make]\n",
    );
    write(&dir, "ci/other.yml", "not: [valid\n");
    let o = run(&["check", "--format", "json", dir.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert_eq!(json(&o)["summary"]["files"], 2);
}

#[test]
fn fragments_and_files_within_their_pipeline() {
    let dir = scratch("fragment");
    // A template file alone: references to what others define are not errors.
    let frag = write(
        &dir,
        "templates/deploy.yml",
        "deploy:\n  extends: .kubectl\n  stage: release\n  script: [make]\n",
    );
    assert_eq!(run(&["check", &frag]).status.code(), Some(0));
    // The same file as an entry: the reference must resolve.
    let o = run(&["check", "--format", "json", "--entry", &frag, &frag]);
    assert_eq!(rules_of(&json(&o)), ["KAS010", "KAS024"]);
    // A file the repository's pipeline includes is checked within it.
    write(
        &dir,
        ".gitlab-ci.yml",
        "include: ci/jobs.yml\n.kubectl:\n  image: alpine\n",
    );
    let jobs = write(&dir, "ci/jobs.yml", "deploy:\n  extends: .kubectl\n  script: [make]\nother:\n  extends: .missing\n  script: [make]\n");
    let o = run(&["check", "--format", "json", &jobs]);
    let v = json(&o);
    assert_eq!(rules_of(&v), ["KAS010"], "{v}");
    assert_eq!(v["findings"][0]["job"], "other");
}

#[test]
fn config_prints_merged_yaml_that_round_trips() {
    let dir = scratch("config");
    let f = write(
        &dir,
        ".gitlab-ci.yml",
        "include: ci/t.yml\nvariables:\n  FLAG: \"on\"\n  MODE: \"0777\"\ndeploy:\n  extends: .t\n  script:\n    - !reference [.t, before_script]\n    - |\n      echo one\n      echo two\n",
    );
    write(
        &dir,
        "ci/t.yml",
        ".t:\n  image: alpine\n  before_script: [echo setup]\n",
    );
    let o = run(&["config", &f]);
    assert_eq!(o.status.code(), Some(0));
    let text = stdout(&o);
    assert!(text.contains("FLAG: \"on\""), "{text}");
    assert!(text.contains("MODE: \"0777\""), "{text}");
    assert!(!text.contains("include"), "{text}");
    assert!(text.contains("image: alpine"), "{text}");
    let again = write(&dir, "again/.gitlab-ci.yml", &text);
    let o2 = run(&["config", &again]);
    assert_eq!(stdout(&o2), text, "config output is not a fixed point");
}

#[test]
fn rules_and_explain() {
    let o = run(&["rules"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("KAS005 "));
    let o = run(&["explain", "include-not-found"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).starts_with("# KAS005: include-not-found"));
}

const DEPLOY: &str = "variables:
  AGENT_KUBECONTEXT: my-group/my-project:my-agent
deploy:
  image: alpine/k8s:1.31.4
  script:
    - kubectl --context \"$AGENT_KUBECONTEXT\" apply -f k8s/ --insecure-skip-tls-verify
";

#[test]
fn suppressions_and_no_ignores() {
    let dir = scratch("suppress");
    let suppressed = DEPLOY.replace(
        "--insecure-skip-tls-verify\n",
        "--insecure-skip-tls-verify # kaslint: ignore[tls-verify-disabled] lab cluster\n",
    );
    let f = write(&dir, ".gitlab-ci.yml", &suppressed);
    let o = run(&["check", &f]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("1 suppressed by comments"),
        "{}",
        stdout(&o)
    );
    let o = run(&["check", "--no-ignores", "--format", "json", &f]);
    assert_eq!(rules_of(&json(&o)), ["KAS401"]);
    // A suppression on another line suppresses nothing and says so.
    let unused = format!("# kaslint: ignore[KAS401] wrong line\n{DEPLOY}");
    let g = write(&dir, "unused/.gitlab-ci.yml", &unused);
    let o = run(&["check", "--format", "json", &g]);
    assert_eq!(rules_of(&json(&o)), ["KAS900", "KAS401"]);
}

#[test]
fn config_discovery_and_errors() {
    let dir = scratch("config-file");
    let f = write(&dir, "sub/.gitlab-ci.yml", DEPLOY);
    assert_eq!(run(&["check", &f]).status.code(), Some(1));
    // Found upward from the checked file.
    write(
        &dir,
        "kaslint.toml",
        "[rules.tls-verify-disabled]\nseverity = \"info\"\n",
    );
    let o = run(&["check", "--format", "json", &f]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert_eq!(json(&o)["findings"][0]["severity"], "info");
    // --no-config and --config.
    assert_eq!(run(&["check", "--no-config", &f]).status.code(), Some(1));
    let other = write(&dir, "other.toml", "fail-on = \"error\"\n");
    assert_eq!(
        run(&["check", "--config", &other, &f]).status.code(),
        Some(0)
    );
    // Unknown keys: exit 2 with a suggestion.
    write(&dir, "kaslint.toml", "fial-on = \"error\"\n");
    let o = run(&["check", &f]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("did you mean `fail-on`?"), "{err}");
    write(
        &dir,
        "kaslint.toml",
        "[rules.KAS4O1]\nseverity = \"info\"\n",
    );
    let o = run(&["check", &f]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("unknown rule `KAS4O1`"));
    // Settings-side variables make an undefined context variable known.
    let undefined = "deploy:\n  image: alpine/k8s:1.31.4\n  script:\n    - kubectl config use-context \"$KUBE_CTX\"\n    - kubectl apply -f k8s/\n";
    let g = write(&dir, "vars/.gitlab-ci.yml", undefined);
    write(&dir, "kaslint.toml", "");
    let before = json(&run(&["check", "--format", "json", &g]));
    assert!(
        rules_of(&before).contains(&"KAS103".to_string()),
        "{before}"
    );
    write(&dir, "vars/kaslint.toml", "variables = [\"KUBE_CTX\"]\n");
    let after = json(&run(&["check", "--format", "json", &g]));
    assert!(!rules_of(&after).contains(&"KAS103".to_string()), "{after}");
}

#[test]
fn baseline_round_trip_survives_moved_lines() {
    let dir = scratch("baseline");
    let f = write(&dir, ".gitlab-ci.yml", DEPLOY);
    let base = dir.join("baseline.json");
    let o = run(&["check", "--write-baseline", base.to_str().unwrap(), &f]);
    assert_eq!(o.status.code(), Some(0));
    let recorded: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&base).unwrap()).unwrap();
    assert_eq!(
        recorded["findings"][0]["path"], "deploy.script[0]",
        "{recorded}"
    );
    assert_eq!(
        run(&["check", "--baseline", base.to_str().unwrap(), &f])
            .status
            .code(),
        Some(0)
    );
    // Unrelated lines above: still known.
    write(
        &dir,
        ".gitlab-ci.yml",
        format!("# a comment\n\nstages: [test]\n{DEPLOY}")
            .replace("deploy:\n", "deploy:\n  stage: test\n"),
    );
    assert_eq!(
        run(&["check", "--baseline", base.to_str().unwrap(), &f])
            .status
            .code(),
        Some(0)
    );
    // A new finding is reported.
    write(&dir, ".gitlab-ci.yml", format!("{DEPLOY}    - kubectl --context \"$AGENT_KUBECONTEXT\" get pods --insecure-skip-tls-verify\n"));
    let o = run(&[
        "check",
        "--baseline",
        base.to_str().unwrap(),
        "--format",
        "json",
        &f,
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(json(&o)["findings"][0]["line"], 7);
}

#[test]
fn several_formats_in_one_run() {
    let dir = scratch("formats");
    let f = write(&dir, ".gitlab-ci.yml", DEPLOY);
    let cq = dir.join("gl-code-quality.json");
    let junit = dir.join("report.xml");
    let sarif = dir.join("kaslint.sarif");
    let o = run(&[
        "check",
        "--output-format",
        &format!("gitlab={}", cq.display()),
        "--output-format",
        &format!("junit={}", junit.display()),
        "--output-format",
        &format!("sarif={}", sarif.display()),
        &f,
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("warning[KAS401]"));
    let cq: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&cq).unwrap()).unwrap();
    assert_eq!(cq[0]["check_name"], "KAS401");
    assert!(std::fs::read_to_string(&junit)
        .unwrap()
        .contains("<testsuites"));
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap()).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    assert_eq!(
        run(&["check", "--output-format", "nope=x", &f])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn readme_config_example_is_valid() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let section = &readme[readme.find("## Configuration").expect("config section")..];
    let start = section.find("```toml\n").expect("toml block") + "```toml\n".len();
    let end = start + section[start..].find("```").unwrap();
    let dir = scratch("readme-config");
    let cfg = write(&dir, "kaslint.toml", &section[start..end]);
    let f = write(
        &dir,
        ".gitlab-ci.yml",
        "build:\n  image: alpine:3.20\n  script: [make]\n",
    );
    let o = run(&["check", "--config", &cfg, &f]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}{}",
        stdout(&o),
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn ci_component_and_hook_files_lint_clean() {
    let o = run(&["check", "templates/kaslint.yml"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let o = run(&[
        "check",
        "--entry",
        "templates/kaslint.yml",
        "templates/kaslint.yml",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let hooks = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml"),
    )
    .unwrap();
    assert!(
        hooks.contains("id: kaslint")
            && hooks.contains("language: rust")
            && hooks.contains("pass_filenames: false")
    );
}

#[test]
fn no_path_checks_the_repository_entry_or_the_configured_one() {
    let dir = scratch("default-entry");
    write(
        &dir,
        ".gitlab-ci.yml",
        "build:\n  image: alpine:3.20\n  script: [make]\n",
    );
    let o = bin().current_dir(&dir).args(["check"]).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    write(&dir, "kaslint.toml", "entry = \"ci/main.yml\"\n");
    write(
        &dir,
        "ci/main.yml",
        "build:\n  image: alpine:3.20\n  extends: .missing\n  script: [make]\n",
    );
    let o = bin()
        .current_dir(&dir)
        .args(["check", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert_eq!(rules_of(&json(&o)), ["KAS010"]);
}

#[test]
fn big_pipelines_give_the_same_findings_on_two_threads() {
    // 300 jobs: past the point where rules run on two threads.
    let dir = scratch("big-pipeline");
    let mut y = String::from("variables:\n  AGENT_KUBECONTEXT: my-group/my-project:my-agent\n");
    for i in 0..300 {
        y.push_str(&format!(
            "job-{i}:\n  image: alpine/k8s:1.31.4\n  stage: {}\n  script:\n    - kubectl --context \"$AGENT_KUBECONTEXT\" apply -f k8s/ --insecure-skip-tls-verify\n",
            if i == 7 { "nope" } else { "test" }
        ));
    }
    let f = write(&dir, ".gitlab-ci.yml", y);
    let first = run(&["check", "--no-shellcheck", "--format", "json", &f]);
    let second = run(&["check", "--no-shellcheck", "--format", "json", &f]);
    assert_eq!(
        stdout(&first),
        stdout(&second),
        "output must be deterministic"
    );
    let rules = rules_of(&json(&first));
    assert_eq!(rules.iter().filter(|r| *r == "KAS401").count(), 300);
    assert_eq!(rules.iter().filter(|r| *r == "KAS024").count(), 1);
}

/// Each subcommand's arguments are built only when it runs (`defer`); its help still
/// starts with the line `kaslint --help` gives it, and still lists its options.
#[test]
fn subcommand_help_matches_the_top_level_list() {
    let top = stdout(&run(&["--help"]));
    let listed: Vec<(String, String)> = top
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| {
            let (name, about) = l.trim().split_once(' ')?;
            Some((name.to_string(), about.trim().to_string()))
        })
        .filter(|(name, _)| name != "help")
        .collect();
    assert!(listed.len() >= 6, "{top}");
    for (name, about) in &listed {
        let help = stdout(&run(&[name, "--help"]));
        // The list shows the first line of a longer about text.
        let first = help.lines().next().unwrap_or_default();
        assert!(
            about.starts_with(first) || first.starts_with(about.as_str()),
            "{name}: `{first}` is not `{about}`"
        );
    }
    let check = stdout(&run(&["check", "--help"]));
    assert!(
        check.contains("--no-shellcheck") && check.contains("--fail-on"),
        "{check}"
    );
    let generate = stdout(&run(&["generate", "kubectl-deploy", "--help"]));
    assert!(generate.contains("--agent"), "{generate}");
}
