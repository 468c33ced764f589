//! `kaslint.toml` (or `.kaslint.toml`): found upward from the checked file, or given
//! with `--config`; `--no-config` skips it. Unknown keys are errors with a suggestion.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::data::images::{ImageInfo, TagMeaning};
use crate::report::Severity;
use crate::rules;
use crate::settings::{Settings, ShellcheckMode};

pub const FILE_NAMES: [&str; 2] = ["kaslint.toml", ".kaslint.toml"];

/// The file as written. Field names are kebab-case in TOML.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawConfig {
    /// Exit 1 for findings at or above this severity.
    pub fail_on: Option<Severity>,
    /// The pipeline's entry file, relative to the config file's folder.
    pub entry: Option<PathBuf>,
    /// The project's full path (`group/subgroup/project`).
    pub project: Option<String>,
    /// Variables defined in project, group or instance CI/CD settings.
    #[serde(default)]
    pub variables: Vec<String>,
    /// Agent contexts known to exist (`path/to/config-project:agent-name`).
    #[serde(default)]
    pub contexts: Vec<String>,
    /// Only these rules run (codes or names).
    #[serde(default)]
    pub select: Vec<String>,
    /// These rules never run (codes or names).
    #[serde(default)]
    pub ignore: Vec<String>,
    /// Per-rule settings, keyed by code or name.
    #[serde(default)]
    pub rules: BTreeMap<String, RawRule>,
    /// Extra image catalogue entries.
    #[serde(default)]
    pub images: Vec<RawImage>,
    pub shellcheck: Option<RawShellcheck>,
    pub includes: Option<RawIncludes>,
}

/// `[includes]`: where project, component, template and remote includes come from.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawIncludes {
    /// The GitLab server: any base git understands (`https://`, `ssh://`, `file://`).
    pub server: Option<String>,
    /// A folder of GitLab's CI templates (`lib/gitlab/ci/templates`).
    pub templates: Option<PathBuf>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawRule {
    pub severity: Option<Severity>,
    pub disable: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawImage {
    /// Repository names (without tag), e.g. `registry.example.com/tools/kubectl`.
    pub names: Vec<String>,
    /// The shell GitLab Runner can use (`bash`, `sh`); omit for images without one.
    pub shell: Option<String>,
    /// A program ENTRYPOINT that needs `entrypoint: [""]`.
    pub entrypoint: Option<String>,
    /// Why HOME is not writable (e.g. `uid 1001, HOME=/`), if it is not.
    pub home_not_writable: Option<String>,
    /// `kubectl` when the tag is kubectl's version; anything else describes the tag.
    #[serde(default)]
    pub tag: Option<String>,
    /// Whether the image is a cluster tool (kubectl, helm, flux).
    #[serde(default)]
    pub cluster_tool: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawShellcheck {
    /// `false` turns ShellCheck off.
    pub enabled: Option<bool>,
    /// Fail (exit 2) when ShellCheck cannot be found.
    pub required: Option<bool>,
    /// The ShellCheck binary.
    pub path: Option<PathBuf>,
}

/// A config error: exit 2.
#[derive(Debug)]
pub struct ConfigError(pub String);

/// The nearest `kaslint.toml` / `.kaslint.toml` at or above `start`.
pub fn discover(folders: &crate::folders::Folders, start: &Path) -> Option<PathBuf> {
    folders.find_upward("kaslint.toml", start, |dir| {
        FILE_NAMES.iter().map(|n| dir.join(n)).find(|c| c.is_file())
    })
}

/// The keys `kaslint.toml` accepts, per table (for suggestions).
const TOP_KEYS: &[&str] = &[
    "fail-on",
    "entry",
    "project",
    "variables",
    "contexts",
    "select",
    "ignore",
    "rules",
    "images",
    "shellcheck",
    "includes",
];
const INCLUDES_KEYS: &[&str] = &["server", "templates"];
const RULE_KEYS: &[&str] = &["severity", "disable"];
const IMAGE_KEYS: &[&str] = &[
    "names",
    "shell",
    "entrypoint",
    "home-not-writable",
    "tag",
    "cluster-tool",
];
const SHELLCHECK_KEYS: &[&str] = &["enabled", "required", "path"];

pub fn parse(text: &str, path: &Path) -> Result<RawConfig, ConfigError> {
    toml::from_str::<RawConfig>(text).map_err(|e| {
        let message = e.message().to_string();
        let mut out = format!("{}: {}", path.display(), message.trim());
        if let Some(span) = e.span() {
            let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
            out = format!("{}:{line}: {}", path.display(), message.trim());
        }
        if let Some(unknown) = message
            .strip_prefix("unknown field `")
            .and_then(|r| r.split('`').next())
        {
            let all = TOP_KEYS
                .iter()
                .chain(RULE_KEYS)
                .chain(IMAGE_KEYS)
                .chain(SHELLCHECK_KEYS)
                .chain(INCLUDES_KEYS);
            if let Some(s) = crate::model::suggest(unknown, all.copied()) {
                out.push_str(&format!(" (did you mean `{s}`?)"));
            }
        }
        ConfigError(out)
    })
}

pub fn load(path: &Path) -> Result<RawConfig, ConfigError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| ConfigError(format!("{}: {e}", path.display())))?;
    parse(&text, path)
}

fn rule_code(id: &str, path: &Path) -> Result<&'static str, ConfigError> {
    rules::find(id).map(|r| r.meta().code).ok_or_else(|| {
        let names = rules::RULES
            .iter()
            .flat_map(|r| [r.meta().code, r.meta().name]);
        let hint = crate::model::suggest(id, names)
            .map(|s| format!(" (did you mean `{s}`?)"))
            .unwrap_or_default();
        ConfigError(format!("{}: unknown rule `{id}`{hint}", path.display()))
    })
}

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

