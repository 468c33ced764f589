//! Security rules for pipelines that deploy through the agent (KAS403-KAS409): values that
//! become code, cluster credentials that leak, who can deploy to production, the agent's
//! own rights, and includes that change under the pipeline.

pub mod kubeconfig;

// The rules of this family: every file here that declares a rule, in code order (`build.rs`
// writes the list; a new rule is its file).
include!(concat!(env!("OUT_DIR"), "/rules/security.rs"));

use crate::analysis::kube;
use crate::rules::deploy::Facts;

/// The job reaches a cluster through the agent's kubeconfig: it selects a context, names
/// an agent for its environment, or runs a cluster command, and brings no kubeconfig of
/// its own (reading or copying `$KUBECONFIG` is no kubeconfig of its own).
pub fn uses_agent(f: &Facts<'_>) -> bool {
    const OWN_VARS: &[&str] = &["KUBECONFIG", "KUBE_URL", "KUBE_TOKEN", "KUBE_CONTEXT"];
    let own = OWN_VARS.iter().any(|n| !f.vars.defs(n).is_empty())
        || f.script.commands.iter().any(|c| {
            kube::own_kubeconfig(c)
                && !c
                    .words
                    .iter()
                    .all(|w| kubeconfig::only_reads_agent_file(&w.text))
        });
    !own && (f.env_agent().is_some()
        || !f.selected_contexts().is_empty()
        || f.script.commands.iter().any(kube::needs_cluster))
}
