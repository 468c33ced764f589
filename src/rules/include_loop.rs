//! local includes include each other in a loop.

super::model_problem_rule!(
    IncludeLoop,
    IncludeLoop,
    "KAS006",
    "include-loop",
    Error,
    "local includes include each other in a loop"
);
