//! a spec:inputs declaration or default is invalid.

super::finding::gitlab_rule!(
    InvalidInputSpec,
    InputSpec,
    "KAS030",
    "invalid-input-spec",
    Error,
    "a spec:inputs declaration or default is invalid"
);
