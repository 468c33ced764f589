//! the pipeline defines no visible job.

super::finding::gitlab_rule!(
    NoVisibleJob,
    NoVisibleJob,
    "KAS023",
    "no-visible-job",
    Error,
    "the pipeline defines no visible job"
);
