//! What kaslint takes from its process environment, read once when a command starts
//! ([`Environment::read`]) and handed down as one value: no other module reads an
//! environment variable. The working folder is read once too, by [`crate::folders`].

use std::ffi::OsString;
use std::path::PathBuf;

/// The environment variables kaslint uses. [`Default`] is an empty environment (the
/// library's and the tests' starting point).
#[derive(Clone, Default)]
pub struct Environment {
    /// `KASLINT_SHELLCHECK`: the ShellCheck binary to use.
    pub shellcheck: Option<PathBuf>,
    /// `PATH`: where ShellCheck is searched for.
    pub path: Option<OsString>,
    /// The cache root: `$XDG_CACHE_HOME/kaslint`, else `$HOME/.cache/kaslint`.
    pub cache_root: Option<PathBuf>,
    /// `CI_PROJECT_DIR`: reports give paths relative to it (GitLab CI).
    pub ci_project_dir: Option<PathBuf>,
    /// `CI_SERVER_URL` (non-empty): the instance a CI job runs on.
    pub ci_server_url: Option<String>,
    /// `CI_SERVER_FQDN` (non-empty).
    pub ci_server_fqdn: Option<String>,
    /// `CI_JOB_TOKEN` (non-empty): sent only to `CI_SERVER_URL`, never printed.
    pub ci_job_token: Option<String>,
}

impl Environment {
    /// This process's environment.
    pub fn read() -> Self {
        let text = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        Environment {
            shellcheck: std::env::var_os("KASLINT_SHELLCHECK")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from),
            path: std::env::var_os("PATH"),
            cache_root: crate::cache::root(
                text("XDG_CACHE_HOME").as_deref(),
                text("HOME").as_deref(),
            ),
            ci_project_dir: std::env::var_os("CI_PROJECT_DIR").map(PathBuf::from),
            ci_server_url: text("CI_SERVER_URL"),
            ci_server_fqdn: text("CI_SERVER_FQDN"),
            ci_job_token: text("CI_JOB_TOKEN"),
        }
    }
}

/// The token is never shown, even in a debug print.
impl std::fmt::Debug for Environment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Environment")
            .field("shellcheck", &self.shellcheck)
            .field("path", &self.path)
            .field("cache_root", &self.cache_root)
            .field("ci_project_dir", &self.ci_project_dir)
            .field("ci_server_url", &self.ci_server_url)
            .field("ci_server_fqdn", &self.ci_server_fqdn)
            .field(
                "ci_job_token",
                &self.ci_job_token.as_ref().map(|_| "[hidden]"),
            )
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::Environment;

    #[test]
    fn debug_hides_the_token() {
        let env = Environment {
            ci_job_token: Some("glcbt-secret-value".into()),
            ..Environment::default()
        };
        let shown = format!("{env:?}");
        assert!(!shown.contains("secret"), "{shown}");
        assert!(shown.contains("[hidden]"), "{shown}");
    }
}
