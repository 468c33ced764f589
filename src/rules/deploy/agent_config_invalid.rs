//! KAS111: an agent configuration file the agent server rejects, or whose `ci_access`
//! does not have the documented shape.

use crate::analysis::agent_config::{repo_configs, validate};
use crate::rules::prelude::*;

declare_rule!(
    AgentConfigInvalid,
    "KAS111",
    "agent-config-invalid",
    Error,
    "an agent configuration's `ci_access` does not have the shape GitLab accepts"
);

impl Rule for AgentConfigInvalid {
    fn check_pipeline(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for agent in repo_configs(cx.pipeline) {
            for i in validate(agent) {
                out.push(
                    Diagnostic::new(&META, i.span, i.message)
                        .label("the agent server rejects this")
                        .help_opt(i.help),
                );
            }
        }
    }
}
