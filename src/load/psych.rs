//! Ruby Psych as GitLab calls it (`YAML.safe_load(permitted_classes: [Symbol, Reference])`,
//! `Gitlab::Config::Loader::MultiDocYaml`): the classes its safe load refuses and the
//! wording and position of its syntax errors.

use std::sync::LazyLock;

use regex::Regex;

/// `ScalarScanner#tokenize`: a plain `2024-01-31` is a `Date`.
static DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\d{4}-(?:1[012]|0\d|\d)-(?:[12]\d|3[01]|0\d|\d)$").expect("date pattern")
});
/// `ScalarScanner::TIME`: a plain `2024-01-31 10:00:00` is a `Time`.
static TIME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^-?\d{4}-\d{1,2}-\d{1,2}(?:[Tt]|\s+)\d{1,2}:\d\d:\d\d(?:\.\d*)?(?:\s*(?:Z|[-+]\d{1,2}:?(?:\d\d)?))?$",
    )
    .expect("time pattern")
});
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
    let text = plain?;
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
];

/// `Psych::DisallowedClass#message`.
pub(super) fn disallowed_message(class: &str) -> String {
    format!("Tried to load unspecified class: {class}")
}

/// `Psych::SyntaxError#message` for a parser error `info` (kaslint's parser writes
/// `context, problem`; libyaml's order is `problem context`) at byte `at` of `src`
/// (`context_at`: where the construct being parsed began, libyaml's context mark).
/// Lines and columns count from the start of the document piece GitLab parses on its
/// own (the text after a `---` divider), as GitLab shows them.
pub(super) fn syntax_message(
    src: &str,
    info: &str,
    at: usize,
    context_at: Option<usize>,
) -> String {
    let known = LIBYAML_WORDING.iter().find(|(ours, _)| *ours == info);
    let text = match info.split_once(", ") {
        _ if known.is_some() => known
            .map(|(_, theirs)| theirs.to_string())
            .unwrap_or_default(),
        Some((context, problem)) if context.starts_with("while ") => {
            format!("{problem} {context}")
        }
        _ => info.to_string(),
    };
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
    fn syntax_messages_as_gitlab_shows_them() {
        let src = "spec:\n  inputs: {}\n---\njob:\n  script: [x\n";
        let at = src.find("[x").unwrap();
        assert_eq!(
            syntax_message(
                src,
                "while parsing a flow sequence, expected ',' or ']'",
                src.len(),
                Some(at)
            ),
            "(<unknown>): expected ',' or ']' while parsing a flow sequence at line 2 column 11"
        );
        assert_eq!(
            syntax_message(
                "a: b: c\n",
                "mapping values are not allowed in this context",
                4,
                None
            ),
            "(<unknown>): mapping values are not allowed in this context at line 1 column 5"
        );
    }
}
