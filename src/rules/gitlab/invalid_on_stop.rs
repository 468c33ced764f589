//! an environment's on_stop job is missing or does not stop the same environment.

super::finding::gitlab_rule!(
    InvalidOnStop,
    OnStop,
    "KAS028",
    "invalid-on-stop",
    Error,
    "an environment's on_stop job is missing or does not stop the same environment"
);
