//! Typing of plain scalars the way Ruby's Psych (YAML 1.1) does it, since GitLab
//! parses pipelines with Psych: `yes`/`on` are booleans, `0777` is octal, `1_000` an int.

use std::sync::OnceLock;

use granit_parser::ScalarStyle;
use regex::Regex;

use super::node::{Style, Value};

/// The type Psych gives a plain (unquoted, untagged) scalar.
#[derive(Clone, Debug, PartialEq)]
pub enum Plain {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str,
}

fn int_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    // Psych::ScalarScanner::INTEGER (with `,` separators, strict_integer off).
    RE.get_or_init(|| {
        Regex::new(
            r"^(?:[-+]?0b[0-1_,]+|[-+]?0[0-7_,]+|[-+]?(?:0|[1-9](?:[0-9]|,[0-9]|_[0-9])*)|[-+]?0x[0-9a-fA-F_,]+)$",
        )
        .expect("valid regex")
    })
}

fn float_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    // Psych::ScalarScanner::FLOAT
    RE.get_or_init(|| {
        Regex::new(r"^(?:[-+]?([0-9][0-9_,]*)?\.[0-9]*([eE][-+][0-9]+)?)$").expect("valid regex")
    })
}

/// Resolve a plain scalar's type.
pub fn resolve_plain(s: &str) -> Plain {
    if s.is_empty() || s == "~" || s.eq_ignore_ascii_case("null") {
        return Plain::Null;
    }
    if s.len() <= 5 {
        let is = |w: &str| s.eq_ignore_ascii_case(w);
        if is("yes") || is("true") || is("on") {
            return Plain::Bool(true);
        }
        if is("no") || is("false") || is("off") {
            return Plain::Bool(false);
        }
        if is(".inf") || is("+.inf") {
            return Plain::Float(f64::INFINITY);
        }
        if is("-.inf") {
            return Plain::Float(f64::NEG_INFINITY);
        }
        if is(".nan") {
            return Plain::Float(f64::NAN);
        }
    }
    let first = s.as_bytes()[0];
    if !(first.is_ascii_digit() || first == b'-' || first == b'+' || first == b'.') {
        return Plain::Str;
    }
    // Without the regexes (built on first use, about 0.1 ms) for the common shapes: a
    // character neither regex accepts, a decimal integer, `digits.digits`.
    let allowed =
        |b: u8| b.is_ascii_hexdigit() || matches!(b, b'x' | b'_' | b',' | b'.' | b'+' | b'-');
    if !s.bytes().all(allowed) {
        return Plain::Str;
    }
    let unsigned = s.strip_prefix(['-', '+']).unwrap_or(s);
    let all_digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    if !unsigned.is_empty()
        && all_digits(unsigned)
        && (unsigned.len() == 1 || !unsigned.starts_with('0'))
    {
        return Plain::Int(parse_int(s).unwrap_or(i64::MAX));
    }
    if let Some((whole, fraction)) = unsigned.split_once('.') {
        if !unsigned.starts_with('.') && all_digits(whole) && all_digits(fraction) {
            if let Ok(f) = s.parse::<f64>() {
                return Plain::Float(f);
            }
        }
    }
    by_regexes(s)
}

/// Psych's integer and float patterns, for what the shortcuts above do not decide.
fn by_regexes(s: &str) -> Plain {
    if int_re().is_match(s) {
        return Plain::Int(parse_int(s).unwrap_or(i64::MAX));
    }
    if float_re().is_match(s) && s.bytes().any(|b| b.is_ascii_digit()) {
        let cleaned: String = s.chars().filter(|c| *c != '_' && *c != ',').collect();
        if let Ok(f) = cleaned.parse::<f64>() {
            return Plain::Float(f);
        }
    }
    Plain::Str
}

fn parse_int(s: &str) -> Option<i64> {
    let cleaned: String = s.chars().filter(|c| *c != '_' && *c != ',').collect();
    let (neg, body) = match cleaned.as_bytes().first() {
        Some(b'-') => (true, &cleaned[1..]),
        Some(b'+') => (false, &cleaned[1..]),
        _ => (false, cleaned.as_str()),
    };
    let v = if let Some(b) = body.strip_prefix("0b") {
        i64::from_str_radix(b, 2).ok()?
    } else if let Some(h) = body.strip_prefix("0x") {
        i64::from_str_radix(h, 16).ok()?
    } else if body.len() > 1 && body.starts_with('0') {
        i64::from_str_radix(&body[1..], 8).ok()?
    } else {
        body.parse::<i64>().ok()?
    };
    Some(if neg { -v } else { v })
}

