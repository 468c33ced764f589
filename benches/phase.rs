//! Phase timings of one check (parse-only, spanned tree, model, rules), for profiling:
//! `cargo bench --bench phase -- FILE [tree|rules]` (default: the 2 MB pipeline `cargo bench
//! --bench check` generates).
mod common;

use std::time::Instant;

use kaslint::load::{self, Sources};
use kaslint::model::{BuildOptions, Pipeline, Role};

fn main() {
    // `cargo bench` passes `--bench`; skip flags.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let path = args
        .first()
        .cloned()
        .unwrap_or_else(|| format!("{}/bench/.gitlab-ci.yml", env!("CARGO_TARGET_TMPDIR")));
    if !std::path::Path::new(&path).is_file() {
        println!("phase: {path} not found (run `cargo bench --bench check` first), skipped");
        return;
    }
    let tree_only = args.get(1).is_some_and(|a| a == "tree");
    let text = std::fs::read_to_string(&path).expect("readable");
    for _ in 0..3 {
        let t = Instant::now();
        let events = granit_parser::Parser::new_from_str(&text).count();
        let parse = t.elapsed();
        let t = Instant::now();
        let loaded = load::yaml::parse(0, &text);
        let tree = t.elapsed();
        std::mem::forget(loaded);
        if tree_only {
            println!("{events} events: parse-only {parse:?}, tree {tree:?}");
            continue;
        }
        let mut sources = Sources::default();
        let (id, problem) =
            load::decode(&mut sources, path.clone(), None, text.clone().into_bytes());
        let opts = BuildOptions {
            root: None,
            root_certain: false,
            display_root: String::new(),
            role: Role::Entry,
        };
        let t = Instant::now();
        let pipeline = Pipeline::build(sources, id, problem, &opts);
        let build = t.elapsed();
        let mut settings = kaslint::settings::Settings::default();
        settings.shellcheck.mode = kaslint::settings::ShellcheckMode::Off;
        if args.get(1).is_some_and(|a| a == "rules") {
            // Rules only, ten times (for a profiler), then each family alone.
            for family in [b'0', b'1', b'2', b'3', b'4', b'5', b'9'] {
                let mut one = settings.clone();
                one.select = kaslint::rules::RULES
                    .iter()
                    .map(|r| r.meta().code)
                    .filter(|c| c.as_bytes()[3] == family)
                    .collect();
                let t = Instant::now();
                let _ = kaslint::rules::check(&pipeline, &one.rule_run());
                println!("KAS{}xx alone: {:?}", family as char, t.elapsed());
            }
            for _ in 0..10 {
                let t = Instant::now();
                let n = kaslint::rules::check(&pipeline, &settings.rule_run()).len();
                println!("rules {:?}, {n} findings", t.elapsed());
            }
            std::mem::forget(pipeline);
            return;
        }
        let t = Instant::now();
        let findings = kaslint::rules::check(&pipeline, &settings.rule_run()).len();
        let rules = t.elapsed();
        println!(
            "{events} events: parse-only {parse:?}, tree {tree:?}, model (tree included) {build:?}, rules {rules:?}, {findings} findings"
        );
        if std::env::var_os("KASLINT_PER_RULE").is_some() {
            // The most expensive rules, each alone (shared analyses included).
            let mut times: Vec<(std::time::Duration, &str)> = kaslint::rules::RULES
                .iter()
                .map(|r| {
                    let code = r.meta().code;
                    let mut one = settings.clone();
                    one.select = vec![code];
                    let t = Instant::now();
                    let _ = kaslint::rules::check(&pipeline, &one.rule_run());
                    (t.elapsed(), code)
                })
                .collect();
            times.sort();
            times.reverse();
            println!("slowest rules alone: {:?}", &times[..8]);
        }
        std::mem::forget(pipeline);
    }
}
