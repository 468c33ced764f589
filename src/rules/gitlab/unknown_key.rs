//! a key GitLab does not accept at this place.

super::finding::gitlab_rule!(
    UnknownKey,
    UnknownKey,
    "KAS020",
    "unknown-key",
    Error,
    "a key GitLab does not accept at this place"
);
