//! `include:` resolution. Local files (exact paths and GitLab's `*`/`**` wildcards) are
//! read from the repository root and merged first; the including file wins. Other kinds
//! (`project`, `remote`, `template`, `component`) cannot be read offline: they are recorded
//! so that rules know the pipeline is incomplete.

use std::cell::OnceCell;
use std::path::{Path, PathBuf};

use regex::Regex;

use super::inputs;
use super::merge::{deep_merge, without_key};
use super::problem::{Problem, ProblemKind};
use crate::load::{self, FileId, NodeRef, Sources, Span, Value};

/// GitLab's limit on the number of included files in one pipeline.
pub const MAX_INCLUDES: usize = 150;

/// An include that could not be read offline.
#[derive(Clone, Debug)]
pub struct Unresolved {
    pub kind: &'static str,
    pub location: String,
    pub span: Span,
    /// GitLab refuses the location itself (reported as an error, not as unread).
    pub invalid: bool,
}

pub struct Resolver<'a> {
    pub sources: &'a mut Sources,
    pub root: Option<PathBuf>,
    /// Whether `root` is known (`--root` or a `.git` folder) rather than guessed.
    pub root_certain: bool,
    /// Prefix shown before repository paths in findings (the root as the user sees it).
    pub display_root: String,
    pub problems: Vec<Problem>,
    pub unresolved: Vec<Unresolved>,
    pub included: Vec<FileId>,
    /// The `spec:` headers of the included files, once per file.
    pub headers: Vec<(FileId, NodeRef)>,
    /// Whether any included file uses `!reference`.
    pub has_references: bool,
    repo_files: OnceCell<Vec<String>>,
    count: usize,
}

/// One item of an `include:` list, normalised.
enum Item {
    Local {
        path: String,
        span: Span,
        inputs: Option<NodeRef>,
        conditional: bool,
    },
    Other(Unresolved),
    Invalid(Span, String),
    /// Unreadable offline, and invalid already (a remote address GitLab refuses): the
    /// error, and still nothing it may define is reported missing.
    InvalidOther(Unresolved, String),
}

impl<'a> Resolver<'a> {
    pub fn new(
        sources: &'a mut Sources,
        root: Option<PathBuf>,
        root_certain: bool,
        display_root: String,
    ) -> Self {
        Resolver {
            sources,
            root,
            root_certain,
            display_root,
            problems: Vec::new(),
            unresolved: Vec::new(),
            included: Vec::new(),
            headers: Vec::new(),
            has_references: false,
            repo_files: OnceCell::new(),
            count: 0,
        }
    }

    /// Expand the includes of `content` (a mapping read from `file`), recursively.
    /// `chain` holds the repository paths of the files being expanded (loop detection).
    pub fn expand(&mut self, content: &NodeRef, chain: &mut Vec<String>) -> NodeRef {
        let Some(include) = content.get("include").cloned() else {
            return content.clone();
        };
        let own = without_key(content, "include");
        let mut merged: Option<NodeRef> = None;
        for item in normalise(&include) {
            match item {
                Item::Invalid(span, message) => {
                    self.problems
                        .push(Problem::new(ProblemKind::IncludeInvalid, span, message))
                }
                Item::Other(u) => self.unresolved.push(u),
                Item::InvalidOther(u, message) => {
                    self.problems
                        .push(Problem::new(ProblemKind::IncludeInvalid, u.span, message));
                    self.unresolved.push(Unresolved { invalid: true, ..u });
                }
                Item::Local {
                    path,
                    span,
                    inputs,
                    conditional,
                } => {
                    for file in self.local_paths(&path, span, conditional) {
                        if let Some(config) =
                            self.include_file(&file, span, inputs.as_ref(), conditional, chain)
                        {
                            merged = Some(match merged {
                                None => config,
                                Some(m) => deep_merge(&m, &config),
                            });
                        }
                    }
                }
            }
        }
        match merged {
            Some(m) => deep_merge(&m, &own),
            None => own,
        }
    }

