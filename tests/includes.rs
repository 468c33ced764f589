//! Includes beyond the repository, end to end through the real binary and real `git`:
//! bare repositories served through `file://`, an HTTP server on 127.0.0.1 for remote
//! includes, a templates folder. Each case fetches, checks, then checks again with the
//! network off (the server moved away, and inside `unshare -n` where the machine allows
//! it) and expects the same findings from the cache.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

use base64::Engine;
use serde_json::Value;
use sha2::{Digest, Sha256};

static N: AtomicUsize = AtomicUsize::new(0);

/// A scratch folder removed at the end.
struct Tmp(PathBuf);

impl Tmp {
    fn new(name: &str) -> Tmp {
        let n = N.fetch_add(1, Ordering::SeqCst);
        let dir = std::env::temp_dir().join(format!(
            "kaslint-includes-{name}-{}-{n}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Tmp(dir)
    }
}

impl Drop for Tmp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A project on the `file://` server `server`: a bare repository and a work tree.
struct Project {
    work: PathBuf,
}

impl Project {
    fn new(server: &Path, path: &str) -> Project {
        let bare = server.join(format!("{path}.git"));
        std::fs::create_dir_all(&bare).unwrap();
        git(&bare, &["init", "-q", "--bare", "-b", "main"]);
        let work = server
            .parent()
            .unwrap()
            .join("work")
            .join(path.replace('/', "-"));
        std::fs::create_dir_all(&work).unwrap();
        git(&work, &["init", "-q", "-b", "main"]);
        git(&work, &["remote", "add", "origin", bare.to_str().unwrap()]);
        Project { work }
    }

    /// Commit `files` on `main`, push, and return the commit.
    fn commit(&self, files: &[(&str, &str)]) -> String {
        for (path, text) in files {
            let full = self.work.join(path);
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(full, text).unwrap();
        }
        git(&self.work, &["add", "-A"]);
        git(&self.work, &["commit", "-q", "-m", "change"]);
        git(
            &self.work,
            &["push", "-q", "origin", "HEAD:refs/heads/main"],
        );
        git(&self.work, &["rev-parse", "HEAD"])
    }

    fn tag(&self, name: &str) {
        git(&self.work, &["tag", "-a", "-m", name, name]);
        git(&self.work, &["push", "-q", "origin", name]);
    }
}

/// A user repository with a `.gitlab-ci.yml` and a `kaslint.toml`.
fn repository(dir: &Path, pipeline: &str, config: &str) -> PathBuf {
    let repo = dir.join("repo");
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    std::fs::write(repo.join(".gitlab-ci.yml"), pipeline).unwrap();
    std::fs::write(repo.join("kaslint.toml"), config).unwrap();
    repo
}

fn kaslint(repo: &Path, cache: &Path, args: &[&str], offline: bool) -> Output {
    let bin = env!("CARGO_BIN_EXE_kaslint");
    let mut cmd = if offline && unshare_works() {
        let mut c = Command::new("unshare");
        c.args(["-n", bin]);
        c
    } else {
        Command::new(bin)
    };
    cmd.args(args)
        .current_dir(repo)
        .env("XDG_CACHE_HOME", cache)
        .env("HOME", cache)
        .env_remove("CI_SERVER_URL")
        .env_remove("CI_SERVER_FQDN")
        .env_remove("CI_JOB_TOKEN")
        .env_remove("CI_PROJECT_DIR");
    cmd.output().expect("kaslint runs")
}

/// A network namespace can be made (root, or user namespaces allowed).
fn unshare_works() -> bool {
    Command::new("unshare")
        .args(["-n", "true"])
        .output()
        .is_ok_and(|o| o.status.success())
}

fn check(repo: &Path, cache: &Path, extra: &[&str], offline: bool) -> (Vec<Value>, Output) {
    let mut args = vec!["check", "--no-shellcheck", "--format", "json"];
    args.extend(extra);
    let out = kaslint(repo, cache, &args, offline);
    let json: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "json ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (json["findings"].as_array().unwrap().clone(), out)
}

fn find<'a>(findings: &'a [Value], rule: &str) -> Vec<&'a Value> {
    findings.iter().filter(|f| f["rule"] == rule).collect()
}

