//! a `!reference` tag points at nothing.

super::model_problem_rule!(
    ReferenceNotFound,
    ReferenceNotFound,
    "KAS014",
    "reference-not-found",
    Error,
    "a `!reference` tag points at nothing"
);
