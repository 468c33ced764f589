//! Table tests of GitLab's validation: (a whole `.gitlab-ci.yml`, GitLab's message).

use super::finding::Finding;
use crate::model::Pipeline;

/// The messages `check` gives for `yaml`, read as a pipeline's entry file.
fn messages(check: fn(&Pipeline) -> Vec<Finding>, yaml: &str) -> Vec<String> {
    let p = Pipeline::from_yaml("t.yml", yaml);
    check(&p).into_iter().map(|f| f.message).collect()
}

/// Each row's message is among `check`'s findings; a row with an empty message has none.
pub(super) fn assert_rows(check: fn(&Pipeline) -> Vec<Finding>, rows: &[(&str, &str)]) {
    for (yaml, want) in rows {
        let got = messages(check, yaml);
        if want.is_empty() {
            assert!(got.is_empty(), "{yaml}\n  unexpected: {got:?}");
        } else {
            assert!(
                got.iter().any(|m| m == want),
                "{yaml}\n  want: {want}\n  got: {got:?}"
            );
        }
    }
}
