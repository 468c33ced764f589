//! `extends` is not a string or list of strings, or names a value that is not a mapping.

super::model_problem_rule!(
    ExtendsInvalid,
    ExtendsInvalid,
    "KAS013",
    "extends-invalid",
    Error,
    "`extends` is not a string or list of strings, or names a value that is not a mapping"
);
