//! Script analysis shared by the deployment rules: a job's effective `before_script`,
//! `script` and `after_script` split into commands, each command and word with its span
//! in the file where the text was written, and the variables used and defined.

pub mod agent;
pub mod agent_config;
pub mod facts;
pub mod kube;
pub mod kubectl;
pub mod run;
pub mod selection;
pub mod shell;
pub mod taint;
pub mod vars;

pub use run::Run;

use crate::load::{Node, Span};
use crate::model::job::script_lines;
use crate::model::{Job, Pipeline};

/// Which script a command comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    Before,
    Script,
    After,
}

#[derive(Clone, Debug)]
pub struct Word {
    /// Quotes removed, variables as written.
    pub text: String,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct VarUse {
    pub name: String,
    pub span: Span,
    /// Inside double quotes (the value is not split into words).
    pub quoted: bool,
    /// The index in [`Command::words`] of the word it is in (`None`: in an assignment
    /// or the heredoc).
    pub word: Option<usize>,
    /// In the command's heredoc, which the shell expands before the command reads it.
    pub heredoc: bool,
}

/// A variable set by the script itself (`export X=...`, `X=...`).
#[derive(Clone, Debug)]
pub struct Assignment {
    pub name: String,
    pub value: String,
    pub span: Span,
    /// `export X=...` or a bare assignment (not a one-command prefix `X=1 cmd`).
    pub persistent: bool,
}

#[derive(Clone, Debug)]
pub struct Command {
    /// The program and its arguments (leading keywords, assignments and wrappers such as
    /// `sudo`, `env`, `exec` removed).
    pub words: Vec<Word>,
    pub assignments: Vec<Assignment>,
    pub span: Span,
    pub part: Part,
    pub piped: bool,
    pub or_next: bool,
    pub nested: bool,
    pub vars: Vec<VarUse>,
    /// The span is the command's own text (not only the enclosing scalar).
    pub exact: bool,
    /// Run through `eval`: its words are parsed as shell code again.
    pub eval: bool,
}

impl Command {
    /// The program's file name (`/usr/local/bin/kubectl` → `kubectl`).
    pub fn program(&self) -> Option<&str> {
        let t = &self.words.first()?.text;
        // (By bytes: this runs for every command in every rule.)
        Some(match t.bytes().rposition(|b| b == b'/') {
            Some(i) => &t[i + 1..],
            None => t,
        })
    }

    pub fn args(&self) -> &[Word] {
        self.words.get(1..).unwrap_or(&[])
    }

    /// A flag given as `--name`, `--name=value` or (for short flags) `-n`.
    pub fn flag(&self, names: &[&str]) -> Option<&Word> {
        self.args().iter().find(|w| {
            names.iter().any(|n| {
                w.text == *n || (w.text.starts_with(n) && w.text[n.len()..].starts_with('='))
            })
        })
    }

    /// The value of a flag (`--name=value` or `--name value`).
    pub fn flag_value(&self, names: &[&str]) -> Option<Word> {
        let args = self.args();
        for (i, w) in args.iter().enumerate() {
            for n in names {
                if w.text == *n {
                    return args.get(i + 1).cloned();
                }
                if let Some(v) = w.text.strip_prefix(n).and_then(|r| r.strip_prefix('=')) {
                    return Some(Word {
                        text: v.to_string(),
                        span: w.span,
                    });
                }
            }
        }
        None
    }

