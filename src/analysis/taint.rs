//! Where a value becomes code: the predefined variables whose values someone outside the
//! project's maintainers chooses, and the places in a script where the shell (or another
//! interpreter) parses an expanded value again. A plain expansion (`echo "$V"`,
//! `echo $V`) only splits and globs the value: it is no sink.

use super::vars::Vars;
use super::{Command, JobScript, VarUse, Word};

/// Who chooses a variable's value, and whether it may hold spaces (free text).
pub struct Controlled {
    pub name: &'static str,
    pub by: &'static str,
    pub free_text: bool,
}

const fn c(name: &'static str, by: &'static str, free_text: bool) -> Controlled {
    Controlled {
        name,
        by,
        free_text,
    }
}

/// The predefined variables an attacker may choose (GitLab's
/// `doc/ci/variables/predefined_variables.md`). `CI_COMMIT_REF_SLUG` and the other
/// slugs are left out: their characters are `[a-z0-9-]`.
pub const CONTROLLED: &[Controlled] = &[
    c("CI_COMMIT_MESSAGE", "the commit author", true),
    c("CI_COMMIT_TITLE", "the commit author", true),
    c("CI_COMMIT_DESCRIPTION", "the commit author", true),
    c("CI_COMMIT_AUTHOR", "the commit author", true),
    c(
        "CI_COMMIT_REF_NAME",
        "whoever pushes the branch or tag",
        false,
    ),
    c("CI_COMMIT_BRANCH", "whoever pushes the branch", false),
    c("CI_COMMIT_TAG", "whoever pushes the tag", false),
    c("CI_COMMIT_TAG_MESSAGE", "whoever pushes the tag", true),
    c("CI_MERGE_REQUEST_TITLE", "the merge request author", true),
    c(
        "CI_MERGE_REQUEST_DESCRIPTION",
        "the merge request author",
        true,
    ),
    c(
        "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME",
        "the merge request author",
        false,
    ),
    c("CI_MERGE_REQUEST_LABELS", "the merge request author", true),
    c(
        "CI_EXTERNAL_PULL_REQUEST_SOURCE_BRANCH_NAME",
        "the pull request author",
        false,
    ),
    c("GITLAB_USER_NAME", "the user who runs the pipeline", true),
    c("GITLAB_USER_EMAIL", "the user who runs the pipeline", false),
    c("TRIGGER_PAYLOAD", "whoever triggers the pipeline", true),
    c("CI_PIPELINE_NAME", "whatever `workflow:name` embeds", true),
];

/// The controlled variable `name` carries: itself, or one its definitions (YAML
/// `variables`, the script's assignments) expand, followed up to a few levels.
pub fn origin(vars: &Vars, name: &str) -> Option<&'static Controlled> {
    origin_depth(vars, name, 0)
}

fn origin_depth(vars: &Vars, name: &str, depth: usize) -> Option<&'static Controlled> {
    if let Some(c) = CONTROLLED.iter().find(|c| c.name == name) {
        return Some(c);
    }
    if depth > 6 {
        return None;
    }
    vars.defs(name).iter().find_map(|d| {
        let lexed = super::shell::lex(d.value.as_deref()?);
        lexed
            .commands
            .iter()
            .flat_map(|c| &c.vars)
            .filter(|v| v.name != name)
            .find_map(|v| origin_depth(vars, &v.name, depth + 1))
    })
}

/// A variable whose expanded value is parsed as code, and by what.
#[derive(Clone, Debug)]
pub struct Reparsed {
    pub var: VarUse,
    /// What parses it again, for the message: "by `eval`", "in the code string of `sh -c`".
    pub sink: String,
    /// The command holding the sink.
    pub command: usize,
}

/// Programs whose output holds their arguments.
const ECHOERS: &[&str] = &["echo", "printf", "sed", "awk", "tr", "cat", "envsubst"];

const SHELLS: &[&str] = &["sh", "bash", "ash", "dash", "zsh", "ksh", "mksh"];

fn base(text: &str) -> &str {
    text.rsplit('/').next().unwrap_or(text)
}

fn is_shell(text: &str) -> bool {
    SHELLS.contains(&base(text))
}

/// An interpreter and the flags whose next word is its program text.
fn code_flags(program: &str) -> Option<&'static [&'static str]> {
    let p = base(program);
    Some(match p {
        _ if SHELLS.contains(&p) || p == "su" => &["-c"],
        _ if p.starts_with("python") => &["-c"],
        "node" | "nodejs" | "deno" | "bun" => &["-e", "--eval", "-p", "--print"],
        "perl" => &["-e", "-E"],
        "ruby" => &["-e"],
        "php" => &["-r"],
        "pwsh" | "powershell" => &["-c", "-Command", "-command"],
        _ => return None,
    })
}

