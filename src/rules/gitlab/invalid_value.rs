//! a keyword has a value of the wrong type or outside its allowed values.

super::finding::gitlab_rule!(
    InvalidValue,
    Invalid,
    "KAS021",
    "invalid-keyword-value",
    Error,
    "a keyword has a value of the wrong type or outside its allowed values"
);
