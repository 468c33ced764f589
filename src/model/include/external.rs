//! Includes read through [`crate::fetch`]: project, component, template and remote
//! files join the pipeline like local ones. Local includes inside a file read from a
//! project (or component) resolve in that project at that commit. A file that cannot be
//! read is recorded as unresolved (with the reason); one GitLab would refuse is an
//! error at the include, in GitLab's words.

use super::items::{External, Target};
use super::{matching, Resolver, Unresolved};
use crate::fetch::{FetchError, Fetched, Request, Tree};
use crate::load::{self, NodeRef, Span};
use crate::model::problem::{Problem, ProblemKind};

impl Resolver<'_> {
    /// The configurations an external include brings in.
    pub(super) fn external(&mut self, e: External, chain: &mut Vec<String>) -> Vec<NodeRef> {
        let Some(includes) = self.includes else {
            self.unresolved.push(e.unresolved);
            return Vec::new();
        };
        let span = e.unresolved.span;
        let files: Vec<Option<&str>> = match &e.target {
            Target::Project { files, .. } => files.iter().map(|f| Some(f.as_str())).collect(),
            _ => vec![None],
        };
        let mut out = Vec::new();
        for file in files {
            // GitLab's words for an empty file (`File::Project`, else `File::Base`).
            let empty = match (&e.target, file) {
                (Target::Project { project, .. }, Some(f)) => {
                    format!(
                        "Project `{project}` file `{}` is empty!",
                        f.trim_start_matches('/')
                    )
                }
                _ => format!(
                    "Included file `{}` is empty or does not exist!",
                    e.unresolved.location
                ),
            };
            let request = match (&e.target, file) {
                (
                    Target::Project {
                        project, reference, ..
                    },
                    Some(file),
                ) => Request::Project {
                    project,
                    reference: reference.as_deref(),
                    file,
                },
                (Target::Component(location), _) => Request::Component { location },
                (Target::Template(name), _) => Request::Template { name },
                (Target::Remote { url, integrity }, _) => Request::Remote {
                    url,
                    integrity: integrity.as_deref(),
                },
                _ => continue,
            };
            match includes.read(&request) {
                Ok(f) => {
                    out.extend(self.include_fetched(f, span, e.inputs.as_ref(), &empty, chain))
                }
                Err(err) => self.fetch_failed(&e.unresolved, e.conditional, err),
            }
        }
        out
    }

    /// A local include inside a file read from `tree`: read from the same commit.
    pub(super) fn local_in_tree(
        &mut self,
        tree: &Tree,
        path: &str,
        span: Span,
        inputs: Option<&NodeRef>,
        conditional: bool,
        chain: &mut Vec<String>,
    ) -> Vec<NodeRef> {
        let Some(includes) = self.includes else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for file in matching(path, || tree.files()) {
            let u = Unresolved::new("local", tree.display(&file), span);
            if !self.name_admitted(&file, span) {
                continue;
            }
            let empty = format!("Local file `{file}` is empty!");
            match includes.read(&Request::Local { tree, file: &file }) {
                Ok(f) => out.extend(self.include_fetched(f, span, inputs, &empty, chain)),
                Err(err) => self.fetch_failed(&u, conditional, err),
            }
        }
        out
    }

    fn fetch_failed(&mut self, u: &Unresolved, conditional: bool, err: FetchError) {
        let kind = match &err {
            // An include with `rules:` may never be read by GitLab: not an error.
            _ if conditional => None,
            FetchError::Refused(_) => Some(ProblemKind::IncludeMissing),
            FetchError::Invalid(_) => Some(ProblemKind::IncludeInvalid),
            FetchError::NotCached(_) | FetchError::Unavailable(_) => None,
        };
        let message = err.message().to_string();
        if let Some(kind) = kind {
            self.problems.push(Problem::new(kind, u.span, &message));
        }
        self.unresolved.push(Unresolved {
            invalid: kind.is_some(),
            reason: Some(message),
            ..u.clone()
        });
    }

    /// Merge a fetched file: named as fetched, local includes inside it resolved in its
    /// project (a project or component file) or where the including file's resolve.
    fn include_fetched(
        &mut self,
        f: Fetched,
        span: Span,
        inputs: Option<&NodeRef>,
        empty: &str,
        chain: &mut Vec<String>,
    ) -> Option<NodeRef> {
        let name = f.name.clone();
        if !self.admit_nested(&name, span, chain) {
            return None;
        }
        let id = match self.sources.find_path(&f.path) {
            Some(id) => id,
            None => {
                let (id, problem) = load::decode(self.sources, f.name, Some(&f.path), f.bytes);
                if let Some(p) = problem {
                    self.problems.push(super::included_problem(&name, p));
                    return None;
                }
                id
            }
        };
        let origin = self.origin.last().copied().unwrap_or(span);
        if !self.fetched.iter().any(|x| x.file == id) {
            self.fetched.push(super::FetchedFile {
                file: id,
                included_at: origin,
                note: f.note.clone(),
            });
        }
        let base = f
            .tree
            .clone()
            .or_else(|| self.base.last().cloned().flatten());
        self.base.push(base);
        self.origin.push(origin);
        let out = self.expand_file(id, &name, span, inputs, empty, chain, f.component.as_ref());
        self.origin.pop();
        self.base.pop();
        out
    }
}