/// The index of the word holding program text (`sh -c 'TEXT'`, `python3 -c TEXT`,
/// `kubectl exec pod -- sh -c TEXT`), with the interpreter and flag (`sh -c`).
fn code_word(cmd: &Command) -> Option<(usize, String)> {
    let words = &cmd.words;
    for (i, w) in words.iter().enumerate() {
        let Some(flags) = code_flags(&w.text).filter(|_| executes_at(cmd, i)) else {
            continue;
        };
        // `su user -c ...`: su takes its user before the options.
        let takes_user = matches!(base(&w.text), "su" | "runuser");
        let mut j = i + 1;
        while let Some(opt) = words.get(j) {
            let t = opt.text.as_str();
            if takes_user && !t.starts_with('-') {
                j += 1;
                continue;
            }
            if !t.starts_with('-') || t == "-" || t == "--" {
                break;
            }
            let short_cluster = |f: &str| {
                f.len() == 2
                    && !t.starts_with("--")
                    && t.len() > 2
                    && t.ends_with(&f[1..])
                    && t[1..].chars().all(|c| c.is_ascii_alphabetic())
            };
            if flags.iter().any(|f| t == *f || short_cluster(f)) {
                return words
                    .get(j + 1)
                    .map(|_| (j + 1, format!("{} {t}", base(&w.text))));
            }
            j += 1;
        }
    }
    None
}

/// Programs that run the command their arguments name (`docker run IMAGE sh -c ...`,
/// `xargs sh -c ...`, `sudo -u x bash -c ...`).
const LAUNCHERS: &[&str] = &[
    "docker", "podman", "nerdctl", "xargs", "sudo", "doas", "su", "runuser", "chroot", "nice",
    "nohup", "timeout", "flock", "setsid", "stdbuf", "ionice", "nsenter", "unshare", "env", "time",
    "sshpass", "parallel", "gosu", "su-exec", "exec",
];

/// Does the word at `i` run as a program: the command's program, the command after `--`
/// (`kubectl exec pod -- sh`) or `find -exec`, or an argument of a launcher?
fn executes_at(cmd: &Command, i: usize) -> bool {
    i == 0
        || matches!(cmd.words[i - 1].text.as_str(), "--" | "-exec" | "-execdir")
        || cmd.program().is_some_and(|p| LAUNCHERS.contains(&p))
}

/// ssh's options that take a value.
const SSH_VALUE_FLAGS: &str = "BbcDEeFIiJLlmOoPpQRSWw";

/// The first word of the remote command of `ssh [options] destination command...`.
fn ssh_command_start(cmd: &Command) -> Option<usize> {
    let d = ssh_destination(cmd)?;
    (d + 1 < cmd.words.len()).then_some(d + 1)
}

/// The destination word of `ssh [options] destination ...`.
fn ssh_destination(cmd: &Command) -> Option<usize> {
    let i = cmd
        .words
        .iter()
        .enumerate()
        .position(|(i, w)| base(&w.text) == "ssh" && executes_at(cmd, i))?;
    let mut j = i + 1;
    while let Some(w) = cmd.words.get(j) {
        let t = w.text.as_str();
        if t == "--" {
            j += 1;
            break;
        }
        if !t.starts_with('-') {
            break;
        }
        let takes = t.len() == 2 && SSH_VALUE_FLAGS.contains(&t[1..]);
        j += if takes { 2 } else { 1 };
    }
    (j < cmd.words.len()).then_some(j)
}

/// The command runs a script it reads from standard input: a shell with no script
/// argument (`sh`, `bash -s`, also after `kubectl exec ... --` or `docker exec -i c`), an
/// interpreter given `-` or nothing (`python3 -`), or `ssh host` with no remote command.
/// Returns the reader's name.
fn stdin_script_reader(cmd: &Command) -> Option<String> {
    let words = &cmd.words;
    for (i, w) in words.iter().enumerate() {
        if !executes_at(cmd, i) || !is_shell(&w.text) {
            continue;
        }
        let rest = &words[i + 1..];
        if rest
            .iter()
            .all(|r| r.text.starts_with('-') && !r.text.contains('c'))
        {
            return Some(base(&w.text).to_string());
        }
    }
    let p = cmd.program()?;
    let interpreter = p.starts_with("python") || matches!(p, "node" | "perl" | "ruby" | "php");
    if interpreter && cmd.args().iter().all(|a| a.text == "-") {
        return Some(p.to_string());
    }
    let d = ssh_destination(cmd)?;
    (d + 1 == words.len()).then(|| "ssh".to_string())
}

