//! Deployment rules (KAS1xx-KAS4xx): kube context and agent, images and kubectl
//! versions, `on_stop` pairing beyond GitLab's checks, TLS and secrets.

pub mod on_stop;

// The rules of this family, in code order: each line declares the rule's module and
// registers it (`cargo xtask new-rule` adds one).
crate::rules::family! {
    context_not_selected::ContextNotSelected,
    context_variable_misspelt::ContextVariableMisspelt,
    context_variable_undefined::ContextVariableUndefined,
    context_invalid::ContextInvalid,
    context_agent_mismatch::ContextAgentMismatch,
    context_in_cluster_fallback::ContextInClusterFallback,
    agent_not_found::AgentNotFound,
    agent_config_invalid::AgentConfigInvalid,
    agent_config_too_many::AgentConfigTooMany,
    job_environment_not_authorized::JobEnvironmentNotAuthorized,
    job_without_environment_for_agent::JobWithoutEnvironmentForAgent,
    image_no_shell::ImageNoShell,
    image_entrypoint::ImageEntrypoint,
    image_home_not_writable::ImageHomeNotWritable,
    image_empty::ImageEmpty,
    image_missing::ImageMissing,
    image_unpinned::ImageUnpinned,
    kubectl_version::KubectlBrokenVersion,
    kubectl_version_validation_off::KubectlBrokenVersionValidationOff,
    kubectl_version_floating::KubectlVersionFloating,
    on_stop_rules_differ::OnStopRulesDiffer,
    on_stop_without_when::OnStopWithoutWhen,
    on_stop_manual_blocks::OnStopManualBlocks,
    on_stop_later_stage::OnStopLaterStage,
    on_stop_git_strategy::OnStopGitStrategy,
    on_stop_resource_group::OnStopResourceGroup,
    on_stop_context_differs::OnStopContextDiffers,
    on_stop_delete_not_idempotent::OnStopDeleteNotIdempotent,
    tls_verify_disabled::TlsVerifyDisabled,
    secret_create_not_idempotent::SecretCreateNotIdempotent,
}

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
