//! `kaslint generate TEMPLATE --into FILE` through the real binary: the jobs and their
//! stage are added with every existing line kept in order (CRLF, no final newline), the
//! result lints clean, an existing job is refused unless `--force`, `--diff` writes
//! nothing, and a non-pipeline template is refused.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn kaslint(dir: &Path, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kaslint"));
    cmd.args(args).current_dir(dir).env("NO_COLOR", "1");
    for (k, _) in std::env::vars() {
        if k.starts_with("CI") || k.starts_with("GITLAB_") || k.starts_with("KASLINT_") {
            cmd.env_remove(k);
        }
    }
    cmd.output().expect("the kaslint binary runs")
}

fn repo(name: &str, pipeline: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("into")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join(".git")).expect("scratch");
    std::fs::write(dir.join(".gitlab-ci.yml"), pipeline).expect("write");
    dir
}

fn read(dir: &Path) -> String {
    std::fs::read_to_string(dir.join(".gitlab-ci.yml")).expect("read")
}

/// Every line of `old` is a line of `new`, in the same order.
fn keeps_lines(old: &str, new: &str) -> bool {
    let mut rest = new.split_inclusive('\n');
    old.split_inclusive('\n').all(|line| {
        // The last line of a file without a final newline gains one.
        let line = line.trim_end_matches(['\r', '\n']);
        rest.any(|l| l.trim_end_matches(['\r', '\n']) == line)
    })
}

fn lints_clean(dir: &Path) {
    let out = kaslint(dir, &["check", "--no-shellcheck", ".gitlab-ci.yml"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

const BLOCK: &str = "# my pipeline\r\nstages:\r\n  - build\r\n  - test\r\n\r\nbuild:\r\n  stage: build\r\n  image: alpine:3.20\r\n  script: [make]  # build it\r\n";

#[test]
fn adds_jobs_and_their_stage_keeping_every_line() {
    let dir = repo("block", BLOCK);
    let diff = kaslint(
        &dir,
        &[
            "generate",
            "kubectl-deploy",
            "--stage",
            "release",
            "--into",
            ".gitlab-ci.yml",
            "--diff",
        ],
    );
    assert_eq!(diff.status.code(), Some(0));
    assert_eq!(read(&dir), BLOCK, "--diff wrote");
    let printed = String::from_utf8(diff.stdout).unwrap();
    insta::assert_snapshot!("into_block_crlf_diff", printed.replace('\r', "␍"));

    let out = kaslint(
        &dir,
        &[
            "generate",
            "kubectl-deploy",
            "--stage",
            "release",
            "--into",
            ".gitlab-ci.yml",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let new = read(&dir);
    assert!(keeps_lines(BLOCK, &new), "{new}");
    assert!(new.contains("  - test\r\n  - release\r\n"), "{new}");
    assert!(
        !new.replace("\r\n", "").contains('\n'),
        "a bare LF in a CRLF file"
    );
    lints_clean(&dir);

    // The same jobs again: refused, nothing written; with --force, replaced in place.
    let again = kaslint(
        &dir,
        &[
            "generate",
            "kubectl-deploy",
            "--stage",
            "release",
            "--into",
            ".gitlab-ci.yml",
        ],
    );
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("a job `deploy` already exists"));
    assert_eq!(read(&dir), new);
    let forced = kaslint(
        &dir,
        &[
            "generate",
            "kubectl-deploy",
            "--stage",
            "release",
            "--namespace",
            "other",
            "--into",
            ".gitlab-ci.yml",
            "--force",
        ],
    );
    assert_eq!(
        forced.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&forced.stderr)
    );
    let replaced = read(&dir);
    assert!(replaced.contains("DEPLOY_NAMESPACE: other"), "{replaced}");
    assert_eq!(replaced.matches("\r\ndeploy:").count(), 1, "{replaced}");
    assert!(keeps_lines(BLOCK, &replaced));
    lints_clean(&dir);
}

#[test]
fn flow_stages_no_final_newline_and_default_stage() {
    let flow = "stages: [build, test] # ours\ntest:\n  stage: test\n  image: alpine:3.20\n  script: [make test]";
    let dir = repo("flow", flow);
    let out = kaslint(
        &dir,
        &[
            "generate",
            "helm-deploy",
            "--stage",
            "ship",
            "--into",
            ".gitlab-ci.yml",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let new = read(&dir);
    assert!(
        new.starts_with("stages: [build, test, ship] # ours\ntest:\n"),
        "{new}"
    );
    assert!(
        new.contains("  script: [make test]\n\n# Generated by"),
        "{new}"
    );
    lints_clean(&dir);

    let plain = "test:\n  image: alpine:3.20\n  script: [make test]\n";
    let dir = repo("default-stage", plain);
    let out = kaslint(
        &dir,
        &["generate", "review-app", "--into", ".gitlab-ci.yml"],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let new = read(&dir);
    assert!(new.starts_with(plain), "{new}");
    assert!(!new.contains("stages:"), "deploy is a default stage: {new}");
    lints_clean(&dir);
}

#[test]
fn refuses_what_it_cannot_add() {
    let dir = repo("refuse", "build:\n  script: [make]\n");
    let out = kaslint(
        &dir,
        &["generate", "agent-config", "--into", ".gitlab-ci.yml"],
    );
    assert_eq!(out.status.code(), Some(2));
    let broken = repo("broken", "build: [\n");
    let out = kaslint(
        &broken,
        &["generate", "kubectl-deploy", "--into", ".gitlab-ci.yml"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(read(&broken), "build: [\n");
}

/// `--kas-ca-file VAR`: every pipeline template makes the agent's kubeconfig trust the CA
/// in the File variable, before any cluster command, never skips verification, and lints
/// clean (with the real ShellCheck when `KASLINT_SHELLCHECK` names one).
#[test]
fn private_ca_option() {
    let dir = repo("private-ca", "");
    for template in [
        "kubectl-deploy",
        "helm-deploy",
        "flux-oci",
        "review-app",
        "registry-secret",
    ] {
        let out = kaslint(
            &dir,
            &["generate", template, "--kas-ca-file", "KAS_CA_CERT"],
        );
        assert_eq!(out.status.code(), Some(0), "{template}");
        let text = String::from_utf8(out.stdout).unwrap();
        let trust = "- kubectl config set-cluster gitlab --certificate-authority=\"$KAS_CA_CERT\" --embed-certs=true";
        assert!(text.contains(trust), "{template}: {text}");
        assert!(
            !text.contains("insecure-skip-tls-verify=true"),
            "{template}"
        );
        let first = |what: &str| text.find(what).unwrap_or(usize::MAX);
        let cluster = [
            "- kubectl config use-context",
            "- helm ",
            "- flux ",
            "- kubectl apply",
        ];
        let earliest = cluster.iter().map(|c| first(c)).min().unwrap();
        assert!(first(trust) < earliest, "{template}: {text}");
        std::fs::write(dir.join(".gitlab-ci.yml"), &text).unwrap();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_kaslint"));
        cmd.args(["check", ".gitlab-ci.yml"])
            .current_dir(&dir)
            .env("NO_COLOR", "1");
        let check = cmd.output().unwrap();
        assert_eq!(
            check.status.code(),
            Some(0),
            "{template}: {}",
            String::from_utf8_lossy(&check.stdout)
        );
    }
}
