//! What the pipeline templates share: the agent's context selection, the image, and the
//! deploy/stop job pair GitLab documents (and does not enforce).

use super::doc::{Dashboard, Doc, Environment, Image, Job, Kubernetes, Line, Note, RuleItem, Vars};
use super::params::{self, DEFAULT_STAGES};
use crate::data::images;

/// Recognisable placeholders: values a reader knows to replace.
pub const DEFAULT_AGENT: &str = "my-group/my-project:my-agent";
pub const DEFAULT_NAMESPACE: &str = "my-namespace";
/// Runs as root with bash, kubectl and helm; its tag is the kubectl version (not 1.27.0/1.27.1).
pub const KUBECTL_IMAGE: &str = "alpine/k8s:1.33.4";
/// The Flux CLI of GitLab's tutorial; bundles kubectl.
pub const FLUX_IMAGE: &str = "fluxcd/flux-cli:v2.4.0";
/// Deploy from the default branch only.
pub const DEFAULT_BRANCH_RULE: &str = "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH";

/// GitLab's deployment tiers.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tier {
    Production,
    Staging,
    Testing,
    Development,
    Other,
}

impl Tier {
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Production => "production",
            Tier::Staging => "staging",
            Tier::Testing => "testing",
            Tier::Development => "development",
            Tier::Other => "other",
        }
    }
}

/// The TLS option of the pipeline templates, for self-managed instances.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct TlsArgs {
    /// The agent server (KAS) has a certificate from a private CA: the name of a File-type
    /// CI/CD variable holding that CA. kubectl, helm and flux then trust it (the agent's
    /// kubeconfig gets it), instead of ever skipping TLS verification
    #[arg(long, value_name = "VARIABLE", value_parser = super::params::variable)]
    pub kas_ca_file: Option<String>,
}

/// `--agent`, `--environment`, `--namespace`, `--tier`: the environment a template deploys
/// to and the agent that reaches its cluster (kubectl-deploy, helm-deploy, flux-oci; a
/// template words `--namespace` for itself with `mut_arg`).
#[derive(clap::Args, Debug, Clone)]
pub struct TargetArgs {
    /// The agent's kube context: `<agent's configuration project path>:<agent name>`
    #[arg(long, value_name = "PATH:AGENT", default_value = DEFAULT_AGENT, value_parser = params::agent)]
    pub agent: String,
    /// Environment name (`$VARIABLES` allowed, e.g. `review/$CI_COMMIT_REF_SLUG`)
    #[arg(long, value_name = "NAME", default_value = "production", value_parser = params::environment)]
    pub environment: String,
    /// Kubernetes namespace of the environment
    #[arg(long, value_name = "NS", default_value = DEFAULT_NAMESPACE, value_parser = params::namespace)]
    pub namespace: String,
    /// Deployment tier of the environment
    #[arg(long, value_enum, default_value_t = Tier::Production)]
    pub tier: Tier,
}

impl TargetArgs {
    /// The environment with its tier, linked to the agent's dashboard of the namespace.
    pub fn environment(&self) -> Environment {
        Environment {
            name: self.environment.clone(),
            deployment_tier: Some(self.tier.as_str()),
            kubernetes: Some(kubernetes(&self.agent, &self.namespace, None)),
            ..Environment::default()
        }
    }
}

/// [`TargetArgs`] with the environment's URL and the job image: what kubectl-deploy and
/// helm-deploy deploy where.
#[derive(clap::Args, Debug, Clone)]
pub struct DeployArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    /// Environment URL
    #[arg(long, value_name = "URL", value_parser = params::url)]
    pub url: Option<String>,
    /// Image with a shell and kubectl (a pinned tag; never kubectl 1.27.0 or 1.27.1)
    #[arg(long, value_name = "IMAGE", default_value = KUBECTL_IMAGE, value_parser = params::image)]
    pub image: String,
}

impl DeployArgs {
    /// The deploy job `job` and its stop job `stop-<job>`, from the default branch.
    pub fn pair(&self, job: &str, options: &PairArgs) -> Pair {
        let environment = Environment {
            url: self.url.clone(),
            ..self.target.environment()
        };
        Pair::new(job, options, &self.image, &self.target.agent, environment)
    }
}

