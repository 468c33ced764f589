//! The ShellCheck result cache and the processes: a warm run gives exactly the cold
//! run's findings and starts no ShellCheck; a changed script is the only one checked
//! again; a corrupt entry is replaced; a cache that cannot be used is one note, never an
//! error; the findings do not depend on the number of processes. ShellCheck is the real
//! one (`KASLINT_SHELLCHECK` or `PATH`) behind a wrapper that logs each call; the tests
//! are skipped (with a line on stderr) without one.
#![cfg(unix)]

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use kaslint::check::{load_target, Target};
use kaslint::settings::Settings;
use kaslint::shellcheck::{self, units, RunOptions};

fn real_shellcheck() -> Option<PathBuf> {
    let mut s = Settings::default();
    s.shellcheck
        .locate_with(&kaslint::environment::Environment::read());
    match shellcheck::discover(&s) {
        Ok(Some(b)) => Some(b.path),
        _ => {
            eprintln!("no shellcheck found: skipping the cache tests");
            None
        }
    }
}

/// A fresh folder holding a repository (`repo/`), a cache root (`cache/`) and a
/// `shellcheck` wrapper that logs its arguments to `calls.log`, then runs the real one.
struct Bench {
    dir: PathBuf,
    wrapper: PathBuf,
}

impl Bench {
    fn new(name: &str, real: &Path) -> Bench {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
            .join("shellcheck-cache")
            .join(name);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("repo/.git")).expect("scratch");
        let wrapper = dir.join("shellcheck");
        let script = format!(
            "#!/bin/sh\necho \"$*\" >> '{}'\nexec '{}' \"$@\"\n",
            dir.join("calls.log").display(),
            real.display()
        );
        std::fs::write(&wrapper, script).expect("wrapper");
        std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        Bench { dir, wrapper }
    }

    fn pipeline(&self, scripts: &[&str]) {
        let mut y = String::new();
        for (i, s) in scripts.iter().enumerate() {
            y.push_str(&format!(
                "job-{i}:\n  image: alpine:3.20\n  script:\n    - |\n      {s}\n      echo done\n"
            ));
        }
        std::fs::write(self.dir.join("repo/.gitlab-ci.yml"), y).expect("pipeline");
    }

    fn cache(&self) -> PathBuf {
        self.dir.join("cache")
    }

    fn results(&self) -> PathBuf {
        self.cache().join("kaslint/shellcheck/results")
    }

    /// `kaslint check --format json` with the wrapper; the calls it made (log cleared).
    fn check(&self, extra: &[&str]) -> (Output, Vec<String>) {
        let log = self.dir.join("calls.log");
        let _ = std::fs::remove_file(&log);
        let repo = self.dir.join("repo");
        let out = Command::new(env!("CARGO_BIN_EXE_kaslint"))
            .args(["check", "--format", "json", "--shellcheck"])
            .arg(&self.wrapper)
            .args(extra)
            .arg(repo.join(".gitlab-ci.yml"))
            .current_dir(&repo)
            .env("XDG_CACHE_HOME", self.cache())
            .env_remove("KASLINT_SHELLCHECK")
            .output()
            .expect("kaslint runs");
        let calls = std::fs::read_to_string(&log)
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect();
        (out, calls)
    }
}

