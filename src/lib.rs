//! kaslint: an offline linter for `.gitlab-ci.yml` pipelines that deploy to Kubernetes
//! through the GitLab agent. Data flows one way: load → model → rules → report.
#![forbid(unsafe_code)]

pub mod analysis;
pub mod autofix;
pub mod baseline;
pub mod cache;
pub mod check;
pub mod cli;
pub mod config;
pub mod data;
pub mod diagnostic;
pub mod environment;
pub mod fetch;
pub mod fix;
pub mod folders;
pub mod generate;
pub mod load;
pub mod model;
pub mod report;
pub mod rules;
pub mod settings;
pub mod shellcheck;
pub mod suppress;
pub mod write;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use cli::{CheckArgs, Cli, Command, ConfigArgs, Format};
use environment::Environment;
use folders::Folders;
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
    // The environment is read here, once, and handed down.
    let env = Environment::read();
    match cli.command {
        Command::Check(args) => run_check(&args, &env),
        Command::Config(args) => run_config(&args, &env),
        Command::Rules => {
            print_rules();
            exit::CLEAN
        }
        Command::Generate(args) => generate::run(args, &env),
        Command::Fetch(args) => run_fetch(&args, &env),
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

/// The settings for files under one config file (or none): the file, then the flags.
fn settings_for(
    config: Option<&Path>,
    args: &CheckArgs,
    env: &Environment,
) -> Result<settings::Settings, String> {
    let mut s = settings::Settings::default();
    if let Some(path) = config {
        let raw = config::load(path).map_err(|e| e.0)?;
        config::apply(raw, path, &mut s).map_err(|e| e.0)?;
    }
    let select = resolve_rule_ids(&args.select)?;
    if !select.is_empty() {
        s.select = select;
    }
    s.ignore.extend(resolve_rule_ids(&args.ignore)?);
    if let Some(f) = args.fail_on {
        s.fail_on = f.severity();
    }
    if let Some(e) = &args.locate.entry {
        s.entry = Some(e.clone());
    }
    s.no_ignores = args.no_ignores;
    s.verbose = args.verbose;
    s.key_paths = args.baseline.is_some() || args.write_baseline.is_some();
    if args.no_shellcheck {
        s.shellcheck.mode = settings::ShellcheckMode::Off;
    } else if args.require_shellcheck {
        s.shellcheck.mode = settings::ShellcheckMode::Required;
    }
    if let Some(p) = &args.shellcheck {
        s.shellcheck.path = Some(p.clone());
    }
    s.shellcheck.locate_with(env);
    s.cache = if args.no_cache {
        None
    } else {
        env.cache_root.clone()
    };
    s.includes.reader = cli::fetch::reader(&s, cli::fetch::mode(args.fetch, args.refresh), env);
    Ok(s)
}

/// Which config file governs a target.
fn config_for(target: &check::Target, args: &CheckArgs, folders: &Folders) -> Option<PathBuf> {
    if args.no_config {
        return None;
    }
    if let Some(c) = &args.config {
        return Some(c.clone());
    }
    let start = match target {
        check::Target::File(p) => p
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from(".")),
        check::Target::Stdin => folders.cwd()?.to_path_buf(),
    };
    config::discover(folders, &start)
}

fn render(
    format: Format,
    reports: &[FileReport],
    opts: &report::RenderOptions,
    quiet: bool,
    styled: bool,
) -> String {
    match format {
        Format::Json => report::json::render(reports),
        Format::Gitlab => report::codequality::render(reports, opts),
        Format::Sarif => report::sarif::render(reports, opts),
        Format::Junit => report::junit::render(reports, opts),
        Format::Human => {
            let mut s = String::new();
            let mut counts: BTreeMap<Severity, usize> = BTreeMap::new();
            for r in reports {
                for d in &r.diagnostics {
                    *counts.entry(d.severity).or_default() += 1;
                    s.push_str(&report::human::render(r, d, styled));
                    s.push_str("\n\n");
                }
            }
            if !quiet {
                s.push_str(&report::human::summary(&counts, reports.len()));
                let suppressed: usize = reports.iter().map(|r| r.suppressed).sum();
                if suppressed > 0 {
                    s.push_str(&format!(" {suppressed} suppressed by comments."));
                }
                s.push('\n');
            }
            s
        }
    }
}