    /// The repository paths an include names: itself, or the matches of a wildcard.
    fn local_paths(&mut self, path: &str, span: Span, conditional: bool) -> Vec<String> {
        let path = path.trim_start_matches('/').to_string();
        if !path.contains('*') {
            return vec![path];
        }
        let re = wildcard_regex(&path);
        let matches: Vec<String> = self
            .repo_files()
            .iter()
            .filter(|f| re.is_match(f))
            .cloned()
            .collect();
        // GitLab accepts a wildcard that matches nothing: it includes nothing.
        let _ = (span, conditional);
        matches
    }

    fn repo_files(&self) -> &Vec<String> {
        self.repo_files.get_or_init(|| match &self.root {
            Some(root) => list_files(root),
            None => Vec::new(),
        })
    }

    fn include_file(
        &mut self,
        path: &str,
        span: Span,
        inputs: Option<&NodeRef>,
        conditional: bool,
        chain: &mut Vec<String>,
    ) -> Option<NodeRef> {
        if !has_yaml_extension(path) {
            self.problems.push(Problem::new(
                ProblemKind::IncludeInvalid,
                span,
                format!("Included file `{path}` does not have YAML extension!"),
            ));
            return None;
        }
        if path.contains('$') {
            // Variables in include paths expand at pipeline creation time.
            self.unresolved.push(Unresolved {
                kind: "local",
                location: path.to_string(),
                span,
                invalid: false,
            });
            return None;
        }
        if let Some(pos) = chain.iter().position(|p| p == path) {
            let cycle = chain[pos..].join(" -> ");
            self.problems.push(
                Problem::new(
                    ProblemKind::IncludeLoop,
                    span,
                    format!("include loop: `{path}` includes itself ({cycle} -> {path})"),
                )
                .help(format!(
                    "GitLab follows the loop until it fails with `Maximum of {MAX_INCLUDES} nested includes are allowed!`"
                )),
            );
            return None;
        }
        self.count += 1;
        if self.count > MAX_INCLUDES {
            if self.count == MAX_INCLUDES + 1 {
                self.problems.push(Problem::new(
                    ProblemKind::IncludeInvalid,
                    span,
                    format!("Maximum of {MAX_INCLUDES} nested includes are allowed!"),
                ));
            }
            return None;
        }
        let Some(root) = self.root.clone() else {
            self.unresolved.push(Unresolved {
                kind: "local",
                location: path.to_string(),
                span,
                invalid: false,
            });
            return None;
        };
        let full = root.join(path);
        let id = match self.sources.find_path(&full) {
            Some(id) => id,
            None => {
                let bytes = match load::read_limited(&full) {
                    Ok(b) => b,
                    Err(_) => {
                        if !self.root_certain {
                            // The root was guessed: the file may exist in the real repository.
                            self.unresolved.push(Unresolved {
                                kind: "local",
                                location: path.to_string(),
                                span,
                                invalid: false,
                            });
                        } else if !conditional {
                            self.problems.push(Problem::new(
                                ProblemKind::IncludeMissing,
                                span,
                                format!("Local file `{path}` does not exist!"),
                            ));
                        }
                        return None;
                    }
                };
                let name = if self.display_root.is_empty() {
                    path.to_string()
                } else {
                    format!("{}/{path}", self.display_root.trim_end_matches('/'))
                };
                let (id, problem) = load::decode(self.sources, name, Some(&full), bytes);
                if let Some(p) = problem {
                    self.problems.push(included_problem(path, p));
                    return None;
                }
                id
            }
        };
        if !self.included.contains(&id) {
            self.included.push(id);
        }
        let parsed = load::parse_file(self.sources, id);
        self.has_references |= parsed.has_references;
        if let Some(h) = &parsed.header {
            if !self.headers.iter().any(|(f, _)| *f == id) {
                self.headers.push((id, h.clone()));
            }
        }
        self.problems
            .extend(super::duplicate_problems(&parsed.duplicates));
        if let Some(p) = parsed.problem {
            if p.kind == load::FileProblemKind::Empty {
                self.problems.push(Problem::new(
                    ProblemKind::IncludeInvalid,
                    span,
                    format!("Local file `{path}` is empty!"),
                ));
            } else {
                self.problems.push(included_problem(path, p));
            }
            return None;
        }
        let content = parsed.content?;
        let content = match (&parsed.header, inputs) {
            (Some(header), _) => {
                let (content, problems) =
                    inputs::interpolate_included(header, inputs, &content, span);
                self.problems.extend(problems);
                content
            }
            (None, Some(given)) => {
                self.problems.push(Problem::new(
                    ProblemKind::Inputs,
                    given.span,
                    "Given inputs not defined in the `spec` section of the included configuration file",
                ));
                content
            }
            (None, None) => content,
        };
        chain.push(path.to_string());
        let expanded = self.expand(&content, chain);
        chain.pop();
        Some(expanded)
    }
}

