//! Data tables the deployment rules read: the images seen in kubectl jobs and GitLab's
//! predefined variables. Kept as data, not as `if` chains (domain.md sections 3 and 5).

pub mod images;

/// GitLab's predefined CI/CD variables, one per line (copied from `shared/data`).
const PREDEFINED_TEXT: &str = include_str!("predefined-variables.txt");

/// Is `name` a variable GitLab defines for every job (or for some pipelines)?
pub fn is_predefined(name: &str) -> bool {
    predefined().any(|v| v == name)
}

/// Every predefined variable name.
pub fn predefined() -> impl Iterator<Item = &'static str> {
    PREDEFINED_TEXT
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn predefined_list_is_loaded() {
        assert!(is_predefined("CI_PROJECT_PATH"));
        assert!(is_predefined("KUBECONFIG"));
        assert!(!is_predefined("AGENT_KUBECONTEXT"));
    }
}
