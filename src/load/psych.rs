//! Ruby Psych as GitLab calls it (`YAML.safe_load(permitted_classes: [Symbol, Reference])`,
//! `Gitlab::Config::Loader::MultiDocYaml`): the classes its safe load refuses and the
//! wording and position of its syntax errors.

use std::sync::LazyLock;

use regex::Regex;

// Ruby's `\d` and `\s` are ASCII: `[0-9]` and `[ \t\r\n\f\v]` (Rust's are Unicode).
/// `ScalarScanner#tokenize`: a plain `2024-01-31` is a `Date`.
static DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[0-9]{4}-(?:1[012]|0[0-9]|[0-9])-(?:[12][0-9]|3[01]|0[0-9]|[0-9])$")
        .expect("date pattern")
});
/// `ScalarScanner::TIME`: a plain `2024-01-31 10:00:00` is a `Time`.
static TIME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^-?[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t\r\n\f\v]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?(?:[ \t\r\n\f\v]*(?:Z|[-+][0-9]{1,2}:?(?:[0-9]{2})?))?$",
    )
    .expect("time pattern")
});

/// Both patterns start with four digits and a dash (a time may have a `-` before): most
/// scalars are told apart here, and the patterns are built only for one that is not.
fn may_be_date_or_time(text: &str) -> bool {
    let b = text.strip_prefix('-').unwrap_or(text).as_bytes();
    b.len() >= 8 && b[..4].iter().all(u8::is_ascii_digit) && b[4] == b'-'
}
/// `MultiDocYaml::MULTI_DOC_DIVIDER`.
static DIVIDER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?m)^---\s+").expect("divider pattern"));

/// The class Psych would build for a node with this tag (`tag`, as kaslint spells it:
/// `!!omap`, `!ruby/object:Foo`) or, for an untagged plain scalar, this text; `Some`
/// when the safe load refuses it (`Psych::DisallowedClass`).
pub(super) fn disallowed_class(tag: Option<&str>, plain: Option<&str>) -> Option<String> {
    if let Some(tag) = tag {
        let class = match tag {
            "!!omap" | "!omap" => Some("Psych::Omap"),
            "!!set" | "!set" => Some("Psych::Set"),
            "!ruby/regexp" => Some("Regexp"),
            "!ruby/range" => Some("Range"),
            _ => None,
        };
        if let Some(c) = class {
            return Some(c.to_string());
        }
        for prefix in [
            "!ruby/object:",
            "!ruby/struct:",
            "!ruby/hash:",
            "!ruby/array:",
        ] {
            if let Some(name) = tag.strip_prefix(prefix).filter(|n| !n.is_empty()) {
                return Some(name.to_string());
            }
        }
        return None;
    }
    let text = plain.filter(|t| may_be_date_or_time(t))?;
    if DATE.is_match(text) {
        Some("Date".into())
    } else if TIME.is_match(text) {
        Some("Time".into())
    } else {
        None
    }
}

/// The parser's wording → libyaml's (`problem context`), where they differ.
const LIBYAML_WORDING: &[(&str, &str)] = &[
    (
        "simple key expected ':'",
        "could not find expected ':' while scanning a simple key",
    ),
    (
        "tab cannot be used as indentation",
        "found character that cannot start any token while scanning for the next token",
    ),
    (
        "tabs disallowed within this context (block indentation)",
        "found character that cannot start any token while scanning for the next token",
    ),
    (
        "tabs disallowed in this context",
        "found character that cannot start any token while scanning for the next token",
    ),
    (
        "unclosed quote",
        "found unexpected end of stream while scanning a quoted scalar",
    ),
    (
        "while parsing node, found unknown anchor",
        "found undefined alias",
    ),
    (
        "duplicate version directive",
        "found duplicate %YAML directive",
    ),
    (
        "unclosed bracket '['",
        "did not find expected ',' or ']' while parsing a flow sequence",
    ),
    (
        "unclosed bracket '{'",
        "did not find expected ',' or '}' while parsing a flow mapping",
    ),
    (
        "invalid trailing content after single-quoted scalar",
        "did not find expected key while parsing a block mapping",
    ),
    (
        "invalid trailing content after double-quoted scalar",
        "did not find expected key while parsing a block mapping",
    ),
];

