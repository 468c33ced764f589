//! A fix's data: its edits and how safe it is, carried by a finding. Building fixes and
//! applying them live above, in [`crate::fix`] and [`crate::autofix`].

use serde::Serialize;

use crate::load::Span;

/// How sure a fix is to keep what the user meant (ordered: `DisplayOnly < Unsafe < Safe`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Applicability {
    /// Shown as a suggestion, never applied.
    DisplayOnly,
    /// Valid, but the job may behave differently: applied with `--unsafe-fixes`.
    Unsafe,
    /// Keeps the meaning the user plainly intended: applied with `--fix`.
    Safe,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::DisplayOnly => "display-only",
            Applicability::Unsafe => "unsafe",
            Applicability::Safe => "safe",
        }
    }
}

/// Replace the bytes of `span` (in `span.file`) with `content`; an empty span inserts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub span: Span,
    pub content: String,
}

impl Edit {
    pub fn replace(span: Span, content: impl Into<String>) -> Edit {
        Edit {
            span,
            content: content.into(),
        }
    }
    pub fn insert(file: crate::load::FileId, at: usize, content: impl Into<String>) -> Edit {
        Edit::replace(Span::point(file, at), content)
    }
}

/// A fix of one finding: what it does, how safe it is, its edits (sorted, disjoint), and
/// the key paths of the merged configuration it may change (`["deploy", "image"]`); the
/// verification allows changes there only.
#[derive(Clone, Debug)]
pub struct Fix {
    pub title: String,
    pub applicability: Applicability,
    pub edits: Vec<Edit>,
    pub changes: Vec<Vec<String>>,
    /// The nodes the edits land on, and the key paths below each top-level entry holding
    /// them that the fix changes: [`crate::fix::scope::settle`] turns them into `changes`.
    pub targets: Vec<Span>,
    pub rel: Vec<Vec<String>>,
    /// Whether [`crate::fix::scope::settle`] has capped it and named whom it changes.
    pub settled: bool,
}

impl Fix {
    /// A fix of `applicability` whose edits change the paths `changes`.
    pub fn new(
        title: impl Into<String>,
        applicability: Applicability,
        mut edits: Vec<Edit>,
        changes: Vec<Vec<String>>,
    ) -> Fix {
        edits.sort_by_key(|e| (e.span.file, e.span.start, e.span.end));
        Fix {
            title: title.into(),
            applicability,
            edits,
            changes,
            targets: Vec::new(),
            rel: Vec::new(),
            settled: true,
        }
    }
    /// At most `cap` (a shared or foreign node lowers a fix, never raises it).
    pub fn capped(mut self, cap: Applicability) -> Fix {
        self.applicability = self.applicability.min(cap);
        self
    }
    /// The range of bytes the fix touches in its first file (for ordering and overlap).
    pub fn first(&self) -> Option<Span> {
        self.edits.first().map(|e| e.span)
    }
}
