//! a mapping repeats a key and GitLab keeps only the last value.

super::model_problem_rule!(
    DuplicateKey,
    DuplicateKey,
    "KAS004",
    "duplicate-key",
    Warning,
    "a mapping repeats a key and GitLab keeps only the last value"
);
