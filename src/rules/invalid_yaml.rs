//! the file is not valid YAML.

super::model_problem_rule!(
    InvalidYaml,
    YamlSyntax,
    "KAS001",
    "invalid-yaml",
    Error,
    "the file is not valid YAML"
);
