//! The position map of a script scalar: the one decoder lives in [`crate::load::posmap`].

pub use crate::load::posmap::{decode, Decoded};