/// What every deploy/stop pair template ends with: the stage, the TLS option, the output.
#[derive(clap::Args, Debug, Clone)]
pub struct PairArgs {
    /// Stage of both jobs
    #[arg(long, value_name = "STAGE", default_value = "deploy", value_parser = params::stage)]
    pub stage: String,
    #[command(flatten)]
    pub tls: TlsArgs,
    #[command(flatten)]
    pub output: super::OutputArgs,
}

/// The agent's kubeconfig (its cluster is named `gitlab`) made to trust the CA in the
/// File variable `var`: every tool reading the kubeconfig (kubectl, helm, flux) verifies
/// the agent server against it, and nothing else changes (not `SSL_CERT_FILE`, which
/// would replace the system's CAs for every download of the job).
pub fn trust_ca(var: &str) -> Line {
    Line::noted(
        format!("kubectl config set-cluster gitlab --certificate-authority=\"${var}\" --embed-certs=true"),
        "trust the agent server's private CA (never --insecure-skip-tls-verify)",
    )
}

/// `kubectl config use-context`, the first command of every job using the agent.
pub fn use_context() -> Line {
    Line::noted(
        "kubectl config use-context \"$AGENT_KUBECONTEXT\"",
        "the agent's KUBECONFIG has no current context",
    )
}

/// The job image, with `entrypoint: [""]` when kaslint's catalogue says its ENTRYPOINT is
/// a program (or the image is unknown), and `HOME: /tmp` when its user cannot write HOME.
pub fn image(name: &str, vars: &mut Vars) -> Image {
    let info = images::lookup(&images::parse_ref(name).repo);
    if info.is_some_and(|i| i.home_not_writable.is_some()) {
        vars.noted(
            "HOME",
            "/tmp",
            "the image's user cannot write its HOME, where kubectl and flux keep ~/.kube",
        );
    }
    Image {
        name: name.to_string(),
        clear_entrypoint: info.is_none_or(|i| i.entrypoint.is_some()),
    }
}

/// The `AGENT_KUBECONTEXT` variable.
pub fn agent_var(vars: &mut Vars, agent: &str) {
    vars.noted(
        "AGENT_KUBECONTEXT",
        agent,
        "<agent's configuration project>:<agent name>",
    );
}

/// `environment:kubernetes`, which links the environment to the agent's dashboard.
pub fn kubernetes(agent: &str, namespace: &str, flux_resource_path: Option<String>) -> Kubernetes {
    Kubernetes {
        agent: agent.to_string(),
        dashboard: Dashboard {
            namespace: namespace.to_string(),
            flux_resource_path,
        },
    }
}

/// A deploy job and its stop job.
pub struct Pair {
    pub job: String,
    pub stop_job: String,
    pub stage: String,
    pub image: String,
    pub agent: String,
    pub environment: Environment,
    /// Variables after `AGENT_KUBECONTEXT`, shared by both jobs.
    pub variables: Vars,
    /// Select the context with `kubectl config use-context` in `before_script`
    /// (helm passes `--kube-context` instead).
    pub use_context: bool,
    pub deploy: Vec<Line>,
    pub stop: Vec<Line>,
    pub rule_if: String,
    /// `--kas-ca-file`: the File variable holding the agent server's CA.
    pub kas_ca: Option<String>,
}

impl Pair {
    /// The deploy job `job` in `environment` and its stop job `stop-<job>`, run from the
    /// default branch, with no variables or commands yet and no `use-context`.
    pub fn new(
        job: &str,
        options: &PairArgs,
        image: &str,
        agent: &str,
        environment: Environment,
    ) -> Pair {
        Pair {
            job: job.to_string(),
            stop_job: format!("stop-{job}"),
            stage: options.stage.clone(),
            image: image.to_string(),
            agent: agent.to_string(),
            environment,
            variables: Vars::default(),
            use_context: false,
            deploy: Vec::new(),
            stop: Vec::new(),
            rule_if: DEFAULT_BRANCH_RULE.to_string(),
            kas_ca: options.tls.kas_ca_file.clone(),
        }
    }

