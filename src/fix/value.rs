//! A tiny YAML scalar writer: a string is written plain only when Psych (YAML 1.1) reads
//! it back as the same string; otherwise it is double-quoted. `""`, `on`, `yes`, `0777`,
//! `1.27`, `~`, `null`, `2024-01-01`, `*x`, `a: b` all come out quoted.

use crate::load::scalar::{resolve_plain, Plain};

/// `s` as a YAML scalar that loads as the string `s` (in block or flow context).
pub fn string(s: &str) -> String {
    if plain_is_safe(s) {
        s.to_string()
    } else {
        double_quoted(s)
    }
}

/// `s` double-quoted, with YAML escapes.
pub fn double_quoted(s: &str) -> String {
    crate::load::scalar::double_quote(s, |c, _| {
        ((c as u32) < 0x20 || c == '\u{7f}').then(|| format!("\\x{:02x}", c as u32))
    })
}

/// A plain scalar reads back as itself: not retyped (null, bool, int, float, date), no
/// indicator at the start, nothing that ends or comments it, safe in flow context too.
fn plain_is_safe(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    if resolve_plain(s) != Plain::Str || looks_like_date(s) || s == "<<" || s == "=" {
        return false;
    }
    if "-?:,[]{}#&*!|>'\"%@`".contains(first) || first.is_whitespace() {
        return false;
    }
    if s.ends_with(char::is_whitespace) || s.ends_with(':') {
        return false;
    }
    // Psych reads `1:20` as a base-60 integer (80) and `1:20.5` as a float.
    if (first.is_ascii_digit() || "+-.".contains(first)) && s.contains(':') {
        return false;
    }
    if s.contains(": ") || s.contains(" #") || s.contains(['\n', '\r', '\t']) {
        return false;
    }
    // Flow indicators would end the scalar inside `[...]` or `{...}`.
    if s.contains([',', '[', ']', '{', '}']) {
        return false;
    }
    s.chars().all(|c| !c.is_control())
}

/// Psych's timestamp and date shapes (`2024-01-31`, `2024-01-31 10:00:00`).
fn looks_like_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 10
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[7] == b'-'
        && b[8..10].iter().all(u8::is_ascii_digit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_what_psych_would_retype() {
        for s in [
            "",
            "on",
            "Off",
            "yes",
            "NO",
            "true",
            "0777",
            "1.27",
            "10",
            "~",
            "null",
            "NULL",
            "2024-01-01",
            ".inf",
            "<<",
            "*x",
            "&a",
            "!tag",
            "- a",
            "a: b",
            "a #b",
            " a",
            "a ",
            "[x]",
            "{x}",
            "a,b",
            "|",
            ">",
            "%x",
            "@x",
            "`x`",
            "'a'",
            "\"a\"",
            "a\nb",
            "x:",
            "1:20",
            "-1:30",
            "190:20:30.15",
            ":sym",
        ] {
            assert!(string(s).starts_with('"'), "{s:?} must be quoted");
        }
        for s in [
            "manual",
            "none",
            "bitnami/kubectl:1.30",
            "v1.27.2",
            "1.27.2",
            "a:b",
            "y",
        ] {
            assert_eq!(string(s), s, "{s:?} stays plain");
        }
        assert_eq!(string(""), "\"\"");
        assert_eq!(string("a\"b\\c\n"), "\"a\\\"b\\\\c\\n\"");
    }

    #[test]
    fn round_trips_through_the_loader() {
        for s in [
            "",
            "on",
            "0777",
            "1.27",
            "~",
            "a: b",
            "tab\there",
            "q\"uote",
            "ünï",
        ] {
            let text = format!("k: {}\n", string(s));
            let loaded = crate::load::yaml::parse(0, &text).expect("loads");
            let doc = &loaded.documents[0];
            assert_eq!(doc.get("k").and_then(|v| v.as_str()), Some(s), "{text}");
        }
    }
}
