//! `cargo bench --bench includes`: a pipeline whose includes all come from the include
//! cache (a project at a tag, fetched once from a bare repository over `file://`) against
//! the same pipeline with the included files copied into the repository as local
//! includes. The bound: the cached form costs at most 1.3x.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

mod common;

use common::best_of;

use kaslint::check::{check_target, CheckOptions, Target};
use kaslint::fetch::{Context, Includes, Mode};
use kaslint::settings::{Settings, Shellcheck, ShellcheckMode};

const FILES: usize = 20;
const JOBS_PER_FILE: usize = 25;

fn git(dir: &Path, args: &[&str]) {
    let ok = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "b")
        .env("GIT_AUTHOR_EMAIL", "b@example.com")
        .env("GIT_COMMITTER_NAME", "b")
        .env("GIT_COMMITTER_EMAIL", "b@example.com")
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "git {args:?}");
}

/// One shared CI file: hidden deploy templates and jobs that extend them.
fn shared_file(i: usize) -> String {
    let mut y = String::new();
    for j in 0..JOBS_PER_FILE {
        y.push_str(&format!(
            ".deploy-{i}-{j}:\n  stage: deploy\n  image: {{ name: bitnami/kubectl:1.30, entrypoint: [\"\"] }}\n  variables:\n    KUBE_CONTEXT: ops/agents:prod\n  script:\n    - kubectl config use-context \"$KUBE_CONTEXT\"\n    - kubectl apply -f k8s/{i}/{j}/\n\njob-{i}-{j}:\n  extends: .deploy-{i}-{j}\n  environment: production-{i}-{j}\n  needs: []\n\n"
        ));
    }
    y
}

fn main() {
    let base = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bench-includes");
    let _ = std::fs::remove_dir_all(&base);
    let server = base.join("srv");
    let bare = server.join("ops/ci.git");
    let work = base.join("work");
    std::fs::create_dir_all(&bare).unwrap();
    std::fs::create_dir_all(&work).unwrap();
    git(&bare, &["init", "-q", "--bare"]);
    git(&work, &["init", "-q"]);
    let names: Vec<String> = (0..FILES).map(|i| format!("ci/deploy-{i}.yml")).collect();
    for (i, name) in names.iter().enumerate() {
        let path = work.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, shared_file(i)).unwrap();
    }
    git(&work, &["add", "-A"]);
    git(&work, &["commit", "-q", "-m", "ci"]);
    git(&work, &["tag", "1.0.0"]);
    git(
        &work,
        &[
            "push",
            "-q",
            bare.to_str().unwrap(),
            "HEAD:refs/heads/main",
            "1.0.0",
        ],
    );

    // The repository that includes them from the project…
    let fetched_repo = base.join("fetched");
    std::fs::create_dir_all(fetched_repo.join(".git")).unwrap();
    let mut pipeline = String::from(
        "stages: [build, deploy]\ninclude:\n  - project: ops/ci\n    ref: 1.0.0\n    file:\n",
    );
    for n in &names {
        pipeline.push_str(&format!("      - {n}\n"));
    }
    std::fs::write(fetched_repo.join(".gitlab-ci.yml"), &pipeline).unwrap();
    // …and the same with the files copied in.
    let local_repo = base.join("local");
    std::fs::create_dir_all(local_repo.join(".git")).unwrap();
    let mut local = String::from("stages: [build, deploy]\ninclude:\n");
    for n in &names {
        local.push_str(&format!("  - local: {n}\n"));
        let to = local_repo.join(n);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(work.join(n), to).unwrap();
    }
    std::fs::write(local_repo.join(".gitlab-ci.yml"), &local).unwrap();

    let server_url = format!("file://{}", server.display());
    let cache = base.join("cache");
    let reader = |mode| {
        Some(Arc::new(Includes::new(Context::new(
            mode,
            &server_url,
            cache.clone(),
        ))))
    };
    let settings = |mode| {
        let mut s = Settings {
            shellcheck: Shellcheck {
                mode: ShellcheckMode::Off,
                ..Default::default()
            },
            // KAS409 reads the include lines (a project include on a branch), which only
            // the cached variant has: the findings compared are those of the files' content.
            ignore: vec!["KAS409"],
            ..Settings::default()
        };
        s.includes.reader = reader(mode);
        s
    };
    let check = |repo: &Path, s: &Settings| {
        let entry = repo.join(".gitlab-ci.yml");
        let opts = CheckOptions {
            root: Some(repo.to_path_buf()),
            entry: Some(entry.clone()),
            settings: s,
            shared: Default::default(),
            leak_model: false,
        };
        check_target(&Target::File(entry), &opts).expect("checks")
    };
    // Fill the cache once.
    let fetched = check(&fetched_repo, &settings(Mode::Fetch));
    let offline = settings(Mode::Offline);
    let plain = settings(Mode::Offline);
    let from_cache = check(&fetched_repo, &offline);
    let copied = check(&local_repo, &plain);
    assert_eq!(fetched.diagnostics.len(), from_cache.diagnostics.len());
    assert_eq!(
        from_cache.diagnostics.len(),
        copied.diagnostics.len(),
        "the same findings either way"
    );
    // Interleaved, best and median of each: the machine's load affects both alike.
    let runs = 40;
    let (mut a, mut b) = (Vec::new(), Vec::new());
    let time_cached = || {
        best_of(1, || {
            std::hint::black_box(check(&fetched_repo, &offline));
        })
    };
    let time_local = || {
        best_of(1, || {
            std::hint::black_box(check(&local_repo, &plain));
        })
    };
    for i in 0..runs {
        // Alternate which goes first.
        if i % 2 == 0 {
            a.push(time_cached());
            b.push(time_local());
        } else {
            b.push(time_local());
            a.push(time_cached());
        }
    }
    a.sort();
    b.sort();
    let (cached, local_t) = (a[0], b[0]);
    println!(
        "includes: medians: from the cache {:.2} ms, local {:.2} ms: {:.2}x",
        a[runs / 2].as_secs_f64() * 1e3,
        b[runs / 2].as_secs_f64() * 1e3,
        a[runs / 2].as_secs_f64() / b[runs / 2].as_secs_f64()
    );
    let ratio = cached.as_secs_f64() / local_t.as_secs_f64();
    let r = offline.includes.reader.as_deref().unwrap();
    let reads = best_of(runs, || {
        for n in &names {
            let req = kaslint::fetch::Request::Project {
                project: "ops/ci",
                reference: Some("1.0.0"),
                file: n,
            };
            std::hint::black_box(r.read(&req).is_ok());
        }
    });
    println!(
        "includes: the {FILES} reads alone {:.2} ms",
        reads.as_secs_f64() * 1e3
    );
    println!(
        "includes: {FILES} files x {JOBS_PER_FILE} jobs: from the cache {:.2} ms, copied in as local files {:.2} ms: {ratio:.2}x (bound 1.3x), {} findings",
        cached.as_secs_f64() * 1e3,
        local_t.as_secs_f64() * 1e3,
        from_cache.diagnostics.len(),
    );
}