fn normalise(include: &NodeRef) -> Vec<Item> {
    let items: Vec<NodeRef> = match &include.value {
        Value::Seq(items) => items.clone(),
        _ => vec![include.clone()],
    };
    items.iter().filter_map(item).collect()
}

fn item(node: &NodeRef) -> Option<Item> {
    if let Some(s) = node.as_str() {
        // GitLab's `Mapper::Normalizer`: a string with a valid address is remote.
        if !valid_address(s) {
            return Some(Item::Local {
                path: s.to_string(),
                span: node.span,
                inputs: None,
                conditional: false,
            });
        }
        return Some(remote(s, node.span));
    }
    if node.is_null() {
        return None;
    }
    let Some(map) = node.as_map() else {
        return Some(Item::Invalid(
            node.span,
            "Each include must be a hash or a string".into(),
        ));
    };
    const SUBKEYS: [&str; 6] = [
        "local",
        "project",
        "remote",
        "template",
        "artifact",
        "component",
    ];
    let valid_subkeys = "`local`, `project`, `remote`, `template`, `artifact`, `component`";
    match SUBKEYS.iter().filter(|k| map.contains_key(k)).count() {
        0 => {
            return Some(Item::Invalid(
                node.span,
                format!(
                "`{}` does not have a valid subkey for include. Valid subkeys are: {valid_subkeys}",
                inputs::to_json(node)
            ),
            ))
        }
        1 => {}
        _ => {
            return Some(Item::Invalid(
                node.span,
                format!("Each include must use only one of: {valid_subkeys}"),
            ))
        }
    }
    let text = |k: &str| map.get(k).and_then(|v| v.scalar_text());
    let inputs = map.get("inputs").cloned();
    let conditional = map.contains_key("rules");
    if let Some(local) = map.get("local") {
        return Some(match local.as_str() {
            Some(p) => Item::Local {
                path: p.to_string(),
                span: local.span,
                inputs,
                conditional,
            },
            None => Item::Invalid(local.span, "include:local should be a string".into()),
        });
    }
    if let Some(v) = map.get("remote") {
        if let Some(location) = v.as_str() {
            return Some(remote(location, v.span));
        }
    }
    for kind in ["project", "remote", "template", "component"] {
        if let Some(v) = map.get(kind) {
            let mut location = text(kind).unwrap_or_default();
            // The file names GitLab checks before reading anything (`File::Base`).
            let mut names = vec![];
            if kind == "project" {
                if let Some(file) = map.get("file") {
                    let files: Vec<String> = match &file.value {
                        Value::Seq(items) => items.iter().filter_map(|i| i.scalar_text()).collect(),
                        _ => file.scalar_text().into_iter().collect(),
                    };
                    location = format!("{location}: {}", files.join(", "));
                    names = files;
                }
            } else if kind == "template" {
                names.push(location.clone());
            }
            let u = Unresolved {
                kind,
                location,
                span: v.span,
                invalid: false,
            };
            let wrong = names.iter().filter(|n| !n.contains('$')).find_map(|n| {
                if !has_yaml_extension(n) {
                    Some(format!("Included file `{n}` does not have YAML extension!"))
                } else if kind == "template" && !n.ends_with(".gitlab-ci.yml") {
                    // `File::Template#template_name_valid?`
                    Some(format!("Template file `{n}` is not a valid location!"))
                } else {
                    None
                }
            });
            return Some(match wrong {
                Some(message) => Item::InvalidOther(u, message),
                None => Item::Other(u),
            });
        }
    }
    // Child pipelines can include an artifact of an earlier job (trigger:include only).
    Some(Item::Other(Unresolved {
        kind: "artifact",
        location: text("artifact").unwrap_or_default(),
        span: node.span,
        invalid: false,
    }))
}

