//! `extends` forms a cycle.

super::model_problem_rule!(
    ExtendsCircular,
    ExtendsCircular,
    "KAS011",
    "extends-circular",
    Error,
    "`extends` forms a cycle"
);
