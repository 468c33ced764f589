//! Problems found while building the model (loading, includes, `extends`, `!reference`).
//! Each kind is reported by exactly one rule in `src/rules/`.

use crate::load::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ProblemKind {
    YamlSyntax,
    YamlLimit,
    ConfigFormat,
    DuplicateKey,
    IncludeMissing,
    IncludeLoop,
    IncludeInvalid,
    IncludeNotChecked,
    ExtendsUnknown,
    ExtendsCircular,
    ExtendsTooDeep,
    ExtendsInvalid,
    ReferenceNotFound,
    ReferenceCircular,
    Inputs,
}

/// A finding of a shared pass before a rule reports it: of the model (`K` = [`ProblemKind`])
/// or of GitLab's validation (`rules::gitlab::finding::Class`); `rules/reported.rs` maps
/// each kind to its rule.
#[derive(Clone, Debug)]
pub struct Problem<K = ProblemKind> {
    pub kind: K,
    pub span: Span,
    pub message: String,
    /// Other places that explain the problem, with a label each.
    pub related: Vec<(Span, String)>,
    pub help: Option<String>,
    pub job: Option<String>,
}

impl<K> Problem<K> {
    pub fn new(kind: K, span: Span, message: impl Into<String>) -> Self {
        Problem {
            kind,
            span,
            message: message.into(),
            related: Vec::new(),
            help: None,
            job: None,
        }
    }
    pub fn related(mut self, span: Span, label: impl Into<String>) -> Self {
        self.related.push((span, label.into()));
        self
    }
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
    pub fn job(mut self, job: impl Into<String>) -> Self {
        self.job = Some(job.into());
        self
    }
}
