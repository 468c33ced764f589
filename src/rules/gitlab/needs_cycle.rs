//! jobs need each other in a cycle.

super::finding::gitlab_rule!(
    NeedsCycle,
    NeedsCycle,
    "KAS027",
    "needs-cycle",
    Error,
    "jobs need each other in a cycle"
);