/// Fetch, check, take the server away, check again offline: the same findings.
fn fetch_then_offline(repo: &Path, cache: &Path, server: &Path) -> Vec<Value> {
    let fetch = kaslint(repo, cache, &["fetch"], false);
    assert!(
        fetch.status.success(),
        "fetch: {}",
        String::from_utf8_lossy(&fetch.stderr)
    );
    let (online, _) = check(repo, cache, &[], false);
    let gone = server.with_extension("gone");
    std::fs::rename(server, &gone).unwrap();
    let (offline, _) = check(repo, cache, &[], true);
    std::fs::rename(&gone, server).unwrap();
    assert_eq!(online, offline, "the cache gives the same findings offline");
    online
}

const COMPONENT: &str = r#"spec:
  inputs:
    environment:
      default: production
    replicas:
      type: number
      default: 1
  component: [name, version]
---
"$[[ component.name ]]-job":
  stage: deploy
  image: bitnami/kubectl:1.30
  environment: $[[ inputs.environment ]]
  script:
    - echo "version $[[ component.version ]]"
    - kubectl apply -f k8s/
"#;

fn component_server(dir: &Path) -> PathBuf {
    let server = dir.join("srv");
    let p = Project::new(&server, "ops/components");
    for v in ["1.0.0", "1.2.0", "1.2.3", "2.0.0"] {
        let text = COMPONENT.replace("kubectl:1.30", &format!("kubectl:{v}"));
        p.commit(&[("templates/deploy/template.yml", &text)]);
        p.tag(v);
    }
    server
}

fn config_for(server: &Path) -> String {
    format!("[includes]\nserver = \"file://{}\"\n", server.display())
}

#[test]
fn components_at_a_tag_a_partial_version_and_latest() {
    let t = Tmp::new("component");
    let server = component_server(&t.0);
    for (version, resolved) in [("1.0.0", "1.0.0"), ("1.2", "1.2.3"), ("~latest", "2.0.0")] {
        let cache = t.0.join(format!("cache-{resolved}"));
        let pipeline =
            format!("include:\n  - component: $CI_SERVER_FQDN/ops/components/deploy@{version}\n");
        let repo = repository(&t.0, &pipeline, &config_for(&server));
        let findings = fetch_then_offline(&repo, &cache, &server);
        let entry = find(&findings, "KAS202");
        assert_eq!(entry.len(), 1, "{findings:#?}");
        let f = entry[0];
        // Located in the component's file, named with the version it resolved to;
        // the job name proves `$[[ component.name ]]`.
        assert_eq!(
            f["file"],
            format!("ops/components@{resolved}:templates/deploy/template.yml")
        );
        assert_eq!(f["job"], "deploy-job");
        assert_eq!(f["related"][0]["file"], ".gitlab-ci.yml");
        assert_eq!(f["related"][0]["line"], 2);
        if version == "~latest" {
            let label = f["related"][0]["message"].as_str().unwrap();
            assert!(label.contains("highest semantic-version tag"), "{label}");
        }
        assert!(find(&findings, "KAS008").is_empty(), "{findings:#?}");
    }
}

#[test]
fn a_component_input_of_the_wrong_type_is_rejected() {
    let t = Tmp::new("inputs");
    let server = component_server(&t.0);
    let pipeline = "include:\n  - component: $CI_SERVER_FQDN/ops/components/deploy@2.0.0\n    inputs:\n      replicas: three\n";
    let repo = repository(&t.0, pipeline, &config_for(&server));
    let cache = t.0.join("cache");
    let findings = fetch_then_offline(&repo, &cache, &server);
    let wrong: Vec<_> = findings
        .iter()
        .filter(|f| f["message"] == "`replicas` input: provided value is not a number")
        .collect();
    assert_eq!(wrong.len(), 1, "{findings:#?}");
    assert_eq!(wrong[0]["severity"], "error");
    assert_eq!(wrong[0]["file"], ".gitlab-ci.yml");
    assert_eq!(wrong[0]["line"], 4);
}

const SHARED: &str = "include:\n  - local: /base/nested.yml\n";

