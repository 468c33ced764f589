//! What the rules know about each job, computed once per pipeline by the engine
//! ([`FactsTable`]): its scripts as commands, its variables, its image (looked up in the
//! catalogue) and whether an agent is named. The deployment and security rules read them
//! through `check_job`'s `facts` or `Context::facts`.

use super::vars::Vars;
use super::{job_script, kube, JobScript, Word};
use crate::data::images::{self, ImageInfo, ImageRef};
use crate::load::{NodeRef, Span};
use crate::model::{Job, Pipeline};

/// What the deployment rules know about one job.
pub struct Facts<'a> {
    pub job: &'a Job,
    pub script: JobScript,
    pub vars: Vars,
    /// Image catalogue entries from the config file, looked up before the built-in ones.
    pub images: &'a [&'static ImageInfo],
    /// The image the job runs in (read once, for every image rule).
    pub image: Option<JobImage<'a>>,
    /// The repository's agent configurations or the job's `environment:kubernetes:agent`
    /// name an agent.
    pub agent_named: bool,
}

impl<'a> Facts<'a> {
    pub fn new(
        p: &'a Pipeline,
        job: &'a Job,
        dotenv_anywhere: bool,
        extra: &[String],
        images: &'a [&'static ImageInfo],
    ) -> Facts<'a> {
        let script = job_script(p, job);
        // `extra`: variables defined in project/group settings (kaslint.toml `variables`).
        let vars = Vars::for_job(p, job, &script, extra, dotenv_anywhere);
        let image = job_image(p, job, &vars, images);
        Facts {
            job,
            script,
            vars,
            images,
            image,
            agent_named: !p.agents.is_empty() || env_agent_of(job).is_some(),
        }
    }

    /// Runs kubectl, helm, flux or kpt at all.
    pub fn uses_cluster_tool(&self) -> bool {
        self.script.commands.iter().any(|c| kube::tool(c).is_some())
    }

    /// The job builds or points at a kubeconfig of its own, or uses the certificate-based
    /// integration or Auto DevOps (`KUBE_CONTEXT`), so the agent's rules do not apply.
    pub fn own_kubeconfig(&self) -> bool {
        self.own_kubeconfig_besides(None)
    }

    /// [`Facts::own_kubeconfig`], not counting `ignored` (a context variable the job
    /// defines but never selects). `KUBE_NAMESPACE` (the certificate-based integration)
    /// counts only when no agent is named (repository agents, `environment:kubernetes:agent`).
    pub fn own_kubeconfig_besides(&self, ignored: Option<&str>) -> bool {
        const OWN: &[&str] = &[
            "KUBECONFIG",
            "KUBE_CONTEXT",
            "HELM_KUBECONTEXT",
            "KUBE_URL",
            "KUBE_TOKEN",
            "KUBE_CA_PEM",
            "KUBE_CA_PEM_FILE",
            "KUBE_NAMESPACE",
            "CI_KUBERNETES_ACTIVE",
            "KUBE_INGRESS_BASE_DOMAIN",
        ];
        let counts = |n: &str| Some(n) != ignored && !(n == "KUBE_NAMESPACE" && self.agent_named);
        if OWN
            .iter()
            .any(|n| *n != "KUBE_NAMESPACE" && counts(n) && !self.vars.defs(n).is_empty())
        {
            return true;
        }
        let uses = |n: &str| OWN.contains(&n) && n != "KUBECONFIG" && counts(n);
        self.script.commands.iter().any(|c| {
            kube::own_kubeconfig_besides(c, ignored) || c.vars.iter().any(|v| uses(&v.name))
        })
    }

    /// Every context the job selects (`use-context X`, `--context X`, `--kube-context X`).
    pub fn selected_contexts(&self) -> Vec<Word> {
        self.script
            .commands
            .iter()
            .filter_map(|c| kube::use_context(c).or_else(|| kube::context_flag(c)))
            .collect()
    }

    /// The job's `environment:kubernetes:agent` node.
    pub fn env_agent(&self) -> Option<&'a NodeRef> {
        env_agent_of(self.job)
    }

    /// The job's image when the catalogue knows it: the image, its catalogue row, its
    /// parsed reference (variables expanded through the job's facts).
    pub fn catalogued_image(&self) -> Option<(&JobImage<'a>, &'static ImageInfo, ImageRef)> {
        let image = self.image.as_ref()?;
        Some((image, image.info()?, image.reference()?))
    }

    /// A variable used in `word` (for pointing inside it).
    pub fn var_span(&self, word: &Word, name: &str) -> Span {
        self.script
            .commands
            .iter()
            .flat_map(|c| &c.vars)
            .find(|v| v.name == name && word.span.contains(v.span))
            .map_or(word.span, |v| v.span)
    }
}

