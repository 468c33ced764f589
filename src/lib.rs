//! kaslint: an offline linter for `.gitlab-ci.yml` pipelines that deploy to Kubernetes
//! through the GitLab agent. Data flows one way: load → model → rules → report.

pub mod analysis;
pub mod check;
pub mod cli;
pub mod config;
pub mod data;
pub mod generate;
pub mod load;
pub mod model;
pub mod report;
pub mod rules;
pub mod settings;
pub mod shellcheck;
pub mod suppress;

use std::collections::BTreeMap;
use std::io::Write;

use cli::{CheckArgs, Cli, Command, ConfigArgs, Format};
use report::{FileReport, Severity};

/// Where rule pages are published (SARIF `helpUri`, terminal links).
pub const DOCS_BASE: &str = "https://gitlab.com/kaslint/kaslint/-/blob/main";

/// Exit codes: 0 clean, 1 findings at or above `--fail-on`, 2 usage or I/O error.
pub mod exit {
    pub const CLEAN: u8 = 0;
    pub const FINDINGS: u8 = 1;
    pub const ERROR: u8 = 2;
}

pub fn run(cli: Cli) -> u8 {
    match cli.command {
        Command::Check(args) => run_check(&args),
        Command::Config(args) => run_config(&args),
        Command::Rules => {
            print_rules();
            exit::CLEAN
        }
        Command::Generate(args) => generate::run(args),
        Command::Explain { rule } => match rules::find(&rule) {
            Some(r) => {
                print!("{}", r.meta().doc);
                exit::CLEAN
            }
            None => {
                eprintln!("kaslint: unknown rule `{rule}`{}", rule_hint(&rule));
                exit::ERROR
            }
        },
    }
}

fn rule_hint(id: &str) -> String {
    let names = rules::RULES
        .iter()
        .flat_map(|r| [r.meta().code, r.meta().name]);
    match model::suggest(id, names) {
        Some(s) => format!(" (did you mean `{s}`?)"),
        None => "; `kaslint rules` lists them".into(),
    }
}

fn print_rules() {
    let mut out = String::new();
    out.push_str("code    name                              severity  summary\n");
    for r in rules::RULES {
        let m = r.meta();
        out.push_str(&format!(
            "{:<7} {:<33} {:<9} {}\n",
            m.code,
            m.name,
            m.severity.as_str(),
            m.summary
        ));
    }
    print!("{out}");
}

fn resolve_rule_ids(ids: &[String]) -> Result<Vec<&'static str>, String> {
    ids.iter()
        .filter(|s| !s.trim().is_empty())
        .map(|id| {
            rules::find(id.trim())
                .map(|r| r.meta().code)
                .ok_or_else(|| format!("unknown rule `{id}`{}", rule_hint(id)))
        })
        .collect()
}

fn run_check(args: &CheckArgs) -> u8 {
    let select = match resolve_rule_ids(&args.select) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("kaslint: {e}");
            return exit::ERROR;
        }
    };
    let ignore = match resolve_rule_ids(&args.ignore) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("kaslint: {e}");
            return exit::ERROR;
        }
    };
    let settings = settings::Settings {
        select,
        ignore,
        fail_on: args.fail_on.severity(),
        ..settings::Settings::default()
    };
    let targets = match check::targets(&args.paths, args.locate.root.as_deref()) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("kaslint: {}", e.0);
            return exit::ERROR;
        }
    };
    let opts = check::CheckOptions {
        root: args.locate.root.clone(),
        entry: args.locate.entry.clone(),
        settings: &settings,
        leak_model: true,
    };
    let results = check_all(&targets, &opts);
    let mut reports = Vec::new();
    for r in results {
        match r {
            Ok(r) => reports.push(r),
            Err(e) => {
                eprintln!("kaslint: {}", e.0);
                return exit::ERROR;
            }
        }
    }
    let mut counts: BTreeMap<Severity, usize> = BTreeMap::new();
    for d in reports.iter().flat_map(|r| &r.diagnostics) {
        *counts.entry(d.severity).or_default() += 1;
    }
    let out = match args.format {
        Format::Json => report::json::render(&reports),
        Format::Human => {
            let styled =
                anstream::AutoStream::choice(&std::io::stdout()) != anstream::ColorChoice::Never;
            let mut s = String::new();
            for r in &reports {
                for d in &r.diagnostics {
                    s.push_str(&report::human::render(r, d, styled));
                    s.push_str("\n\n");
                }
            }
            if !args.quiet {
                s.push_str(&report::human::summary(&counts, reports.len()));
                s.push('\n');
            }
            s
        }
    };
    let mut stdout = anstream::stdout();
    if stdout.write_all(out.as_bytes()).is_err() {
        return exit::ERROR;
    }
    let threshold = args.fail_on.severity();
    if counts.iter().any(|(s, n)| *s >= threshold && *n > 0) {
        exit::FINDINGS
    } else {
        exit::CLEAN
    }
}

/// Check every target, several at once on the machine's cores; results keep input order.
fn check_all(
    targets: &[check::Target],
    opts: &check::CheckOptions<'_>,
) -> Vec<Result<FileReport, check::IoError>> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(targets.len())
        .max(1);
    if threads == 1 {
        return targets
            .iter()
            .map(|t| check::check_target(t, opts))
            .collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut slots: Vec<Option<Result<FileReport, check::IoError>>> =
        (0..targets.len()).map(|_| None).collect();
    let results = std::sync::Mutex::new(&mut slots);
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= targets.len() {
                    break;
                }
                let r = check::check_target(&targets[i], opts);
                results.lock().expect("no panic while holding the lock")[i] = Some(r);
            });
        }
    });
    slots
        .into_iter()
        .map(|r| r.expect("every target checked"))
        .collect()
}

fn run_config(args: &ConfigArgs) -> u8 {
    let paths: Vec<std::path::PathBuf> = args.path.iter().cloned().collect();
    let targets = match check::targets(&paths, args.locate.root.as_deref()) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("kaslint: {}", e.0);
            return exit::ERROR;
        }
    };
    let Some(target) = targets.first() else {
        return exit::ERROR;
    };
    let loaded = match check::load_target(
        target,
        args.locate.root.as_deref(),
        args.locate.entry.as_deref(),
    ) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("kaslint: {}", e.0);
            return exit::ERROR;
        }
    };
    let pipeline = loaded.pipeline();
    let Some(root) = &pipeline.root else {
        let first = pipeline
            .problems
            .first()
            .map(|p| p.message.clone())
            .unwrap_or_default();
        eprintln!("kaslint: the configuration could not be loaded: {first}");
        return exit::FINDINGS;
    };
    match report::config_yaml::render(pipeline.header.as_deref(), root) {
        Ok(text) => {
            print!("{text}");
            exit::CLEAN
        }
        Err(e) => {
            eprintln!("kaslint: {e}");
            exit::ERROR
        }
    }
}
