//! a dependency names an undefined job, a later job, or one missing from needs.

super::finding::gitlab_rule!(
    InvalidDependencies,
    Dependencies,
    "KAS026",
    "invalid-dependencies",
    Error,
    "a dependency names an undefined job, a later job, or one missing from needs"
);