/// A job's `environment:kubernetes:agent` node, when a string.
fn env_agent_of(job: &Job) -> Option<&NodeRef> {
    job.environment()?.agent
}

/// The facts of every job, computed once per pipeline and shared by the rules.
pub struct FactsTable<'a> {
    facts: Vec<Facts<'a>>,
    /// Job address → position (addresses as numbers, so the table can be shared by threads).
    index: std::collections::HashMap<usize, usize>,
}

impl<'a> FactsTable<'a> {
    /// `variables`: defined in project/group settings; `images`: extra catalogue entries.
    pub fn new(p: &'a Pipeline, variables: &[String], images: &'a [&'static ImageInfo]) -> Self {
        let dotenv = Vars::dotenv_anywhere(p);
        let facts: Vec<Facts<'a>> = p
            .jobs
            .iter()
            .map(|j| Facts::new(p, j, dotenv, variables, images))
            .collect();
        let index = p
            .jobs
            .iter()
            .enumerate()
            .map(|(i, j)| (j as *const Job as usize, i))
            .collect();
        FactsTable { facts, index }
    }

    /// The facts of one of the pipeline's jobs.
    pub fn of(&self, job: &Job) -> Option<&Facts<'a>> {
        self.index
            .get(&(job as *const Job as usize))
            .map(|&i| &self.facts[i])
    }

    /// The facts of the visible jobs, in file order.
    pub fn visible(&self) -> impl Iterator<Item = &Facts<'a>> {
        self.facts.iter().filter(|f| !f.job.hidden)
    }
}

/// The image a job runs in.
pub struct JobImage<'p> {
    /// The `image` (or `image:name`) node.
    pub node: &'p NodeRef,
    /// The name as written.
    pub raw: String,
    /// The name with variables expanded (`None` when a value is unknown).
    pub expanded: Option<String>,
    pub entrypoint: Option<&'p NodeRef>,
    /// `image: {docker: {user: root}}` (or uid 0).
    pub runs_as_root: bool,
    /// The expanded name, parsed.
    parsed: Option<ImageRef>,
    /// Its catalogue row (the config file's entries first).
    row: Option<&'static ImageInfo>,
}

impl JobImage<'_> {
    pub fn reference(&self) -> Option<ImageRef> {
        self.parsed.clone()
    }
    pub fn info(&self) -> Option<&'static ImageInfo> {
        self.row
    }
}

pub fn job_image<'p>(
    p: &'p Pipeline,
    job: &'p Job,
    vars: &Vars,
    extra: &'p [&'static ImageInfo],
) -> Option<JobImage<'p>> {
    let image = p.image(job)?;
    let (node, entrypoint) = (image.name, image.get("entrypoint"));
    let user = image
        .get("docker")
        .and_then(|d| d.get("user"))
        .and_then(|u| u.scalar_text());
    let raw = node.as_str()?.to_string();
    let expanded = vars.expand(&raw);
    let parsed = expanded.as_deref().map(images::parse_ref);
    let row = parsed
        .as_ref()
        .and_then(|r| images::lookup_with(extra, &r.repo));
    Some(JobImage {
        node,
        raw,
        expanded,
        entrypoint,
        runs_as_root: matches!(user.as_deref(), Some("root" | "0"))
            || user.is_some_and(|u| u.starts_with("0:")),
        parsed,
        row,
    })
}
