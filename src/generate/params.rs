//! Parameter validation shared by every template. Each function is a clap `value_parser`,
//! so a bad value is rejected with a clear message and exit 2 before anything is written.
//! The rules follow GitLab's and Kubernetes' own regexes (see `../shared/docs/domain.md`).

use std::sync::LazyLock;

use regex::Regex;

use crate::data::images::{self, TagMeaning};

fn re(pattern: &str) -> Regex {
    Regex::new(pattern).expect("the patterns below are valid")
}

/// RFC 1123 label: agent names, namespaces, release-like names.
static LABEL: LazyLock<Regex> = LazyLock::new(|| re(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"));
/// A GitLab project or group path segment (`Gitlab::PathRegex`).
static PATH_SEGMENT: LazyLock<Regex> = LazyLock::new(|| re(r"^[a-zA-Z0-9_.][a-zA-Z0-9_.-]*$"));
/// GitLab's environment name charset (`Gitlab::Regex.environment_name_regex`).
static ENVIRONMENT: LazyLock<Regex> = LazyLock::new(|| re(r"^[a-zA-Z0-9_/${}. -]+$"));
/// An environment slug as GitLab builds it (`Gitlab::Slug::Environment`).
static SLUG: LazyLock<Regex> = LazyLock::new(|| re(r"^[a-z]([a-z0-9-]*[a-z0-9])?$"));
/// A CI/CD variable name.
static VARIABLE: LazyLock<Regex> = LazyLock::new(|| re(r"^[A-Za-z_][A-Za-z0-9_]*$"));
/// Helm's release name rule (`helm/pkg/chartutil`): an RFC 1123 subdomain of at most 53.
static RELEASE: LazyLock<Regex> =
    LazyLock::new(|| re(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"));
/// An OCI tag (distribution spec).
static OCI_TAG: LazyLock<Regex> = LazyLock::new(|| re(r"^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$"));
/// A semantic kubectl version in an image tag (`1.33.4`, `v1.33.4`, `1.33.4-debian-12-r0`).
static KUBECTL_TAG: LazyLock<Regex> = LazyLock::new(|| re(r"^v?(\d+)\.(\d+)\.(\d+)([-+].*)?$"));

/// GitLab's keywords that cannot name a job.
const RESERVED_JOB_NAMES: &[&str] = &[
    "image",
    "services",
    "stages",
    "before_script",
    "after_script",
    "variables",
    "cache",
    "include",
    "default",
    "workflow",
    "spec",
    "types",
    "true",
    "false",
    "nil",
];

/// The default stages every pipeline has without a `stages:` list.
pub const DEFAULT_STAGES: &[&str] = &[".pre", "build", "test", "deploy", ".post"];

fn no_control(what: &str, s: &str) -> Result<(), String> {
    if s.chars().any(char::is_control) {
        return Err(format!(
            "{what} cannot contain control characters or line breaks"
        ));
    }
    Ok(())
}

/// `--agent`: a kube context `<project full path>:<agent name>`.
pub fn agent(s: &str) -> Result<String, String> {
    let shape = "an agent context is `<project full path>:<agent name>`, e.g. `my-group/my-project:my-agent`";
    let Some((path, name)) = s.split_once(':') else {
        return Err(format!("`:` is missing: {shape}"));
    };
    if name.contains(':') {
        return Err(format!("more than one `:`: {shape}"));
    }
    project_path(path).map_err(|e| format!("{e} ({shape})"))?;
    agent_name(name).map_err(|e| format!("{e} ({shape})"))?;
    Ok(s.to_string())
}

/// An agent name: an RFC 1123 label of at most 63 characters.
pub fn agent_name(s: &str) -> Result<String, String> {
    if s.is_empty() || s.len() > 63 || !LABEL.is_match(s) {
        return Err(format!(
            "agent name `{s}` must be 1 to 63 lowercase letters, digits and `-`, starting and ending with a letter or digit"
        ));
    }
    Ok(s.to_string())
}

/// A project or group full path (`group/subgroup/project`).
pub fn project_path(s: &str) -> Result<String, String> {
    if s.is_empty() {
        return Err("the project path is empty".into());
    }
    let segments: Vec<&str> = s.split('/').collect();
    if segments.len() > 21 {
        return Err(format!(
            "project path `{s}` is nested deeper than GitLab allows (20 groups)"
        ));
    }
    for seg in segments {
        let bad_end = seg.ends_with(".git") || seg.ends_with(".atom");
        if seg.len() > 255 || !PATH_SEGMENT.is_match(seg) || bad_end {
            return Err(format!(
                "path segment `{seg}` of `{s}` must start with a letter, digit, `_` or `.`, contain only letters, digits, `_`, `.` and `-`, and not end in `.git` or `.atom`"
            ));
        }
    }
    Ok(s.to_string())
}

/// `--environment`: GitLab's environment name charset, not starting or ending with `/`.
pub fn environment(s: &str) -> Result<String, String> {
    if s.is_empty() || s.len() > 255 {
        return Err("an environment name has 1 to 255 characters".into());
    }
    if !ENVIRONMENT.is_match(s) || s.starts_with('/') || s.ends_with('/') {
        return Err(format!(
            "environment name `{s}` can contain only letters, digits, `-`, `_`, `/`, `$`, `{{`, `}}`, `.` and spaces, and cannot start or end with `/`"
        ));
    }
    Ok(s.to_string())
}

/// An environment filter in an agent's `ci_access` (`review/*`): a name with `*` wildcards.
pub fn environment_pattern(s: &str) -> Result<String, String> {
    environment(&s.replace('*', "x")).map_err(|_| {
        format!("environment `{s}` can contain only letters, digits, `-`, `_`, `/`, `$`, `{{`, `}}`, `.`, spaces and the wildcard `*`, and cannot start or end with `/`")
    })?;
    Ok(s.to_string())
}

/// `--environment-slug`: the slug GitLab derives from an environment name.
pub fn environment_slug(s: &str) -> Result<String, String> {
    if s.len() > 24 || !SLUG.is_match(s) {
        return Err(format!(
            "environment slug `{s}` must be at most 24 lowercase letters, digits and `-`, starting with a letter and not ending with `-` (GitLab shows it as $CI_ENVIRONMENT_SLUG)"
        ));
    }
    Ok(s.to_string())
}

/// `--namespace`: an RFC 1123 label of at most 63 characters.
pub fn namespace(s: &str) -> Result<String, String> {
    if s.is_empty() || s.len() > 63 || !LABEL.is_match(s) {
        return Err(format!(
            "namespace `{s}` must be 1 to 63 lowercase letters, digits and `-`, starting and ending with a letter or digit (RFC 1123)"
        ));
    }
    Ok(s.to_string())
}

/// A Kubernetes object name: an RFC 1123 subdomain of at most 253 characters.
pub fn object_name(s: &str) -> Result<String, String> {
    if s.is_empty() || s.len() > 253 || !RELEASE.is_match(s) {
        return Err(format!(
            "name `{s}` must be at most 253 lowercase letters, digits, `-` and `.`, starting and ending with a letter or digit (RFC 1123)"
        ));
    }
    Ok(s.to_string())
}

/// `--tag`: an OCI artifact tag.
pub fn oci_tag(s: &str) -> Result<String, String> {
    if !OCI_TAG.is_match(s) {
        return Err(format!(
            "tag `{s}` must be 1 to 128 letters, digits, `_`, `.` and `-`, not starting with `.` or `-`"
        ));
    }
    Ok(s.to_string())
}

/// `--release`: a Helm release name (at most 53 characters).
pub fn release(s: &str) -> Result<String, String> {
    if s.is_empty() || s.len() > 53 || !RELEASE.is_match(s) {
        return Err(format!(
            "release name `{s}` must be at most 53 lowercase letters, digits, `-` and `.`, starting and ending with a letter or digit"
        ));
    }
    Ok(s.to_string())
}

/// A CI/CD variable name (`CONTAINER_REGISTRY_ACCESS_TOKEN`).
pub fn variable(s: &str) -> Result<String, String> {
    if !VARIABLE.is_match(s) {
        return Err(format!(
            "variable name `{s}` must be letters, digits and `_`, not starting with a digit"
        ));
    }
    Ok(s.to_string())
}

/// `--job`: a visible job name.
pub fn job_name(s: &str) -> Result<String, String> {
    no_control("a job name", s)?;
    if s.trim().is_empty() || s.chars().count() > 200 {
        return Err("a job name has 1 to 200 characters".into());
    }
    if s.starts_with('.') {
        return Err(format!(
            "job name `{s}` starts with `.`, which makes it a hidden template that never runs"
        ));
    }
    if RESERVED_JOB_NAMES.contains(&s) {
        return Err(format!("`{s}` is a GitLab keyword, not a job name"));
    }
    Ok(s.to_string())
}

/// `--stage`: a stage name.
pub fn stage(s: &str) -> Result<String, String> {
    no_control("a stage name", s)?;
    if s.trim().is_empty() || s.chars().count() > 200 {
        return Err("a stage name has 1 to 200 characters".into());
    }
    Ok(s.to_string())
}

/// Free text that ends up in a CI/CD variable (paths, chart references, titles): any
/// character but control characters.
pub fn text(s: &str) -> Result<String, String> {
    no_control("this value", s)?;
    if s.is_empty() {
        return Err("the value is empty".into());
    }
    Ok(s.to_string())
}

/// `--url`: an environment URL (at most 255 characters, `$VARIABLES` allowed).
pub fn url(s: &str) -> Result<String, String> {
    no_control("a URL", s)?;
    if s.chars().any(char::is_whitespace) || s.chars().count() > 255 {
        return Err(format!(
            "URL `{s}` must be at most 255 characters without spaces"
        ));
    }
    if !(s.starts_with("https://") || s.starts_with("http://") || s.starts_with('$')) {
        return Err(format!("URL `{s}` must start with `https://` or `http://`"));
    }
    Ok(s.to_string())
}

/// `--auto-stop-in`: GitLab's human duration (`1 week`, `3 days`, `never`).
pub fn duration(s: &str) -> Result<String, String> {
    no_control("a duration", s)?;
    let ok = s == "never"
        || s.split_whitespace()
            .all(|w| w.chars().all(|c| c.is_ascii_alphanumeric() || c == '.'))
            && s.chars().any(|c| c.is_ascii_digit());
    if !ok {
        return Err(format!(
            "duration `{s}` must be like `1 week`, `3 days 12 hours` or `never`"
        ));
    }
    Ok(s.to_string())
}

/// `--image`: a pinned image that can run a job script, checked against kaslint's
/// image catalogue (shell, version tag).
pub fn image(s: &str) -> Result<String, String> {
    no_control("an image", s)?;
    if s.is_empty() || s.chars().any(char::is_whitespace) {
        return Err("an image reference has no spaces and is not empty".into());
    }
    let r = images::parse_ref(s);
    if r.digest.is_none() && matches!(r.tag.as_deref(), None | Some("latest")) {
        return Err(format!(
            "image `{s}` is not pinned: give a version tag (or a digest) so a new release cannot change the tools under the pipeline"
        ));
    }
    let Some(info) = images::lookup(&r.repo) else {
        return Ok(s.to_string());
    };
    if info.shell.is_none() {
        return Err(format!(
            "image `{}` has no shell, so GitLab Runner cannot run a job script in it; use one with a shell (e.g. `alpine/k8s`)",
            r.repo
        ));
    }
    if let (TagMeaning::Kubectl, Some(tag)) = (info.tag, r.tag.as_deref()) {
        let Some(c) = KUBECTL_TAG.captures(tag) else {
            return Err(format!(
                "image tag `{tag}` of `{}` is not a full kubectl version (`1.33.4`): a floating tag may resolve to kubectl 1.27.0 or 1.27.1, which fail through the agent",
                r.repo
            ));
        };
        if &c[1] == "1" && &c[2] == "27" && (&c[3] == "0" || &c[3] == "1") {
            return Err(format!(
                "kubectl {}.{}.{} fails validation through the agent (HTTP 426, kubernetes/kubernetes#117463): pick another version",
                &c[1], &c[2], &c[3]
            ));
        }
    }
    Ok(s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agent_contexts() {
        assert!(agent("my-group/my-project:my-agent").is_ok());
        assert!(agent("a/b.c/_d:x1").is_ok());
        assert!(agent("my-project").is_err());
        assert!(agent("a:b:c").is_err());
        assert!(agent("a/b:Agent").is_err());
        assert!(agent("a/-b:agent").is_err());
        assert!(agent("a/b.git:agent").is_err());
        assert!(agent(":agent").is_err());
        assert!(agent("a//b:agent").is_err());
    }

    #[test]
    fn environments_namespaces_tags() {
        assert!(environment("review/$CI_COMMIT_REF_SLUG").is_ok());
        assert!(environment("/prod").is_err());
        assert!(environment("prod:1").is_err());
        assert!(environment_pattern("review/*").is_ok());
        assert!(namespace("my-app").is_ok());
        assert!(namespace("My_App").is_err());
        assert!(namespace(&"a".repeat(64)).is_err());
        assert!(image("alpine/k8s:1.33.4").is_ok());
        assert!(image("alpine/k8s:1.27.1").is_err());
        assert!(image("alpine/k8s:1.27").is_err());
        assert!(image("alpine/k8s").is_err());
        assert!(image("registry.k8s.io/kubectl:v1.33.4").is_err());
        assert!(image("example.com/tools:2024-01").is_ok());
        assert!(release(&"a".repeat(54)).is_err());
        assert!(duration("1 week").is_ok());
        assert!(duration("soon").is_err());
        assert!(job_name(".hidden").is_err());
        assert!(job_name("deploy: prod ✓").is_ok());
    }
}