/// libyaml's text and context mark for the parser's error `info` at `at` of `src`, with
/// the collections `open` there (outermost first: is it a mapping, its mark); the
/// wording depends on where the parser stood: brackets closed in the wrong place.
pub(super) fn libyaml_error(
    src: &str,
    open: &[(bool, usize)],
    info: &str,
    at: usize,
) -> (String, Option<usize>) {
    let before = src[..at.min(src.len())].trim_end();
    let innermost_map = open.last().is_some_and(|(map, _)| *map);
    let text = match info {
        // A closing bracket where a value starts, or after a complete node.
        "misplaced bracket" if before.ends_with(['-', ':']) => {
            return (
                "did not find expected node content while parsing a block node".into(),
                Some(at),
            );
        }
        "misplaced bracket" if innermost_map => {
            "did not find expected key while parsing a block mapping".into()
        }
        "misplaced bracket" => {
            "did not find expected '-' indicator while parsing a block collection".into()
        }
        // An item left out after the last comma, at the end of the input.
        "unclosed bracket '['" | "unclosed bracket '{'" if src.trim_end().ends_with(',') => {
            return (
                "did not find expected node content while parsing a flow node".into(),
                Some(src.len()),
            );
        }
        // A `key: value` inside an unclosed flow collection on a later line.
        "illegal placement of ':' indicator" if open_flow(src, open).is_some() => {
            let (open, mark) = open_flow(src, open).unwrap_or_default();
            let text = if open == b'[' {
                "did not find expected ',' or ']' while parsing a flow sequence"
            } else {
                "did not find expected ',' or '}' while parsing a flow mapping"
            };
            return (text.into(), Some(mark));
        }
        _ if info.starts_with("mismatched bracket '['") => {
            "did not find expected ',' or ']' while parsing a flow sequence".into()
        }
        _ if info.starts_with("mismatched bracket '{'") => {
            "did not find expected ',' or '}' while parsing a flow mapping".into()
        }
        _ => libyaml_text(info),
    };
    let mark = context_mark(src, open, &text, at);
    (text, mark)
}

/// The innermost open collection when it is a flow one: its bracket and position.
fn open_flow(src: &str, open: &[(bool, usize)]) -> Option<(u8, usize)> {
    let (_, mark) = *open.last()?;
    let open = *src.as_bytes().get(mark)?;
    matches!(open, b'[' | b'{').then_some((open, mark))
}

/// libyaml's context mark for an error `text` at `at`: where the open collection it
/// names began; for a character that cannot start a token, the first tab of a run.
fn context_mark(src: &str, open: &[(bool, usize)], text: &str, at: usize) -> Option<usize> {
    if text.starts_with("found character that cannot start any token") {
        let before = &src.as_bytes()[..at.min(src.len())];
        let tabs = before.iter().rev().take_while(|b| **b == b'\t').count();
        return Some(at - tabs);
    }
    let map = text.ends_with("while parsing a block mapping")
        || text.ends_with("while parsing a flow mapping");
    let seq = text.ends_with("while parsing a block sequence")
        || text.ends_with("while parsing a block collection")
        || text.ends_with("while parsing a flow sequence");
    // `did not find expected key` after a quoted scalar: the innermost mapping only.
    let innermost = text.starts_with("did not find expected key");
    open.iter()
        .rev()
        .take(if innermost { 1 } else { usize::MAX })
        .find_map(|(is_map, mark)| ((*is_map && map) || (!*is_map && seq)).then_some(*mark))
}

/// A tag as written in the YAML's own short forms (`!!omap`, `!reference`).
pub(super) fn tag_text(tag: &granit_parser::Tag) -> Box<str> {
    match tag.handle() {
        "!" => format!("!{}", tag.suffix()).into(),
        "tag:yaml.org,2002:" => format!("!!{}", tag.suffix()).into(),
        h => format!("{h}{}", tag.suffix()).into(),
    }
}

/// `Psych::DisallowedClass#message`.
pub(super) fn disallowed_message(class: &str) -> String {
    format!("Tried to load unspecified class: {class}")
}

