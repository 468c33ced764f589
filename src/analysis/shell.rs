//! A small shell lexer: enough to split a script line into commands and words, find
//! `$VAR` uses, and look inside `sh -c '...'`, `$(...)` and backquotes. Not a shell parser.
//!
//! Positions are offsets in the scalar's value (the text GitLab hands to the shell); the
//! caller maps them back to the file.

/// A character of the script and its byte offset in the scalar's value.
pub type PosChar = (char, usize);

#[derive(Clone, Debug, Default)]
pub struct RawWord {
    /// The word with quotes removed (variables left as written).
    pub text: String,
    /// The word's characters after quote removal, with their positions.
    pub chars: Vec<PosChar>,
    pub start: usize,
    pub end: usize,
}

#[derive(Clone, Debug)]
pub struct RawVar {
    pub name: String,
    pub start: usize,
    pub end: usize,
    /// Inside double quotes (no word splitting or globbing of the value).
    pub quoted: bool,
}

#[derive(Clone, Debug, Default)]
pub struct RawCommand {
    pub words: Vec<RawWord>,
    pub vars: Vec<RawVar>,
    /// Its output is piped into the next command (`|`).
    pub piped: bool,
    /// Followed by `||`: a failure is handled.
    pub or_next: bool,
    /// Found inside `sh -c`, `$(...)` or backquotes.
    pub nested: bool,
    /// Variables the shell expands in the command's heredoc (its delimiter unquoted).
    pub heredoc_vars: Vec<RawVar>,
}

#[derive(Debug, Default)]
pub struct Lexed {
    pub commands: Vec<RawCommand>,
    /// A shell function is defined (`name() {`, `function name`): order says little.
    pub defines_function: bool,
}

/// Split a script into commands.
pub fn lex(text: &str) -> Lexed {
    let chars: Vec<PosChar> = text.char_indices().map(|(i, c)| (c, i)).collect();
    let mut out = Lexed::default();
    lex_chars(&chars, false, 0, &mut out);
    out
}

const MAX_NESTING: usize = 8;

struct State {
    cmd: RawCommand,
    word: Option<RawWord>,
    heredocs: Vec<Heredoc>,
}

/// A heredoc whose body follows the next line break.
struct Heredoc {
    delim: String,
    /// `<<-`: leading tabs removed.
    strip: bool,
    /// The delimiter is unquoted: the shell expands `$VAR` in the body.
    expands: bool,
    /// The index in `Lexed::commands` of the command it feeds.
    owner: Option<usize>,
}

impl State {
    fn push_char(&mut self, c: char, pos: usize, width: usize) {
        // (Room for a typical word at once: growing one character at a time reallocates.)
        let w = self.word.get_or_insert_with(|| RawWord {
            text: String::with_capacity(16),
            chars: Vec::with_capacity(16),
            start: pos,
            end: pos,
        });
        w.text.push(c);
        w.chars.push((c, pos));
        w.end = w.end.max(pos + width);
    }
    /// Mark the word as started (for `""`) and extend its end.
    fn touch(&mut self, pos: usize, end: usize) {
        let w = self.word.get_or_insert_with(|| RawWord {
            start: pos,
            end: pos,
            ..RawWord::default()
        });
        w.end = w.end.max(end);
    }
    fn end_word(&mut self) {
        if let Some(w) = self.word.take() {
            self.cmd.words.push(w);
        }
    }
    fn end_command(&mut self, out: &mut Lexed, nested: bool) {
        self.end_word();
        let mut cmd = std::mem::take(&mut self.cmd);
        if !cmd.words.is_empty() {
            cmd.nested = nested;
            out.commands.push(cmd);
            for h in self.heredocs.iter_mut().filter(|h| h.owner.is_none()) {
                h.owner = Some(out.commands.len() - 1);
            }
        } else if let Some(last) = out.commands.last_mut() {
            // `a | \n b`: keep the flags on the previous command.
            last.piped |= cmd.piped;
            last.or_next |= cmd.or_next;
        }
    }
}

fn width(c: char) -> usize {
    c.len_utf8()
}

