//! `extends` nests more than 11 levels.

super::model_problem_rule!(
    ExtendsTooDeep,
    ExtendsTooDeep,
    "KAS012",
    "extends-too-deep",
    Error,
    "`extends` nests more than 11 levels"
);
