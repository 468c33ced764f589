//! an include is malformed, empty, not YAML, or past GitLab's include limit.

super::model_problem_rule!(
    IncludeInvalid,
    IncludeInvalid,
    "KAS007",
    "include-invalid",
    Error,
    "an include is malformed, empty, not YAML, or past GitLab's include limit"
);
