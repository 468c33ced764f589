//! `!reference` tags form a cycle or nest more than 10 deep.

super::model_problem_rule!(
    ReferenceCircular,
    ReferenceCircular,
    "KAS015",
    "reference-circular",
    Error,
    "`!reference` tags form a cycle or nest more than 10 deep"
);
