//! The spanned YAML tree's types: nodes with their span, tag and style, typed values,
//! mappings that keep their order (with a hash index once they are big), and what a
//! parse gives: the documents, or the error.

use std::collections::HashMap;
use std::sync::Arc;

use super::source::{Comment, Span};

pub type NodeRef = Arc<Node>;

/// How a scalar was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
    /// Collections and synthesized nodes.
    Other,
}

#[derive(Debug)]
pub struct Node {
    pub span: Span,
    pub tag: Option<Box<str>>,
    pub style: Style,
    pub value: Value,
}

#[derive(Debug)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Box<str>),
    Seq(Vec<NodeRef>),
    Map(Map),
}

/// One mapping entry: the key's span and the value.
#[derive(Clone, Debug)]
pub struct Entry {
    pub key_span: Span,
    pub value: NodeRef,
}

pub(super) type Hasher = std::hash::BuildHasherDefault<rustc_hash::FxHasher>;

/// From this many entries on, a map keeps a hash index beside its entries; below it,
/// a scan is faster than hashing (and most mappings in a pipeline are small).
const INDEXED_FROM: usize = 16;

/// A mapping with string keys, in Ruby's insertion order.
#[derive(Clone, Debug, Default)]
pub struct Map {
    pub(super) entries: Vec<(String, Entry)>,
    /// Key → position, for long maps only (boxed: every small map stays a pointer smaller).
    #[allow(clippy::box_collection)]
    index: Option<Box<HashMap<String, usize, Hasher>>>,
}

impl Map {
    fn position(&self, key: &str) -> Option<usize> {
        match &self.index {
            Some(index) => index.get(key).copied(),
            None => self.entries.iter().position(|(k, _)| k == key),
        }
    }
    fn reindex(&mut self) {
        self.index = (self.entries.len() >= INDEXED_FROM).then(|| {
            let mut index =
                HashMap::with_capacity_and_hasher(self.entries.len(), Hasher::default());
            for (i, (k, _)) in self.entries.iter().enumerate() {
                index.insert(k.clone(), i);
            }
            Box::new(index)
        });
    }
    pub fn get(&self, key: &str) -> Option<&NodeRef> {
        self.entry(key).map(|e| &e.value)
    }
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.position(key).map(|i| &self.entries[i].1)
    }
    pub fn contains_key(&self, key: &str) -> bool {
        self.position(key).is_some()
    }
    pub fn iter(&self) -> impl Iterator<Item = (&String, &Entry)> {
        self.entries.iter().map(|(k, e)| (k, e))
    }
    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.entries.iter().map(|(k, _)| k)
    }
    pub fn len(&self) -> usize {
        self.entries.len()
    }
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
    /// Insert or replace (a replaced key keeps its position).
    pub fn insert(&mut self, key: String, entry: Entry) {
        self.insert_full(key, entry);
    }
    /// Insert; the index of the key and whether it was already present.
    pub(super) fn insert_full(&mut self, key: String, entry: Entry) -> (usize, bool) {
        if let Some(i) = self.position(&key) {
            self.entries[i].1 = entry;
            return (i, true);
        }
        let i = self.entries.len();
        match &mut self.index {
            Some(index) => {
                index.insert(key.clone(), i);
                self.entries.push((key, entry));
            }
            None => {
                self.entries.push((key, entry));
                if self.entries.len() >= INDEXED_FROM {
                    self.reindex();
                }
            }
        }
        (i, false)
    }
    /// Remove a key, keeping the order of the others.
    pub fn shift_remove(&mut self, key: &str) -> Option<Entry> {
        let i = self.position(key)?;
        let (_, entry) = self.entries.remove(i);
        if self.index.is_some() {
            self.reindex();
        }
        Some(entry)
    }
}

