//! The spanned YAML tree. Built from granit-parser events without recursion; aliases
//! share the anchored node (`Arc`), `<<` merge keys and duplicate keys follow Psych.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use granit_parser::{Event, Parser, ScalarStyle, Span as PSpan};

use super::psych;
use super::scalar::scalar_value;
use super::source::{Comment, FileId, Span};

use super::node::Hasher;
pub use super::node::{
    DuplicateKey, Entry, ErrorKind, Loaded, Map, Node, NodeRef, Style, Value, YamlError,
};

/// GitLab's limit on nesting (`Gitlab::Config::Loader::Yaml::MAX_YAML_DEPTH`).
pub const MAX_DEPTH: usize = 100;
/// Budget on the alias-expanded size of a document, in nodes. GitLab measures the
/// expanded data (`Gitlab::Utils::DeepSize`); a billion-laughs file blows far past this
/// while real pipelines stay far below it.
pub const MAX_EXPANDED_NODES: u64 = 2_000_000;

/// A mapping key as the map needs it: its text, span, and whether it is a plain,
/// untagged `<<` candidate. Plain scalar keys skip the node allocation.
struct Key {
    text: String,
    span: Span,
    merge: bool,
}

enum Frame {
    Seq {
        start: usize,
        /// Where the collection itself begins (after its tag and anchor): libyaml's mark.
        mark: usize,
        anchor: usize,
        tag: Option<Box<str>>,
        items: Vec<NodeRef>,
    },
    Map {
        start: usize,
        /// Where the collection itself begins (after its tag and anchor): libyaml's mark.
        mark: usize,
        anchor: usize,
        tag: Option<Box<str>>,
        entries: Vec<(Key, NodeRef)>,
        key: Option<Key>,
    },
}

fn byte_range(span: &PSpan) -> (usize, usize) {
    match span.byte_range() {
        Some(r) => (r.start, r.end),
        None => {
            let s = span.start.byte_offset().unwrap_or(0);
            (s, span.end.byte_offset().unwrap_or(s))
        }
    }
}

/// What a node expands to once aliases and merges are followed.
#[derive(Clone, Copy)]
struct Measure {
    size: u64,
    depth: usize,
}

type FxHashMap<K, V> = HashMap<K, V, Hasher>;

struct Builder<'a> {
    file: FileId,
    src: &'a str,
    stack: Vec<Frame>,
    anchors: HashMap<usize, NodeRef>,
    open_anchors: HashSet<usize>,
    /// The alias-expanded size and depth of every collection built so far (a scalar's
    /// is one node, depth 0), so that a billion-laughs file is measured in time linear
    /// in its source, as it is built.
    measures: FxHashMap<*const Node, Measure>,
    references: bool,
    /// Refuse what Psych's safe load refuses (pipeline files; agent configurations are
    /// read by the agent's Go YAML, which does not).
    safe_load: bool,
    out: Loaded,
}