#[test]
fn project_includes_on_a_branch_and_at_a_sha_with_a_nested_local_include() {
    let t = Tmp::new("project");
    let server = t.0.join("srv");
    let p = Project::new(&server, "ops/ci");
    let old = p.commit(&[
        ("deploy.yml", SHARED),
        (
            "base/nested.yml",
            ".base:\n  stage: deploy\n  image: bitnami/kubectl:1.29\n",
        ),
    ]);
    p.commit(&[(
        "base/nested.yml",
        "stages: [build, deploy]\n.base:\n  stage: deploy\n  image: bitnami/kubectl:1.31\n",
    )]);
    for (reference, image) in [("main", "1.31"), (old.as_str(), "1.29")] {
        let pipeline = format!(
            "include:\n  - project: ops/ci\n    ref: {reference}\n    file: deploy.yml\ndeploy:\n  extends: .base\n  environment: production\n  script:\n    - kubectl apply -f k8s/\n"
        );
        let repo = repository(&t.0, &pipeline, &config_for(&server));
        let cache = t.0.join(format!("cache-{image}"));
        let findings = fetch_then_offline(&repo, &cache, &server);
        let entry = find(&findings, "KAS202");
        assert_eq!(entry.len(), 1, "{findings:#?}");
        // The nested local include was read from the project, at that commit.
        assert_eq!(
            entry[0]["file"],
            format!("ops/ci@{reference}:base/nested.yml")
        );
        assert!(entry[0]["message"]
            .as_str()
            .unwrap()
            .contains("bitnami/kubectl"));
        assert_eq!(entry[0]["job"], "deploy");
        // `extends: .base` resolved: no unknown-template error, nothing left unread.
        assert!(find(&findings, "KAS008").is_empty(), "{findings:#?}");
        assert!(
            findings.iter().all(|f| f["severity"] != "error"),
            "{findings:#?}"
        );
    }
}

#[test]
fn a_misspelt_context_variable_in_a_job_extending_a_shared_template() {
    let t = Tmp::new("template");
    let folder = t.0.join("templates");
    std::fs::create_dir_all(folder.join("Jobs")).unwrap();
    std::fs::write(
        folder.join("Jobs/Kube-Deploy.gitlab-ci.yml"),
        ".kube-deploy:\n  stage: deploy\n  image: { name: bitnami/kubectl:1.30, entrypoint: [\"\"] }\n  variables:\n    AGENT_KUBECONTEXT: ops/agents:prod\n",
    )
    .unwrap();
    let pipeline = "include:\n  - template: Jobs/Kube-Deploy.gitlab-ci.yml\ndeploy:\n  extends: .kube-deploy\n  environment: production\n  script:\n    - kubectl config use-context \"$AGENT_KUBECONTXT\"\n    - kubectl apply -f k8s/\n";
    let config = format!("[includes]\ntemplates = \"{}\"\n", folder.display());
    let repo = repository(&t.0, pipeline, &config);
    let cache = t.0.join("cache");
    // A templates folder needs no fetch: checked offline at once.
    let (findings, _) = check(&repo, &cache, &[], true);
    let misspelt = find(&findings, "KAS102");
    assert_eq!(misspelt.len(), 1, "{findings:#?}");
    assert_eq!(misspelt[0]["file"], ".gitlab-ci.yml");
    assert_eq!(
        misspelt[0]["related"][0]["file"],
        "template:Jobs/Kube-Deploy.gitlab-ci.yml"
    );
    // Without the folder the template is not read: the rule stays quiet.
    let bare = repository(&t.0, pipeline, "");
    let (findings, _) = check(&bare, &cache, &[], true);
    assert!(find(&findings, "KAS102").is_empty(), "{findings:#?}");
    assert_eq!(find(&findings, "KAS008").len(), 1, "{findings:#?}");
}

/// An HTTP server on 127.0.0.1 answering `GET /ci/deploy.yml` with `body` (404
/// otherwise), for `requests` requests.
fn serve(body: &'static str, requests: usize) -> (String, std::thread::JoinHandle<()>) {
    serve_at("/ci/deploy.yml", body, requests)
}

/// [`serve`] at another path.
fn serve_at(
    path: &'static str,
    body: &'static str,
    requests: usize,
) -> (String, std::thread::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let handle = std::thread::spawn(move || {
        for stream in listener.incoming().take(requests) {
            let Ok(mut stream) = stream else { continue };
            let mut line = String::new();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let _ = reader.read_line(&mut line);
            loop {
                let mut h = String::new();
                if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
                    break;
                }
            }
            let (status, text) = if line.starts_with(&format!("GET {path} ")) {
                ("200 OK", body)
            } else {
                ("404 Not Found", "")
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}",
                text.len()
            );
        }
    });
    (base, handle)
}

const REMOTE: &str =
    ".remote-deploy:\n  stage: deploy\n  image: bitnami/kubectl:1.30\n  script:\n    - kubectl apply -f k8s/\n";

