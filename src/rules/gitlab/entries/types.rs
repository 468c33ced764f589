//! Value predicates shared by the entry checks (`validates ... type:` and the
//! validators of `Gitlab::Config::Entry::Validators`), and ChronicDuration-like parsing.

use super::*;

/// A value kaslint cannot know offline: an unresolved `!reference` or an input placeholder.
pub(crate) fn opaque(n: &Node) -> bool {
    crate::model::job::unknown_offline(n)
}

pub(super) fn is_str(n: &Node) -> bool {
    matches!(n.value, Value::Str(_)) || opaque(n)
}

pub(super) fn is_bool(n: &Node) -> bool {
    matches!(n.value, Value::Bool(_)) || opaque(n)
}

pub(super) fn is_int(n: &Node) -> bool {
    matches!(n.value, Value::Int(_)) || opaque(n)
}

/// Rails' `blank?`: nil, false, empty or whitespace-only strings, empty collections.
pub(crate) fn blank(n: &Node) -> bool {
    match &n.value {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::Str(s) => s.trim().is_empty(),
        Value::Seq(s) => s.is_empty(),
        Value::Map(m) => m.is_empty(),
        _ => false,
    }
}

pub(super) fn array_of_strings(n: &Node) -> bool {
    opaque(n) || n.as_seq().is_some_and(|s| s.iter().all(|i| is_str(i)))
}

pub(super) fn array_of_hashes(n: &Node) -> bool {
    opaque(n)
        || n.as_seq()
            .is_some_and(|s| s.iter().all(|i| i.as_map().is_some() || opaque(i)))
}

pub(super) fn string_or_array_of_strings(n: &Node) -> bool {
    is_str(n) || array_of_strings(n)
}

pub(super) fn array_of_integers_or_integer(n: &Node) -> bool {
    is_int(n) || n.as_seq().is_some_and(|s| s.iter().all(|i| is_int(i)))
}

/// `validate_nested_array_recursively`: a value the check accepts, or arrays of them
/// up to `level` deep.
pub(super) fn nested(n: &Node, level: usize, ok: &dyn Fn(&Node) -> bool) -> bool {
    if ok(n) || opaque(n) {
        return true;
    }
    if level == 0 {
        return false;
    }
    n.as_seq()
        .is_some_and(|s| s.iter().all(|i| nested(i, level - 1, ok)))
}

pub(super) fn nested_array(n: &Node, level: usize, ok: &dyn Fn(&Node) -> bool) -> bool {
    opaque(n) || (n.as_seq().is_some() && nested(n, level, ok))
}

/// ChronicDuration-like parsing, in seconds; `None` when GitLab would not read it.
pub(super) fn duration_secs(text: &str) -> Option<f64> {
    let t = text.trim().to_lowercase();
    if t.is_empty() {
        return None;
    }
    if let Ok(n) = t.parse::<f64>() {
        return (n > 0.0).then_some(n);
    }
    // `1:30:00` (h:m:s) and `1:30` (m:s).
    if t.contains(':')
        && t.chars()
            .all(|c| c.is_ascii_digit() || c == ':' || c == '.')
    {
        let parts: Option<Vec<f64>> = t.split(':').map(|p| p.parse::<f64>().ok()).collect();
        let parts = parts?;
        let secs = parts.iter().fold(0.0, |acc, p| acc * 60.0 + p);
        return (secs > 0.0).then_some(secs);
    }
    let mut total = 0.0;
    let mut pending: Option<f64> = None;
    let mut chars = t.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_ascii_digit() || c == '.' {
            let mut num = String::new();
            while let Some(&d) = chars.peek() {
                if d.is_ascii_digit() || d == '.' {
                    num.push(d);
                    chars.next();
                } else {
                    break;
                }
            }
            if let Some(p) = pending.take() {
                total += p;
            }
            pending = Some(num.parse::<f64>().ok()?);
        } else if c.is_alphabetic() {
            let mut word = String::new();
            while let Some(&d) = chars.peek() {
                if d.is_alphabetic() {
                    word.push(d);
                    chars.next();
                } else {
                    break;
                }
            }
            if word == "and" {
                continue;
            }
            let unit = unit_secs(&word)?;
            total += pending.take().unwrap_or(1.0) * unit;
        } else if c.is_whitespace() || c == ',' || c == '-' {
            chars.next();
        } else {
            return None;
        }
    }
    if let Some(p) = pending {
        total += p;
    }
    (total > 0.0).then_some(total)
}

pub(super) fn unit_secs(word: &str) -> Option<f64> {
    Some(match word {
        "s" | "sec" | "secs" | "second" | "seconds" => 1.0,
        "m" | "min" | "mins" | "minute" | "minutes" => 60.0,
        "h" | "hr" | "hrs" | "hour" | "hours" => 3600.0,
        "d" | "day" | "days" => 86400.0,
        "w" | "wk" | "wks" | "week" | "weeks" => 7.0 * 86400.0,
        "mo" | "mos" | "mon" | "mons" | "month" | "months" => 30.0 * 86400.0,
        "y" | "yr" | "yrs" | "year" | "years" => 365.25 * 86400.0,
        "ms" | "msec" | "msecs" | "millisecond" | "milliseconds" => 0.001,
        _ => return None,
    })
}

/// Looks like a `/regex/flags` (`Gitlab::UntrustedRegexp::RubySyntax`).
pub(super) fn ruby_regexp(s: &str) -> bool {
    let Some(rest) = s.strip_prefix('/') else {
        return false;
    };
    match rest.rfind('/') {
        Some(i) => rest[i + 1..].chars().all(|c| matches!(c, 'i' | 'm' | 'x')),
        None => false,
    }
}

pub(super) fn joined(keys: &[&str]) -> String {
    keys.join(", ")
}

/// An array holding a `/regexp/` RE2 rejects.
pub(super) fn strings_with_bad_regexp(v: &Node) -> bool {
    v.as_seq().is_some_and(|items| {
        items.iter().any(|i| {
            i.as_str()
                .is_some_and(super::super::expression::ruby_regexp_invalid)
        })
    })
}

#[cfg(test)]
mod tests {
    use super::{duration_secs, ruby_regexp};

    /// ChronicDuration's readings GitLab relies on (`expire_in`, `start_in`, `timeout`).
    #[test]
    fn durations_table() {
        let rows: &[(&str, Option<f64>)] = &[
            ("1 day", Some(86400.0)),
            ("1 week 1 day", Some(8.0 * 86400.0)),
            ("1h 30m", Some(5400.0)),
            ("3 mins 4 sec", Some(184.0)),
            ("1:30:00", Some(5400.0)),
            ("90", Some(90.0)),
            ("never", None),
            ("soon", None),
            ("", None),
        ];
        for (text, want) in rows {
            assert_eq!(duration_secs(text), *want, "{text}");
        }
    }

    #[test]
    fn ruby_regexps() {
        assert!(ruby_regexp("/^release-.*$/i"));
        assert!(!ruby_regexp("/^release/q"));
        assert!(!ruby_regexp("main"));
    }
}