impl Builder<'_> {
    fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.file, start, end)
    }

    fn error(
        &self,
        kind: ErrorKind,
        at: usize,
        end: usize,
        message: impl Into<String>,
    ) -> YamlError {
        YamlError {
            kind,
            span: self.span(at, end),
            message: message.into(),
        }
    }

    fn push_node(&mut self, node: NodeRef) {
        match self.stack.last_mut() {
            None => self.out.documents.push(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { entries, key, .. }) => match key.take() {
                None => {
                    let text = key_text(self.src, &node);
                    *key = Some(Key {
                        merge: text == "<<" && node.style == Style::Plain && node.tag.is_none(),
                        text,
                        span: node.span,
                    });
                }
                Some(k) => entries.push((k, node)),
            },
        }
    }

    fn measure_of(&self, node: &NodeRef) -> Measure {
        match &node.value {
            Value::Seq(_) | Value::Map(_) => self.measures[&Arc::as_ptr(node)],
            _ => Measure { size: 1, depth: 0 },
        }
    }

    /// Record a new collection's expanded measure; an error past GitLab's limits.
    fn measure(&mut self, node: &NodeRef) -> Result<(), YamlError> {
        let mut m = Measure { size: 1, depth: 1 };
        let mut add = |c: &NodeRef| {
            let cm = self.measure_of(c);
            m.size = m.size.saturating_add(cm.size);
            m.depth = m.depth.max(cm.depth + 1);
        };
        match &node.value {
            Value::Seq(items) => items.iter().for_each(&mut add),
            Value::Map(map) => map.iter().for_each(|(_, e)| add(&e.value)),
            _ => return Ok(()),
        }
        let over = if m.size > MAX_EXPANDED_NODES {
            Some((
                ErrorKind::TooBig,
                format!("aliases expand to more than {MAX_EXPANDED_NODES} nodes (a YAML bomb?)"),
            ))
        } else if m.depth > MAX_DEPTH {
            Some((
                ErrorKind::TooDeep,
                format!("aliases expand to nesting deeper than {MAX_DEPTH} levels"),
            ))
        } else {
            None
        };
        if let Some((kind, message)) = over {
            let at = node.span.start as usize;
            return Err(self.error(kind, at, at, message));
        }
        self.measures.insert(Arc::as_ptr(node), m);
        Ok(())
    }

    fn register(&mut self, anchor: usize, node: &NodeRef) {
        if anchor != 0 {
            self.open_anchors.remove(&anchor);
            self.anchors.insert(anchor, node.clone());
        }
    }

    /// One item of the parser's stream: an event, or the syntax error that ends it.
    fn feed(&mut self, item: Item<'_>) -> Result<(), YamlError> {
        match item {
            Ok((event, span)) => self.event(event, span),
            Err(e) => {
                let at = e.marker().byte_offset().unwrap_or(0).min(self.src.len());
                let kind = if matches!(e.kind(), granit_parser::ErrorKind::RecursionLimitExceeded) {
                    ErrorKind::TooDeep
                } else {
                    ErrorKind::Syntax
                };
                let message = if kind == ErrorKind::TooDeep {
                    format!("nesting is deeper than {MAX_DEPTH} levels")
                } else {
                    let open = self.open_collections();
                    let (text, mark) = psych::libyaml_error(self.src, &open, &e.info(), at);
                    psych::syntax_message(self.src, &text, at, mark)
                };
                Err(self.error(kind, at, at, message))
            }
        }
    }

    /// libyaml's context mark for an error `text` at `at`: where the open collection it
    /// names began; for a character that cannot start a token, the first tab of a run.
    /// The open collections, outermost first: whether each is a mapping, and its mark.
    fn open_collections(&self) -> Vec<(bool, usize)> {
        self.stack
            .iter()
            .map(|f| match f {
                Frame::Seq { mark, .. } => (false, *mark),
                Frame::Map { mark, .. } => (true, *mark),
            })
            .collect()
    }

    /// `Psych::DisallowedClass` for a node GitLab's safe load refuses.
    fn refuse(
        &self,
        tag: Option<&str>,
        plain: Option<&str>,
        at: usize,
        end: usize,
    ) -> Result<(), YamlError> {
        if !self.safe_load {
            return Ok(());
        }
        match psych::disallowed_class(tag, plain) {
            Some(class) => Err(self.error(
                ErrorKind::Syntax,
                at,
                end,
                psych::disallowed_message(&class),
            )),
            None => Ok(()),
        }
    }

    fn event(&mut self, event: Event<'_>, pspan: PSpan) -> Result<(), YamlError> {
        let (start, end) = byte_range(&pspan);
        let is_seq = matches!(event, Event::SequenceStart(..));
        match event {
            Event::Comment(text, _) => self.out.comments.push(Comment {
                span: self.span(start, end),
                text: text.into_owned(),
            }),
            Event::Scalar(text, style, 0, None)
                if matches!(self.stack.last(), Some(Frame::Map { key: None, .. })) =>
            {
                // A plain key: no node, no typing (`true:` keeps its spelling).
                let plain = (style == ScalarStyle::Plain).then_some(&*text);
                self.refuse(None, plain, start, end)?;
                let span = self.span(start, end);
                if let Some(Frame::Map { key, .. }) = self.stack.last_mut() {
                    let merge = style == ScalarStyle::Plain && text == "<<";
                    *key = Some(Key {
                        text: text.into_owned(),
                        span,
                        merge,
                    });
                }
            }
            Event::Scalar(text, style, anchor, tag) => {
                let tag = tag.map(|t| psych::tag_text(&t));
                self.references |= tag.as_deref() == Some("!reference");
                let tag_start = pspan
                    .tag_start()
                    .and_then(|m| m.byte_offset())
                    .unwrap_or(start)
                    .min(start);
                let plain = (style == ScalarStyle::Plain && tag.is_none()).then_some(&*text);
                self.refuse(tag.as_deref(), plain, tag_start, end)?;
                let (style, value) = scalar_value(&text, style, tag.as_deref());
                let node = Arc::new(Node {
                    span: self.span(tag_start, end),
                    tag,
                    style,
                    value,
                });
                self.register(anchor, &node);
                self.push_node(node);
            }
            Event::SequenceStart(_, anchor, tag) | Event::MappingStart(_, anchor, tag) => {
                if self.stack.len() >= MAX_DEPTH {
                    return Err(self.error(
                        ErrorKind::TooDeep,
                        start,
                        end,
                        format!("nesting is deeper than {MAX_DEPTH} levels"),
                    ));
                }
                let tag_start = pspan
                    .tag_start()
                    .and_then(|m| m.byte_offset())
                    .unwrap_or(start)
                    .min(start);
                let tag = tag.map(|t| psych::tag_text(&t));
                self.references |= tag.as_deref() == Some("!reference");
                self.refuse(tag.as_deref(), None, tag_start, end)?;
                if anchor != 0 {
                    self.open_anchors.insert(anchor);
                }
                self.stack.push(if is_seq {
                    Frame::Seq {
                        start: tag_start,
                        mark: start,
                        anchor,
                        tag,
                        items: Vec::new(),
                    }
                } else {
                    Frame::Map {
                        start: tag_start,
                        mark: start,
                        anchor,
                        tag,
                        entries: Vec::new(),
                        key: None,
                    }
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let frame = self.stack.pop().expect("balanced events");
                let flow_end = {
                    // A flow collection ends at its closing bracket; a block one at its last child.
                    let closing = self.src.as_bytes().get(start).copied();
                    matches!(closing, Some(b']') | Some(b'}')).then_some(end)
                };
                let node = match frame {
                    Frame::Seq {
                        start: s,
                        anchor,
                        tag,
                        items,
                        ..
                    } => {
                        let e = flow_end
                            .or_else(|| items.last().map(|n| n.span.end as usize))
                            .unwrap_or(s);
                        let node = Arc::new(Node {
                            span: self.span(s, e),
                            tag,
                            style: Style::Other,
                            value: Value::Seq(items),
                        });
                        self.measure(&node)?;
                        self.register(anchor, &node);
                        node
                    }
                    Frame::Map {
                        start: s,
                        anchor,
                        tag,
                        entries,
                        key,
                        ..
                    } => {
                        let mut entries = entries;
                        if let Some(k) = key {
                            // A key without a value (cannot happen with a valid event stream).
                            let sp = k.span;
                            entries.push((k, Arc::new(Node::new(sp, Value::Null))));
                        }
                        let e = flow_end
                            .or_else(|| entries.last().map(|(_, v)| v.span.end as usize))
                            .unwrap_or(s);
                        let map = self.build_map(entries);
                        let node = Arc::new(Node {
                            span: self.span(s, e),
                            tag,
                            style: Style::Other,
                            value: Value::Map(map),
                        });
                        self.measure(&node)?;
                        self.register(anchor, &node);
                        node
                    }
                };
                self.push_node(node);
            }
            Event::Alias(id) => {
                if self.open_anchors.contains(&id) {
                    return Err(self.error(
                        ErrorKind::TooBig,
                        start,
                        end,
                        "an alias refers to the collection that contains it (recursive data)",
                    ));
                }
                let node = self.anchors.get(&id).cloned().ok_or_else(|| {
                    self.error(
                        ErrorKind::Syntax,
                        start,
                        end,
                        "an alias referenced an unknown anchor",
                    )
                })?;
                self.push_node(node);
            }
            Event::UnresolvedAlias(name) => {
                return Err(self.error(
                    ErrorKind::Syntax,
                    start,
                    end,
                    format!("An alias referenced an unknown anchor: {name}"),
                ));
            }
            // libyaml reads a document without `---` only first in the stream (after a
            // `...`, the next one needs its `---`).
            Event::DocumentStart(false, _) if !self.out.documents.is_empty() => {
                let text = "did not find expected <document start>";
                return Err(self.error(
                    ErrorKind::Syntax,
                    start,
                    start,
                    psych::syntax_message(self.src, text, start, None),
                ));
            }
            Event::StreamStart
            | Event::StreamEnd
            | Event::DocumentStart(..)
            | Event::DocumentEnd
            | Event::Anchor(..) => {}
            _ => {}
        }
        Ok(())
    }

    /// Psych's `revive_hash`: entries apply in order; `<<` merges (`hash.merge!`), a list
    /// of maps merges with earlier maps winning; a repeated key keeps its first position
    /// and its last value.
    fn build_map(&mut self, entries: Vec<(Key, NodeRef)>) -> Map {
        let mut map = Map::default();
        map.entries.reserve(entries.len());
        // Per position: the span of the explicit key written there, if any.
        let mut explicit: Vec<Option<Span>> = Vec::new();
        for (k, v) in entries {
            if k.merge {
                match &v.value {
                    Value::Map(m) => {
                        for (mk, me) in m.iter() {
                            map.insert(mk.clone(), me.clone());
                        }
                        continue;
                    }
                    Value::Seq(items) if items.iter().all(|i| i.as_map().is_some()) => {
                        let mut merged = Map::default();
                        for item in items.iter().rev() {
                            for (mk, me) in item.as_map().expect("checked").iter() {
                                merged.insert(mk.clone(), me.clone());
                            }
                        }
                        for (mk, me) in merged.entries {
                            map.insert(mk, me);
                        }
                        continue;
                    }
                    _ => {}
                }
            }
            let (i, existed) = map.insert_full(
                k.text,
                Entry {
                    key_span: k.span,
                    value: v,
                },
            );
            if explicit.len() <= i {
                explicit.resize(i + 1, None);
            }
            if existed {
                if let Some(first) = explicit[i] {
                    let key = map
                        .entries
                        .get(i)
                        .map(|(k, _)| k.clone())
                        .unwrap_or_default();
                    self.out.duplicates.push(DuplicateKey {
                        key,
                        first,
                        second: k.span,
                    });
                }
            }
            explicit[i] = Some(k.span);
        }
        map
    }
}

/// The text of a key that came as a node (an alias, a tagged or anchored scalar, a
/// collection).
fn key_text(src: &str, k: &Node) -> String {
    match &k.value {
        Value::Str(s) => s.to_string(),
        Value::Seq(_) | Value::Map(_) => src.get(k.span.range()).unwrap_or("").to_string(),
        _ => {
            // Typed plain scalars keep their spelling as key text (`true:`, `1:`).
            let raw = src.get(k.span.range()).unwrap_or("");
            raw.trim_matches(|c| c == '"' || c == '\'').to_string()
        }
    }
}

/// Files at least this big are parsed on a second thread while the tree is built.
const PIPELINE_MIN_BYTES: usize = 256 * 1024;
/// Events handed over at once.
const BATCH: usize = 2048;

type Item<'a> = Result<(Event<'a>, PSpan), granit_parser::ScanError>;