fn run_check(args: &CheckArgs, env: &Environment) -> u8 {
    let shared = Arc::new(check::Shared::default());
    let folders = &shared.folders;
    // With no path, the config file's `entry` (if any) names the pipeline to check.
    let mut paths = args.paths.clone();
    if paths.is_empty() && args.locate.entry.is_none() && !args.no_config {
        let cfg = args
            .config
            .clone()
            .or_else(|| folders.cwd().and_then(|d| config::discover(folders, d)));
        if let Some(entry) =
            cfg.and_then(|c| config::load(&c).ok().and_then(|r| r.entry.map(|e| (c, e))))
        {
            let (cfg, e) = entry;
            paths.push(cfg.parent().unwrap_or(Path::new(".")).join(e));
        }
    }
    if paths.is_empty() {
        if let Some(e) = &args.locate.entry {
            paths.push(e.clone());
        }
    }
    let targets = match check::targets(&paths, args.locate.root.as_deref(), folders) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("kaslint: {}", e.0);
            return exit::ERROR;
        }
    };
    // One Settings per config file in use.
    let mut by_config: Vec<(Option<PathBuf>, settings::Settings)> = Vec::new();
    let mut jobs: Vec<(check::Target, usize)> = Vec::new();
    for t in targets {
        let cfg = config_for(&t, args, folders);
        let idx = match by_config.iter().position(|(c, _)| *c == cfg) {
            Some(i) => i,
            None => match settings_for(cfg.as_deref(), args, env) {
                Ok(s) => {
                    by_config.push((cfg, s));
                    by_config.len() - 1
                }
                Err(e) => {
                    eprintln!("kaslint: {e}");
                    return exit::ERROR;
                }
            },
        };
        jobs.push((t, idx));
    }
    let fix_mode = autofix::session::mode(args.fix, args.unsafe_fixes, args.diff);
    let first_settings = by_config.first().map(|(_, s)| s);
    if let Some(s) = first_settings {
        // ShellCheck's version is probed while the pipelines load; a fix, which writes
        // files, waits for it first.
        shared.shellcheck.begin(s);
        if fix_mode.is_some() {
            if let Err(e) = check_shellcheck_requirement(s, &shared) {
                eprintln!("kaslint: {e}");
                return exit::ERROR;
            }
        }
    }
    let mut fixed = autofix::session::Summary::default();
    let results = match fix_mode {
        Some(mode) => autofix::session::fix_all(&jobs, &by_config, args, &shared, mode, &mut fixed),
        None => check_all(&jobs, &by_config, args, &shared),
    };
    // A ShellCheck that does not work (or none, with `--require-shellcheck`) is a usage
    // error, reported instead of the findings.
    if let Some(Err(e)) = first_settings.map(|s| check_shellcheck_requirement(s, &shared)) {
        eprintln!("kaslint: {e}");
        return exit::ERROR;
    }
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
    if let Some(path) = &args.write_baseline {
        return match baseline::write(path, &reports) {
            Ok(n) => {
                eprintln!("kaslint: recorded {n} finding(s) in {}", path.display());
                exit::CLEAN
            }
            Err(e) => {
                eprintln!("kaslint: {e}");
                exit::ERROR
            }
        };
    }
    if let Some(path) = &args.baseline {
        match baseline::load(path) {
            Ok(b) => {
                baseline::filter(&b, &mut reports);
            }
            Err(e) => {
                eprintln!("kaslint: {e}");
                return exit::ERROR;
            }
        }
    }
    if let Some(code) = fixed.finish(args.diff, &reports) {
        return code;
    }
    // Several formats from one analysis. `CI_PROJECT_DIR` makes paths relative (GitLab CI).
    let render_opts = report::RenderOptions::new(env.ci_project_dir.clone());
    for (format, path) in &args.outputs {
        let text = render(*format, &reports, &render_opts, false, false);
        if let Err(e) = std::fs::write(path, text) {
            eprintln!("kaslint: {}: {e}", path.display());
            return exit::ERROR;
        }
    }
    let styled = anstream::AutoStream::choice(&std::io::stdout()) != anstream::ColorChoice::Never;
    let out = render(args.format, &reports, &render_opts, args.quiet, styled);
    let mut stdout = anstream::stdout();
    if stdout.write_all(out.as_bytes()).is_err() {
        return exit::ERROR;
    }
    let threshold = by_config
        .first()
        .map_or(Severity::Warning, |(_, s)| s.fail_on);
    let failing = reports
        .iter()
        .flat_map(|r| &r.diagnostics)
        .any(|d| d.severity >= threshold);
    if failing {
        exit::FINDINGS
    } else {
        exit::CLEAN
    }
}

