//! `kaslint generate`: pipelines, agent configuration and RBAC that work the first time
//! and lint clean. Every template's data is serialized (never concatenated), its
//! parameters are validated before anything is written, and its output is deterministic.

pub mod agent_config;
pub mod doc;
pub mod flux_oci;
pub mod helm_deploy;
pub mod into;
pub mod kubectl_deploy;
pub mod params;
pub mod pipeline;
pub mod rbac;
pub mod registry_secret;
pub mod review_app;

use std::io::Write;
use std::path::PathBuf;

use clap::{CommandFactory, Subcommand};

use crate::exit;

pub use agent_config::AgentConfigArgs;
pub use flux_oci::FluxOciArgs;
pub use helm_deploy::HelmDeployArgs;
pub use kubectl_deploy::KubectlDeployArgs;
pub use rbac::RbacArgs;
pub use registry_secret::RegistrySecretArgs;
pub use review_app::ReviewAppArgs;

// `kaslint generate [--list] TEMPLATE [options]` (a plain comment: under `defer` a doc
// comment here would replace the subcommand's about text).
#[derive(clap::Args, Debug)]
#[command(
    args_conflicts_with_subcommands = true,
    arg_required_else_help = true,
    subcommand_value_name = "TEMPLATE",
    subcommand_help_heading = "Templates",
    after_help = "Every template runs with no option, using placeholders to replace \
                  (agent `my-group/my-project:my-agent`, namespace `my-namespace`...).\n\
                  `kaslint generate TEMPLATE --help` lists a template's options."
)]
pub struct GenerateArgs {
    /// List the templates, one per line
    #[arg(long)]
    pub list: bool,
    /// Boxed: the templates' options are large next to the other commands'.
    #[command(subcommand)]
    pub template: Option<Box<Template>>,
}

/// Where the output goes.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct OutputArgs {
    /// Write to FILE (atomically: a temporary file in the same folder, then renamed)
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Overwrite FILE when it exists (with --into: replace jobs of the same name)
    #[arg(long)]
    pub force: bool,
    /// Add the generated jobs (and any stage they need) to this existing pipeline file,
    /// keeping every line of it
    #[arg(long, value_name = "FILE", conflicts_with = "output")]
    pub into: Option<PathBuf>,
    /// With --into: print the change as a unified diff and write nothing
    #[arg(long, requires = "into")]
    pub diff: bool,
}

#[derive(Subcommand, Debug)]
pub enum Template {
    /// Deploy job applying manifests with kubectl through the agent, and its stop job
    KubectlDeploy(KubectlDeployArgs),
    /// Deploy job running `helm upgrade --install --atomic`, and its `helm uninstall` stop job
    HelmDeploy(HelmDeployArgs),
    /// Job pushing manifests as a Flux OCI artifact and reconciling (--cluster: the Flux objects)
    FluxOci(FluxOciArgs),
    /// Idempotent registry pull secret job, and its stop job deleting the secret
    RegistrySecret(RegistrySecretArgs),
    /// Per-branch review app (`review/$CI_COMMIT_REF_SLUG`) with auto_stop_in, and its stop job
    ReviewApp(ReviewAppArgs),
    /// Agent configuration `.gitlab/agents/<name>/config.yaml` with ci_access
    AgentConfig(AgentConfigArgs),
    /// Least-privilege Role/RoleBinding (or Flux bindings) for ci_job impersonation
    Rbac(RbacArgs),
}

impl Template {
    /// The generated text.
    pub fn render(&self) -> Result<String, String> {
        match self {
            Template::KubectlDeploy(a) => kubectl_deploy::render(a),
            Template::HelmDeploy(a) => helm_deploy::render(a),
            Template::FluxOci(a) => flux_oci::render(a),
            Template::RegistrySecret(a) => registry_secret::render(a),
            Template::ReviewApp(a) => review_app::render(a),
            Template::AgentConfig(a) => agent_config::render(a),
            Template::Rbac(a) => rbac::render(a),
        }
    }

    pub fn output(&self) -> &OutputArgs {
        match self {
            Template::KubectlDeploy(a) => &a.pair.output,
            Template::HelmDeploy(a) => &a.pair.output,
            Template::FluxOci(a) => &a.output,
            Template::RegistrySecret(a) => &a.pair.output,
            Template::ReviewApp(a) => &a.pair.output,
            Template::AgentConfig(a) => &a.output,
            Template::Rbac(a) => &a.output,
        }
    }
}

/// Parses `kaslint generate ...` arguments on their own (for tests and library users).
#[derive(clap::Parser, Debug)]
#[command(name = "kaslint generate")]
pub struct Standalone {
    #[command(flatten)]
    pub args: GenerateArgs,
}

/// Every template's name and one-line summary, in `--help` order.
pub fn templates() -> Vec<(String, String)> {
    Standalone::command()
        .get_subcommands()
        .map(|c| {
            (
                c.get_name().to_string(),
                c.get_about().map(|a| a.to_string()).unwrap_or_default(),
            )
        })
        .collect()
}

/// Run `kaslint generate`; the exit code. `env` says where ShellCheck is, for `--into`'s
/// check of the result.
pub fn run(args: GenerateArgs, env: &crate::environment::Environment) -> u8 {
    if args.list {
        let mut s = String::new();
        for (name, about) in templates() {
            s.push_str(&format!("{name:<16} {about}\n"));
        }
        return print(&s);
    }
    let Some(template) = args.template else {
        eprintln!("kaslint: name a template; `kaslint generate --list` lists them");
        return exit::ERROR;
    };
    let text = match template.render() {
        Ok(t) => t,
        Err(e) => {
            eprintln!("kaslint: {e}");
            return exit::ERROR;
        }
    };
    let out = template.output();
    if out.force && out.output.is_none() && out.into.is_none() {
        eprintln!("kaslint: --force needs --output or --into");
        return exit::ERROR;
    }
    if let Some(file) = &out.into {
        return add_into(&template, file, &text, out, env);
    }
    match &out.output {
        None => print(&text),
        Some(path) => match crate::write::write_atomic(path, text.as_bytes(), out.force) {
            Ok(()) => exit::CLEAN,
            Err(e) => {
                eprintln!("kaslint: {}", e.0);
                exit::ERROR
            }
        },
    }
}

/// `--into FILE` (see [`into`]).
fn add_into(
    template: &Template,
    file: &std::path::Path,
    text: &str,
    out: &OutputArgs,
    env: &crate::environment::Environment,
) -> u8 {
    if matches!(template, Template::AgentConfig(_) | Template::Rbac(_))
        || text.contains("\napiVersion:")
    {
        eprintln!("kaslint: --into adds pipeline jobs; this template writes another kind of file");
        return exit::ERROR;
    }
    let request = into::Request {
        file,
        generated: text,
        force: out.force,
        env,
    };
    let (new, diff) = match into::merge(&request) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("kaslint: {e}");
            return exit::ERROR;
        }
    };
    if out.diff {
        return print(&diff);
    }
    match crate::write::write_atomic(file, new.as_bytes(), true) {
        Ok(()) => {
            eprintln!("kaslint: added the generated jobs to {}", file.display());
            exit::CLEAN
        }
        Err(e) => {
            eprintln!("kaslint: {}", e.0);
            exit::ERROR
        }
    }
}

fn print(text: &str) -> u8 {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => exit::CLEAN,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => exit::CLEAN,
        Err(e) => {
            eprintln!("kaslint: cannot write to standard output: {e}");
            exit::ERROR
        }
    }
}
