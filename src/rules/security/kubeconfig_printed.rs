//! KAS405: a job prints its kubeconfig, or every variable, into the job log.

use super::kubeconfig;
use crate::rules::prelude::*;

declare_rule!(
    KubeconfigPrinted,
    "KAS405",
    "kubeconfig-printed",
    Warning,
    "a job that holds cluster access prints its kubeconfig or every variable into the log", uses: [facts]
);

/// Values `CI_DEBUG_TRACE` takes as true (the runner's `strconv.ParseBool`).
const TRUE: &[&str] = &["true", "True", "TRUE", "t", "T", "1"];

/// Programs that keep the whole of their input in the log.
const PASS_THROUGH: &[&str] = &["sort", "cat", "tee", "less", "more", "column"];

impl Rule for KubeconfigPrinted {
    fn check_job(&self, _cx: &Context<'_>, job: &Job, f: &Facts<'_>, out: &mut Vec<Diagnostic>) {
        let cmds = &f.script.commands;
        // Whether the job holds cluster access: asked only when a finding depends on it.
        let holds_access = std::cell::OnceCell::new();
        let agent = || *holds_access.get_or_init(|| super::uses_agent(f));
        // Output that goes to a file or another program is not in the log.
        let to_log = |c: &crate::analysis::Command| {
            !c.piped && !c.words.iter().any(|w| w.text.starts_with('>'))
        };
        for (i, cmd) in cmds.iter().enumerate() {
            // `echo "$(cat $KUBECONFIG)"`: the substitution's output is echoed.
            let echoed = cmd.exact
                && matches!(cmd.program(), Some("echo" | "printf"))
                && to_log(cmd)
                && cmds
                    .iter()
                    .any(|c| c.nested && cmd.span.contains(c.span) && kubeconfig::reads(c));
            if (kubeconfig::reads(cmd) && to_log(cmd) && !cmd.nested) || echoed {
                out.push(
                    Diagnostic::new(&META, cmd.span, "prints the kubeconfig into the job log: its tokens are readable by anyone who can read the log, unless masking happens to cover them")
                        .label("kubeconfig printed")
                        .job(job.name.clone())
                        .help("print what you need without the credentials: `kubectl config get-contexts`, or `kubectl config view` (which redacts them)"),
                );
                continue;
            }
            let dump = match cmd.program() {
                Some("env" | "printenv") => cmd.args().is_empty(),
                Some("set") => cmd.args().is_empty(),
                _ => false,
            };
            let whole = !cmd.piped
                || cmds
                    .get(i + 1)
                    .and_then(|n| n.program())
                    .is_some_and(|p| PASS_THROUGH.contains(&p));
            let redirected = !to_log(cmd) && !cmd.piped;
            if dump && whole && !redirected && agent() {
                out.push(
                    Diagnostic::new(&META, cmd.span, format!("`{}` prints every variable of a job that holds cluster access into the job log", cmd.words[0].text))
                        .label("every variable printed")
                        .job(job.name.clone())
                        .help("print the few variables you need by name; unmasked secrets and the kubeconfig's path and context names reach the log otherwise"),
                );
            }
        }
        let debug = ["CI_DEBUG_TRACE", "CI_DEBUG_SERVICES"];
        if debug.iter().all(|n| f.vars.defs(n).is_empty()) || !agent() {
            return;
        }
        for name in debug {
            for def in f.vars.defs(name) {
                if def.value.as_deref().is_some_and(|v| TRUE.contains(&v)) {
                    out.push(
                        Diagnostic::new(&META, def.span, format!("`{name}` is true in a job that holds cluster access: the log shows every variable's value"))
                            .label("debug trace on")
                            .job(job.name.clone())
                            .help("turn it on only in a job without cluster access, and for one run; GitLab documents it as a security risk"),
                    );
                }
            }
        }
    }
}
