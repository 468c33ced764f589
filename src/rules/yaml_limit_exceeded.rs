//! the file exceeds GitLab's size or nesting limits.

super::model_problem_rule!(
    YamlLimitExceeded,
    YamlLimit,
    "KAS002",
    "yaml-limit-exceeded",
    Error,
    "the file exceeds GitLab's size or nesting limits"
);