/// Catalogue entries live for the whole run, as the built-in table does.
fn image(raw: RawImage) -> &'static ImageInfo {
    let names: Vec<&'static str> = raw.names.into_iter().map(leak).collect();
    let tag = match raw.tag.as_deref() {
        Some("kubectl") => TagMeaning::Kubectl,
        Some(other) => TagMeaning::Other(leak(other.to_string())),
        None => TagMeaning::Other("a version of its own"),
    };
    Box::leak(Box::new(ImageInfo {
        names: Box::leak(names.into_boxed_slice()),
        shell: raw.shell.map(leak),
        entrypoint: raw.entrypoint.map(leak),
        home_not_writable: raw.home_not_writable.map(leak),
        tag,
        cluster_tool: raw.cluster_tool,
    }))
}

/// Merge a config file into settings (flags are applied after, by the caller).
pub fn apply(raw: RawConfig, path: &Path, settings: &mut Settings) -> Result<(), ConfigError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    if let Some(f) = raw.fail_on {
        settings.fail_on = f;
    }
    if let Some(e) = raw.entry {
        settings.entry = Some(dir.join(e));
    }
    if raw.project.is_some() {
        settings.project = raw.project;
    }
    settings.variables.extend(raw.variables);
    settings.contexts.extend(raw.contexts);
    for id in &raw.select {
        settings.select.push(rule_code(id, path)?);
    }
    for id in &raw.ignore {
        settings.ignore.push(rule_code(id, path)?);
    }
    for (id, rule) in raw.rules {
        let code = rule_code(&id, path)?;
        if let Some(sev) = rule.severity {
            settings.severity.insert(code, sev);
        }
        if rule.disable == Some(true) {
            settings.ignore.push(code);
        }
    }
    settings.images.extend(raw.images.into_iter().map(image));
    if let Some(inc) = raw.includes {
        if inc.server.is_some() {
            settings.includes.server = inc.server;
        }
        if let Some(t) = inc.templates {
            settings.includes.templates = Some(dir.join(t));
        }
    }
    if let Some(sc) = raw.shellcheck {
        if sc.enabled == Some(false) {
            settings.shellcheck.mode = ShellcheckMode::Off;
        } else if sc.required == Some(true) {
            settings.shellcheck.mode = ShellcheckMode::Required;
        }
        if let Some(p) = sc.path {
            settings.shellcheck.path = Some(dir.join(p));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_are_errors_with_a_suggestion() {
        let e = parse("fial-on = \"error\"\n", Path::new("kaslint.toml")).unwrap_err();
        assert!(e.0.contains("unknown field `fial-on`"), "{}", e.0);
        assert!(e.0.contains("did you mean `fail-on`?"), "{}", e.0);
        let e = parse("[rules.KAS101]\nseverty = \"info\"\n", Path::new("k.toml")).unwrap_err();
        assert!(e.0.contains("did you mean `severity`?"), "{}", e.0);
    }

    #[test]
    fn a_complete_file_applies() {
        let text = r#"
fail-on = "error"
entry = "ci/main.yml"
project = "my-group/my-project"
variables = ["AGENT_KUBECONTEXT"]
contexts = ["my-group/agents:prod"]
ignore = ["include-not-checked"]

[rules.KAS205]
severity = "warning"

[rules.kubectl-broken-version]
disable = true

[[images]]
names = ["registry.example.com/tools/kubectl"]
shell = "bash"
entrypoint = "kubectl"
tag = "kubectl"
cluster-tool = true

[shellcheck]
required = true
path = "bin/shellcheck"
"#;
        let raw = parse(text, Path::new("/repo/kaslint.toml")).unwrap();
        let mut s = Settings::default();
        apply(raw, Path::new("/repo/kaslint.toml"), &mut s).unwrap();
        assert_eq!(s.fail_on, Severity::Error);
        assert_eq!(s.entry.as_deref(), Some(Path::new("/repo/ci/main.yml")));
        assert_eq!(s.variables, ["AGENT_KUBECONTEXT"]);
        assert!(s.ignore.contains(&"KAS008"));
        assert!(s.ignore.contains(&"KAS210"));
        assert_eq!(s.severity.get("KAS205"), Some(&Severity::Warning));
        assert_eq!(s.images[0].entrypoint, Some("kubectl"));
        assert_eq!(s.shellcheck.mode, ShellcheckMode::Required);
        let bad = parse(
            "[rules.KAS9999]\nseverity = \"info\"\n",
            Path::new("k.toml"),
        )
        .unwrap();
        assert!(apply(bad, Path::new("k.toml"), &mut Settings::default()).is_err());
    }

    #[test]
    fn the_includes_table_applies() {
        let text =
            "[includes]\nserver = \"https://gitlab.example.com\"\ntemplates = \"ci/templates\"\n";
        let raw = parse(text, Path::new("/repo/kaslint.toml")).unwrap();
        let mut s = Settings::default();
        apply(raw, Path::new("/repo/kaslint.toml"), &mut s).unwrap();
        assert_eq!(
            s.includes.server.as_deref(),
            Some("https://gitlab.example.com")
        );
        assert_eq!(
            s.includes.templates.as_deref(),
            Some(Path::new("/repo/ci/templates"))
        );
        let e = parse("[includes]\nsever = \"x\"\n", Path::new("k.toml")).unwrap_err();
        assert!(e.0.contains("unknown field `sever`"), "{}", e.0);
    }
}
