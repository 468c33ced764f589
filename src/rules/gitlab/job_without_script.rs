//! a visible job has no script, run or trigger.

super::finding::gitlab_rule!(
    JobWithoutScript,
    MissingScript,
    "KAS022",
    "job-without-script",
    Error,
    "a visible job has no script, run or trigger"
);
