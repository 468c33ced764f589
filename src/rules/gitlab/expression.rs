//! `rules:if` syntax (`Gitlab::Ci::Pipeline::Expression::Lexer` and `Parser`): operands
//! are `$VARIABLE`, `"string"`, `'string'`, `/pattern/flags` and `null`; operators
//! `==`, `!=`, `=~`, `!~`, `&&`, `||`; parentheses group. Anything else is
//! `invalid expression syntax`. A pattern must also compile as RE2
//! (`Lexeme::Pattern` raises otherwise); kaslint does not embed RE2 and only rejects
//! the constructs both RE2 and Rust's `regex` reject (see [`re2_invalid`]).

#[derive(Clone, Copy, PartialEq, Eq)]
enum Tok {
    Operand,
    Op,
    Open,
    Close,
}

fn lex(s: &str) -> Option<Vec<Tok>> {
    let b = s.as_bytes();
    let mut i = 0;
    let mut out = Vec::new();
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
        } else if c == b'$' {
            let start = i + 1;
            let mut j = start;
            while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_' || b[j] >= 0x80) {
                j += 1;
            }
            if j == start {
                return None;
            }
            out.push(Tok::Operand);
            i = j;
        } else if c == b'"' || c == b'\'' {
            let end = s[i + 1..].find(c as char)?;
            out.push(Tok::Operand);
            i = i + 1 + end + 1;
        } else if c == b'/' {
            let mut j = i + 1;
            let mut found = false;
            while j < b.len() {
                if b[j] == b'\\' {
                    j += 2;
                    continue;
                }
                if b[j] == b'/' {
                    found = true;
                    break;
                }
                j += 1;
            }
            if !found || j == i + 1 {
                return None;
            }
            let body = &s[i + 1..j];
            j += 1;
            // `Lexeme::Pattern` takes the flags RE2 knows (`[ismU]*`); another letter
            // after the pattern starts no lexeme.
            let flags_start = j;
            while j < b.len() && matches!(b[j], b'i' | b's' | b'm' | b'U') {
                j += 1;
            }
            if re2_invalid(body, &s[flags_start..j]) {
                return None;
            }
            out.push(Tok::Operand);
            i = j;
        } else if s[i..].starts_with("null") {
            out.push(Tok::Operand);
            i += 4;
        } else if ["==", "!=", "=~", "!~", "&&", "||"]
            .iter()
            .any(|op| s[i..].starts_with(op))
        {
            out.push(Tok::Op);
            i += 2;
        } else if c == b'(' {
            out.push(Tok::Open);
            i += 1;
        } else if c == b')' {
            out.push(Tok::Close);
            i += 1;
        } else {
            return None;
        }
    }
    Some(out)
}

/// `regex`'s syntax errors for what RE2 rejects too.
fn shared_with_re2(error: &str) -> bool {
    [
        "unclosed group",
        "unopened group",
        "repetition operator missing expression",
        "look-around",
        "backreferences are not supported",
    ]
    .iter()
    .any(|k| error.contains(k))
}

/// A pattern RE2 certainly rejects: Rust's `regex` fails on it for a reason RE2 shares
/// (unbalanced parentheses, a repetition with nothing to repeat, look-around,
/// backreferences). Other Rust-only failures are not reported, to avoid false errors.
pub(super) fn re2_invalid(pattern: &str, flags: &str) -> bool {
    let prefix: String = flags
        .chars()
        .filter(|c| matches!(c, 'i' | 'm' | 's'))
        .collect();
    let text = if prefix.is_empty() {
        pattern.to_string()
    } else {
        format!("(?{prefix}){pattern}")
    };
    // Parsed only (the syntax errors of `regex::Regex::new`, without building automata).
    match regex_syntax::Parser::new().parse(&text) {
        Ok(_) => false,
        Err(e) => shared_with_re2(&e.to_string()),
    }
}

/// `/pattern/flags` whose pattern RE2 rejects (`ArrayOfStringsOrRegexpsValidator`). A
/// string is a regexp only with the flags of `UntrustedRegexp::RubySyntax` (`[ismU]*`);
/// `/(/x` is a plain string there.
pub(super) fn ruby_regexp_invalid(s: &str) -> bool {
    let Some(rest) = s.strip_prefix('/') else {
        return false;
    };
    let Some(i) = rest.rfind('/') else {
        return false;
    };
    let flags = &rest[i + 1..];
    flags.chars().all(|c| matches!(c, 'i' | 's' | 'm' | 'U')) && re2_invalid(&rest[..i], flags)
}

/// Is `s` a valid `rules:if` / `only:variables` expression?
pub(super) fn valid(s: &str) -> bool {
    if crate::model::job::has_placeholder(s) {
        return true;
    }
    let Some(tokens) = lex(s) else { return false };
    if tokens.is_empty() {
        return true;
    }
    // expr := operand (op operand)*; operand := value | '(' expr ')'
    let mut depth = 0usize;
    let mut expect_operand = true;
    for t in tokens {
        match (t, expect_operand) {
            (Tok::Operand, true) => expect_operand = false,
            (Tok::Open, true) => depth += 1,
            (Tok::Op, false) => expect_operand = true,
            (Tok::Close, false) if depth > 0 => depth -= 1,
            _ => return false,
        }
    }
    !expect_operand && depth == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parsing only gives the verdict compiling gave (what RE2 shares with `regex`).
    #[test]
    fn parsing_agrees_with_compiling() {
        let compiled = |p: &str| match regex::Regex::new(p) {
            Err(regex::Error::Syntax(e)) => shared_with_re2(&e),
            _ => false,
        };
        for p in [
            "a(",
            "a)",
            "*a",
            "(?!x)",
            "(?<=a)b",
            "(a)\\1",
            "(?i)\u{e9}",
            "[a-",
            "a{2,1}",
            "\\p{Greek}",
            "x{100000}",
            "^v\\d+",
            "a/b",
            "(?P<n>x)",
            "\\bword\\b",
            "",
        ] {
            assert_eq!(re2_invalid(p, ""), compiled(p), "{p}");
        }
    }

    use super::valid;

    #[test]
    fn expressions() {
        for ok in [
            "$CI_COMMIT_BRANCH",
            "$CI_COMMIT_BRANCH == \"main\"",
            "$CI_COMMIT_TAG =~ /^v\\d+/ && $X != null",
            "($A || $B) && $C == 'x'",
            "$CI_PIPELINE_SOURCE == \"merge_request_event\"",
            "$A =~ /a\\/b/i",
        ] {
            assert!(valid(ok), "{ok}");
        }
        for bad in [
            "$A ==",
            "== $A",
            "$A = 'x'",
            "($A",
            "$A && && $B",
            "${A} == 'x'",
            "$A == main",
            "$A =~ /some ( thing/",
            "$A =~ /^(?!master).+/",
        ] {
            assert!(!valid(bad), "{bad}");
        }
    }
}
