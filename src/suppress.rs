//! Suppression comments: `# kaslint: ignore[KAS101, kube-context-not-selected] reason`
//! on a finding's line, or on its own line directly above it; on a job's key line for
//! the whole job; `# kaslint: ignore-file[KAS205] reason` (or `file-ignore`) anywhere in
//! a file for that file. Only real comments count: `#` inside a scalar (a `|` script)
//! is text, and the parser reports only real comments.

use std::sync::OnceLock;

use regex::Regex;

use crate::diagnostic::Diagnostic;
use crate::load::{Sources, Span};
use crate::model::Pipeline;
use crate::rules::{self, RuleMeta};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// The comment's own line (trailing) or the next line (own-line comment).
    Line(usize),
    File,
}

/// One parsed `# kaslint:` comment.
#[derive(Clone, Debug)]
pub struct Directive {
    pub span: Span,
    pub scope: Scope,
    pub ids: Vec<String>,
    pub reason: Option<String>,
}

/// What a `# kaslint:` comment is.
#[derive(Debug, PartialEq)]
pub enum Parsed {
    NotOurs,
    Directive {
        file: bool,
        ids: Vec<String>,
        reason: Option<String>,
    },
    Malformed(String),
}

fn grammar() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"^\s*kaslint\s*:\s*(ignore-file|file-ignore|ignore)\s*\[([^\]]*)\]\s*(.*)$")
            .expect("valid regex")
    })
}

/// Parse the text after `#`.
pub fn parse(comment: &str) -> Parsed {
    let trimmed = comment.trim_start();
    let Some(rest) = trimmed.strip_prefix("kaslint") else {
        return Parsed::NotOurs;
    };
    if !rest.trim_start().starts_with(':') {
        return Parsed::NotOurs;
    }
    let Some(c) = grammar().captures(comment) else {
        return Parsed::Malformed(
            "malformed suppression: write `# kaslint: ignore[RULE, ...] reason` or `# kaslint: ignore-file[RULE] reason`".into(),
        );
    };
    let ids: Vec<String> = c[2]
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    if ids.is_empty() {
        return Parsed::Malformed("suppression names no rule: write `ignore[RULE] reason`".into());
    }
    // The reason is the text after the brackets, up to a further `#` (another comment).
    let reason = c[3]
        .split('#')
        .next()
        .unwrap_or("")
        .trim()
        .trim_start_matches(['-', ':'])
        .trim();
    Parsed::Directive {
        file: &c[1] != "ignore",
        ids,
        reason: (!reason.is_empty()).then(|| reason.to_string()),
    }
}

/// An id names a kaslint rule (code or name) or a ShellCheck code (`SC2086`).
pub fn known_id(id: &str) -> bool {
    rules::find(id).is_some()
        || (id.len() > 2
            && id[..2].eq_ignore_ascii_case("SC")
            && id[2..].chars().all(|c| c.is_ascii_digit()))
}

fn matches(id: &str, d: &Diagnostic) -> bool {
    id.eq_ignore_ascii_case(d.code())
        || id.eq_ignore_ascii_case(d.name())
        || id.eq_ignore_ascii_case(d.rule.code)
}

/// A comment is alone on its line when only blanks precede it.
fn own_line(sources: &Sources, span: Span) -> bool {
    let text = &sources.get(span.file).text;
    let start = text[..span.start as usize].rfind('\n').map_or(0, |i| i + 1);
    text[start..span.start as usize].trim().is_empty()
}

/// The directives of every file read, and findings about malformed ones.
fn directives(sources: &Sources, out: &mut Vec<Diagnostic>) -> Vec<Directive> {
    let mut found = Vec::new();
    for (_, file) in sources.iter() {
        for c in &file.comments {
            match parse(&c.text) {
                Parsed::NotOurs => {}
                Parsed::Malformed(message) => out.push(Diagnostic::new(
                    &rules::suppression_malformed::META,
                    c.span,
                    message,
                )),
                Parsed::Directive {
                    file: whole_file,
                    ids,
                    reason,
                } => {
                    let (line, _) = file.line_col(c.span.start);
                    let scope = if whole_file {
                        Scope::File
                    } else if own_line(sources, c.span) {
                        Scope::Line(line + 1)
                    } else {
                        Scope::Line(line)
                    };
                    for id in ids.iter().filter(|id| !known_id(id)) {
                        let names = rules::RULES
                            .iter()
                            .flat_map(|r| [r.meta().code, r.meta().name]);
                        let hint = crate::model::suggest(id, names)
                            .map(|s| format!("did you mean `{s}`?"));
                        out.push(
                            Diagnostic::new(
                                &rules::suppression_malformed::META,
                                c.span,
                                format!("suppression names an unknown rule `{id}`"),
                            )
                            .help_opt(hint),
                        );
                    }
                    if reason.is_none() {
                        out.push(
                            Diagnostic::new(&rules::suppression_without_reason::META, c.span, "suppression gives no reason")
                                .help("say why after the brackets: `# kaslint: ignore[KAS205] image set by the runner`"),
                        );
                    }
                    found.push(Directive {
                        span: c.span,
                        scope,
                        ids,
                        reason,
                    });
                }
            }
        }
    }
    found
}