fn integrity(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    format!(
        "sha256-{}",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

#[test]
fn remote_includes_with_good_and_bad_integrity() {
    let t = Tmp::new("remote");
    let (base, server) = serve(REMOTE, 2);
    let good = integrity(REMOTE);
    let bad = integrity("something else");
    let job = "deploy:\n  extends: .remote-deploy\n  environment: production\n";
    let pipeline =
        format!("include:\n  - remote: {base}/ci/deploy.yml\n    integrity: {good}\n{job}");
    let repo = repository(&t.0, &pipeline, "");
    let cache = t.0.join("cache");
    let (online, _) = check(&repo, &cache, &["--fetch"], false);
    let entry = find(&online, "KAS202");
    assert_eq!(entry.len(), 1, "{online:#?}");
    assert_eq!(entry[0]["file"], format!("{base}/ci/deploy.yml"));
    // The server is gone after its requests: the cache answers.
    let (offline, _) = check(&repo, &cache, &[], true);
    assert_eq!(online, offline);

    // The same address pinned to other content: GitLab refuses it.
    let pipeline =
        format!("include:\n  - remote: {base}/ci/deploy.yml\n    integrity: {bad}\n{job}");
    let repo = repository(&t.0, &pipeline, "");
    let fresh = t.0.join("cache-bad");
    let (findings, _) = serve_once_more(&repo, &fresh);
    let refused = find(&findings, "KAS007");
    assert_eq!(refused.len(), 1, "{findings:#?}");
    assert_eq!(
        refused[0]["message"],
        format!("Remote file `{base}/ci/deploy.yml` failed integrity check!")
    );
    // Nothing of the refused file is used, and its absence is no false error.
    assert!(find(&findings, "KAS202").is_empty());
    unblock(&base);
    unblock(&base);
    server.join().unwrap();
}

/// A connection to a test server that still waits for requests, so that its thread
/// ends even when kaslint made fewer requests than expected (never a hanging test).
fn unblock(base: &str) {
    let addr = base.trim_start_matches("http://");
    let _ = std::net::TcpStream::connect(addr);
}

/// `check --fetch` against the second request the test server still answers.
fn serve_once_more(repo: &Path, cache: &Path) -> (Vec<Value>, Output) {
    check(repo, cache, &["--fetch"], false)
}

#[test]
fn failures_are_clear_findings_and_exit_2() {
    let t = Tmp::new("failures");
    let server = t.0.join("srv");
    let p = Project::new(&server, "ops/ci");
    p.commit(&[
        ("deploy.yml", ".base:\n  script: [echo]\n"),
        ("empty.yml", ""),
    ]);
    let cases = [
        (
            "ref: nope\n    file: deploy.yml",
            "Project `ops/ci` reference `nope` does not exist!",
            true,
        ),
        (
            "file: missing.yml",
            "Project `ops/ci` file `missing.yml` does not exist!",
            true,
        ),
        (
            "file: empty.yml",
            // Fetched: the file is there, and empty.
            "Project `ops/ci` file `empty.yml` is empty!",
            false,
        ),
    ];
    for (keys, message, fetch_fails) in cases {
        let pipeline =
            format!("include:\n  - project: ops/ci\n    {keys}\nbuild:\n  script: [make]\n");
        let repo = repository(&t.0, &pipeline, &config_for(&server));
        let cache = t.0.join("cache");
        let fetch = kaslint(&repo, &cache, &["fetch"], false);
        assert_eq!(fetch.status.code(), Some(if fetch_fails { 2 } else { 0 }));
        assert_eq!(
            String::from_utf8_lossy(&fetch.stderr).contains(message),
            fetch_fails
        );
        let (findings, _) = check(&repo, &cache, &["--fetch"], false);
        let hits: Vec<_> = findings
            .iter()
            .filter(|f| f["message"] == message)
            .collect();
        assert_eq!(hits.len(), 1, "{findings:#?}");
        assert_eq!(hits[0]["severity"], "error");
        assert_eq!(hits[0]["line"], 2);
    }

    // An unreachable server: an info naming the reason, exit 2 from `fetch`, no error.
    let pipeline =
        "include:\n  - project: ops/ci\n    file: deploy.yml\nbuild:\n  script: [make]\n";
    let dead = t.0.join("no-such-server");
    let repo = repository(&t.0, pipeline, &config_for(&dead));
    let cache = t.0.join("cache-dead");
    let fetch = kaslint(&repo, &cache, &["fetch"], false);
    assert_eq!(fetch.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&fetch.stderr);
    assert!(
        stderr.contains("Project `ops/ci` not found or access denied!"),
        "{stderr}"
    );
    // No error (the unpinned include's KAS409 warning is not what this tests).
    let (findings, out) = check(&repo, &cache, &["--fetch", "--fail-on", "error"], false);
    assert_eq!(out.status.code(), Some(0), "{findings:#?}");
    let info = find(&findings, "KAS008");
    assert_eq!(info.len(), 1);
    assert!(info[0]["message"]
        .as_str()
        .unwrap()
        .contains("not found or access denied"));

    // A remote server that refuses connections.
    let pipeline =
        "include:\n  - remote: http://127.0.0.1:1/ci/deploy.yml\nbuild:\n  script: [make]\n";
    let repo = repository(&t.0, pipeline, "");
    let fetch = kaslint(&repo, &cache, &["fetch"], false);
    assert_eq!(fetch.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&fetch.stderr).contains("could not be fetched"));
}

#[test]
fn a_damaged_cache_entry_is_reported_then_fetched_again() {
    let t = Tmp::new("corrupt");
    let server = t.0.join("srv");
    let p = Project::new(&server, "ops/ci");
    p.commit(&[(
        "deploy.yml",
        ".base:\n  stage: deploy\n  image: bitnami/kubectl:1.30\n",
    )]);
    p.tag("1.0.0");
    let pipeline = "include:\n  - project: ops/ci\n    ref: 1.0.0\n    file: deploy.yml\ndeploy:\n  extends: .base\n  environment: production\n  script: [kubectl apply -f k8s/]\n";
    let repo = repository(&t.0, pipeline, &config_for(&server));
    let cache = t.0.join("cache");
    let good = fetch_then_offline(&repo, &cache, &server);
    assert_eq!(find(&good, "KAS202").len(), 1);
    // Damage the cached file.
    let cached: Vec<PathBuf> = walk(&cache.join("kaslint/includes/servers"))
        .into_iter()
        .filter(|p| p.ends_with("deploy.yml"))
        .collect();
    assert_eq!(cached.len(), 1);
    std::fs::write(&cached[0], "garbage: [").unwrap();
    let (damaged, out) = check(&repo, &cache, &[], true);
    assert_eq!(out.status.code(), Some(0), "{damaged:#?}");
    let info = find(&damaged, "KAS008");
    assert_eq!(info.len(), 1, "{damaged:#?}");
    assert!(info[0]["message"].as_str().unwrap().contains("damaged"));
    // `--fetch` replaces it; nothing half-written stays in the cache.
    let (repaired, _) = check(&repo, &cache, &["--fetch"], false);
    assert_eq!(repaired, good);
    let leftovers = walk(&cache.join("kaslint/includes/tmp"));
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// Every corpus file that includes a template, checked with the corpus's templates
/// folder: the templates are read, and still no error.
#[test]
fn corpus_templates_checked_with_the_templates_folder() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    let templates = corpus.join("templates");
    if !templates.is_dir() {
        eprintln!("no ../shared/corpus/templates here: skipped");
        return;
    }
    let t = Tmp::new("corpus");
    let config = t.0.join("kaslint.toml");
    std::fs::write(
        &config,
        format!("[includes]\ntemplates = \"{}\"\n", templates.display()),
    )
    .unwrap();
    let files: Vec<PathBuf> = walk(&corpus)
        .into_iter()
        .filter(|p| {
            let name = p.to_string_lossy();
            (name.ends_with(".yml") || name.ends_with(".yaml"))
                && std::fs::read_to_string(p).is_ok_and(|s| {
                    s.lines().any(|l| {
                        l.trim_start()
                            .trim_start_matches("- ")
                            .starts_with("template:")
                    })
                })
        })
        .collect();
    assert!(files.len() >= 10, "{files:?}");
    let mut read = 0;
    for f in &files {
        let out = kaslint(
            &t.0,
            &t.0,
            &[
                "check",
                "--no-shellcheck",
                "--fail-on",
                "error",
                "--format",
                "json",
                "--config",
                config.to_str().unwrap(),
                f.to_str().unwrap(),
            ],
            false,
        );
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
        let json: Value = serde_json::from_slice(&out.stdout).unwrap();
        let unread = json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == "KAS008")
            .count();
        read += usize::from(unread == 0);
    }
    // Most templates they include are in the folder and were read.
    assert!(read * 2 > files.len(), "{read} of {}", files.len());
}