    pub fn has_word(&self, text: &str) -> bool {
        self.args().iter().any(|w| w.text == text)
    }
}

/// The analysed script of one job.
#[derive(Debug, Default)]
pub struct JobScript {
    pub commands: Vec<Command>,
    /// Part of the script cannot be seen (an unresolved `!reference`, a non-string item).
    pub incomplete: bool,
    /// The script defines shell functions: command order is not execution order.
    pub defines_function: bool,
}

/// The effective scripts of `job`: `before_script` (or `default:`), `script`, `after_script`.
pub fn job_script(p: &Pipeline, job: &Job) -> JobScript {
    let mut out = JobScript::default();
    let scripts = p.scripts(job);
    let parts = [
        (Part::Before, scripts.before),
        (Part::Script, scripts.script),
        (Part::After, scripts.after),
    ];
    for (part, node) in parts {
        if let Some(node) = node {
            let mut items = Vec::new();
            out.incomplete |= !script_lines(node, &mut items);
            for item in items {
                analyse_scalar(p, &item, part, &mut out);
            }
        }
    }
    out
}

fn analyse_scalar(p: &Pipeline, node: &Node, part: Part, out: &mut JobScript) {
    let Some(value) = node.scalar_text() else {
        out.incomplete = true;
        return;
    };
    let text = &p.sources.get(node.span.file).text;
    let positions = crate::load::posmap::Positions::of(
        text,
        node.span.start as usize,
        node.span.end as usize,
        node.style,
        &value,
    );
    let locate = |start: usize, end: usize| -> (Span, bool) {
        match &positions {
            Some(at) if start < end && end <= value.len() => {
                let (s, e) = at.range(start, end);
                (Span::new(node.span.file, s, e.max(s)), true)
            }
            _ => (node.span, false),
        }
    };
    let lexed = shell::lex(&value);
    out.defines_function |= lexed.defines_function;
    let mut queue: Vec<(shell::RawCommand, usize)> =
        lexed.commands.into_iter().map(|c| (c, 0)).collect();
    let mut i = 0;
    while i < queue.len() {
        let depth = queue[i].1;
        let (cmd, inner) = convert(&queue[i].0, part, &locate);
        i += 1;
        if let Some(script_word) = inner {
            let mut lexed = shell::Lexed::default();
            shell::lex_word(&script_word, depth, &mut lexed);
            out.defines_function |= lexed.defines_function;
            for c in lexed.commands {
                queue.push((c, depth + 1));
            }
        }
        if let Some(cmd) = cmd {
            out.commands.push(cmd);
        }
    }
    // Nested commands were queued after their parents; restore source order.
    out.commands
        .sort_by_key(|c| (c.part as u8, c.span.file, c.span.start));
}

const KEYWORDS: &[&str] = &[
    "if", "then", "else", "elif", "do", "while", "until", "!", "{", "}", "time", "fi", "done",
    "esac",
];
const WRAPPERS: &[&str] = &[
    "sudo", "exec", "command", "nohup", "env", "timeout", "xargs", "eval",
];

type Locate<'a> = dyn Fn(usize, usize) -> (Span, bool) + 'a;

/// A raw command as a [`Command`], and the script word of `sh -c '...'` when there is one.
fn convert(
    raw: &shell::RawCommand,
    part: Part,
    locate: &Locate<'_>,
) -> (Option<Command>, Option<shell::RawWord>) {
    let mut words: &[shell::RawWord] = &raw.words;
    let mut assignments = Vec::new();
    let mut export = false;
    let mut eval = false;
    while let Some(first) = words.first() {
        let t = first.text.as_str();
        if KEYWORDS.contains(&t) {
            words = &words[1..];
        } else if t == "export" || t == "declare" || t == "local" || t == "readonly" {
            export = true;
            words = &words[1..];
            while words.first().is_some_and(|w| w.text.starts_with('-')) {
                words = &words[1..];
            }
        } else if let Some((name, value)) = assignment(t) {
            let (span, _) = locate(first.start, first.end);
            assignments.push(Assignment {
                name: name.to_string(),
                value: value.to_string(),
                span,
                persistent: true,
            });
            words = &words[1..];
        } else if export {
            // `export NAME` without a value: nothing to record.
            words = &words[1..];
        } else if WRAPPERS.contains(&t) && words.len() > 1 {
            // (A wrapper alone, as a bare `env`, is the program itself.)
            eval |= t == "eval";
            words = &words[1..];
            while words
                .first()
                .is_some_and(|w| w.text.starts_with('-') || assignment(&w.text).is_some())
            {
                words = &words[1..];
            }
            if t == "timeout"
                && words
                    .first()
                    .is_some_and(|w| w.text.starts_with(|c: char| c.is_ascii_digit()))
            {
                words = &words[1..];
            }
        } else {
            break;
        }
    }
    if !words.is_empty() {
        // Assignments before a program only apply to it.
        for a in &mut assignments {
            a.persistent = false;
        }
    }
    let (span, exact) = match (
        words.first(),
        words.last(),
        raw.words.first(),
        raw.words.last(),
    ) {
        (Some(f), Some(l), _, _) => locate(f.start, l.end),
        (_, _, Some(f), Some(l)) => locate(f.start, l.end),
        _ => locate(0, 0),
    };
    let conv_words: Vec<Word> = words
        .iter()
        .map(|w| Word {
            text: w.text.clone(),
            span: locate(w.start, w.end).0,
        })
        .collect();
    let vars = raw
        .vars
        .iter()
        .map(|v| VarUse {
            name: v.name.clone(),
            span: locate(v.start, v.end).0,
            quoted: v.quoted,
            word: words
                .iter()
                .position(|w| w.start <= v.start && v.start < w.end),
            heredoc: false,
        })
        .chain(raw.heredoc_vars.iter().map(|v| VarUse {
            name: v.name.clone(),
            span: locate(v.start, v.end).0,
            quoted: true,
            word: None,
            heredoc: true,
        }))
        .collect();
    // `sh -c 'script'`, `bash -ec "script"`.
    let mut inner = None;
    if let Some(first) = words.first() {
        let prog = first.text.rsplit('/').next().unwrap_or(&first.text);
        if matches!(prog, "sh" | "bash" | "ash" | "dash" | "zsh") {
            let mut it = words[1..].iter();
            while let Some(w) = it.next() {
                let t = &w.text;
                if t.starts_with('-') && !t.starts_with("--") && t.contains('c') {
                    inner = it.next().cloned();
                    break;
                }
                if !t.starts_with('-') {
                    break;
                }
            }
        }
    }
    if words.is_empty() && assignments.is_empty() {
        return (None, inner);
    }
    let cmd = Command {
        words: conv_words,
        assignments,
        span,
        part,
        piped: raw.piped,
        or_next: raw.or_next,
        nested: raw.nested,
        vars,
        exact,
        eval,
    };
    (Some(cmd), inner)
}

/// `NAME=value` → (`NAME`, `value`).
fn assignment(word: &str) -> Option<(&str, &str)> {
    let (name, value) = word.split_once('=')?;
    let ok = !name.is_empty()
        && name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    ok.then_some((name, value))
}
