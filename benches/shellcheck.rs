//! `cargo bench --bench shellcheck`: over `../shared/corpus`, the ShellCheck part of a
//! check (`shellcheck::start` + `Pending::finish`: units, temporary files, one process per
//! pipeline, mapping) against bare ShellCheck runs over the same unit files (written
//! beforehand, not timed): one process per pipeline, and one process for everything.
//! Then `kaslint check` as one process per file, cold (cache emptied before each file),
//! warm (second run) and first run (cache empty before the first file only),
//! over the corpus and over one large pipeline (`KASLINT_BENCH_LARGE=FILE`, else the
//! corpus pipeline with the most script text), side by side with gitlab-ci-verify when
//! `KASLINT_BENCH_GCV=PATH` names its binary (it runs its bundled ShellCheck; run with
//! `--no-lint-api`, offline). Each file is run by every tool in turn, so that the machine's
//! load falls on all alike; `KASLINT_BENCH_ROUNDS` rounds (default 5), min and median.
//! Needs a ShellCheck (`KASLINT_SHELLCHECK` or `PATH`).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use kaslint::check::{load_target, Target};
use kaslint::settings::Settings;
use kaslint::shellcheck::{self, units};

fn main() {
    let mut settings = Settings::default();
    settings
        .shellcheck
        .locate_with(&kaslint::environment::Environment::read());
    let binary = match shellcheck::discover(&settings) {
        Ok(Some(b)) => b,
        _ => {
            eprintln!("shellcheck bench: no shellcheck found (set KASLINT_SHELLCHECK)");
            return;
        }
    };
    settings.shellcheck.path = Some(binary.path.clone());
    let corpus = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    let files = common::corpus_files(&corpus);
    let folders = kaslint::folders::Folders::default();
    let loaded: Vec<_> = files
        .iter()
        .filter_map(|f| {
            let dir = f.parent()?.to_path_buf();
            let l = load_target(&Target::File(f.clone()), Some(&dir), Some(f), &folders).ok()?;
            Some((f.clone(), l))
        })
        .collect();
    let pipelines: Vec<_> = loaded.iter().map(|(_, l)| l).collect();
    // The corpus pipeline with the most script text: the default large case.
    let mut most_script = (0, None);
    // The units, written once for the bare runs.
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("shellcheck-bench");
    let _ = std::fs::remove_dir_all(&tmp);
    let mut per_pipeline: Vec<(PathBuf, Vec<String>)> = Vec::new();
    let all_dir = tmp.join("all");
    std::fs::create_dir_all(&all_dir).expect("tmp");
    let mut all_texts: Vec<String> = Vec::new();
    let mut n_units = 0;
    for (i, l) in pipelines.iter().enumerate() {
        let ex = units::extract(l.pipeline(), &settings, binary.supports_busybox());
        n_units += ex.units.len();
        if ex.units.is_empty() {
            continue;
        }
        let (texts, _) = shellcheck::distinct(&ex.units);
        let bytes: usize = texts.iter().map(|t| t.len()).sum();
        if bytes > most_script.0 {
            most_script = (bytes, Some(loaded[i].0.clone()));
        }
        let dir = tmp.join(format!("p{i}"));
        std::fs::create_dir_all(&dir).expect("tmp");
        let names = shellcheck::write_units(&dir, &texts).expect("write");
        all_texts.extend(texts.iter().map(|t| t.to_string()));
        per_pipeline.push((dir, names));
    }
    all_texts.sort();
    all_texts.dedup();
    let all_refs: Vec<&str> = all_texts.iter().map(String::as_str).collect();
    let all_names = shellcheck::write_units(&all_dir, &all_refs).expect("write");

    let best = |f: &dyn Fn() -> Duration| (0..3).map(|_| f()).min().unwrap_or_default();
    // One finder for the runs, as one `kaslint check` has (the version known after the first).
    let finder = std::sync::Arc::new(shellcheck::Finder::default());
    let kaslint_part = best(&|| {
        let t = Instant::now();
        for l in &pipelines {
            let _ = shellcheck::start(l.pipeline(), &settings, &finder).finish();
        }
        t.elapsed()
    });
    let bare_per_pipeline = best(&|| {
        let t = Instant::now();
        for (dir, names) in &per_pipeline {
            let _ = shellcheck::command(&binary, dir, names).output();
        }
        t.elapsed()
    });
    let bare_once = best(&|| {
        let t = Instant::now();
        let _ = shellcheck::command(&binary, &all_dir, &all_names).output();
        t.elapsed()
    });
    let _ = std::fs::remove_dir_all(&tmp);
    println!(
        "shellcheck {} over {} corpus files: {} pipelines with scripts, {} units ({} distinct texts)",
        binary.version_text(),
        files.len(),
        per_pipeline.len(),
        n_units,
        all_texts.len()
    );
    println!(
        "  kaslint ShellCheck part (start+finish):  {:>8.1} ms",
        kaslint_part.as_secs_f64() * 1e3
    );
    println!(
        "  bare shellcheck, one run per pipeline:   {:>8.1} ms  (ratio {:.2}x)",
        bare_per_pipeline.as_secs_f64() * 1e3,
        kaslint_part.as_secs_f64() / bare_per_pipeline.as_secs_f64().max(1e-9)
    );
    println!(
        "  bare shellcheck, one run for all units:  {:>8.1} ms",
        bare_once.as_secs_f64() * 1e3
    );
    side_by_side(&binary.path, &files, most_script.1);
}