/// `include:artifact` is refused in a top-level pipeline (no parent), accepted in a file
/// that is not the pipeline's entry (a child pipeline's configuration).
#[test]
fn artifact_includes_only_in_child_pipelines() {
    let t = Tmp::new("artifact");
    let include =
        "include:\n  - artifact: generated.yml\n    job: generate\nchild-job:\n  script: [echo]\n";
    let repo = repository(&t.0, include, "");
    std::fs::write(repo.join("child.yml"), include).unwrap();
    let cache = t.0.join("cache");
    let (top, _) = check(&repo, &cache, &[], false);
    let refused = find(&top, "KAS007");
    assert_eq!(refused.len(), 1, "{top:#?}");
    assert_eq!(
        refused[0]["message"],
        "Including configs from artifacts is only allowed when triggering child pipelines"
    );
    let (child, _) = check(&repo, &cache, &["child.yml"], false);
    assert!(find(&child, "KAS007").is_empty(), "{child:#?}");
}

/// A server on 127.0.0.1 that records each request's head and answers `status`.
fn recording_server(
    status: &'static str,
    requests: usize,
) -> (
    String,
    std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    std::thread::JoinHandle<()>,
) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = seen.clone();
    let handle = std::thread::spawn(move || {
        for stream in listener.incoming().take(requests) {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut head = String::new();
            loop {
                let mut h = String::new();
                if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
                    break;
                }
                head.push_str(&h);
            }
            log.lock().unwrap().push(head);
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
        }
    });
    (base, seen, handle)
}

