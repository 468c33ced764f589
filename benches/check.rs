//! `cargo bench`: throughput of a whole-pipeline check against parse-only baselines over
//! the same bytes (saphyr's `MarkedYaml` load, and granit-parser's bare event stream, the
//! parser kaslint builds on), on `../shared/corpus` and on a generated ~2 MB pipeline
//! (thousands of jobs with anchors, `extends`, `needs`). The corpus is checked one file
//! after another, and spread over the machine's cores as `kaslint check` does.

mod common;

use common::best_of;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use kaslint::check::{check_target, CheckOptions, Target};
use kaslint::settings::Settings;

/// Stages, an anchor and a template that the generated jobs use.
const GENERATED_HEAD: &str = "stages: [build, test, deploy]\n\n.defaults: &defaults\n  image: alpine:3.20\n  retry: 1\n  tags: [docker]\n\n.template:\n  before_script:\n    - echo setup\n  variables:\n    MODE: fast\n\n";

/// Job `i`'s first lines: the anchor merged, `extends` of the template, `needs` on the
/// previous job (two jobs in three).
fn job_head(y: &mut String, i: usize) {
    let stage = ["build", "test", "deploy"][i % 3];
    y.push_str(&format!(
        "job-{i}:\n  <<: *defaults\n  extends: .template\n  stage: {stage}\n"
    ));
    if !i.is_multiple_of(3) {
        y.push_str(&format!("  needs: [job-{}]\n", i - 1));
    }
}

/// A ~2 MB pipeline: an anchor merged into every job, `extends` of a template, `needs`
/// on the previous job, block scalars.
fn generated(target: usize) -> String {
    let mut y = String::from(GENERATED_HEAD);
    let mut i = 0;
    while y.len() < target {
        job_head(&mut y, i);
        y.push_str(&format!(
            "  script:\n    - |\n      echo \"job {i}\"\n      make target-{i}\n  artifacts:\n    paths: [out/{i}]\n\n"
        ));
        i += 1;
    }
    y
}

/// The memory case: 3,000 jobs in about 1.5 MB (variables, a four-line script, rules,
/// artifacts; an anchor and `extends` in each), the size of a big monorepo's pipeline.
fn generated_jobs(jobs: usize) -> String {
    let mut y = String::from(GENERATED_HEAD);
    for i in 0..jobs {
        job_head(&mut y, i);
        y.push_str(&format!(
            "  variables:\n    TARGET: target-{i}\n    OUT_DIR: out/{i}\n  script:\n    - |\n      echo \"job {i}\"\n      make \"$TARGET\" OUT=\"$OUT_DIR\"\n      ./scripts/check.sh --job {i} --verbose\n      ./scripts/report.sh --job {i} --format junit --output \"report-{i}.xml\"\n  rules:\n    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH\n      when: on_success\n    - when: manual\n      allow_failure: true\n  artifacts:\n    paths: [out/{i}]\n    expire_in: 1 week\n\n"
        ));
    }
    y
}

/// A `kaslint check` process: its time and peak resident memory (KiB).
#[allow(clippy::zombie_processes)] // reaped by `wait4` (which also gives its rusage)
#[allow(unsafe_code)] // `wait4`: the only way std leaves to a child's rusage
fn cli_peak(args: &[&str]) -> (Duration, i64) {
    let t = Instant::now();
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_kaslint"))
        .args(args)
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("kaslint runs");
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value; `wait4` fills it for our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = child.id() as libc::pid_t;
    // SAFETY: `pid` is our child, not waited for elsewhere; both pointers are valid.
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(waited, pid, "wait4");
    (t.elapsed(), usage.ru_maxrss)
}

/// The parser kaslint builds on: granit-parser's events, nothing built.
fn events_only(text: &str) -> usize {
    granit_parser::Parser::new_from_str(text)
        .filter(|e| e.is_ok())
        .count()
}

/// saphyr's spanned tree (`MarkedYaml`): the baseline the benchmark's issue names.
fn saphyr_load(text: &str) -> usize {
    use saphyr::LoadableYamlNode;
    saphyr::MarkedYaml::load_from_str(text).map_or(0, |d| d.len())
}

/// Both baselines for some texts (best of `runs`).
fn baselines(runs: usize, texts: &[&str]) -> (Duration, Duration) {
    let load = best_of(runs, || {
        for t in texts {
            std::hint::black_box(saphyr_load(t));
        }
    });
    let events = best_of(runs, || {
        for t in texts {
            std::hint::black_box(events_only(t));
        }
    });
    (load, events)
}

/// The `kaslint` binary run to its end (start, read, check, print), best of `runs`.
fn cli_best_of(runs: usize, args: &[&str]) -> Duration {
    best_of(runs, || {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_kaslint"))
            .args(args)
            .output()
            .expect("kaslint runs");
        assert!(out.status.code().is_some_and(|c| c <= 1), "{out:?}");
    })
}

