//! the configuration is empty or not a mapping.

super::model_problem_rule!(
    InvalidConfigurationFormat,
    ConfigFormat,
    "KAS003",
    "invalid-configuration-format",
    Error,
    "the configuration is empty or not a mapping"
);