/// In GitLab CI the job token reaches the instance that issued it, as a header, and
/// nowhere else: not another host, not the output, not the cache.
#[test]
fn the_job_token_goes_to_its_own_server_only() {
    let t = Tmp::new("token");
    let token = "job-token-7f3a9c";
    let (gitlab, gitlab_seen, gitlab_thread) = recording_server("403 Forbidden", 1);
    let (other, other_seen, other_thread) = recording_server("404 Not Found", 1);
    let pipeline = format!(
        "include:\n  - project: ops/ci\n    file: deploy.yml\n  - remote: {other}/ci/x.yml\nbuild:\n  script: [make]\n"
    );
    let repo = repository(&t.0, &pipeline, "");
    let cache = t.0.join("cache");
    let out = Command::new(env!("CARGO_BIN_EXE_kaslint"))
        .args(["fetch"])
        .current_dir(&repo)
        .env("XDG_CACHE_HOME", &cache)
        .env("HOME", &cache)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("CI_SERVER_URL", &gitlab)
        .env("CI_JOB_TOKEN", token)
        .output()
        .unwrap();
    unblock(&gitlab);
    unblock(&other);
    gitlab_thread.join().unwrap();
    other_thread.join().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let basic =
        base64::engine::general_purpose::STANDARD.encode(format!("gitlab-ci-token:{token}"));
    let gitlab_head = gitlab_seen.lock().unwrap().join("\n");
    assert!(
        gitlab_head.contains(&format!("Authorization: Basic {basic}")),
        "{gitlab_head}"
    );
    let other_head = other_seen.lock().unwrap().join("\n").to_lowercase();
    assert!(!other_head.contains("authorization"), "{other_head}");
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !printed.contains(token) && !printed.contains(&basic),
        "{printed}"
    );
    for file in walk(&cache) {
        let bytes = std::fs::read(&file).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains(token) && !text.contains(&basic),
            "{}",
            file.display()
        );
        assert!(!file.to_string_lossy().contains(token));
    }
}

/// Two processes filling the same cache at once: both succeed, the cache is whole.
#[test]
fn two_processes_share_the_cache() {
    let t = Tmp::new("shared");
    let server = component_server(&t.0);
    let pipeline = "include:\n  - component: $CI_SERVER_FQDN/ops/components/deploy@1.2\n";
    let repo = repository(&t.0, pipeline, &config_for(&server));
    let cache = t.0.join("cache");
    let spawn = || {
        Command::new(env!("CARGO_BIN_EXE_kaslint"))
            .arg("fetch")
            .current_dir(&repo)
            .env("XDG_CACHE_HOME", &cache)
            .env("HOME", &cache)
            .spawn()
            .unwrap()
    };
    let (mut a, mut b) = (spawn(), spawn());
    assert!(a.wait().unwrap().success());
    assert!(b.wait().unwrap().success());
    let (findings, _) = check(&repo, &cache, &[], true);
    assert_eq!(find(&findings, "KAS202").len(), 1, "{findings:#?}");
    assert!(walk(&cache.join("kaslint/includes/tmp")).is_empty());
}

