//! Where a job's kubeconfig goes: commands that print it, and files it is written to.

use crate::analysis::{kube, taint, Command, Word};

/// How a script names the kubeconfig file.
const KUBECONFIG_WORDS: &[&str] = &[
    "$KUBECONFIG",
    "${KUBECONFIG}",
    "~/.kube/config",
    "$HOME/.kube/config",
    "${HOME}/.kube/config",
];

/// Programs that write a file's content to their output.
const READERS: &[&str] = &[
    "cat", "base64", "head", "tail", "less", "more", "xxd", "od", "strings", "gzip", "jq", "yq",
    "tac", "nl",
];

/// Programs that copy a file to the last argument.
const COPIERS: &[&str] = &["cp", "install", "rsync", "mv"];

/// A word that names no kubeconfig but `$KUBECONFIG`, the file GitLab gives the job (a
/// word that writes `~/.kube/config` or sets `KUBECONFIG=` names one of its own).
pub fn only_reads_agent_file(text: &str) -> bool {
    let rest = text
        .replace(KUBECONFIG_WORDS[1], "")
        .replace(KUBECONFIG_WORDS[0], "")
        .to_ascii_lowercase();
    !(rest.contains(".kube/") || rest.contains("kubeconfig") || rest.contains("kube_config"))
}

fn names_kubeconfig(w: &Word) -> bool {
    KUBECONFIG_WORDS.contains(&w.text.as_str())
}

/// The command writes the kubeconfig's content to its output: `cat $KUBECONFIG`,
/// `kubectl config view --raw` (without `--raw`, kubectl redacts the secrets).
pub fn reads(cmd: &Command) -> bool {
    if kube::config_subcommand(cmd) == Some("view") {
        // `-o jsonpath=...` prints only what it selects.
        let selects = cmd.flag_value(&["-o", "--output"]).map(|o| o.text);
        return cmd
            .flag(&["--raw"])
            .is_some_and(|f| !f.text.ends_with("=false"))
            && selects.is_none_or(|o| {
                (!o.contains("path=") && !o.contains("template")) || secret_path(&o)
            });
    }
    let Some(program) = cmd.program().filter(|p| READERS.contains(p)) else {
        return false;
    };
    let args: Vec<&Word> = cmd
        .args()
        .iter()
        .take_while(|w| !w.text.starts_with('>'))
        .collect();
    if !args.iter().any(|w| names_kubeconfig(w)) {
        return false;
    }
    // `jq`/`yq` print what their expression selects.
    match program {
        "jq" | "yq" => args
            .iter()
            .find(|w| !w.text.starts_with('-') && !names_kubeconfig(w))
            .is_none_or(|e| e.text == "." || secret_path(&e.text)),
        _ => true,
    }
}

/// A jsonpath or jq expression that reaches the credentials.
fn secret_path(expr: &str) -> bool {
    let e = expr.to_ascii_lowercase();
    ["user", "token", "key", "password", "auth", "cert"]
        .iter()
        .any(|s| e.contains(s))
}

/// A file the kubeconfig's content is written to by command `i`: its output redirected
/// or `tee`d, a copy (`cp $KUBECONFIG dest`), or an outer command that writes the output
/// of a substitution reading it (`echo "K=$(cat $KUBECONFIG)" >> build.env`).
pub fn written_to(cmds: &[Command], i: usize) -> Option<Word> {
    let cmd = &cmds[i];
    if cmd.program().is_some_and(|p| COPIERS.contains(&p)) {
        let args: Vec<&Word> = cmd
            .args()
            .iter()
            .filter(|w| !w.text.starts_with('-'))
            .collect();
        if let [sources @ .., dest] = args.as_slice() {
            if sources.iter().any(|w| names_kubeconfig(w)) {
                return Some((*dest).clone());
            }
        }
        return None;
    }
    let file = taint::written_file(cmds, i)?;
    let holds_reader = || {
        cmd.exact
            && cmds
                .iter()
                .any(|c| c.nested && cmd.span.contains(c.span) && reads(c))
    };
    (reads(cmd) || holds_reader()).then_some(file)
}

/// A path as the project directory sees it (`./a`, `$CI_PROJECT_DIR/a` → `a`); `None`
/// for a path elsewhere (`/tmp/a`, `~/.kube/config`).
pub fn project_relative(path: &str) -> Option<String> {
    let mut p = path.trim_matches('"');
    for prefix in [
        "$CI_PROJECT_DIR",
        "${CI_PROJECT_DIR}",
        "$CI_BUILDS_DIR/$CI_PROJECT_PATH",
    ] {
        if let Some(rest) = p.strip_prefix(prefix) {
            p = rest.trim_start_matches('/');
            if p.is_empty() {
                p = ".";
            }
        }
    }
    if p.starts_with(['/', '~', '$']) {
        return None;
    }
    while let Some(rest) = p.strip_prefix("./") {
        p = rest;
    }
    Some(p.trim_end_matches('/').to_string())
}