/// A bench with [`SCRIPTS`] as its pipeline, when there is a real ShellCheck.
fn with_scripts(name: &str) -> Option<Bench> {
    let b = Bench::new(name, &real_shellcheck()?);
    b.pipeline(SCRIPTS);
    Some(b)
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn checks(calls: &[String]) -> Vec<&String> {
    calls.iter().filter(|c| c.contains("json1")).collect()
}

const SCRIPTS: &[&str] = &[
    "echo $FOO",
    "cd build; make",
    "for f in $(ls *.txt); do cat $f; done",
    "[ $A == b ] && echo yes",
    "rm -rf $DIR/",
    "x=1",
];

#[test]
fn warm_run_is_the_cold_run_without_shellcheck() {
    let Some(b) = with_scripts("warm") else {
        return;
    };
    let (cold, cold_calls) = b.check(&[]);
    assert_eq!(cold.status.code(), Some(1), "{cold:?}");
    assert_eq!(checks(&cold_calls).len(), 1, "{cold_calls:?}");
    let (warm, warm_calls) = b.check(&[]);
    assert_eq!(
        stdout(&warm),
        stdout(&cold),
        "same findings, order and positions"
    );
    assert_eq!(warm.status.code(), cold.status.code());
    assert!(warm_calls.is_empty(), "no process at all: {warm_calls:?}");
    assert!(stdout(&cold).contains("SC2086"));
    // --no-cache checks everything again and changes nothing in the cache.
    let before = std::fs::read_dir(b.results()).expect("results").count();
    let (bypass, calls) = b.check(&["--no-cache"]);
    assert_eq!(stdout(&bypass), stdout(&cold));
    assert_eq!(checks(&calls).len(), 1, "{calls:?}");
    assert_eq!(
        std::fs::read_dir(b.results()).expect("results").count(),
        before
    );
}

#[test]
fn a_changed_script_is_the_only_one_checked_again() {
    let Some(b) = with_scripts("changed") else {
        return;
    };
    b.check(&[]);
    let mut changed = SCRIPTS.to_vec();
    changed[3] = "[ $B == c ] && echo no";
    b.pipeline(&changed);
    let (out, calls) = b.check(&[]);
    let runs = checks(&calls);
    assert_eq!(runs.len(), 1, "{calls:?}");
    assert_eq!(runs[0].matches(".sh").count(), 1, "one unit: {runs:?}");
    // And the mixed run (five from the cache, one checked) is what a cold run gives.
    std::fs::remove_dir_all(b.cache()).expect("clear");
    let (cold, _) = b.check(&[]);
    assert_eq!(stdout(&out), stdout(&cold));
}

#[test]
fn a_corrupt_entry_is_ignored_and_replaced() {
    let Some(b) = with_scripts("corrupt-entry") else {
        return;
    };
    let (cold, _) = b.check(&[]);
    let entries: Vec<PathBuf> = std::fs::read_dir(b.results())
        .expect("results")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    assert!(!entries.is_empty());
    std::fs::write(&entries[0], b"{\"format\": tru").expect("corrupt");
    // The same bytes under another key's name: refused too.
    if entries.len() > 1 {
        std::fs::copy(&entries[1], &entries[entries.len() - 1]).expect("swap");
    }
    let (again, calls) = b.check(&[]);
    assert_eq!(stdout(&again), stdout(&cold));
    assert_eq!(checks(&calls).len(), 1, "{calls:?}");
    assert!(!stdout(&again).contains("not cached"));
    let text = std::fs::read_to_string(&entries[0]).expect("rewritten");
    assert!(text.starts_with("{\"format\":\"kaslint-shellcheck-cache-1\""));
    let (warm, calls) = b.check(&[]);
    assert!(calls.is_empty(), "{calls:?}");
    assert_eq!(stdout(&warm), stdout(&cold));
}

#[test]
fn an_unusable_cache_is_one_note_never_an_error() {
    let Some(b) = with_scripts("unusable") else {
        return;
    };
    let (plain, _) = b.check(&["--no-cache"]);
    let findings = |o: &Output| -> Vec<serde_json::Value> {
        let v: serde_json::Value = serde_json::from_str(&stdout(o)).expect("json");
        v["findings"].as_array().cloned().unwrap_or_default()
    };
    // The cache root is a file; then the results folder is a file.
    for blocker in ["kaslint/shellcheck", "kaslint/shellcheck/results"] {
        let _ = std::fs::remove_dir_all(b.cache());
        let path = b.cache().join(blocker);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, "not a folder").expect("block");
        let (out, calls) = b.check(&[]);
        assert_eq!(out.status.code(), plain.status.code(), "{blocker}: {out:?}");
        assert_eq!(checks(&calls).len(), 1);
        let (notes, rest): (Vec<_>, Vec<_>) = findings(&out)
            .into_iter()
            .partition(|f| f["message"].as_str().unwrap_or("").contains("not cached"));
        assert_eq!(notes.len(), 1, "{blocker}: {}", stdout(&out));
        assert_eq!(notes[0]["severity"], "info");
        assert_eq!(rest, findings(&plain), "{blocker}");
    }
}

#[test]
fn findings_do_not_depend_on_the_number_of_processes() {
    let Some(real) = real_shellcheck() else {
        return;
    };
    let b = Bench::new("processes", &real);
    let many: Vec<String> = (0..24)
        .map(|i| match i % 4 {
            0 => format!("echo $V{i}"),
            1 => format!("cd d{i}; make t{i}"),
            2 => format!("[ $X{i} == y ] && ls *.{i}"),
            _ => format!("cp $SRC{i} $DST{i}"),
        })
        .collect();
    let refs: Vec<&str> = many.iter().map(String::as_str).collect();
    b.pipeline(&refs);
    let file = b.dir.join("repo/.gitlab-ci.yml");
    let root = b.dir.join("repo");
    let loaded = load_target(
        &Target::File(file.clone()),
        Some(&root),
        Some(&file),
        &Default::default(),
    )
    .expect("load");
    let mut settings = Settings::default();
    settings.shellcheck.path = Some(b.wrapper.clone());
    let binary = shellcheck::discover(&settings)
        .expect("wrapper works")
        .expect("found");
    let ex = units::extract(loaded.pipeline(), &settings, binary.supports_busybox());
    assert!(ex.units.len() >= 24);
    let log = b.dir.join("calls.log");
    let mut outputs = Vec::new();
    for n in [1, 2, 3, 5] {
        let _ = std::fs::remove_file(&log);
        let opts = RunOptions {
            cache: None,
            processes: Some(n),
        };
        let found = shellcheck::run(&binary, &ex.units, &opts);
        let started = std::fs::read_to_string(&log).unwrap_or_default();
        assert_eq!(started.lines().count(), n, "{n} processes: {started}");
        let shown: Vec<String> = found
            .iter()
            .map(|d| format!("{:?} {} {} {:?}", d.primary, d.code(), d.message, d.job))
            .collect();
        assert!(shown.len() >= 24, "{shown:?}");
        outputs.push(shown);
    }
    for o in &outputs[1..] {
        assert_eq!(o, &outputs[0]);
    }
}