/// Parse one file's text into documents. Fails on syntax errors, nesting deeper than
/// [`MAX_DEPTH`], and alias expansion past [`MAX_EXPANDED_NODES`].
pub fn parse(file: FileId, src: &str) -> Result<Loaded, YamlError> {
    parse_on(file, src, src.len() >= PIPELINE_MIN_BYTES, true)
}

/// [`parse`] for a file Go's YAML reads (an agent configuration): no Psych class refusals.
pub fn parse_go(file: FileId, src: &str) -> Result<Loaded, YamlError> {
    parse_on(file, src, src.len() >= PIPELINE_MIN_BYTES, false)
}

/// [`parse`], with the parser on a second thread or not.
fn parse_on(
    file: FileId,
    src: &str,
    two_threads: bool,
    safe_load: bool,
) -> Result<Loaded, YamlError> {
    let options = granit_parser::options! {
        emit_unresolved_aliases: true,
        block_nesting_limit: MAX_DEPTH + 5,
        flow_nesting_limit: MAX_DEPTH + 5,
    };
    let mut builder = Builder {
        file,
        src,
        stack: Vec::new(),
        anchors: HashMap::new(),
        open_anchors: HashSet::new(),
        measures: FxHashMap::default(),
        references: false,
        safe_load,
        out: Loaded::default(),
    };
    if two_threads {
        // Big files: the parser runs on a second core, a batch of events ahead of the
        // tree builder (each is about half of the load).
        // Emptied batches go back to the parser, so that the same few buffers carry the
        // whole file (fresh memory costs a page fault per page).
        std::thread::scope(|s| {
            let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Item<'_>>>(4);
            let (spare_tx, spare_rx) = std::sync::mpsc::sync_channel::<Vec<Item<'_>>>(8);
            s.spawn(move || {
                let fresh = || {
                    spare_rx
                        .try_recv()
                        .unwrap_or_else(|_| Vec::with_capacity(BATCH))
                };
                let mut batch = fresh();
                for item in Parser::new_from_str_with_options(src, options) {
                    let stop = item.is_err();
                    batch.push(item);
                    if batch.len() == BATCH || stop {
                        let full = std::mem::replace(&mut batch, fresh());
                        // The builder hung up: it stopped at an error of its own.
                        if tx.send(full).is_err() || stop {
                            return;
                        }
                    }
                }
                let _ = tx.send(batch);
            });
            for mut batch in rx {
                for item in batch.drain(..) {
                    builder.feed(item)?;
                }
                let _ = spare_tx.try_send(batch);
            }
            Ok::<(), YamlError>(())
        })?;
    } else {
        for item in Parser::new_from_str_with_options(src, options) {
            builder.feed(item)?;
        }
    }
    builder.out.has_references = builder.references;
    Ok(builder.out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a parse gave, comparable: the documents' shapes, or the error.
    fn outcome(r: Result<Loaded, YamlError>) -> String {
        match r {
            Ok(l) => format!(
                "{:?} {} {:?}",
                l.documents
                    .iter()
                    .map(|d| format!("{d:?}"))
                    .collect::<Vec<_>>(),
                l.duplicates.len(),
                l.comments
                    .iter()
                    .map(|c| (&c.text, c.span))
                    .collect::<Vec<_>>()
            ),
            Err(e) => format!("error {:?} {:?} {}", e.kind, e.span, e.message),
        }
    }

    /// The parser on its own thread gives what it gives on this one, errors included
    /// (and the builder stopping first does not hang the parser).
    #[test]
    fn the_parser_thread_changes_nothing() {
        let deep = "a:\n".to_string()
            + &(1..130)
                .map(|i| format!("{}b:\n", "  ".repeat(i)))
                .collect::<String>();
        let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let (p, n) = ((b'a' + i - 1) as char, (b'a' + i) as char);
            bomb += &format!(
                "{n}: &{n} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
            );
        }
        let many: String = (0..3000)
            .map(|i| format!("job-{i}: # job {i}\n  <<: *d\n  script: [\"echo {i}\"]\n"))
            .collect();
        let cases = [
            format!(".d: &d {{image: alpine}}\n{many}"),
            format!(".d: &d {{image: alpine}}\n{many}broken: [unclosed\n"),
            many.clone(),
            format!(".d: &d {{image: alpine}}\n{many}{deep}"),
            format!(".d: &d {{image: alpine}}\n{many}{bomb}"),
            format!(".d: &d {{image: alpine}}\na: 1\na: 2\n{many}"),
            "spec:\n  inputs: {}\n---\njob: {script: [x]}\n".to_string(),
        ];
        for src in &cases {
            let one = outcome(parse_on(0, src, false, true));
            let two = outcome(parse_on(0, src, true, true));
            assert_eq!(one, two, "{}", &src[..src.len().min(80)]);
        }
    }
    /// Psych's message for broken YAML, as libyaml words and places it (checked against
    /// libyaml through PyYAML's C loader).
    #[test]
    fn syntax_errors_in_psych_words() {
        let rows = [
            ("job:\n  script: x\n image: alpine\n", "did not find expected key while parsing a block mapping at line 1 column 1"),
            ("job:\n\tscript: x\n", "found character that cannot start any token while scanning for the next token at line 2 column 1"),
            ("job:\n  script: [a, b\n", "did not find expected ',' or ']' while parsing a flow sequence at line 2 column 11"),
            ("job:\n  script: \"abc\n", "found unexpected end of stream while scanning a quoted scalar at line 2 column 11"),
            ("- a\nb: c\n", "did not find expected '-' indicator while parsing a block collection at line 1 column 1"),
            ("job:\n  script: 'it's'\n", "did not find expected key while parsing a block mapping at line 2 column 3"),
            ("a: b: c\n", "mapping values are not allowed in this context at line 1 column 5"),
            ("job:\n  script: [a, b]]\n", "did not find expected key while parsing a block mapping at line 2 column 3"),
            ("key: [a, b, c}\n", "did not find expected ',' or ']' while parsing a flow sequence at line 1 column 6"),
            ("job:\n  script:\n    - echo ${A\n    - }\n", "did not find expected node content while parsing a block node at line 4 column 7"),
            ("job:\n  script: x\n  needs: [a,\n", "did not find expected node content while parsing a flow node at line 4 column 1"),
            ("job:\n  script: ['a', 'b'\n  stage: test\n", "did not find expected ',' or ']' while parsing a flow sequence at line 2 column 11"),
            ("a: !foo [b\n", "did not find expected ',' or ']' while parsing a flow sequence at line 1 column 9"),
            ("job:\n  script: x\n...\njob2: y\n", "did not find expected <document start> at line 4 column 1"),
            ("before\nscript:\n  - x\n", "mapping values are not allowed in this context at line 2 column 7"),
        ];
        for (src, want) in rows {
            let got = parse(0, src).err().map(|e| e.message).unwrap_or_default();
            assert_eq!(got, format!("(<unknown>): {want}"), "{src:?}");
        }
    }
}