/// Without a templates folder, a top-level template comes from the server's Templates
/// API (cached like the rest); a nested name says why it is not checked.
#[test]
fn templates_from_the_templates_api() {
    let t = Tmp::new("templates-api");
    let body = r#"{"name":"Kube-Deploy","content":".kube-deploy:\n  stage: deploy\n  image: bitnami/kubectl:1.30\n"}"#;
    let (base, server) = serve_at("/api/v4/templates/gitlab_ci_ymls/Kube-Deploy", body, 1);
    let pipeline = "include:\n  - template: Kube-Deploy.gitlab-ci.yml\n  - template: Jobs/SAST.gitlab-ci.yml\ndeploy:\n  extends: .kube-deploy\n  environment: production\n  script: [kubectl apply -f k8s/]\n";
    let repo = repository(
        &t.0,
        pipeline,
        &format!("[includes]\nserver = \"{base}\"\n"),
    );
    let cache = t.0.join("cache");
    let (online, _) = check(&repo, &cache, &["--fetch"], false);
    unblock(&base);
    server.join().unwrap();
    let entry = find(&online, "KAS202");
    assert_eq!(entry.len(), 1, "{online:#?}");
    assert_eq!(entry[0]["file"], "template:Kube-Deploy.gitlab-ci.yml");
    let unread = find(&online, "KAS008");
    assert_eq!(unread.len(), 1, "{online:#?}");
    assert!(unread[0]["message"]
        .as_str()
        .unwrap()
        .contains("top-level names only"));
    let (offline, _) = check(&repo, &cache, &[], true);
    assert_eq!(online, offline);
}

/// A branch is read at the commit it had when fetched until `--refresh`.
#[test]
fn moving_refs_move_only_with_refresh() {
    let t = Tmp::new("refresh");
    let server = t.0.join("srv");
    let p = Project::new(&server, "ops/ci");
    let file = |tag: &str| format!(".base:\n  stage: deploy\n  image: bitnami/kubectl:{tag}\n");
    p.commit(&[("deploy.yml", &file("1.29"))]);
    let pipeline = "include:\n  - project: ops/ci\n    ref: main\n    file: deploy.yml\ndeploy:\n  extends: .base\n  environment: production\n  script: [kubectl apply -f k8s/]\n";
    let repo = repository(&t.0, pipeline, &config_for(&server));
    let cache = t.0.join("cache");
    // `kaslint config` shows the merged pipeline, includes read from the cache.
    let merged = || {
        let out = kaslint(&repo, &cache, &["config"], true);
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    check(&repo, &cache, &["--fetch"], false);
    assert!(merged().contains("bitnami/kubectl:1.29"), "{}", merged());
    p.commit(&[("deploy.yml", &file("1.31"))]);
    check(&repo, &cache, &["--fetch"], false);
    assert!(
        merged().contains("bitnami/kubectl:1.29"),
        "--fetch keeps the branch's commit"
    );
    check(&repo, &cache, &["--refresh"], false);
    assert!(merged().contains("bitnami/kubectl:1.31"), "{}", merged());
}

/// A remote address the server answers 404 for: GitLab's refusal, as an error.
#[test]
fn a_missing_remote_file_is_an_error() {
    let t = Tmp::new("remote-404");
    let (base, server) = serve_at("/elsewhere.yml", "", 1);
    let pipeline =
        format!("include:\n  - remote: {base}/ci/missing.yml\nbuild:\n  script: [make]\n");
    let repo = repository(&t.0, &pipeline, "");
    let cache = t.0.join("cache");
    let (findings, out) = check(&repo, &cache, &["--fetch"], false);
    unblock(&base);
    server.join().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let missing = find(&findings, "KAS005");
    assert_eq!(missing.len(), 1, "{findings:#?}");
    assert_eq!(
        missing[0]["message"],
        format!("Remote file `{base}/ci/missing.yml` could not be fetched after 1 attempt because of HTTP code `404` error!")
    );
}
