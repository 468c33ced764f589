//! Fixes: edits on byte ranges of the files that hold the nodes (never a re-serialised
//! tree), each fix with an applicability. The model follows ruff (`Edit`, `Fix`,
//! `DisplayOnly < Unsafe < Safe`); see `docs/autofix.md` in the shared notes.
//!
//! - [`value`] writes YAML scalars that Psych reads back as the same string;
//! - [`text`] builds edits from nodes and spans (replace a scalar, add a key);
//! - [`scope`] caps a fix's applicability by where the node lives and who shares it;
//! - [`apply`] applies non-overlapping fixes to a text;
//! - [`verify`] refuses a fixed text that changed more than its fixes said;
//!
//! The types (`Edit`, `Fix`, `Applicability`) live with the finding, in
//! [`crate::diagnostic`]; [`crate::autofix`] drives `check --fix/--diff`.

pub mod apply;
pub mod build;
pub mod scope;
pub mod text;
pub mod value;
pub mod verify;

pub use crate::diagnostic::{Applicability, Edit, Fix};
