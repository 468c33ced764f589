//! GitLab's own configuration validation, offline: the entry checks of
//! `Gitlab::Ci::Config::Entry::*` and the logical checks of `Gitlab::Ci::YamlProcessor`,
//! with GitLab's messages. One walk computes every finding ([`finding::all`]); each
//! rule reports one class of them.

mod entries;
mod expression;
pub mod finding;
mod logic;
mod spec;
#[cfg(test)]
mod table;

mod deprecated_kubernetes_key;
mod invalid_dependencies;
mod invalid_input_spec;
mod invalid_needs;
mod invalid_on_stop;
mod invalid_value;
mod job_without_script;
mod needs_cycle;
mod no_visible_job;
mod undefined_stage;
mod unknown_key;

pub use deprecated_kubernetes_key::DeprecatedKubernetesKey;
pub use invalid_dependencies::InvalidDependencies;
pub use invalid_input_spec::InvalidInputSpec;
pub use invalid_needs::InvalidNeeds;
pub use invalid_on_stop::InvalidOnStop;
pub use invalid_value::InvalidValue;
pub use job_without_script::JobWithoutScript;
pub use needs_cycle::NeedsCycle;
pub use no_visible_job::NoVisibleJob;
pub use undefined_stage::UndefinedStage;
pub use unknown_key::UnknownKey;
