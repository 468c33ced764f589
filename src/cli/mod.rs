//! Command-line arguments (clap derive). The environment is read here once and passed down.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::report::Severity;

pub mod fetch;

#[derive(Parser, Debug)]
#[command(
    name = "kaslint",
    version,
    about = "Lint .gitlab-ci.yml pipelines that deploy to Kubernetes through the GitLab agent",
    propagate_version = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

// `defer`: a subcommand's arguments are built only when it runs (a check does not build
// the generator's hundred options: a fifth of a small check's start-up).
#[derive(Subcommand, Debug)]
#[command(defer = true)]
pub enum Command {
    /// Check pipeline files (default: the repository's .gitlab-ci.yml)
    Check(CheckArgs),
    /// Print the merged configuration (includes, extends, !reference resolved) as YAML
    Config(ConfigArgs),
    /// List the rules
    Rules,
    /// Print a rule's documentation
    Explain {
        /// Rule code or name (e.g. KAS005 or include-not-found)
        rule: String,
    },
    /// Generate agent-ready jobs, agent configuration and RBAC (`--list` lists templates)
    Generate(crate::generate::GenerateArgs),
    /// Fetch the pipeline's project, component, template and remote includes into the
    /// include cache (exit 2 when one fails); later checks read them offline
    Fetch(CheckArgs),
}

#[derive(clap::Args, Debug, Clone)]
pub struct Locate {
    /// Repository root for local includes (default: the nearest folder with .git)
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// Treat this file as the pipeline's entry file (references must resolve)
    #[arg(long, value_name = "FILE")]
    pub entry: Option<PathBuf>,
}

#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    /// Files or directories to check; `-` reads standard input
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub locate: Locate,
    /// Only run these rules (code or name; repeatable, comma-separated)
    #[arg(long, value_delimiter = ',', value_name = "RULE")]
    pub select: Vec<String>,
    /// Do not run these rules (code or name; repeatable, comma-separated)
    #[arg(long, value_delimiter = ',', value_name = "RULE")]
    pub ignore: Vec<String>,
    /// Exit 1 when a finding is at or above this severity [default: warning, or the config's `fail-on`]
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// Format of the standard output
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Also write a format to a file (repeatable): `gitlab=gl-code-quality.json`, `junit=report.xml`
    #[arg(long = "output-format", value_name = "FORMAT=PATH", value_parser = parse_output)]
    pub outputs: Vec<(Format, PathBuf)>,
    /// Print only the findings, no summary line
    #[arg(long, short)]
    pub quiet: bool,
    /// Use this config file instead of the nearest kaslint.toml / .kaslint.toml
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,
    /// Ignore config files
    #[arg(long)]
    pub no_config: bool,
    /// Show findings that `# kaslint: ignore[...]` comments suppress
    #[arg(long)]
    pub no_ignores: bool,
    /// Record today's findings in FILE (then exit 0)
    #[arg(long, value_name = "FILE", conflicts_with = "baseline")]
    pub write_baseline: Option<PathBuf>,
    /// Report only findings that FILE (from --write-baseline) does not record
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// The ShellCheck binary to run on job scripts
    #[arg(long, value_name = "PATH", conflicts_with = "no_shellcheck")]
    pub shellcheck: Option<PathBuf>,
    /// Do not run ShellCheck
    #[arg(long)]
    pub no_shellcheck: bool,
    /// Exit 2 when ShellCheck cannot be found
    #[arg(long, conflicts_with = "no_shellcheck")]
    pub require_shellcheck: bool,
    /// Say what was skipped and why
    #[arg(long, short)]
    pub verbose: bool,
    /// Neither read nor write the cache ($XDG_CACHE_HOME/kaslint, else ~/.cache/kaslint)
    #[arg(long)]
    pub no_cache: bool,
    /// Fetch includes missing from the include cache before checking (network)
    #[arg(long)]
    pub fetch: bool,
    /// Fetch as --fetch does, and re-resolve moving refs (branches, HEAD, ~latest, remote files)
    #[arg(long)]
    pub refresh: bool,
    /// Apply the safe fixes to the files (atomically, after checking the result)
    #[arg(long, conflicts_with_all = ["write_baseline", "diff"])]
    pub fix: bool,
    /// Also apply the unsafe fixes (implies --fix unless --diff)
    #[arg(long, conflicts_with = "write_baseline")]
    pub unsafe_fixes: bool,
    /// Print the fixes as a unified diff and write nothing (exit 1 when something would be fixed)
    #[arg(long, conflicts_with = "write_baseline")]
    pub diff: bool,
}

fn parse_output(s: &str) -> Result<(Format, PathBuf), String> {
    let (name, path) = s.split_once('=').ok_or_else(|| {
        format!("expected FORMAT=PATH, e.g. gitlab=gl-code-quality.json, got `{s}`")
    })?;
    let format = Format::from_str(name, true).map_err(|_| {
        format!("unknown format `{name}`: expected one of human, json, gitlab, sarif, junit")
    })?;
    if path.is_empty() {
        return Err(format!("`{s}` names no file"));
    }
    Ok((format, PathBuf::from(path)))
}

#[derive(clap::Args, Debug)]
pub struct ConfigArgs {
    /// Pipeline file (default: the repository's .gitlab-ci.yml)
    pub path: Option<PathBuf>,
    #[command(flatten)]
    pub locate: Locate,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailOn {
    Error,
    Warning,
    Info,
}

impl FailOn {
    pub fn severity(self) -> Severity {
        match self {
            FailOn::Error => Severity::Error,
            FailOn::Warning => Severity::Warning,
            FailOn::Info => Severity::Info,
        }
    }
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// rustc-style findings with source snippets
    Human,
    /// kaslint's versioned JSON
    Json,
    /// GitLab Code Quality
    Gitlab,
    /// SARIF 2.1.0
    Sarif,
    /// JUnit XML (GitLab's Tests tab)
    Junit,
}