/// libyaml's `problem context` text for the parser's error `info` (kaslint's parser
/// writes `context, problem`, and words some errors its own way).
pub(super) fn libyaml_text(info: &str) -> String {
    if let Some((_, theirs)) = LIBYAML_WORDING.iter().find(|(ours, _)| *ours == info) {
        return theirs.to_string();
    }
    if info.starts_with("unexpected character: ") {
        return "found character that cannot start any token while scanning for the next token"
            .into();
    }
    match info.split_once(", ") {
        Some((context, problem)) if context.starts_with("while ") => format!("{problem} {context}"),
        _ => info.to_string(),
    }
}

/// `Psych::SyntaxError#message`: libyaml's `text` at byte `at` of `src` (`context_at`:
/// where the construct being parsed began, libyaml's context mark). Lines and columns
/// count from the start of the document piece GitLab parses on its own (the text after
/// a `---` divider), as GitLab shows them.
pub(super) fn syntax_message(
    src: &str,
    text: &str,
    at: usize,
    context_at: Option<usize>,
) -> String {
    let mark = context_at.unwrap_or(at).min(src.len());
    let (line, column) = document_position(src, mark);
    format!("(<unknown>): {text} at line {line} column {column}")
}

/// The 1-based line and column of byte `at` within its document piece.
fn document_position(src: &str, at: usize) -> (usize, usize) {
    let start = DIVIDER
        .find_iter(src)
        .take(2)
        .map(|m| m.end())
        .filter(|e| *e <= at)
        .last()
        .unwrap_or(0);
    let piece = &src[start..floor_char(src, at)];
    let line = piece.matches('\n').count() + 1;
    let line_start = piece.rfind('\n').map_or(0, |i| i + 1);
    (line, piece[line_start..].chars().count() + 1)
}

fn floor_char(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_psych_refuses() {
        let cases: &[(Option<&str>, Option<&str>, Option<&str>)] = &[
            (Some("!!omap"), None, Some("Psych::Omap")),
            (Some("!!set"), None, Some("Psych::Set")),
            (Some("!ruby/object:Foo"), None, Some("Foo")),
            (Some("!!str"), None, None),
            (Some("!reference"), None, None),
            (None, Some("2024-01-31"), Some("Date")),
            (None, Some("2024-01-31 10:00:00"), Some("Time")),
            (None, Some("2024-13-01"), None),
            (None, Some("v2024-01-31"), None),
            (None, Some("2024-1-5"), Some("Date")),
            (None, Some("-2024-01-31T10:00:00Z"), Some("Time")),
            (None, Some("2024-01-31t10:00:00.5 +01:00"), Some("Time")),
            // Ruby's `\d` is ASCII: Arabic-Indic digits are a string.
            (None, Some("\u{663}\u{663}\u{663}\u{663}-01-31"), None),
            (None, Some("1.5"), None),
        ];
        for (tag, plain, want) in cases {
            assert_eq!(
                disallowed_class(*tag, *plain).as_deref(),
                *want,
                "{tag:?} {plain:?}"
            );
        }
    }

    #[test]
    fn libyaml_wording() {
        let rows = [
            (
                "unclosed bracket '['",
                "did not find expected ',' or ']' while parsing a flow sequence",
            ),
            (
                "simple key expected ':'",
                "could not find expected ':' while scanning a simple key",
            ),
            (
                "unexpected character: `@'",
                "found character that cannot start any token while scanning for the next token",
            ),
            (
                "while parsing a block mapping, did not find expected key",
                "did not find expected key while parsing a block mapping",
            ),
        ];
        for (ours, theirs) in rows {
            assert_eq!(libyaml_text(ours), theirs);
        }
    }

    #[test]
    fn syntax_messages_as_gitlab_shows_them() {
        let src = "spec:\n  inputs: {}\n---\njob:\n  script: [x\n";
        let at = src.find("[x").unwrap();
        assert_eq!(
            syntax_message(
                src,
                &libyaml_text("while parsing a flow sequence, expected ',' or ']'"),
                src.len(),
                Some(at)
            ),
            "(<unknown>): expected ',' or ']' while parsing a flow sequence at line 2 column 11"
        );
        assert_eq!(
            syntax_message(
                "a: b: c\n",
                &libyaml_text("mapping values are not allowed in this context"),
                4,
                None
            ),
            "(<unknown>): mapping values are not allowed in this context at line 1 column 5"
        );
    }
}
