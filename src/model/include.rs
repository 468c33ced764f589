//! `include:` resolution. Local files (exact paths and GitLab's `*`/`**` wildcards) are
//! read from the repository root and merged first; the including file wins. Other kinds
//! (`project`, `remote`, `template`, `component`) are read through [`crate::fetch`] when
//! it is given (from its cache, or the network when allowed; `external.rs`); what cannot
//! be read is recorded so that rules know the pipeline is incomplete.

mod external;
mod items;

use std::cell::OnceCell;
use std::path::{Path, PathBuf};

use regex::Regex;

use super::inputs;
use super::merge::{deep_merge, without_key};
use super::problem::{Problem, ProblemKind};
use crate::fetch::{ComponentInfo, Includes, Tree};
use crate::load::{self, FileId, NodeRef, Sources, Span};
use items::{has_yaml_extension, normalise, Item};
pub use items::{IncludeEntry, Target};

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
    /// Why it was not read (not in the cache, a failed fetch), when it was tried.
    pub reason: Option<String>,
}

impl Unresolved {
    /// Not read, and not yet tried or refused.
    pub fn new(kind: &'static str, location: String, span: Span) -> Unresolved {
        Unresolved {
            kind,
            location,
            span,
            invalid: false,
            reason: None,
        }
    }
}

/// A file read from beyond the repository.
#[derive(Clone, Debug)]
pub struct FetchedFile {
    pub file: FileId,
    /// The include in the repository's files that brought it in.
    pub included_at: Span,
    /// Something to say with its findings (how `~latest` was read offline).
    pub note: Option<String>,
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
    /// The includes as written, in every file read.
    pub entries: Vec<IncludeEntry>,
    pub fetched: Vec<FetchedFile>,
    /// Project, component, template and remote includes are read through this.
    pub includes: Option<&'a Includes>,
    /// The file belongs to a top-level pipeline (no parent: `artifact:` is refused).
    pub entry_pipeline: bool,
    repo_files: OnceCell<Vec<String>>,
    count: usize,
    /// Where local includes resolve: the repository (`None`) or a project's tree.
    base: Vec<Option<Tree>>,
    /// The include of a repository file that led to the file being expanded.
    origin: Vec<Span>,
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
            entries: Vec::new(),
            fetched: Vec::new(),
            includes: None,
            entry_pipeline: false,
            repo_files: OnceCell::new(),
            count: 0,
            base: Vec::new(),
            origin: Vec::new(),
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
        let mut merge = |config: NodeRef| {
            merged = Some(match merged.take() {
                None => config,
                Some(m) => deep_merge(&m, &config),
            });
        };
        for item in normalise(&include, self.entry_pipeline) {
            self.entries.extend(item.entry());
            match item {
                Item::Invalid(span, message) => {
                    self.problems
                        .push(Problem::new(ProblemKind::IncludeInvalid, span, message))
                }
                Item::Other(u) => self.unresolved.push(u),
                Item::External(e) => {
                    for config in self.external(e, chain) {
                        merge(config);
                    }
                }
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
                    if let Some(tree) = self.base.last().cloned().flatten() {
                        let configs = self.local_in_tree(
                            &tree,
                            &path,
                            span,
                            inputs.as_ref(),
                            conditional,
                            chain,
                        );
                        configs.into_iter().for_each(&mut merge);
                        continue;
                    }
                    for file in self.local_paths(&path) {
                        if let Some(config) =
                            self.include_file(&file, span, inputs.as_ref(), conditional, chain)
                        {
                            merge(config);
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
    fn local_paths(&mut self, path: &str) -> Vec<String> {
        matching(path, || self.repo_files().clone())
    }

    fn repo_files(&self) -> &Vec<String> {
        self.repo_files.get_or_init(|| match &self.root {
            Some(root) => list_files(root),
            None => Vec::new(),
        })
    }

    /// GitLab's checks before reading an included file: a YAML name, no variables left,
    /// no loop, within the include limit.
    fn admit(&mut self, path: &str, span: Span, chain: &[String]) -> bool {
        self.name_admitted(path, span) && self.admit_nested(path, span, chain)
    }

    /// A YAML name with no variables left.
    fn name_admitted(&mut self, path: &str, span: Span) -> bool {
        if !has_yaml_extension(path) {
            self.problems.push(Problem::new(
                ProblemKind::IncludeInvalid,
                span,
                format!("Included file `{path}` does not have YAML extension!"),
            ));
            return false;
        }
        if path.contains('$') {
            // Variables in include paths expand at pipeline creation time.
            self.unresolved
                .push(Unresolved::new("local", path.to_string(), span));
            return false;
        }
        true
    }

    /// No loop, within the include limit.
    fn admit_nested(&mut self, path: &str, span: Span, chain: &[String]) -> bool {
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
            return false;
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
            return false;
        }
        true
    }

    fn include_file(
        &mut self,
        path: &str,
        span: Span,
        inputs: Option<&NodeRef>,
        conditional: bool,
        chain: &mut Vec<String>,
    ) -> Option<NodeRef> {
        if !self.admit(path, span, chain) {
            return None;
        }
        let Some(root) = self.root.clone() else {
            self.unresolved
                .push(Unresolved::new("local", path.to_string(), span));
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
                            self.unresolved
                                .push(Unresolved::new("local", path.to_string(), span));
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
        let empty = format!("Local file `{path}` is empty!");
        self.expand_file(id, path, span, inputs, &empty, chain, None)
    }

    /// Merge an included file (already in `sources`): its header's inputs interpolated,
    /// its own includes expanded with `base` as where local includes resolve.
    #[allow(clippy::too_many_arguments)]
    fn expand_file(
        &mut self,
        id: FileId,
        path: &str,
        span: Span,
        inputs: Option<&NodeRef>,
        empty: &str,
        chain: &mut Vec<String>,
        component: Option<&ComponentInfo>,
    ) -> Option<NodeRef> {
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
                self.problems
                    .push(Problem::new(ProblemKind::IncludeInvalid, span, empty));
            } else {
                self.problems.push(included_problem(path, p));
            }
            return None;
        }
        let mut content = parsed.content?;
        if let (Some(c), Some(header)) = (component, &parsed.header) {
            content = inputs::interpolate_component(header, &content, c);
        }
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

/// The paths `path` names: itself, or the matches of a wildcard among `files()`.
fn matching(path: &str, files: impl FnOnce() -> Vec<String>) -> Vec<String> {
    let path = path.trim_start_matches('/').to_string();
    if !path.contains('*') {
        return vec![path];
    }
    let re = wildcard_regex(&path);
    // GitLab accepts a wildcard that matches nothing: it includes nothing.
    files().into_iter().filter(|f| re.is_match(f)).collect()
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
