//! The scalar position decoder: a scalar decoded again from its file bytes, with the source byte
//! range of every decoded byte, for every YAML scalar style (plain and quoted with line
//! folding and escapes, literal and folded blocks with chomping and indentation
//! indicators). The decoding is checked against the parser's value before it is trusted.

use std::sync::OnceLock;

use regex::Regex;

use crate::load::yaml::Style;

/// A scalar's text and, for each of its bytes, the file bytes of the character it came from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Decoded {
    pub text: String,
    /// One `(start, end)` file byte range per byte of `text`.
    pub map: Vec<(u32, u32)>,
}

impl Decoded {
    fn with_capacity(n: usize) -> Self {
        Decoded {
            text: String::with_capacity(n),
            map: Vec::with_capacity(n),
        }
    }
    fn push(&mut self, c: char, start: usize, end: usize) {
        self.text.push(c);
        for _ in 0..c.len_utf8() {
            self.map.push((start as u32, end as u32));
        }
    }
    fn truncate(&mut self, len: usize) {
        self.text.truncate(len);
        self.map.truncate(len);
    }
}

/// Decode the scalar written at `start..end` of `src` in `style`. `expected` (the parser's
/// value) picks the indentation of a block scalar with an explicit indentation indicator.
pub fn decode(
    src: &str,
    start: usize,
    end: usize,
    style: Style,
    expected: Option<&str>,
) -> Option<Decoded> {
    let end = end.min(src.len());
    if start > end || !src.is_char_boundary(start) || !src.is_char_boundary(end) {
        return None;
    }
    let start = skip_properties(src, start, end);
    match style {
        Style::Plain => Some(flow(src, start, end, Flow::Plain)),
        Style::SingleQuoted => {
            let inner = quoted_inner(src, start, end, '\'')?;
            Some(flow(src, inner.0, inner.1, Flow::Single))
        }
        Style::DoubleQuoted => {
            let inner = quoted_inner(src, start, end, '"')?;
            Some(flow(src, inner.0, inner.1, Flow::Double))
        }
        Style::Literal | Style::Folded => {
            let at = block_header(src, start)?;
            block(src, at, style == Style::Folded, expected)
        }
        Style::Other => None,
    }
}

/// Where the bytes of a scalar's value are in its file: the value as written (a plain
/// scalar on one line, the common case, needs no decoding) or decoded byte by byte.
pub enum Positions {
    /// The value is the file's text from this byte on.
    Verbatim(usize),
    /// One `(start, end)` file byte range per byte of the value.
    Decoded(Vec<(u32, u32)>),
}

impl Positions {
    /// The positions of `value`, the parser's value of the scalar written at `start..end`
    /// in `style`; `None` when the text cannot be matched to the value.
    pub fn of(src: &str, start: usize, end: usize, style: Style, value: &str) -> Option<Self> {
        if src.get(start..end) == Some(value) {
            return Some(Positions::Verbatim(start));
        }
        let d = decode(src, start, end, style, Some(value)).filter(|d| d.text == value)?;
        Some(Positions::Decoded(d.map))
    }

    /// The file byte range of the value's bytes `start..end` (`start < end <= value.len()`).
    pub fn range(&self, start: usize, end: usize) -> (usize, usize) {
        match self {
            Positions::Verbatim(at) => (at + start, at + end),
            Positions::Decoded(m) => (m[start].0 as usize, m[end - 1].1 as usize),
        }
    }
}

/// Text still holding an input or component placeholder (`$[[ ... ]]`).
pub fn has_placeholder(text: &str) -> bool {
    text.contains("$[[")
}

pub fn placeholder_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"\$\[\[[^\n]*?\]\]").expect("valid regex"))
}