/// `--require-shellcheck` with no ShellCheck to be found is a usage error.
fn check_shellcheck_requirement(
    s: &settings::Settings,
    shared: &check::Shared,
) -> Result<(), String> {
    shared.shellcheck.discover(s).map(|_| ())
}

/// Check every target, several at once on the machine's cores; results keep input order.
fn check_all(
    jobs: &[(check::Target, usize)],
    configs: &[(Option<PathBuf>, settings::Settings)],
    args: &CheckArgs,
    shared: &Arc<check::Shared>,
) -> Vec<Result<FileReport, check::IoError>> {
    let run_one = |(target, idx): &(check::Target, usize)| {
        let opts = check::CheckOptions::for_cli(args.locate.root.clone(), &configs[*idx].1, shared);
        check::check_target(target, &opts)
    };
    check::on_all_cores(jobs.len(), |i| run_one(&jobs[i]))
}

/// `kaslint fetch`: build each target's pipeline with the network allowed, so that the
/// include cache holds every include; exit 2 when one could not be fetched.
fn run_fetch(args: &CheckArgs, env: &Environment) -> u8 {
    let folders = Folders::default();
    let targets = match check::targets(&args.paths, args.locate.root.as_deref(), &folders) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("kaslint: {}", e.0);
            return exit::ERROR;
        }
    };
    let mut failed = false;
    for target in &targets {
        let mut s = match settings_for(config_for(target, args, &folders).as_deref(), args, env) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("kaslint: {e}");
                return exit::ERROR;
            }
        };
        let mode = cli::fetch::mode(true, args.refresh);
        s.includes.reader = cli::fetch::reader(&s, mode, env);
        match cli::fetch::fetch_target(target, args.locate.root.as_deref(), &s, &folders) {
            Ok(ok) => failed |= !ok,
            Err(e) => {
                eprintln!("kaslint: {e}");
                return exit::ERROR;
            }
        }
    }
    if failed {
        exit::ERROR
    } else {
        exit::CLEAN
    }
}

fn run_config(args: &ConfigArgs, env: &Environment) -> u8 {
    let folders = Folders::default();
    let paths: Vec<std::path::PathBuf> = args.path.iter().cloned().collect();
    let targets = match check::targets(&paths, args.locate.root.as_deref(), &folders) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("kaslint: {}", e.0);
            return exit::ERROR;
        }
    };
    let Some(target) = targets.first() else {
        return exit::ERROR;
    };
    let reader = cli::fetch::offline_reader(target, env, &folders);
    let loaded = match check::load_target_with(
        target,
        args.locate.root.as_deref(),
        args.locate.entry.as_deref(),
        reader.as_deref(),
        &folders,
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
            // Includes that cannot be read offline are named, not silently dropped.
            for u in &pipeline.unresolved {
                let why = u.reason.as_deref().unwrap_or("cannot be read offline");
                println!("# not included ({why}): {} {}", u.kind, u.location);
            }
            print!("{text}");
            exit::CLEAN
        }
        Err(e) => {
            eprintln!("kaslint: {e}");
            exit::ERROR
        }
    }
}