/// A `remote` include, with the checks GitLab makes before fetching it
/// (`File::Base#validate_location!`, then `File::Remote`'s address check). A location with
/// variables is expanded at pipeline creation: not checked.
fn remote(location: &str, span: Span) -> Item {
    let u = Unresolved {
        kind: "remote",
        location: location.to_string(),
        span,
        invalid: false,
    };
    if location.contains('$') {
        return Item::Other(u);
    }
    if !has_yaml_extension(location) {
        let message = format!("Included file `{location}` does not have YAML extension!");
        return Item::InvalidOther(u, message);
    }
    if !valid_address(location) {
        let message = format!("Remote file `{location}` does not have a valid address!");
        return Item::InvalidOther(u, message);
    }
    Item::Other(u)
}

/// `File::Base::YAML_ALLOWLIST_EXTENSION` on the location's file name:
/// `/.+\.(yml|yaml)$/i`.
fn has_yaml_extension(location: &str) -> bool {
    // (Surrounding blanks are forgiven: saying less when unsure.)
    let name = location.trim().trim_end_matches('/');
    let name = name.rsplit('/').next().unwrap_or(name).to_ascii_lowercase();
    [".yml", ".yaml"]
        .iter()
        .any(|ext| name.len() > ext.len() && name.ends_with(ext))
}

/// `Gitlab::UrlSanitizer.valid?`: the address parses with a scheme among `http`,
/// `https`, `ssh` and `git` (compared as written, as Ruby does).
fn valid_address(location: &str) -> bool {
    let s = location.trim();
    // RFC 3986's split (Addressable's): the scheme is what precedes the first `:`, when
    // no `/`, `?` or `#` comes before it.
    let Some(colon) = s.find(':') else {
        return false;
    };
    let scheme = &s[..colon];
    if scheme.is_empty() || scheme.contains(['/', '?', '#']) {
        return false;
    }
    matches!(scheme, "http" | "https" | "ssh" | "git")
}

/// A problem inside an included file, with GitLab's "`path`: " prefix.
fn included_problem(path: &str, p: load::FileProblem) -> Problem {
    let mut problem = super::file_problem(p);
    problem.message = format!("`{path}`: {}", problem.message);
    problem
}

/// GitLab's `search_files_by_wildcard_path`: the path is escaped, then `**` becomes
/// `.*?` and `*` becomes `[^/]*?`, anchored at both ends. Braces are literal.
pub fn wildcard_regex(path: &str) -> Regex {
    let escaped = regex::escape(path);
    let pattern = escaped.replace(r"\*\*", ".*?").replace(r"\*", "[^/]*?");
    Regex::new(&format!("^{pattern}$")).unwrap_or_else(|_| Regex::new("^$").expect("valid"))
}

/// Every file under the repository root, as `/`-separated relative paths, sorted.
fn list_files(root: &Path) -> Vec<String> {
    const MAX_FILES: usize = 200_000;
    let mut out: Vec<String> = load::files_below(root, &|name| name == ".git", MAX_FILES)
        .iter()
        .filter_map(|path| {
            let rel = path.strip_prefix(root).ok()?;
            let parts: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            Some(parts.join("/"))
        })
        .collect();
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::wildcard_regex;

    #[test]
    fn gitlab_wildcards() {
        assert!(wildcard_regex("configs/*.yml").is_match("configs/a.yml"));
        assert!(!wildcard_regex("configs/*.yml").is_match("configs/sub/b.yml"));
        assert!(wildcard_regex("configs/**.yml").is_match("configs/sub/b.yml"));
        assert!(wildcard_regex("configs/**.yml").is_match("configs/a.yml"));
        assert!(!wildcard_regex("configs/**/*.yml").is_match("configs/a.yml"));
        assert!(wildcard_regex("configs/**/*.yml").is_match("configs/x/a.yml"));
        assert!(!wildcard_regex("configs/{a,b}.yml").is_match("configs/a.yml"));
    }
}
