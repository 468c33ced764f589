//! `sarif`: SARIF 2.1.0, one run. Small serde structs holding only what kaslint writes
//! (as zizmor-sarif does), never internal types.
//!
//! - `tool.driver` is kaslint with every registered rule (`id` = code, `name`, short and full
//!   description, the rule page as `help.text`/`help.markdown`, `helpUri`, and the default
//!   level: error → `error`, warning → `warning`, info → `note`).
//! - A finding of an external tool (ShellCheck) is reported under that tool's own component,
//!   `tool.extensions[i]`, and the result names it with `rule: {id, index, toolComponent:
//!   {index: i}}` (SARIF §3.52, §3.54: the index is into `tool.extensions`). Such a result
//!   keeps `ruleId` too (Microsoft's validator notes it as redundant, SARIF2004), since
//!   consumers such as GitHub code scanning track results by `ruleId`.
//! - Regions are 1-based, columns count Unicode code points (`run.columnKind` =
//!   `unicodeCodePoints`), `endColumn` is exclusive as in SARIF.
//! - Paths below [`RenderOptions::project_dir`] are relative URIs against `%SRCROOT%`;
//!   `partialFingerprints["kaslint/v1"]` is the fingerprint of the Code Quality report.

use std::collections::BTreeMap;

use serde::Serialize;

use super::options::{fingerprints, Paths, ReportPath};
use super::{locate, FileReport, RenderOptions, Severity};
use crate::load::{Sources, Span};
use crate::rules::{RuleMeta, RULES};

pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const SRCROOT: &str = "%SRCROOT%";
const FINGERPRINT_KEY: &str = "kaslint/v1";