/// Whether `decoded` (text as written, placeholders included) is the parser's `value`,
/// allowing each `$[[ ]]` placeholder to have been replaced by any text.
pub fn matches_value(decoded: &str, value: &str) -> bool {
    if decoded == value {
        return true;
    }
    if !has_placeholder(decoded) {
        return false;
    }
    let segments: Vec<&str> = placeholder_re().split(decoded).collect();
    let (Some(first), Some(last)) = (segments.first(), segments.last()) else {
        return false;
    };
    if segments.len() < 2 || !value.starts_with(first) || !value.ends_with(last) {
        return false;
    }
    let mut at = first.len();
    let limit = value.len() - last.len();
    if at > limit {
        return false;
    }
    for seg in &segments[1..segments.len() - 1] {
        match value[at..limit].find(seg) {
            Some(p) => at += p + seg.len(),
            None => return false,
        }
    }
    true
}

/// Skip a tag (`!!str`) or anchor (`&a`) written before the scalar.
fn skip_properties(src: &str, mut at: usize, end: usize) -> usize {
    let b = src.as_bytes();
    while at < end && (b[at] == b'!' || b[at] == b'&') {
        while at < end && !matches!(b[at], b' ' | b'\t' | b'\n' | b'\r') {
            at += 1;
        }
        while at < end && matches!(b[at], b' ' | b'\t') {
            at += 1;
        }
    }
    at
}

