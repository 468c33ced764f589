//! Deployment rules (KAS1xx-KAS4xx): kube context and agent, images and kubectl
//! versions, `on_stop` pairing beyond GitLab's checks, TLS and secrets.

pub mod on_stop;

// The rules of this family: every file here that declares a rule, in code order (`build.rs`
// writes the list; a new rule is its file).
include!(concat!(env!("OUT_DIR"), "/rules/deploy.rs"));

// Analyses the rules of this folder read (they live in `analysis/`).
pub use crate::analysis::agent::{repo_agents, var_names};
pub use crate::analysis::facts::{Facts, FactsTable, JobImage};
pub use crate::analysis::{agent, selection};
use crate::data::images::{ImageInfo, ImageRef};
pub use crate::diagnostic::quoted_list;
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

/// The job's image when the catalogue knows it: the image, its catalogue row, its parsed
/// reference (variables expanded through the job's facts).
pub fn catalogued_image<'c>(
    f: &'c Facts<'c>,
) -> Option<(&'c JobImage<'c>, &'static ImageInfo, ImageRef)> {
    let image = f.image.as_ref()?;
    Some((image, image.info()?, image.reference()?))
}