/// One file's options; the folder answers are the run's, shared by its files, as in the CLI.
fn opts_for<'a>(f: &Path, settings: &'a Settings) -> CheckOptions<'a> {
    static SHARED: std::sync::OnceLock<std::sync::Arc<kaslint::check::Shared>> =
        std::sync::OnceLock::new();
    CheckOptions {
        root: f.parent().map(Path::to_path_buf),
        entry: None,
        settings,
        // Freed after each check (the process below skips that): repeated runs reuse
        // memory instead of touching fresh pages, so the figures compare.
        shared: std::sync::Arc::clone(SHARED.get_or_init(Default::default)),
        leak_model: false,
    }
}

fn report(label: &str, files: usize, bytes: usize, full: Duration, base: (Duration, Duration)) {
    let secs = full.as_secs_f64();
    let (load, events) = (base.0.as_secs_f64(), base.1.as_secs_f64());
    println!(
        "{label}: {files} files, {:.2} MB: check {:.1} ms ({:.0} files/s, {:.1} MB/s); \
         parse-only: saphyr load {:.1} ms (ratio {:.2}x), granit events {:.1} ms (ratio {:.2}x)",
        bytes as f64 / 1e6,
        secs * 1e3,
        files as f64 / secs,
        bytes as f64 / 1e6 / secs,
        load * 1e3,
        secs / load,
        events * 1e3,
        secs / events,
    );
}

fn main() {
    let all = Settings {
        shellcheck: kaslint::settings::Shellcheck {
            mode: kaslint::settings::ShellcheckMode::Off,
            ..Default::default()
        },
        ..Settings::default()
    };
    let runs = 5;
    peak_memory(runs);
    start_up(300);

    let corpus = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    let files = common::corpus_files(&corpus);
    if files.is_empty() {
        println!("corpus: ../shared/corpus not found, skipped");
    } else {
        let texts: Vec<String> = files
            .iter()
            .map(|f| std::fs::read_to_string(f).unwrap_or_default())
            .collect();
        let bytes: usize = texts.iter().map(String::len).sum();
        let check_corpus = |settings: &Settings| {
            best_of(runs, || {
                for f in &files {
                    let _ = check_target(&Target::File(f.clone()), &opts_for(f, settings));
                }
            })
        };
        let full = check_corpus(&all);
        // The same without GitLab's configuration validation (KAS020-KAS099).
        let without = Settings {
            ignore: kaslint::rules::RULES
                .iter()
                .map(|r| r.meta().code)
                .filter(|c| ("KAS020".."KAS100").contains(c))
                .collect(),
            ..all.clone()
        };
        let base = check_corpus(&without);
        println!(
            "corpus: GitLab validation rules cost {:.2}x ({:.1} ms with, {:.1} ms without)",
            full.as_secs_f64() / base.as_secs_f64(),
            full.as_secs_f64() * 1e3,
            base.as_secs_f64() * 1e3
        );
        let strs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let parse = baselines(runs, &strs);
        report(
            "corpus, one file after another",
            files.len(),
            bytes,
            full,
            parse,
        );
        let spread = best_of(runs, || {
            kaslint::check::on_all_cores(files.len(), |i| {
                let f = &files[i];
                check_target(&Target::File(f.clone()), &opts_for(f, &all)).is_ok()
            });
        });
        report("corpus, on all cores", files.len(), bytes, spread, parse);
        let mut args = vec!["check", "--no-shellcheck", "--fail-on", "error"];
        args.extend(files.iter().filter_map(|f| f.to_str()));
        let cli = cli_best_of(runs * 2, &args);
        report(
            "corpus, `kaslint check` process",
            files.len(),
            bytes,
            cli,
            parse,
        );
    }

    if std::env::var_os("KASLINT_BENCH_CORPUS_ONLY").is_some() {
        return;
    }
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bench");
    std::fs::create_dir_all(&dir).expect("bench dir");
    let file = dir.join(".gitlab-ci.yml");
    let text = generated(2_000_000);
    std::fs::write(&file, &text).expect("write");
    let opts = CheckOptions {
        root: Some(dir.clone()),
        entry: Some(file.clone()),
        settings: &all,
        // Freed after each check (the process below skips that): repeated runs reuse
        // memory instead of touching fresh pages, so the figures compare.
        shared: Default::default(),
        leak_model: false,
    };
    let mut findings = 0;
    let full = best_of(runs, || {
        findings = check_target(&Target::File(file.clone()), &opts)
            .map(|r| r.diagnostics.len())
            .unwrap_or(0);
    });
    let parse = baselines(runs, &[&text]);
    report("generated", 1, text.len(), full, parse);
    let root = dir.to_string_lossy();
    let shown = file.to_string_lossy();
    let args = ["check", "--no-shellcheck", "--root", &root, &shown];
    let cli = cli_best_of(runs * 2, &args);
    report(
        "generated, `kaslint check` process",
        1,
        text.len(),
        cli,
        parse,
    );
    let tree = best_of(runs, || {
        let loaded = kaslint::load::yaml::parse(0, &text).expect("valid");
        drop(std::hint::black_box(loaded));
    });
    println!(
        "generated: spanned tree alone {:.1} ms",
        tree.as_secs_f64() * 1e3
    );
    println!("generated: {findings} findings");
}