fn is_name_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The index of the `close` that matches the opener just before `i` (quotes respected).
fn matching(chars: &[PosChar], mut i: usize, open: char, close: char) -> Option<usize> {
    let mut depth = 1;
    while i < chars.len() {
        let c = chars[i].0;
        match c {
            '\\' => i += 1,
            '\'' => {
                i += 1;
                while i < chars.len() && chars[i].0 != '\'' {
                    i += 1;
                }
            }
            '"' => {
                i += 1;
                while i < chars.len() && chars[i].0 != '"' {
                    if chars[i].0 == '\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            _ if c == open => depth += 1,
            _ if c == close => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// Read a `$...` at `i` (the `$`): record the variable, add the text to the word, and
/// lex a command substitution. Returns the next index.
fn dollar(chars: &[PosChar], i: usize, st: &mut State, out: &mut Lexed, depth: usize) -> usize {
    let pos = chars[i].1;
    let next = chars.get(i + 1).map(|c| c.0);
    match next {
        Some('(') => {
            let end = matching(chars, i + 2, '(', ')').unwrap_or(chars.len());
            for &(c, p) in &chars[i..end.min(chars.len())] {
                st.push_char(c, p, width(c));
            }
            if end < chars.len() {
                st.push_char(')', chars[end].1, 1);
            }
            if depth < MAX_NESTING {
                let inner = &chars[(i + 2).min(end)..end];
                // `$((1 + 2))` is arithmetic, not a command.
                if inner.first().is_none_or(|c| c.0 != '(') {
                    lex_chars(inner, true, depth + 1, out);
                }
            }
            end + 1
        }
        Some('{') => {
            let end = matching(chars, i + 2, '{', '}').unwrap_or(chars.len());
            let body: String = chars[(i + 2).min(end)..end].iter().map(|c| c.0).collect();
            let name: String = body.chars().take_while(|&c| is_name_char(c)).collect();
            if !name.is_empty() && name.starts_with(is_name_start) {
                let end_pos = chars.get(end).map_or(pos + 2 + body.len(), |c| c.1 + 1);
                st.cmd.vars.push(RawVar {
                    name,
                    start: pos,
                    end: end_pos,
                    quoted: false,
                });
            }
            for &(c, p) in &chars[i..end.min(chars.len())] {
                st.push_char(c, p, width(c));
            }
            if end < chars.len() {
                st.push_char('}', chars[end].1, 1);
            }
            end + 1
        }
        Some(c) if is_name_start(c) => {
            let mut j = i + 1;
            while j < chars.len() && is_name_char(chars[j].0) {
                j += 1;
            }
            let name: String = chars[i + 1..j].iter().map(|c| c.0).collect();
            let end_pos = chars[j - 1].1 + width(chars[j - 1].0);
            st.cmd.vars.push(RawVar {
                name,
                start: pos,
                end: end_pos,
                quoted: false,
            });
            for &(c, p) in &chars[i..j] {
                st.push_char(c, p, width(c));
            }
            j
        }
        _ => {
            st.push_char('$', pos, 1);
            i + 1
        }
    }
}

fn lex_chars(chars: &[PosChar], nested: bool, depth: usize, out: &mut Lexed) {
    let mut st = State {
        cmd: RawCommand::default(),
        word: None,
        heredocs: Vec::new(),
    };
    let mut i = 0;
    while i < chars.len() {
        let (c, pos) = chars[i];
        match c {
            ' ' | '\t' | '\r' => {
                st.end_word();
                i += 1;
            }
            '\n' => {
                st.end_command(out, nested);
                i += 1;
                // Skip heredoc bodies.
                for h in std::mem::take(&mut st.heredocs) {
                    let (delim, strip) = (h.delim, h.strip);
                    let body_start = i;
                    loop {
                        let start = i;
                        while i < chars.len() && chars[i].0 != '\n' {
                            i += 1;
                        }
                        let line: String = chars[start..i].iter().map(|c| c.0).collect();
                        i = (i + 1).min(chars.len().max(i));
                        let line = if strip {
                            line.trim_start_matches('\t').trim()
                        } else {
                            line.trim_end()
                        };
                        if line == delim || i >= chars.len() {
                            break;
                        }
                    }
                    if let (true, Some(k)) = (h.expands, h.owner) {
                        let vars = body_vars(&chars[body_start..i.min(chars.len())]);
                        out.commands[k].heredoc_vars.extend(vars);
                    }
                }
            }
            '\\' => {
                match chars.get(i + 1) {
                    Some(('\n', _)) => {}
                    Some(&(n, p)) => st.push_char(n, p, width(n)),
                    None => {}
                }
                i += 2;
            }
            '#' if st.word.is_none() => {
                while i < chars.len() && chars[i].0 != '\n' {
                    i += 1;
                }
            }
            ';' => {
                st.end_command(out, nested);
                i += 1;
            }
            '&' => {
                if chars.get(i + 1).is_some_and(|n| n.0 == '>') {
                    // `&>file`
                    st.end_word();
                    i += 2;
                    continue;
                }
                if st.word.as_ref().is_some_and(|w| w.text.ends_with('>')) {
                    // `2>&1`
                    st.push_char('&', pos, 1);
                    i += 1;
                    continue;
                }
                st.end_command(out, nested);
                i += if chars.get(i + 1).is_some_and(|n| n.0 == '&') {
                    2
                } else {
                    1
                };
            }
            '|' => {
                let double = chars.get(i + 1).is_some_and(|n| n.0 == '|');
                if double {
                    st.cmd.or_next = true;
                } else {
                    st.cmd.piped = true;
                }
                st.end_command(out, nested);
                i += if double { 2 } else { 1 };
            }
            '(' => {
                if chars.get(i + 1).is_some_and(|n| n.0 == ')') {
                    out.defines_function = true;
                    st.end_command(out, nested);
                    i += 2;
                } else {
                    st.end_command(out, nested);
                    i += 1;
                }
            }
            ')' => {
                st.end_command(out, nested);
                i += 1;
            }
            '>' | '<' => {
                if c == '<'
                    && chars.get(i + 1).is_some_and(|n| n.0 == '<')
                    && chars.get(i + 2).is_none_or(|n| n.0 != '<')
                {
                    // Heredoc: `<<EOF`, `<<-EOF`, `<<'EOF'`, `<< "EOF"`.
                    st.end_word();
                    let mut j = i + 2;
                    let strip = chars.get(j).is_some_and(|n| n.0 == '-');
                    if strip {
                        j += 1;
                    }
                    while j < chars.len() && chars[j].0 == ' ' {
                        j += 1;
                    }
                    let mut delim = String::new();
                    let mut expands = true;
                    while j < chars.len()
                        && !matches!(chars[j].0, ' ' | '\t' | '\n' | ';' | '|' | '&' | ')')
                    {
                        if !matches!(chars[j].0, '\'' | '"' | '\\') {
                            delim.push(chars[j].0);
                        } else {
                            expands = false;
                        }
                        j += 1;
                    }
                    if !delim.is_empty() {
                        st.heredocs.push(Heredoc {
                            delim,
                            strip,
                            expands,
                            owner: None,
                        });
                    }
                    i = j;
                    continue;
                }
                // A redirection: its own word, the target the next word.
                let digits_only = st
                    .word
                    .as_ref()
                    .is_some_and(|w| w.text.chars().all(|d| d.is_ascii_digit()));
                if !digits_only {
                    st.end_word();
                }
                st.push_char(c, pos, 1);
                let mut j = i + 1;
                while j < chars.len() && matches!(chars[j].0, '>' | '&' | '|') {
                    if chars[j].0 == '&'
                        && !chars
                            .get(j + 1)
                            .is_some_and(|n| n.0.is_ascii_digit() || n.0 == '-')
                    {
                        break;
                    }
                    st.push_char(chars[j].0, chars[j].1, 1);
                    j += 1;
                }
                while j < chars.len() && chars[j].0.is_ascii_digit() {
                    st.push_char(chars[j].0, chars[j].1, 1);
                    j += 1;
                }
                st.end_word();
                i = j;
            }
            '\'' => {
                st.touch(pos, pos + 1);
                let mut j = i + 1;
                while j < chars.len() && chars[j].0 != '\'' {
                    st.push_char(chars[j].0, chars[j].1, width(chars[j].0));
                    j += 1;
                }
                if j < chars.len() {
                    st.touch(pos, chars[j].1 + 1);
                }
                i = j + 1;
            }
            '"' => {
                st.touch(pos, pos + 1);
                let first_var = st.cmd.vars.len();
                let mut j = i + 1;
                while j < chars.len() && chars[j].0 != '"' {
                    let (d, p) = chars[j];
                    match d {
                        '\\' if chars
                            .get(j + 1)
                            .is_some_and(|n| matches!(n.0, '"' | '\\' | '$' | '`' | '\n')) =>
                        {
                            let (n, np) = chars[j + 1];
                            if n != '\n' {
                                st.push_char(n, np, width(n));
                            }
                            j += 2;
                        }
                        '$' => j = dollar(chars, j, &mut st, out, depth),
                        '`' => j = backquote(chars, j, &mut st, out, depth),
                        _ => {
                            st.push_char(d, p, width(d));
                            j += 1;
                        }
                    }
                }
                if j < chars.len() {
                    st.touch(pos, chars[j].1 + 1);
                }
                for v in &mut st.cmd.vars[first_var..] {
                    v.quoted = true;
                }
                i = j + 1;
            }
            '$' => i = dollar(chars, i, &mut st, out, depth),
            '`' => i = backquote(chars, i, &mut st, out, depth),
            _ => {
                st.push_char(c, pos, width(c));
                i += 1;
            }
        }
    }
    st.end_command(out, nested);
}

/// The variables `$NAME` and `${NAME}` of a heredoc body (`\$` escapes).
fn body_vars(chars: &[PosChar]) -> Vec<RawVar> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        match chars[i].0 {
            '\\' => i += 2,
            '$' => {
                let braced = chars.get(i + 1).is_some_and(|c| c.0 == '{');
                let from = i + 1 + usize::from(braced);
                let mut j = from;
                while j < chars.len() && is_name_char(chars[j].0) {
                    j += 1;
                }
                if j > from && is_name_start(chars[from].0) {
                    let last = if braced && chars.get(j).is_some_and(|c| c.0 == '}') {
                        j
                    } else {
                        j - 1
                    };
                    out.push(RawVar {
                        name: chars[from..j].iter().map(|c| c.0).collect(),
                        start: chars[i].1,
                        end: chars[last].1 + width(chars[last].0),
                        quoted: true,
                    });
                }
                i = j.max(i + 1);
            }
            _ => i += 1,
        }
    }
    out
}

fn backquote(chars: &[PosChar], i: usize, st: &mut State, out: &mut Lexed, depth: usize) -> usize {
    let mut end = i + 1;
    while end < chars.len() && chars[end].0 != '`' {
        end += 1;
    }
    for &(c, p) in &chars[i..(end + 1).min(chars.len())] {
        st.push_char(c, p, width(c));
    }
    if depth < MAX_NESTING {
        lex_chars(&chars[(i + 1).min(end)..end], true, depth + 1, out);
    }
    end + 1
}

/// Lex the characters of one word (the script of `sh -c '...'`).
pub fn lex_word(word: &RawWord, depth: usize, out: &mut Lexed) {
    if depth < MAX_NESTING {
        lex_chars(&word.chars, true, depth + 1, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<Vec<String>> {
        lex(text)
            .commands
            .iter()
            .map(|c| c.words.iter().map(|w| w.text.clone()).collect())
            .collect()
    }

    #[test]
    fn splits_commands() {
        assert_eq!(
            words("a b && c 'd e' || f; g | h\ni \\\n  j # comment"),
            vec![
                vec!["a", "b"],
                vec!["c", "d e"],
                vec!["f"],
                vec!["g"],
                vec!["h"],
                vec!["i", "j"]
            ]
        );
    }

    #[test]
    fn finds_variables_and_substitutions() {
        let l = lex("kubectl config use-context \"${AGENT}\" --x=$B $(kubectl get ns)");
        let outer = l
            .commands
            .iter()
            .find(|c| !c.nested)
            .expect("outer command");
        let names: Vec<&str> = outer.vars.iter().map(|v| v.name.as_str()).collect();
        assert_eq!(names, ["AGENT", "B"]);
        assert_eq!(l.commands.len(), 2);
        assert!(l.commands.iter().any(|c| c.nested));
    }

    #[test]
    fn skips_heredocs() {
        let w = words("cat <<EOF | kubectl apply -f -\nkubectl delete all\nEOF\necho done");
        assert_eq!(
            w,
            vec![
                vec!["cat"],
                vec!["kubectl", "apply", "-f", "-"],
                vec!["echo", "done"]
            ]
        );
    }

    #[test]
    fn marks_double_quoted_variables() {
        let l = lex("echo \"$A\" $B '$C'");
        let vars: Vec<(&str, bool)> = l.commands[0]
            .vars
            .iter()
            .map(|v| (v.name.as_str(), v.quoted))
            .collect();
        assert_eq!(vars, [("A", true), ("B", false)]);
    }

    #[test]
    fn expanding_heredocs_give_their_variables_to_their_command() {
        let text = "cat <<EOF | sh\necho $A ${B} \\$C\nEOF\ncat <<'EOF'\necho $D\nEOF";
        let l = lex(text);
        let names: Vec<&str> = l.commands[0]
            .heredoc_vars
            .iter()
            .map(|v| v.name.as_str())
            .collect();
        assert_eq!(names, ["A", "B"]);
        assert_eq!(
            &text[l.commands[0].heredoc_vars[1].start..l.commands[0].heredoc_vars[1].end],
            "${B}"
        );
        assert!(l.commands.iter().skip(1).all(|c| c.heredoc_vars.is_empty()));
    }

    #[test]
    fn redirections_are_words() {
        assert_eq!(
            words("echo x > ~/.kube/config 2>&1"),
            vec![vec!["echo", "x", ">", "~/.kube/config", "2>&1"]]
        );
    }
}
