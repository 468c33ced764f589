//! Command-line arguments (clap derive). The environment is read here once and passed down.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::report::Severity;

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

#[derive(Subcommand, Debug)]
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
    /// Exit 1 when a finding is at or above this severity
    #[arg(long, value_enum, default_value_t = FailOn::Warning)]
    pub fail_on: FailOn,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Print only the findings, no summary line
    #[arg(long, short)]
    pub quiet: bool,
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
    Human,
    Json,
}
