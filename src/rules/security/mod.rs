//! Security rules for pipelines that deploy through the agent (KAS403-KAS409): values that
//! become code, cluster credentials that leak, who can deploy to production, the agent's
//! own rights, and includes that change under the pipeline.

// pub mod agent_access_as_agent;
pub mod argument_injection;
// pub mod include_not_pinned;
// pub mod kubeconfig_in_artifacts;
// pub mod kubeconfig_printed;
// pub mod mr_deploys_production;
pub mod script_injection;

use crate::analysis::kube;
use crate::rules::deploy::Facts;

/// The job reaches a cluster through the agent's kubeconfig: it selects a context, names
/// an agent for its environment, or runs a cluster command, and brings no kubeconfig of
/// its own.
pub fn uses_agent(f: &Facts<'_>) -> bool {
    !f.own_kubeconfig()
        && (f.env_agent().is_some()
            || !f.selected_contexts().is_empty()
            || f.script.commands.iter().any(kube::needs_cluster))
}