#[derive(Serialize)]
struct Log {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run {
    tool: Tool,
    #[serde(skip_serializing_if = "Option::is_none")]
    original_uri_base_ids: Option<BTreeMap<&'static str, ArtifactLocation>>,
    column_kind: &'static str,
    results: Vec<SarifResult>,
}

#[derive(Serialize)]
struct Tool {
    driver: Component,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    extensions: Vec<Component>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Component {
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    information_uri: Option<String>,
    rules: Vec<Rule>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    short_description: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    full_description: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<Help>,
    help_uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    default_configuration: Option<Configuration>,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_index: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule: Option<RuleReference>,
    level: &'static str,
    message: Text,
    locations: Vec<Location>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<Location>,
    partial_fingerprints: BTreeMap<&'static str, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fixes: Vec<SarifFix>,
    #[serde(skip_serializing_if = "Option::is_none")]
    properties: Option<Properties>,
}

/// A proposed fix (`§3.55`): one change per file, each a list of byte-range replacements.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifFix {
    description: Text,
    artifact_changes: Vec<ArtifactChange>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactChange {
    artifact_location: ArtifactLocation,
    replacements: Vec<Replacement>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Replacement {
    deleted_region: ByteRegion,
    inserted_content: Text,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ByteRegion {
    byte_offset: u32,
    byte_length: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RuleReference {
    id: String,
    index: usize,
    tool_component: ComponentReference,
}

#[derive(Serialize)]
struct ComponentReference {
    index: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Text>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    start_column: usize,
    end_line: usize,
    end_column: usize,
}

#[derive(Serialize)]
struct Properties {
    job: String,
    /// Every job the finding concerns, when a shared template concerns several.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    jobs: Vec<String>,
}

/// SARIF's level for a kaslint severity.
pub fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// The SARIF log of every finding (one run; an empty `results` when there is none).
pub fn render(reports: &[FileReport], opts: &RenderOptions) -> String {
    let mut s = serde_json::to_string_pretty(&build(reports, opts)).unwrap_or_default();
    s.push('\n');
    s
}

/// An external tool's component: its rules, in order of first use.
struct Extension {
    tool: &'static str,
    rules: Vec<(String, String)>,
}

fn build(reports: &[FileReport], opts: &RenderOptions) -> Log {
    let paths = Paths::new(opts);
    let prints = fingerprints(reports, &paths);

    // Every registered rule, then any rule met in the findings that is not registered.
    let mut metas: Vec<&'static RuleMeta> = RULES.iter().map(|r| r.meta()).collect();
    let mut extensions: Vec<Extension> = Vec::new();
    let mut results = Vec::new();

    for (r, prints) in reports.iter().zip(prints) {
        for (d, print) in r.diagnostics.iter().zip(prints) {
            if print.duplicate {
                continue;
            }
            let (rule_index, rule) = match &d.external {
                None => {
                    let index = match metas.iter().position(|m| m.code == d.rule.code) {
                        Some(i) => i,
                        None => {
                            metas.push(d.rule);
                            metas.len() - 1
                        }
                    };
                    (Some(index), None)
                }
                Some(ext) => {
                    let component = match extensions.iter().position(|e| e.tool == ext.tool) {
                        Some(i) => i,
                        None => {
                            extensions.push(Extension {
                                tool: ext.tool,
                                rules: Vec::new(),
                            });
                            extensions.len() - 1
                        }
                    };
                    let rules = &mut extensions[component].rules;
                    let index = match rules.iter().position(|(code, _)| *code == ext.code) {
                        Some(i) => i,
                        None => {
                            rules.push((ext.code.clone(), ext.url.clone()));
                            rules.len() - 1
                        }
                    };
                    let reference = RuleReference {
                        id: ext.code.clone(),
                        index,
                        tool_component: ComponentReference { index: component },
                    };
                    (None, Some(reference))
                }
            };
            let related = d
                .related
                .iter()
                .enumerate()
                .map(|(i, l)| Location {
                    id: Some(i + 1),
                    physical_location: physical(&r.sources, l.span, &paths),
                    message: (!l.text.is_empty()).then(|| Text {
                        text: l.text.clone(),
                    }),
                })
                .collect();
            results.push(SarifResult {
                rule_id: d.code().to_string(),
                rule_index,
                rule,
                level: level(d.severity),
                message: Text {
                    text: d.message.clone(),
                },
                locations: vec![Location {
                    id: None,
                    physical_location: physical(&r.sources, d.primary, &paths),
                    message: None,
                }],
                related_locations: related,
                partial_fingerprints: BTreeMap::from([(FINGERPRINT_KEY, print.value)]),
                fixes: d.fix.iter().map(|f| fix(&r.sources, f, &paths)).collect(),
                properties: d.job.clone().map(|job| Properties {
                    job,
                    jobs: if d.also_jobs.is_empty() {
                        Vec::new()
                    } else {
                        d.jobs().map(str::to_string).collect()
                    },
                }),
            });
        }
    }

    let original_uri_base_ids = paths.project_dir().and_then(|dir| {
        Some(BTreeMap::from([(
            SRCROOT,
            ArtifactLocation {
                uri: directory_uri(dir)?,
                uri_base_id: None,
            },
        )]))
    });

    Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Component {
                    name: "kaslint".to_string(),
                    version: Some(opts.tool_version.to_string()),
                    information_uri: Some(project_home()),
                    rules: metas.into_iter().map(rule).collect(),
                },
                extensions: extensions.into_iter().map(extension).collect(),
            },
            original_uri_base_ids,
            column_kind: "unicodeCodePoints",
            results,
        }],
    }
}

fn rule(m: &'static RuleMeta) -> Rule {
    Rule {
        id: m.code.to_string(),
        name: Some(m.name.to_string()),
        short_description: Some(Text {
            text: sentence(m.summary),
        }),
        full_description: Some(Text {
            text: what_it_does(m.doc).unwrap_or_else(|| sentence(m.summary)),
        }),
        help: (!m.doc.is_empty()).then(|| Help {
            text: m.doc.to_string(),
            markdown: m.doc.to_string(),
        }),
        help_uri: m.url(),
        default_configuration: Some(Configuration {
            level: level(m.severity),
        }),
    }
}

fn extension(e: Extension) -> Component {
    let (name, information_uri) = match e.tool {
        "shellcheck" => (
            "ShellCheck".to_string(),
            Some("https://www.shellcheck.net/"),
        ),
        other => (other.to_string(), None),
    };
    Component {
        name,
        version: None,
        information_uri: information_uri.map(str::to_string),
        rules: e
            .rules
            .into_iter()
            .map(|(code, url)| Rule {
                id: code,
                name: None,
                short_description: None,
                full_description: None,
                help: None,
                help_uri: url,
                default_configuration: None,
            })
            .collect(),
    }
}

fn fix(sources: &Sources, f: &crate::fix::Fix, paths: &Paths) -> SarifFix {
    let mut changes: Vec<(u32, ArtifactChange)> = Vec::new();
    for e in &f.edits {
        let replacement = Replacement {
            deleted_region: ByteRegion {
                byte_offset: e.span.start,
                byte_length: e.span.end - e.span.start,
            },
            inserted_content: Text {
                text: e.content.clone(),
            },
        };
        match changes.iter_mut().find(|(file, _)| *file == e.span.file) {
            Some((_, c)) => c.replacements.push(replacement),
            None => changes.push((
                e.span.file,
                ArtifactChange {
                    artifact_location: artifact(paths.of(sources.get(e.span.file))),
                    replacements: vec![replacement],
                },
            )),
        }
    }
    SarifFix {
        description: Text {
            text: format!("{} ({})", f.title, f.applicability.as_str()),
        },
        artifact_changes: changes.into_iter().map(|(_, c)| c).collect(),
    }
}

fn physical(sources: &Sources, span: Span, paths: &Paths) -> PhysicalLocation {
    let loc = locate(sources, span);
    PhysicalLocation {
        artifact_location: artifact(paths.of(sources.get(span.file))),
        region: Region {
            start_line: loc.line,
            start_column: loc.column,
            end_line: loc.end_line,
            end_column: loc.end_column,
        },
    }
}

fn artifact(p: ReportPath) -> ArtifactLocation {
    if p.in_project {
        return ArtifactLocation {
            uri: encode(&p.path),
            uri_base_id: Some(SRCROOT),
        };
    }
    let path = p.path.replace('\\', "/");
    let uri = if path.starts_with('/') {
        format!("file://{}", encode(&path))
    } else {
        encode(&path)
    };
    ArtifactLocation {
        uri,
        uri_base_id: None,
    }
}

/// `file:///dir/` for an absolute directory (SARIF wants base URIs to end with `/`).
fn directory_uri(dir: &std::path::Path) -> Option<String> {
    if !dir.is_absolute() {
        return None;
    }
    let mut s = dir.to_string_lossy().replace('\\', "/");
    if !s.starts_with('/') {
        s.insert(0, '/');
    }
    if !s.ends_with('/') {
        s.push('/');
    }
    Some(format!("file://{}", encode(&s)))
}

/// Percent-encodes a `/`-separated path for a URI reference (RFC 3986: unreserved
/// characters, `/` and a few sub-delimiters stay).
fn encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'.'
            | b'_'
            | b'~'
            | b'/'
            | b'!'
            | b'$'
            | b'&'
            | b'\''
            | b'('
            | b')'
            | b'*'
            | b'+'
            | b','
            | b';'
            | b'='
            | b'@' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    // A first segment with `:` would read as a scheme; it is encoded above (`%3A`).
    out
}

