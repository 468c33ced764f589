//! Deployment rules (KAS1xx-KAS4xx): kube context and agent, images and kubectl
//! versions, `on_stop` pairing beyond GitLab's checks, TLS and secrets.

pub mod on_stop;

// The rules of this family: every file here that declares a rule, in code order (`build.rs`
// writes the list; a new rule is its file).
include!(concat!(env!("OUT_DIR"), "/rules/deploy.rs"));

// Analyses the rules of this folder read (they live in `analysis/`).
use crate::analysis::agent::RestrictedUse;
pub use crate::analysis::agent::{repo_agents, var_names};
pub use crate::analysis::facts::{Facts, FactsTable, JobImage};
use crate::analysis::kubectl::Found;
pub use crate::analysis::{agent, selection};
pub use crate::diagnostic::quoted_list;
use crate::diagnostic::Diagnostic;
use crate::model::{Job, Pipeline};

/// The job's `tags` name a Kubernetes runner (a tag containing `kubernetes` or `k8s`, as
/// `kubernetes-runner`, `k8s`): the Kubernetes executor replaces the image's ENTRYPOINT with
/// its shell, and kubectl in its pods falls back to the pod's service account when the
/// KUBECONFIG selects no context.
pub fn kubernetes_runner(p: &Pipeline, job: &Job) -> bool {
    let Some(tags) = p.job_value(job, "tags") else {
        return false;
    };
    let crate::load::Value::Seq(items) = &tags.value else {
        return false;
    };
    items.iter().any(|t| {
        t.as_str().is_some_and(|t| {
            let t = t.to_ascii_lowercase();
            t.contains("kubernetes") || t.contains("k8s")
        })
    })
}

/// `d` pointing at the `environments` lists that restrict the job's use of the agent.
pub fn with_environment_lists(d: Diagnostic, r: &RestrictedUse<'_>) -> Diagnostic {
    r.lists.iter().fold(d, |d, l| {
        d.related(l.span, "the environments this project may use the agent in")
    })
}

/// A finding on a kubectl 1.27.0 or 1.27.1 of the job (KAS210, KAS211):
/// `kubectl 1.27.0 (from the image tag) {consequence}`.
pub fn broken_kubectl(
    meta: &'static crate::rules::RuleMeta,
    job: &Job,
    found: &Found,
    consequence: &str,
) -> Diagnostic {
    Diagnostic::new(meta, found.span, format!("{found} {consequence}"))
        .label("kubectl 1.27.0 and 1.27.1 are affected")
        .job(job.name.clone())
}