/// A scalar's style and value as Psych types it (a tag other than `!!str` or
/// `!reference` types quoted text too; a plain scalar is typed by YAML 1.1).
pub fn scalar_value(text: &str, style: ScalarStyle, tag: Option<&str>) -> (Style, Value) {
    let st = match style {
        ScalarStyle::Plain => Style::Plain,
        ScalarStyle::SingleQuoted => Style::SingleQuoted,
        ScalarStyle::DoubleQuoted => Style::DoubleQuoted,
        ScalarStyle::Literal => Style::Literal,
        ScalarStyle::Folded => Style::Folded,
    };
    let plain_typed = match tag {
        Some("!!str") | Some("!reference") => false,
        Some(t) if t.starts_with("!!") => true,
        Some(_) => st == Style::Plain,
        None => st == Style::Plain,
    };
    if !plain_typed {
        return (st, Value::Str(text.into()));
    }
    let value = match resolve_plain(text) {
        Plain::Null => Value::Null,
        Plain::Bool(b) => Value::Bool(b),
        Plain::Int(i) => Value::Int(i),
        Plain::Float(f) => Value::Float(f),
        Plain::Str => Value::Str(text.into()),
    };
    (st, value)
}

/// `s` between double quotes with the backslash escapes YAML and Ruby share (`\"`, `\\`,
/// `\n`, `\t`, `\r`); any other char is written as `escape` says (given the char and the
/// next one), or as itself.
pub fn double_quote(s: &str, escape: impl Fn(char, Option<char>) -> Option<String>) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c => match escape(c, chars.peek().copied()) {
                Some(e) => out.push_str(&e),
                None => out.push(c),
            },
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn double_quote_escapes_then_asks() {
        let none = |_: char, _: Option<char>| None;
        assert_eq!(
            double_quote("a\"b\\c\nd\te\rf", none),
            r#""a\"b\\c\nd\te\rf""#
        );
        let hash = |c: char, next: Option<char>| {
            (c == '#' && next == Some('{')).then(|| "\\#".to_string())
        };
        assert_eq!(double_quote("#{x}#", hash), r#""\#{x}#""#);
    }

    #[test]
    fn psych_typing() {
        assert_eq!(resolve_plain(""), Plain::Null);
        assert_eq!(resolve_plain("~"), Plain::Null);
        assert_eq!(resolve_plain("NULL"), Plain::Null);
        assert_eq!(resolve_plain("on"), Plain::Bool(true));
        assert_eq!(resolve_plain("Off"), Plain::Bool(false));
        assert_eq!(resolve_plain("yes"), Plain::Bool(true));
        assert_eq!(resolve_plain("y"), Plain::Str);
        assert_eq!(resolve_plain("0777"), Plain::Int(511));
        assert_eq!(resolve_plain("1_000"), Plain::Int(1000));
        assert_eq!(resolve_plain("0x1F"), Plain::Int(31));
        assert_eq!(resolve_plain("-3"), Plain::Int(-3));
        assert_eq!(resolve_plain("1.27"), Plain::Float(1.27));
        assert_eq!(resolve_plain("1.27.1"), Plain::Str);
        assert_eq!(resolve_plain("v1.27.1"), Plain::Str);
        assert_eq!(resolve_plain("1e3"), Plain::Str);
        assert_eq!(resolve_plain("manual"), Plain::Str);
        assert_eq!(resolve_plain("."), Plain::Str);
        assert_eq!(resolve_plain("3h 30m"), Plain::Str);
    }

    #[test]
    fn shortcuts_agree_with_the_regexes() {
        for s in [
            "0",
            "7",
            "-3",
            "+12",
            "10",
            "007",
            "0777",
            "1_000",
            "1,000",
            "0x1F",
            "0b101",
            "1.27",
            "-1.5",
            "+.5",
            ".5",
            "1.",
            "1.27.1",
            "1e3",
            "1.0e+3",
            "3.20",
            "2024-01-01",
            "12:30",
            "1-2",
            "+",
            "-",
            "0.0",
            "00.5",
            "1__0",
            "99999999999999999999",
            "v1",
            "1a",
            "abc",
        ] {
            assert_eq!(
                format!("{:?}", resolve_plain(s)),
                format!("{:?}", by_regexes(s)),
                "{s}"
            );
        }
    }
}