/// The project's home page: the documentation base without the `/-/blob/<branch>` part.
fn project_home() -> String {
    let base = crate::DOCS_BASE;
    base.find("/-/").map_or(base, |i| &base[..i]).to_string()
}

/// A summary (lowercase, no period) as a sentence.
fn sentence(summary: &str) -> String {
    let mut chars = summary.chars();
    let mut s: String = match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    };
    if !s.is_empty() && !s.ends_with('.') {
        s.push('.');
    }
    s
}

/// The first paragraph of the rule page's `## What it does` section.
fn what_it_does(doc: &str) -> Option<String> {
    let mut lines = doc.lines().skip_while(|l| l.trim() != "## What it does");
    lines.next()?;
    let para: Vec<&str> = lines
        .skip_while(|l| l.trim().is_empty())
        .take_while(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(str::trim)
        .collect();
    (!para.is_empty()).then(|| para.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uri_encoding() {
        assert_eq!(encode("ci/deploy jobs/a.yml"), "ci/deploy%20jobs/a.yml");
        assert_eq!(encode("ci/é.yml"), "ci/%C3%A9.yml");
        assert_eq!(encode("a:b.yml"), "a%3Ab.yml");
        assert_eq!(
            artifact(ReportPath {
                path: "/tmp/x y.yml".into(),
                in_project: false
            })
            .uri,
            "file:///tmp/x%20y.yml"
        );
    }

    #[test]
    fn descriptions() {
        assert_eq!(sentence("image is empty"), "Image is empty.");
        let doc = "# KAS1\n\n## What it does\n\nReports `x`\nin jobs.\n\n## Why\n";
        assert_eq!(what_it_does(doc).as_deref(), Some("Reports `x` in jobs."));
        assert_eq!(what_it_does("# nothing"), None);
    }
}