    /// The two jobs: the same `rules` conditions, stage, `resource_group` and context;
    /// the stop job manual, allowed to fail, and with no checkout.
    pub fn jobs(self) -> (Job, Job) {
        let mut vars = Vars::default();
        let image = image(&self.image, &mut vars);
        agent_var(&mut vars, &self.agent);
        vars.0.extend(self.variables.0);
        let mut before: Vec<Line> = self.kas_ca.as_deref().map(trust_ca).into_iter().collect();
        if self.use_context {
            before.push(use_context());
        }
        let resource_group = Note::with(
            self.environment.name.clone(),
            "one deployment at a time; also lets GitLab stop the environment from its UI",
        );
        let mut deploy_env = self.environment.clone();
        deploy_env.on_stop = Some(self.stop_job.clone());
        let deploy = Job {
            stage: self.stage.clone(),
            image: image.clone(),
            variables: vars.clone(),
            before_script: before.clone(),
            script: self.deploy,
            environment: deploy_env,
            resource_group: Some(resource_group.clone()),
            rules: vec![RuleItem {
                if_: self.rule_if.clone(),
                when: None,
            }],
            allow_failure: None,
        };
        // The stop job keeps only the variables its commands read (it has no checkout).
        let stop_text: String = self
            .stop
            .iter()
            .chain(&before)
            .map(Line::text)
            .collect::<Vec<_>>()
            .join("\n");
        let mut stop_vars = Vars(
            vars.0
                .iter()
                .filter(|(name, _)| name == "HOME" || reads(&stop_text, name))
                .cloned()
                .collect(),
        );
        stop_vars.noted(
            "GIT_STRATEGY",
            "none",
            "no checkout: the stop job must run even after the branch is deleted",
        );
        let stop = Job {
            stage: self.stage,
            image,
            variables: stop_vars,
            before_script: before,
            script: self.stop,
            environment: Environment {
                name: self.environment.name,
                action: Some("stop"),
                ..Environment::default()
            },
            resource_group: Some(resource_group),
            rules: vec![RuleItem {
                if_: self.rule_if,
                when: Some("manual"),
            }],
            allow_failure: Some(Note::with(
                true,
                "a manual job with rules blocks the pipeline unless it may fail",
            )),
        };
        (deploy, stop)
    }
}

/// Does `text` read the variable `name` (`$NAME` or `${NAME}`, not `$NAME_2`)?
fn reads(text: &str, name: &str) -> bool {
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    text.contains(&format!("${{{name}}}"))
        || text
            .match_indices(&format!("${name}"))
            .any(|(i, m)| !text[i + m.len()..].starts_with(ident))
}

/// `stages:` when the stage is not one of GitLab's defaults.
pub fn stages(doc: &mut Doc, stage: &str) -> Result<(), String> {
    if DEFAULT_STAGES.contains(&stage) {
        return Ok(());
    }
    doc.comment("Merge this stage into your pipeline's `stages:` list.");
    doc.entry("stages", &vec![stage.to_string()])?;
    doc.blank();
    Ok(())
}

/// A deploy/stop pair template's text: `header` (what generated it, what it does), then
/// each job under its comment.
pub fn pair_document(
    header: &str,
    pair: Pair,
    deploy_comment: &str,
    stop_comment: &str,
) -> Result<String, String> {
    let mut doc = Doc::default();
    doc.comment(header);
    doc.blank();
    stages(&mut doc, &pair.stage)?;
    let (name, stop_name) = (pair.job.clone(), pair.stop_job.clone());
    let (deploy, stop) = pair.jobs();
    doc.comment(deploy_comment);
    doc.entry(&name, &deploy)?;
    doc.blank();
    doc.comment(stop_comment);
    doc.entry(&stop_name, &stop)?;
    Ok(doc.finish())
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_whole_names() {
        assert!(super::reads("a \"$HELM_CHART\" b", "HELM_CHART"));
        assert!(super::reads("${HELM_CHART}", "HELM_CHART"));
        assert!(super::reads("x $HELM_CHART", "HELM_CHART"));
        assert!(!super::reads("$HELM_CHART_VERSION", "HELM_CHART"));
    }
}
