//! Phase timings of one check (parse-only, spanned tree, model, rules), for profiling:
//! `cargo run --release --example phase -- FILE`.
use std::time::Instant;

use kaslint::load::{self, Sources};
use kaslint::model::{BuildOptions, Pipeline, Role};

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: phase FILE [tree]");
        return;
    };
    let tree_only = std::env::args().nth(2).is_some_and(|a| a == "tree");
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
        let t = Instant::now();
        let findings = kaslint::rules::check(&pipeline, &settings).len();
        let rules = t.elapsed();
        println!(
            "{events} events: parse-only {parse:?}, tree {tree:?}, model (tree included) {build:?}, rules {rules:?}, {findings} findings"
        );
        std::mem::forget(pipeline);
    }
}