fn quoted_inner(src: &str, start: usize, end: usize, q: char) -> Option<(usize, usize)> {
    let s = src.get(start..end)?;
    (s.len() >= 2 && s.starts_with(q) && s.ends_with(q)).then_some((start + 1, end - 1))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Flow {
    Plain,
    Single,
    Double,
}

/// The length of a line break at `i` (`\n` or `\r\n`), 0 if none.
fn break_len(b: &[u8], i: usize, end: usize) -> usize {
    match b.get(i) {
        Some(b'\n') if i < end => 1,
        Some(b'\r') if i + 1 < end && b.get(i + 1) == Some(&b'\n') => 2,
        _ => 0,
    }
}

/// Past a line break at `i`: count the empty lines that follow (recording their breaks)
/// and return the first content byte of the next line.
fn skip_empty_lines(b: &[u8], mut i: usize, end: usize, breaks: &mut Vec<(usize, usize)>) -> usize {
    loop {
        let mut j = i;
        while j < end && matches!(b[j], b' ' | b'\t') {
            j += 1;
        }
        let n = break_len(b, j, end);
        if n == 0 {
            return j;
        }
        breaks.push((j, j + n));
        i = j + n;
    }
}

/// Plain and quoted scalars: line folding (a break becomes a space, empty lines become
/// breaks, whitespace around breaks is dropped) and the quoting style's escapes.
fn flow(src: &str, start: usize, end: usize, kind: Flow) -> Decoded {
    let b = src.as_bytes();
    let mut out = Decoded::with_capacity(end.saturating_sub(start));
    // Where trailing unescaped whitespace began in `out`, if the line ends in some.
    let mut trail: Option<usize> = None;
    let mut i = start;
    while i < end {
        let n = break_len(b, i, end);
        if n > 0 {
            if let Some(t) = trail.take() {
                out.truncate(t);
            }
            let first = (i, i + n);
            let mut breaks = Vec::new();
            i = skip_empty_lines(b, i + n, end, &mut breaks);
            if breaks.is_empty() {
                out.push(' ', first.0, first.1);
            } else {
                for (s, e) in breaks {
                    out.push('\n', s, e);
                }
            }
            continue;
        }
        let Some(c) = src[i..end].chars().next() else {
            break;
        };
        if kind == Flow::Single && c == '\'' && b.get(i + 1) == Some(&b'\'') && i + 1 < end {
            out.push('\'', i, i + 2);
            i += 2;
            trail = None;
            continue;
        }
        if kind == Flow::Double && c == '\\' && i + 1 < end {
            let n = break_len(b, i + 1, end);
            if n > 0 {
                // An escaped line break: nothing, and the next line's indentation goes.
                let mut breaks = Vec::new();
                i = skip_empty_lines(b, i + 1 + n, end, &mut breaks);
                for (s, e) in breaks {
                    out.push('\n', s, e);
                }
                trail = None;
                continue;
            }
            if let Some((ch, len)) = escape(&src[i + 1..end]) {
                out.push(ch, i, i + 1 + len);
                i += 1 + len;
                trail = None;
                continue;
            }
        }
        let len = c.len_utf8();
        if c == ' ' || c == '\t' {
            trail.get_or_insert(out.text.len());
        } else {
            trail = None;
        }
        out.push(c, i, i + len);
        i += len;
    }
    if kind == Flow::Plain {
        if let Some(t) = trail {
            out.truncate(t);
        }
    }
    out
}

/// A double-quoted escape (after the backslash): the character and the escape's length.
fn escape(rest: &str) -> Option<(char, usize)> {
    let c = rest.chars().next()?;
    let simple = match c {
        '0' => Some('\0'),
        'a' => Some('\x07'),
        'b' => Some('\x08'),
        't' | '\t' => Some('\t'),
        'n' => Some('\n'),
        'v' => Some('\x0b'),
        'f' => Some('\x0c'),
        'r' => Some('\r'),
        'e' => Some('\x1b'),
        ' ' => Some(' '),
        '"' => Some('"'),
        '/' => Some('/'),
        '\\' => Some('\\'),
        'N' => Some('\u{85}'),
        '_' => Some('\u{a0}'),
        'L' => Some('\u{2028}'),
        'P' => Some('\u{2029}'),
        _ => None,
    };
    if let Some(ch) = simple {
        return Some((ch, c.len_utf8()));
    }
    let digits = match c {
        'x' => 2,
        'u' => 4,
        'U' => 8,
        _ => return None,
    };
    let hex = rest.get(1..1 + digits)?;
    let code = u32::from_str_radix(hex, 16).ok()?;
    Some((char::from_u32(code)?, 1 + digits))
}

/// The `|`/`>` indicator of a block scalar whose span starts at `start` (at the
/// indicator, or at the first content character).
fn block_header(src: &str, start: usize) -> Option<usize> {
    if matches!(src.as_bytes().get(start), Some(b'|' | b'>')) {
        return Some(start);
    }
    // Back over the content's indentation and empty lines to the header line.
    let before = &src[..start];
    let header_end = before.trim_end_matches([' ', '\t', '\n', '\r']).len();
    let line_start = before[..header_end].rfind('\n').map_or(0, |i| i + 1);
    let line = &src[line_start..header_end];
    // The last indicator on the line that only a comment or nothing follows.
    let mut found = None;
    for (i, c) in line.char_indices() {
        if c == '#' && found.is_some() && line[..i].ends_with([' ', '\t']) {
            break;
        }
        if c == '|' || c == '>' {
            let rest = line[i + 1..]
                .trim_start_matches(|c: char| c.is_ascii_digit() || c == '+' || c == '-');
            let rest = rest.trim_start();
            if rest.is_empty() || rest.starts_with('#') {
                found = Some(line_start + i);
            }
        }
    }
    found
}

struct Header {
    folded: bool,
    indent: Option<usize>,
    chomp: Chomp,
    content: usize,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Chomp {
    Clip,
    Strip,
    Keep,
}

fn header(src: &str, at: usize) -> Option<Header> {
    let b = src.as_bytes();
    let folded = match b.get(at)? {
        b'|' => false,
        b'>' => true,
        _ => return None,
    };
    let mut i = at + 1;
    let mut indent = None;
    let mut chomp = Chomp::Clip;
    for _ in 0..2 {
        match b.get(i) {
            Some(d @ b'1'..=b'9') => indent = Some(usize::from(d - b'0')),
            Some(b'-') => chomp = Chomp::Strip,
            Some(b'+') => chomp = Chomp::Keep,
            _ => break,
        }
        i += 1;
    }
    let nl = src.get(i..)?.find('\n').map_or(src.len(), |p| i + p + 1);
    Some(Header {
        folded,
        indent,
        chomp,
        content: nl,
    })
}

/// One line of a block scalar: its start, end (before the break) and break end.
#[derive(Clone, Copy)]
struct Line {
    start: usize,
    end: usize,
    next: usize,
}

/// The lines from `from` up to the first one that ends any block scalar.
fn lines_from(src: &str, from: usize) -> Vec<Line> {
    let mut out = Vec::new();
    let mut i = from;
    while i < src.len() {
        let nl = src[i..].find('\n').map_or(src.len(), |p| i + p);
        let end = if nl > i && src.as_bytes()[nl - 1] == b'\r' {
            nl - 1
        } else {
            nl
        };
        out.push(Line {
            start: i,
            end,
            next: (nl + 1).min(src.len()),
        });
        // A line with text at column 0 ends every block (its indentation is at least 1):
        // the lines after it are never read, so stop (a script in a large file stays cheap).
        if end > i && src.as_bytes()[i] != b' ' {
            break;
        }
        i = nl + 1;
    }
    out
}

fn leading_spaces(src: &str, l: &Line) -> usize {
    src.as_bytes()[l.start..l.end]
        .iter()
        .take_while(|c| **c == b' ')
        .count()
}

fn block(src: &str, at: usize, folded_hint: bool, expected: Option<&str>) -> Option<Decoded> {
    let h = header(src, at)?;
    if h.folded != folded_hint {
        return None;
    }
    let lines = lines_from(src, h.content);
    match h.indent {
        None => {
            let auto = lines
                .iter()
                .find(|l| leading_spaces(src, l) < l.end - l.start)
                .map_or(1, |l| leading_spaces(src, l).max(1));
            Some(block_with(src, &lines, &h, auto))
        }
        Some(d) => {
            // The indicator is relative to the parent's indentation, which the tree does not
            // keep: try each plausible one and take the decoding that matches the value.
            let first = lines
                .iter()
                .find(|l| leading_spaces(src, l) < l.end - l.start)
                .map_or(d, |l| leading_spaces(src, l));
            let expected = expected?;
            (d..=first.max(d))
                .map(|n| block_with(src, &lines, &h, n))
                .find(|dec| matches_value(&dec.text, expected))
        }
    }
}

fn block_with(src: &str, lines: &[Line], h: &Header, indent: usize) -> Decoded {
    let b = src.as_bytes();
    let span = lines.last().map_or(0, |l| l.next) - lines.first().map_or(0, |l| l.start);
    let mut out = Decoded::with_capacity(span);
    // Whether the last text line was a "normal" (not more-indented) folded line.
    let mut prev_normal: Option<bool> = None;
    // Line breaks seen since the last text line: (the text line's break, empty lines' breaks).
    let mut pending_break: Option<(usize, usize)> = None;
    let mut empties: Vec<(usize, usize)> = Vec::new();
    let mut last_content_len = 0usize;
    let mut ended_at_content = false;
    for l in lines {
        let lead = leading_spaces(src, l);
        let len = l.end - l.start;
        if lead == len && lead <= indent {
            empties.push((l.end, l.next.max(l.end)));
            continue;
        }
        if lead < indent {
            break; // a less indented line ends the block
        }
        // A text line (literal: anything beyond the indentation; folded: normal or spaced).
        let text_start = l.start + indent.min(len);
        let normal = !matches!(b.get(text_start), Some(b' ' | b'\t')) && text_start < l.end;
        if let Some(pb) = pending_break.take() {
            if h.folded && prev_normal == Some(true) && normal {
                if empties.is_empty() {
                    out.push(' ', pb.0, pb.1);
                } else {
                    for (s, e) in empties.drain(..) {
                        out.push('\n', s, e);
                    }
                }
            } else {
                out.push('\n', pb.0, pb.1);
                for (s, e) in empties.drain(..) {
                    out.push('\n', s, e);
                }
            }
        } else {
            for (s, e) in empties.drain(..) {
                out.push('\n', s, e);
            }
        }
        let mut i = text_start;
        while i < l.end {
            let Some(c) = src[i..l.end].chars().next() else {
                break;
            };
            out.push(c, i, i + c.len_utf8());
            i += c.len_utf8();
        }
        last_content_len = out.text.len();
        ended_at_content = true;
        prev_normal = Some(normal);
        pending_break = Some((l.end, l.next.max(l.end)));
    }
    // Chomping: the last text line's break and the trailing empty lines.
    if ended_at_content {
        match h.chomp {
            Chomp::Strip => out.truncate(last_content_len),
            Chomp::Clip => {
                if let Some(pb) = pending_break {
                    out.push('\n', pb.0, pb.1);
                }
            }
            Chomp::Keep => {
                if let Some(pb) = pending_break {
                    out.push('\n', pb.0, pb.1);
                }
                for (s, e) in empties.drain(..) {
                    out.push('\n', s, e);
                }
            }
        }
    } else if h.chomp == Chomp::Keep {
        for (s, e) in empties.drain(..) {
            out.push('\n', s, e);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(src: &str, style: Style, want: &str) {
        // The scalar is the value of the first `k: ` in `src`.
        let start = src.find("k: ").expect("k: ") + 3;
        let end = match style {
            Style::Literal | Style::Folded => src.len(),
            _ => src[start..]
                .find("\nz:")
                .map_or(src.len(), |p| start + p)
                .min(src.len()),
        };
        let end = if matches!(style, Style::Literal | Style::Folded) {
            end
        } else {
            start + src[start..end].trim_end().len()
        };
        let d = decode(src, start, end, style, Some(want)).expect("decodes");
        assert_eq!(d.text, want, "{src:?}");
        assert_eq!(d.map.len(), d.text.len());
        // Every non-synthesized char maps to itself.
        for (i, c) in d.text.char_indices() {
            let (s, e) = d.map[i];
            let orig = &src[s as usize..e as usize];
            if !matches!(c, ' ' | '\n') && !orig.starts_with('\\') && orig != "''" {
                assert_eq!(orig, c.to_string(), "char {c:?} at {i} in {src:?}");
            }
        }
    }

    /// (YAML, style of `k`'s scalar, the decoded text).
    const STYLES: &[(&str, Style, &str)] = &[
        ("k: echo é $X\n", Style::Plain, "echo é $X"),
        (
            "k: echo a\n   b\n\n   c\nz: 1\n",
            Style::Plain,
            "echo a b\nc",
        ),
        ("k: 'it''s\t $X'\n", Style::SingleQuoted, "it's\t $X"),
        (
            "k: \"a\\tb \\u00e9\\x41 \\\"q\\\" \\\\ $X\"\n",
            Style::DoubleQuoted,
            "a\tb éA \"q\" \\ $X",
        ),
        ("k: \"a  \n    b\\\n    c\"\n", Style::DoubleQuoted, "a bc"),
        ("k: \"a \\\n  b\"\n", Style::DoubleQuoted, "a b"),
        ("k: |\n  a\n    b\n\n  c\n", Style::Literal, "a\n  b\n\nc\n"),
        ("k: |-\n  a\n  b\n\n", Style::Literal, "a\nb"),
        ("k: |+\n  a\n\n", Style::Literal, "a\n\n"),
        ("k: |2\n    a\n  b\n", Style::Literal, "  a\nb\n"),
        (
            "k: >\n  a\n  b\n\n  c\n    d\n  e\n",
            Style::Folded,
            "a b\nc\n  d\ne\n",
        ),
        ("k: >-\n  a\n  b\n", Style::Folded, "a b"),
        ("k: |\n  a\n# c\nz: 1\n", Style::Literal, "a\n"),
    ];

    #[test]
    fn flow_and_block_styles() {
        for &(src, style, want) in STYLES {
            check(src, style, want);
        }
    }

    #[test]
    fn positions_verbatim_and_decoded() {
        let src = "a: echo $X\nb: \"say \\\"hi\\\" $Y\"\n";
        let p = Positions::of(src, 3, 10, Style::Plain, "echo $X").unwrap();
        assert!(matches!(p, Positions::Verbatim(3)));
        assert_eq!(&src[p.range(5, 7).0..p.range(5, 7).1], "$X");
        let start = src.find('"').unwrap();
        let p = Positions::of(
            src,
            start,
            src.len() - 1,
            Style::DoubleQuoted,
            "say \"hi\" $Y",
        )
        .unwrap();
        let (s, e) = p.range(4, 8);
        assert_eq!(&src[s..e], "\\\"hi\\\"");
        let (s, e) = p.range(9, 11);
        assert_eq!(&src[s..e], "$Y");
    }
}
