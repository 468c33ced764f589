//! Output formats. Line and column are computed here, from byte spans, and made 1-based.

pub mod codequality;
pub mod config_yaml;
pub mod human;
pub mod json;
pub mod junit;
pub mod options;
pub mod sarif;

pub use crate::diagnostic::{Diagnostic, Severity};
use crate::load::{Sources, Span};
pub use options::RenderOptions;

/// The findings of one checked pipeline, with the files they point into.
pub struct FileReport {
    pub sources: Sources,
    pub diagnostics: Vec<Diagnostic>,
    /// Findings hidden by `# kaslint: ignore[...]` comments.
    pub suppressed: usize,
    /// The file that was asked for (an included file checked within its pipeline is not
    /// the first file read).
    pub checked: crate::load::FileId,
}

/// A span as file name and 1-based start/end line and column.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Location {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

pub fn locate(sources: &Sources, span: Span) -> Location {
    let file = sources.get(span.file);
    let (line, column) = file.line_col(span.start);
    let (end_line, end_column) = file.line_col(span.end);
    Location {
        file: file.name.clone(),
        line,
        column,
        end_line,
        end_column,
    }
}
