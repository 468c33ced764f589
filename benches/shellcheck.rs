//! `cargo bench --bench shellcheck`: over `../shared/corpus`, the ShellCheck part of a
//! check (`shellcheck::start` + `Pending::finish`: units, temporary files, one process per
//! pipeline, mapping) against bare ShellCheck runs over the same unit files (written
//! beforehand, not timed): one process per pipeline, and one process for everything.
//! Needs a ShellCheck (`KASLINT_SHELLCHECK` or `PATH`).

mod common;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use kaslint::check::{load_target, Target};
use kaslint::settings::Settings;
use kaslint::shellcheck::{self, units};

fn main() {
    let mut settings = Settings::default();
    settings.shellcheck.env_path = std::env::var_os("KASLINT_SHELLCHECK").map(PathBuf::from);
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
    let pipelines: Vec<_> = files
        .iter()
        .filter_map(|f| {
            let dir = f.parent()?.to_path_buf();
            load_target(&Target::File(f.clone()), Some(&dir), Some(f)).ok()
        })
        .collect();
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
    let kaslint_part = best(&|| {
        let t = Instant::now();
        for l in &pipelines {
            let _ = shellcheck::start(l.pipeline(), &settings).finish();
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
}
