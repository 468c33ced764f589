//! a local include names a file that does not exist.

super::model_problem_rule!(
    IncludeNotFound,
    IncludeMissing,
    "KAS005",
    "include-not-found",
    Error,
    "a local include names a file that does not exist"
);
