//! a need names an undefined job, a job in a later stage, or is repeated.

super::finding::gitlab_rule!(
    InvalidNeeds,
    Needs,
    "KAS025",
    "invalid-needs",
    Error,
    "a need names an undefined job, a job in a later stage, or is repeated"
);
