//! The kubectl versions a job shows (its image tag, download URLs, package pins) and
//! whether its manifests are validated: what KAS210-KAS212 read.

use std::sync::LazyLock;

use regex::Regex;

use super::agent::var_names;
use super::facts::Facts;
use super::kube::{self, Tool};
use super::Command;
use crate::data::images::TagMeaning;
use crate::load::Span;

static TAG_VERSION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^v?(\d+)\.(\d+)(?:\.(\d+))?(?:$|[-_+])").expect("valid regex"));
static URL_VERSION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:dl\.k8s\.io|kubernetes-release)/release/v?(\d+\.\d+\.\d+)/bin/")
        .expect("valid regex")
});
static PIN_VERSION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^kubectl[=-]v?(\d+\.\d+\.\d+)").expect("valid regex"));

/// A kubectl version the files show.
pub struct Found {
    pub version: String,
    /// Only `major.minor` (a floating tag).
    pub floating: bool,
    /// Where the version was written.
    pub span: Span,
    pub source: &'static str,
}

/// `kubectl 1.27.0 (from the image tag)`.
impl std::fmt::Display for Found {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "kubectl {} (from {})", self.version, self.source)
    }
}

pub fn is_broken(version: &str) -> bool {
    matches!(version, "1.27.0" | "1.27.1")
}

/// Where the text of `raw` holding `version` was written: the variable it came from, or `span`.
fn origin(f: &Facts<'_>, raw: &str, version: &str, span: Span) -> Span {
    if raw.contains(version) {
        return span;
    }
    for name in var_names(raw) {
        if let [def] = f.vars.defs(&name) {
            if f.vars.values(&name).iter().any(|v| v.contains(version)) {
                return def.span;
            }
        }
    }
    span
}

/// Every kubectl version the job's image tag, download URLs and package pins show.
pub fn kubectl_versions(f: &Facts<'_>) -> Vec<Found> {
    let mut out = Vec::new();
    if let Some((image, info, r)) = f.catalogued_image() {
        if let (TagMeaning::Kubectl, Some(tag)) = (info.tag, r.tag.as_deref()) {
            if let Some(c) = TAG_VERSION.captures(tag) {
                let (major, minor) = (&c[1], &c[2]);
                let (version, floating) = match c.get(3) {
                    Some(patch) => (format!("{major}.{minor}.{}", patch.as_str()), false),
                    None => (format!("{major}.{minor}"), true),
                };
                let span = origin(f, &image.raw, tag, image.node.span);
                out.push(Found {
                    version,
                    floating,
                    span,
                    source: "the image tag",
                });
            }
        }
    }
    for cmd in &f.script.commands {
        let installer = matches!(
            cmd.program(),
            Some("apk" | "apt" | "apt-get" | "yum" | "dnf" | "microdnf" | "zypper")
        );
        for w in &cmd.words {
            // (Cheap tests first: this runs for every word of every job.)
            let text = match w.text.contains('$') {
                true => std::borrow::Cow::Owned(
                    f.vars.expand(&w.text).unwrap_or_else(|| w.text.clone()),
                ),
                false => std::borrow::Cow::Borrowed(w.text.as_str()),
            };
            if !text.contains("kubectl") {
                continue;
            }
            let found = URL_VERSION
                .captures(&text)
                .map(|c| (c[1].to_string(), "a download URL"))
                .or_else(|| {
                    installer
                        .then(|| PIN_VERSION.captures(&text))
                        .flatten()
                        .map(|c| (c[1].to_string(), "a package pin"))
                });
            if let Some((version, source)) = found {
                out.push(Found {
                    span: origin(f, &w.text, &version, w.span),
                    version,
                    floating: false,
                    source,
                });
            }
        }
    }
    out
}

/// The job's `kubectl apply`, `create` and `replace` commands (the ones that validate
/// manifests against the cluster's schema).
pub fn validating_commands<'f>(f: &'f Facts<'_>) -> impl Iterator<Item = &'f Command> {
    f.script.commands.iter().filter(|c| {
        kube::tool(c) == Some(Tool::Kubectl)
            && matches!(
                kube::positionals(c).first(),
                Some(&("apply" | "create" | "replace"))
            )
    })
}

/// Every `kubectl apply/create/replace` passes `--validate=false`.
pub fn validation_off(f: &Facts<'_>) -> bool {
    validating_commands(f).all(|c| {
        matches!(
            c.flag_value(&["--validate"])
                .as_ref()
                .map(|w| w.text.as_str()),
            Some("false" | "ignore")
        )
    })
}

/// The kubectl versions of the job that are 1.27.0 or 1.27.1 (HTTP 426 on validation
/// through the agent).
pub fn broken_versions(f: &Facts<'_>) -> impl Iterator<Item = Found> {
    kubectl_versions(f)
        .into_iter()
        .filter(|v| is_broken(&v.version))
}
