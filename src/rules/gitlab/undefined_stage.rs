//! a job uses a stage that is not declared in stages.

super::finding::gitlab_rule!(
    UndefinedStage,
    UndefinedStage,
    "KAS024",
    "undefined-stage",
    Error,
    "a job uses a stage that is not declared in stages"
);