/// Peak memory of a `kaslint check` process on 3,000 jobs (about 1.5 MB), ShellCheck
/// off (its own processes are not kaslint's memory). Measured first, while this bench
/// is small: a child's peak counts the parent's pages until it runs `exec`.
fn peak_memory(runs: usize) {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bench-3000");
    std::fs::create_dir_all(&dir).expect("bench dir");
    let file = dir.join(".gitlab-ci.yml");
    let text = generated_jobs(3000);
    std::fs::write(&file, &text).expect("write");
    let (root, shown) = (dir.to_string_lossy(), file.to_string_lossy());
    let args = ["check", "--no-shellcheck", "--root", &root, &shown];
    let runs: Vec<(Duration, i64)> = (0..runs).map(|_| cli_peak(&args)).collect();
    let peak = runs.iter().map(|r| r.1).max().unwrap_or(0);
    let best = runs.iter().map(|r| r.0).min().unwrap_or_default();
    println!(
        "3,000 jobs, {:.2} MB, `kaslint check` process: {:.1} ms, peak RSS {:.1} MB (highest of {} runs)",
        text.len() as f64 / 1e6,
        best.as_secs_f64() * 1e3,
        peak as f64 / 1024.0,
        runs.len()
    );
}

/// Start-up: `cat` of a small pipeline, `kaslint --version` and `kaslint check
/// --no-shellcheck` of it, one process each, interleaved over `rounds` rounds so that the
/// machine's load falls on all alike; min and median wall time, and the ratio to `cat`.
///
/// kaslint runs as installed: a copy written with `write` (as pip and `cargo install`
/// write it). The linker writes its output through a memory map, and until the page cache
/// drops those pages an exec of that very file maps its code 0.15-0.2 ms slower on this
/// machine; the last line runs cargo's own output file to show it.
fn start_up(rounds: usize) {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bench-start");
    std::fs::create_dir_all(&dir).expect("bench dir");
    let file = dir.join(".gitlab-ci.yml");
    std::fs::write(
        &file,
        "stages: [build]\n\nbuild:\n  stage: build\n  image: alpine:3.20\n  script:\n    - echo hello\n",
    )
    .expect("write");
    let path = file.to_string_lossy();
    let built = env!("CARGO_BIN_EXE_kaslint");
    let installed = dir.join("kaslint");
    let _ = std::fs::remove_file(&installed);
    std::fs::copy(built, &installed).expect("copy kaslint");
    let installed = installed.to_string_lossy();
    let cases: [(&str, &str, Vec<&str>); 4] = [
        ("cat FILE", "cat", vec![&path]),
        ("kaslint --version", &installed, vec!["--version"]),
        (
            "kaslint check --no-shellcheck FILE",
            &installed,
            vec!["check", "--no-shellcheck", &path],
        ),
        (
            "  the same, cargo's output file",
            built,
            vec!["check", "--no-shellcheck", &path],
        ),
    ];
    let mut times: Vec<Vec<Duration>> = vec![Vec::new(); cases.len()];
    for _ in 0..rounds {
        for (i, (_, program, args)) in cases.iter().enumerate() {
            let t = Instant::now();
            let status = std::process::Command::new(program)
                .args(args)
                .stdout(std::process::Stdio::null())
                .status()
                .expect("runs");
            times[i].push(t.elapsed());
            assert!(status.code().is_some_and(|c| c <= 1), "{program}: {status}");
        }
    }
    let stats: Vec<(f64, f64)> = times
        .iter_mut()
        .map(|t| {
            t.sort();
            let ms = |d: Duration| d.as_secs_f64() * 1e3;
            (ms(t[0]), ms(t[t.len() / 2]))
        })
        .collect();
    println!("start-up, {rounds} interleaved rounds (min / median ms, ratio to cat):");
    for ((what, _, _), (min, median)) in cases.iter().zip(&stats) {
        println!(
            "  {what:<36} {min:>6.2} / {median:>6.2}  ({:.2}x / {:.2}x)",
            min / stats[0].0,
            median / stats[0].1
        );
    }
}
