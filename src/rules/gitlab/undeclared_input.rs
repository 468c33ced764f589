//! an interpolation names an input the spec header does not declare.

super::finding::gitlab_rule!(
    UndeclaredInput,
    UndeclaredInput,
    "KAS031",
    "undeclared-input",
    Error,
    "an interpolation names an input the spec header does not declare"
);