/// For each line directive, the job whose key is on its target line, if any: a
/// suppression there covers the whole job. Computed once, not per finding.
fn jobs_on_lines<'p>(pipeline: &'p Pipeline, directives: &[Directive]) -> Vec<Option<&'p str>> {
    directives
        .iter()
        .map(|d| match d.scope {
            Scope::File => None,
            Scope::Line(line) => pipeline.jobs.iter().find_map(|j| {
                (j.key_span.file == d.span.file
                    && pipeline
                        .sources
                        .get(j.key_span.file)
                        .line_col(j.key_span.start)
                        .0
                        == line)
                    .then_some(j.name.as_str())
            }),
        })
        .collect()
}

/// Drop suppressed findings; add findings about unused, malformed and unexplained
/// suppressions. Returns how many findings were suppressed.
pub fn apply(
    pipeline: &Pipeline,
    diagnostics: &mut Vec<Diagnostic>,
    enabled: &dyn Fn(&RuleMeta) -> bool,
    shellcheck_ran: bool,
) -> usize {
    let sources = &pipeline.sources;
    let mut meta_findings = Vec::new();
    let directives = directives(sources, &mut meta_findings);
    let job_lines = jobs_on_lines(pipeline, &directives);
    let mut used = vec![vec![false; 0]; directives.len()];
    for (i, d) in directives.iter().enumerate() {
        used[i] = vec![false; d.ids.len()];
    }
    let mut suppressed = 0;
    diagnostics.retain(|diag| {
        let file = sources.get(diag.primary.file);
        let (first, _) = file.line_col(diag.primary.start);
        let (last, _) = file.line_col(diag.primary.end);
        let mut hit = false;
        for (i, dir) in directives.iter().enumerate() {
            let applies = match dir.scope {
                Scope::File => dir.span.file == diag.primary.file,
                Scope::Line(line) => {
                    (dir.span.file == diag.primary.file && first <= line && line <= last.max(first))
                        || job_lines[i].is_some_and(|job| diag.job.as_deref() == Some(job))
                }
            };
            if !applies {
                continue;
            }
            for (k, id) in dir.ids.iter().enumerate() {
                if matches(id, diag) {
                    used[i][k] = true;
                    hit = true;
                }
            }
        }
        if hit {
            suppressed += 1;
        }
        !hit
    });
    for (i, dir) in directives.iter().enumerate() {
        for (k, id) in dir.ids.iter().enumerate() {
            // A rule that did not run cannot be shown to be unused.
            let ran = match rules::find(id) {
                Some(r) => enabled(r.meta()),
                // ShellCheck codes: only when ShellCheck really ran.
                None => known_id(id) && shellcheck_ran,
            };
            if !used[i][k] && ran {
                meta_findings.push(
                    Diagnostic::new(
                        &rules::suppression_unused::META,
                        dir.span,
                        format!("unused suppression: `{id}` suppresses nothing here"),
                    )
                    .help("remove it, or move it to the line of the finding (or the line above)"),
                );
            }
        }
    }
    meta_findings.retain(|d| enabled(d.rule));
    diagnostics.extend(meta_findings);
    suppressed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(p: Parsed) -> (bool, Vec<String>, Option<String>) {
        match p {
            Parsed::Directive { file, ids, reason } => (file, ids, reason),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn grammar_spellings() {
        assert_eq!(
            ids(parse(
                " kaslint: ignore[KAS101, image-not-set] set by the runner"
            )),
            (
                false,
                vec!["KAS101".into(), "image-not-set".into()],
                Some("set by the runner".into())
            )
        );
        assert_eq!(
            ids(parse("kaslint:ignore[KAS101]")),
            (false, vec!["KAS101".into()], None)
        );
        assert_eq!(
            ids(parse(" kaslint : ignore [ KAS101 ] -- why")),
            (false, vec!["KAS101".into()], Some("why".into()))
        );
        assert!(ids(parse(" kaslint: ignore-file[KAS205] runner image")).0);
        assert!(ids(parse(" kaslint: file-ignore[KAS205] runner image")).0);
        assert_eq!(
            ids(parse(" kaslint: ignore[SC2086] word splitting wanted")).1,
            vec!["SC2086".to_string()]
        );
        assert_eq!(
            ids(parse(" kaslint: ignore[KAS101] # a nested comment")).2,
            None
        );
        assert!(matches!(
            parse(" kaslint: ignore KAS101"),
            Parsed::Malformed(_)
        ));
        assert!(matches!(parse(" kaslint: ignore[]"), Parsed::Malformed(_)));
        assert!(matches!(
            parse(" kaslint: disable[KAS101]"),
            Parsed::Malformed(_)
        ));
        assert_eq!(parse(" a comment about kaslint"), Parsed::NotOurs);
        assert_eq!(parse(" kaslinted by hand"), Parsed::NotOurs);
        assert_eq!(parse(" TODO"), Parsed::NotOurs);
    }

    #[test]
    fn known_ids() {
        assert!(known_id("KAS005"));
        assert!(known_id("include-not-found"));
        assert!(known_id("sc2086"));
        assert!(!known_id("KAS999"));
        assert!(!known_id("SC"));
    }
}