/// The file a command's output goes to: its redirection target, the file of a `tee` or
/// the redirection later in its pipeline, or the file `sed -i` edits.
pub fn written_file(cmds: &[Command], i: usize) -> Option<Word> {
    let mut k = i;
    loop {
        let cmd = &cmds[k];
        let words = &cmd.words;
        if let Some(p) = words
            .iter()
            .position(|w| matches!(w.text.as_str(), ">" | ">>" | "1>" | ">|"))
        {
            return words.get(p + 1).cloned();
        }
        if cmd.program() == Some("tee") {
            return cmd
                .args()
                .iter()
                .find(|w| !w.text.starts_with('-'))
                .cloned();
        }
        if cmd.program() == Some("sed") && cmd.args().iter().any(|w| w.text.starts_with("-i")) {
            return cmd.words.last().cloned();
        }
        if !cmd.piped || k + 1 >= cmds.len() {
            return None;
        }
        k += 1;
    }
}

/// Does `cmd` run the script file `file` (`sh run.sh`, `./run.sh`, `source run.sh`)?
fn runs_file(cmd: &Command, file: &str) -> bool {
    let norm = |t: &str| t.trim_start_matches("./").to_string();
    let target = norm(file);
    let Some(first) = cmd.words.first() else {
        return false;
    };
    if norm(&first.text) == target && first.text.contains('/') {
        return true;
    }
    let p = base(&first.text);
    (is_shell(p) || p == "source" || p == ".")
        && cmd
            .args()
            .iter()
            .find(|w| !w.text.starts_with('-'))
            .is_some_and(|w| norm(&w.text) == target)
}

/// Every variable of `script` whose value is parsed again as code.
pub fn reparsed(script: &JobScript) -> Vec<Reparsed> {
    let cmds = &script.commands;
    let mut out = Vec::new();
    let mut filled = Vec::new();
    let mut push = |cmd: &Command, command: usize, keep: &dyn Fn(&VarUse) -> bool, sink: &str| {
        for v in cmd.vars.iter().filter(|v| keep(v)) {
            out.push(Reparsed {
                var: v.clone(),
                sink: sink.to_string(),
                command,
            });
        }
    };
    for (i, cmd) in cmds.iter().enumerate() {
        if cmd.eval {
            push(cmd, i, &|v| v.word.is_some(), "by `eval`");
            // `eval "$(echo ... $V)"`: the substitution's output, which holds its
            // arguments, is parsed. (What another program prints is not known.)
            for (j, inner) in cmds.iter().enumerate() {
                let echoes = inner.program().is_some_and(|p| ECHOERS.contains(&p));
                if j != i && echoes && inner.nested && cmd.exact && cmd.span.contains(inner.span) {
                    push(
                        inner,
                        i,
                        &|v| v.word.is_some(),
                        "by `eval` (of the substitution's output)",
                    );
                }
            }
        }
        if let Some((k, interp)) = code_word(cmd) {
            let sink = format!("in the code string of `{interp}`");
            push(cmd, i, &|v| v.word == Some(k), &sink);
        }
        if let Some(k) = ssh_command_start(cmd) {
            push(
                cmd,
                i,
                &|v| v.word.is_some_and(|w| w >= k),
                "by the remote shell of `ssh`",
            );
        }
        let expanded = |v: &VarUse| v.word.is_some() || v.heredoc;
        // `bash <<EOF ... $V ... EOF`, `ssh host <<EOF`.
        if let Some(reader) = stdin_script_reader(cmd) {
            let sink = format!("by `{reader}`, which runs the heredoc as a script");
            push(cmd, i, &|v| v.heredoc, &sink);
        }
        let next = cmds.get(i + 1);
        if let Some(reader) = next.filter(|_| cmd.piped).and_then(stdin_script_reader) {
            let sink = format!("by `{reader}`, which reads it as a script");
            push(cmd, i, &expanded, &sink);
        }
        // `source <(...)`, `bash <(...)`: the substitution's output runs.
        let runs_substitution = cmd.words.last().is_some_and(|w| w.text == "<")
            && cmd
                .program()
                .is_some_and(|p| is_shell(p) || p == "source" || p == ".");
        if runs_substitution {
            if let Some(n) = next {
                let sink = format!("by `{} <(...)`", cmd.program().unwrap_or("source"));
                push(n, i, &|v| v.word.is_some(), &sink);
            }
        }
        // `sed "s/X/$V/" tpl > run.sh` ... `sh run.sh`; `envsubst '$V' < tpl > run.sh`.
        let fills = envsubst_names(cmd);
        if cmd.vars.iter().any(expanded) || !fills.is_empty() {
            if let Some(file) = written_file(cmds, i) {
                let file = file.text;
                if let Some(runner) = cmds[i + 1..].iter().find(|c| runs_file(c, &file)) {
                    let sink = format!("in `{file}`, a script that `{}` runs", runner_text(runner));
                    push(cmd, i, &expanded, &sink);
                    filled.extend(fills.into_iter().map(|var| Reparsed {
                        var,
                        sink: sink.clone(),
                        command: i,
                    }));
                }
            }
        }
    }
    out.extend(filled);
    out
}

