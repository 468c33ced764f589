//! `extends` names a job or template that does not exist.

super::model_problem_rule!(
    ExtendsUnknown,
    ExtendsUnknown,
    "KAS010",
    "extends-unknown-target",
    Error,
    "`extends` names a job or template that does not exist"
);