/// One process, its output discarded; how long it took.
fn timed(mut cmd: Command) -> Duration {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let t = Instant::now();
    let status = cmd.status().expect("process runs");
    let took = t.elapsed();
    assert!(status.code().is_some(), "{cmd:?}: {status}");
    took
}

/// Min and median of the round totals, in ms.
fn min_median(mut totals: Vec<Duration>) -> (f64, f64) {
    totals.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    (ms(totals[0]), ms(totals[totals.len() / 2]))
}

/// `kaslint check` and gitlab-ci-verify, one process per file, file after file, `rounds`
/// times. kaslint runs three ways: cold (its cache emptied before the file, untimed), warm
/// (right after), and first run (a cache that was empty before the round's first file).
fn per_file(label: &str, files: &[PathBuf], shellcheck: &Path, gcv: Option<&Path>, rounds: usize) {
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let (cache, first_cache) = (tmp.join("sc-bench-cold"), tmp.join("sc-bench-first"));
    let kaslint = |file: &Path, cache: &Path| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_kaslint"));
        c.args(["check", "--fail-on", "error", "--quiet"])
            .arg(file)
            .env("XDG_CACHE_HOME", cache)
            .env("KASLINT_SHELLCHECK", shellcheck);
        c
    };
    // Round totals: gitlab-ci-verify, cold, warm, first run.
    let mut totals: [Vec<Duration>; 4] = Default::default();
    for _ in 0..rounds {
        let mut t = [Duration::ZERO; 4];
        let _ = std::fs::remove_dir_all(&first_cache);
        for f in files {
            if let Some(gcv) = gcv {
                let mut cmd = Command::new(gcv);
                cmd.args(["--no-lint-api", "--gitlab-ci-file"])
                    .arg(f)
                    .current_dir(f.parent().unwrap_or(Path::new(".")));
                t[0] += timed(cmd);
            }
            let _ = std::fs::remove_dir_all(&cache);
            t[1] += timed(kaslint(f, &cache));
            t[2] += timed(kaslint(f, &cache));
            t[3] += timed(kaslint(f, &first_cache));
        }
        for (all, one) in totals.iter_mut().zip(t) {
            all.push(one);
        }
    }
    let [other, cold, warm, first] = totals.map(min_median);
    println!(
        "{label}: {} files, one process per file, {rounds} rounds (min / median ms)",
        files.len()
    );
    let rows = [
        ("kaslint cold (cache emptied before each file)", cold),
        ("kaslint warm (second run)", warm),
        ("kaslint first run (cache empty at the start)", first),
    ];
    for (what, (min, median)) in rows {
        println!("  {what:<46} {min:>9.1} / {median:>9.1}");
    }
    if gcv.is_some() {
        println!(
            "  {:<46} {:>9.1} / {:>9.1}",
            "gitlab-ci-verify", other.0, other.1
        );
        for (what, (min, median)) in rows {
            println!(
                "  gitlab-ci-verify / {what}: {:.2}x / {:.2}x",
                other.0 / min,
                other.1 / median
            );
        }
    }
}

fn side_by_side(shellcheck: &Path, files: &[PathBuf], most_script: Option<PathBuf>) {
    let gcv = std::env::var_os("KASLINT_BENCH_GCV").map(PathBuf::from);
    if gcv.is_none() {
        println!("(KASLINT_BENCH_GCV not set: kaslint alone, no gitlab-ci-verify beside it)");
    }
    let rounds = std::env::var("KASLINT_BENCH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(5);
    per_file("corpus", files, shellcheck, gcv.as_deref(), rounds);
    let large = std::env::var_os("KASLINT_BENCH_LARGE")
        .map(PathBuf::from)
        .or(most_script);
    if let Some(large) = large {
        let size = std::fs::metadata(&large).map_or(0, |m| m.len());
        let label = format!("large pipeline {} ({size} bytes)", large.display());
        per_file(&label, &[large], shellcheck, gcv.as_deref(), rounds * 4);
    }
}