/// The variables `envsubst 'SHELL-FORMAT'` fills in (`'$A ${B}'`), each with the span of
/// the word naming it.
fn envsubst_names(cmd: &Command) -> Vec<VarUse> {
    if cmd.program() != Some("envsubst") {
        return Vec::new();
    }
    let mut out = Vec::new();
    for w in cmd.args().iter().filter(|w| !w.text.starts_with('-')) {
        let lexed = super::shell::lex(&w.text);
        for v in lexed.commands.iter().flat_map(|c| &c.vars) {
            out.push(VarUse {
                name: v.name.clone(),
                span: w.span,
                quoted: true,
                word: None,
                heredoc: false,
            });
        }
    }
    out
}

fn runner_text(cmd: &Command) -> String {
    cmd.words
        .iter()
        .take(2)
        .map(|w| w.text.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// `$[[ inputs.NAME | ... expand_vars ... ]]` in `text`: (start, end, input name).
pub fn expand_vars_inputs(text: &str) -> Vec<(usize, usize, String)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = text[from..].find("$[[") {
        let start = from + i;
        let Some(len) = text[start..].find("]]") else {
            break;
        };
        let end = start + len + 2;
        let body = &text[start + 3..end - 2];
        let mut parts = body.split('|').map(str::trim);
        let name = parts.next().unwrap_or_default();
        if let Some(input) = name.strip_prefix("inputs.") {
            if parts.any(|f| f.split('(').next().map(str::trim) == Some("expand_vars")) {
                out.push((start, end, input.to_string()));
            }
        }
        from = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{Command, Part};
    use crate::load::Span;

    /// Commands of one script line, as `analysis::job_script` makes them (spans unused).
    fn commands(text: &str) -> Vec<Command> {
        let span = Span::new(0, 0, 0);
        crate::analysis::shell::lex(text)
            .commands
            .iter()
            .filter_map(|raw| {
                let locate = |_s: usize, _e: usize| (span, false);
                crate::analysis::convert(raw, Part::Script, &locate).0
            })
            .collect()
    }

    fn sinks(text: &str) -> Vec<String> {
        let script = JobScript {
            commands: commands(text),
            ..JobScript::default()
        };
        reparsed(&script)
            .iter()
            .map(|r| r.var.name.clone())
            .collect()
    }

    #[test]
    fn sinks_reparse_and_plain_expansion_does_not() {
        assert_eq!(sinks("sh -c \"echo $A\""), ["A"]);
        assert!(sinks("sh -c 'echo $A'").is_empty());
        assert!(sinks("echo \"$A\"; echo $A").is_empty());
        assert_eq!(sinks("eval \"$A\""), ["A"]);
        assert_eq!(sinks("ssh -p 22 host \"cd $A\""), ["A"]);
        assert!(sinks("ssh host 'cd $A'").is_empty());
        assert_eq!(sinks("python3 -c \"print('$A')\""), ["A"]);
        assert_eq!(sinks("echo $A | bash"), ["A"]);
        assert!(sinks("echo $A | grep x").is_empty());
        assert!(sinks("sh -c 'echo \"$1\"' sh \"$A\"").is_empty());
        assert_eq!(sinks("kubectl exec p -- sh -c \"x $A\""), ["A"]);
        assert!(sinks("kubectl exec p -- echo \"$A\"").is_empty());
        assert!(sinks("echo sh -c \"$A\"").is_empty());
        assert_eq!(sinks("su deploy -c \"run $A\""), ["A"]);
        assert_eq!(sinks("docker run --rm alpine sh -c \"x $A\""), ["A"]);
        assert!(sinks("rsync -e ssh ./d/ host:/srv/$A").is_empty());
    }

    #[test]
    fn finds_expand_vars_inputs() {
        let found = expand_vars_inputs("echo $[[ inputs.a | expand_vars ]] $[[ inputs.b ]]");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].2, "a");
    }
}
