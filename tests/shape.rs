//! The code's shape, checked on the source: imports go one way along load → model →
//! analysis → rules → report → (check, cli, autofix, generate), no cycle joins the
//! top-level modules, and the process environment is read in one place.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The layers, lowest first; a module may use its own layer and those below it.
const LAYERS: &[&str] = &["load", "model", "analysis", "rules", "report"];
/// Above every layer: the commands.
const TOP: &[&str] = &["autofix", "check", "cli", "generate"];

fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read src") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|x| x == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The top-level module a file belongs to (`src/rules/deploy/x.rs` → `rules`).
fn module_of(file: &Path) -> String {
    let rel = file.strip_prefix(src()).expect("under src");
    let first = rel.components().next().expect("a component");
    first
        .as_os_str()
        .to_string_lossy()
        .trim_end_matches(".rs")
        .to_string()
}

/// The code of a file, without comments and without a trailing unit-test module.
fn code_of(file: &Path) -> String {
    let text = std::fs::read_to_string(file).expect("read");
    let text = text.split("\n#[cfg(test)]\nmod tests").next().unwrap_or("");
    text.lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The top-level modules each top-level module names (`crate::x`).
fn module_graph() -> BTreeMap<String, BTreeSet<String>> {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in sources(&src()) {
        let module = module_of(&file);
        if module == "lib" || module == "main" {
            continue;
        }
        let uses = graph.entry(module.clone()).or_default();
        let code = code_of(&file);
        for (at, _) in code.match_indices("crate::") {
            let name: String = code[at + 7..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if name != module && name.chars().next().is_some_and(|c| c.is_ascii_lowercase()) {
                uses.insert(name);
            }
        }
    }
    graph
}

#[test]
fn no_cycle_between_top_level_modules() {
    let graph = module_graph();
    assert!(
        graph.contains_key("rules") && graph.contains_key("load"),
        "{graph:?}"
    );
    // Depth-first search; a module met again while on the path closes a cycle.
    fn visit<'a>(
        m: &'a str,
        graph: &'a BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
        cycles: &mut Vec<String>,
    ) {
        if let Some(i) = path.iter().position(|p| *p == m) {
            let mut cycle = path[i..].to_vec();
            cycle.push(m);
            cycles.push(cycle.join(" → "));
            return;
        }
        if !done.insert(m) {
            return;
        }
        path.push(m);
        for next in graph.get(m).into_iter().flatten() {
            if graph.contains_key(next) {
                visit(next, graph, path, done, cycles);
            }
        }
        path.pop();
    }
    let (mut done, mut cycles) = (BTreeSet::new(), Vec::new());
    for m in graph.keys() {
        visit(m, &graph, &mut Vec::new(), &mut done, &mut cycles);
    }
    assert!(
        cycles.is_empty(),
        "cycles between modules:\n{}",
        cycles.join("\n")
    );
}

#[test]
fn imports_go_one_way() {
    let mut wrong = Vec::new();
    for file in sources(&src()) {
        let module = module_of(&file);
        let Some(level) = LAYERS.iter().position(|l| *l == module) else {
            continue;
        };
        let higher: Vec<&str> = LAYERS[level + 1..].iter().chain(TOP).copied().collect();
        let text = std::fs::read_to_string(&file).expect("read");
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for h in &higher {
                if code.contains(&format!("crate::{h}::")) || code.contains(&format!("crate::{h};"))
                {
                    wrong.push(format!("{}:{}: {module} uses {h}", file.display(), n + 1));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports against the flow:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_environment_is_read_in_one_place() {
    // Variables only in `environment.rs`; the working folder only in `folders.rs`.
    let rules: [(&str, &[&str]); 2] = [
        (
            "environment.rs",
            &["env::var(", "env::var_os(", "env::vars("],
        ),
        ("folders.rs", &["current_dir()"]),
    ];
    let mut wrong = Vec::new();
    for file in sources(&src()) {
        let name = file
            .file_name()
            .expect("name")
            .to_string_lossy()
            .to_string();
        let text = std::fs::read_to_string(&file).expect("read");
        // Unit tests may read what they like.
        let code = text.split("#[cfg(test)]").next().unwrap_or("");
        for (home, needles) in &rules {
            if name == *home && file.parent() == Some(src().as_path()) {
                continue;
            }
            for needle in needles.iter() {
                if code.contains(needle) {
                    wrong.push(format!("{}: {needle}", file.display()));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "read outside its one place:\n{}",
        wrong.join("\n")
    );
}
