//! Deep merge the way ActiveSupport's `Hash#deep_merge` does it: hashes merge key by key
//! (the base's key order kept, new keys appended), anything else is replaced.
//! Values keep the spans of the place they were written.

use std::sync::Arc;

use crate::load::yaml::{Entry, Map, Node, Style, Value};
use crate::load::NodeRef;

pub fn deep_merge(base: &NodeRef, over: &NodeRef) -> NodeRef {
    match (base.as_map(), over.as_map()) {
        (Some(b), Some(o)) => {
            let mut merged: Map = b.clone();
            for (key, entry) in o.iter() {
                let value = match merged.get(key) {
                    Some(bv) if bv.as_map().is_some() && entry.value.as_map().is_some() => {
                        deep_merge(bv, &entry.value)
                    }
                    _ => entry.value.clone(),
                };
                merged.insert(
                    key.clone(),
                    Entry {
                        key_span: entry.key_span,
                        value,
                    },
                );
            }
            Arc::new(Node {
                span: over.span,
                tag: over.tag.clone(),
                style: Style::Other,
                value: Value::Map(merged),
            })
        }
        _ => over.clone(),
    }
}

/// A copy of a mapping node with one key removed.
pub fn without_key(node: &NodeRef, key: &str) -> NodeRef {
    match node.as_map() {
        Some(m) if m.contains_key(key) => {
            let mut m = m.clone();
            m.shift_remove(key);
            Arc::new(Node {
                span: node.span,
                tag: node.tag.clone(),
                style: Style::Other,
                value: Value::Map(m),
            })
        }
        _ => node.clone(),
    }
}