impl Node {
    pub fn new(span: Span, value: Value) -> Node {
        Node {
            span,
            tag: None,
            style: Style::Other,
            value,
        }
    }
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }
    pub fn as_map(&self) -> Option<&Map> {
        match &self.value {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }
    pub fn as_seq(&self) -> Option<&[NodeRef]> {
        match &self.value {
            Value::Seq(s) => Some(s),
            _ => None,
        }
    }
    pub fn as_bool(&self) -> Option<bool> {
        match self.value {
            Value::Bool(b) => Some(b),
            _ => None,
        }
    }
    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }
    pub fn get(&self, key: &str) -> Option<&NodeRef> {
        self.as_map()?.get(key)
    }
    pub fn is_reference(&self) -> bool {
        self.tag.as_deref() == Some("!reference")
    }
    /// Scalars as text the way GitLab would stringify them (`true`, `1`, `1.5`).
    pub fn scalar_text(&self) -> Option<String> {
        match &self.value {
            Value::Str(s) => Some(s.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Int(i) => Some(i.to_string()),
            Value::Float(f) => Some(f.to_string()),
            Value::Null => Some(String::new()),
            _ => None,
        }
    }
    /// A node like this one (its span, tag and style) holding `value`.
    pub fn with_value(&self, value: Value) -> NodeRef {
        Arc::new(Node {
            span: self.span,
            tag: self.tag.clone(),
            style: self.style,
            value,
        })
    }
    /// Copy on write: this sequence or mapping with each child that `child` replaces
    /// (it gets the child's key in a mapping) and each key that `key` renames; `None`
    /// when nothing changed (or for a scalar).
    pub fn rewrite_children(
        &self,
        mut child: impl FnMut(Option<&str>, &NodeRef) -> Option<NodeRef>,
        key: impl Fn(&str) -> Option<String>,
    ) -> Option<NodeRef> {
        match &self.value {
            Value::Seq(items) => {
                let new: Vec<Option<NodeRef>> = items.iter().map(|i| child(None, i)).collect();
                if new.iter().all(Option::is_none) {
                    return None;
                }
                let items = items
                    .iter()
                    .zip(new)
                    .map(|(old, new)| new.unwrap_or_else(|| old.clone()))
                    .collect();
                Some(self.with_value(Value::Seq(items)))
            }
            Value::Map(map) => {
                let new: Vec<Option<NodeRef>> =
                    map.iter().map(|(k, e)| child(Some(k), &e.value)).collect();
                let keys: Vec<Option<String>> = map.keys().map(|k| key(k)).collect();
                if keys.iter().all(Option::is_none) && new.iter().all(Option::is_none) {
                    return None;
                }
                let mut out = Map::default();
                for (((old_key, entry), new), new_key) in map.iter().zip(new).zip(keys) {
                    out.insert(
                        new_key.unwrap_or_else(|| old_key.clone()),
                        Entry {
                            key_span: entry.key_span,
                            value: new.unwrap_or_else(|| entry.value.clone()),
                        },
                    );
                }
                Some(self.with_value(Value::Map(out)))
            }
            _ => None,
        }
    }
    /// A word for the value's type, as in GitLab's messages.
    pub fn type_name(&self) -> &'static str {
        match self.value {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Int(_) => "integer",
            Value::Float(_) => "float",
            Value::Str(_) => "string",
            Value::Seq(_) => "array",
            Value::Map(_) => "hash",
        }
    }
}

/// Why a file could not be loaded as YAML.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    Syntax,
    TooDeep,
    TooBig,
}

#[derive(Clone, Debug)]
pub struct YamlError {
    pub kind: ErrorKind,
    pub span: Span,
    pub message: String,
}

/// A duplicate key: Psych keeps the last value.
#[derive(Clone, Debug)]
pub struct DuplicateKey {
    pub key: String,
    pub first: Span,
    pub second: Span,
}

#[derive(Debug, Default)]
pub struct Loaded {
    pub documents: Vec<NodeRef>,
    /// Whether a `!reference` tag appears (resolution is skipped otherwise).
    pub has_references: bool,
    pub duplicates: Vec<DuplicateKey>,
    pub comments: Vec<Comment>,
}
