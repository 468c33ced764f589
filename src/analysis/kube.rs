//! What a command does to a cluster: which tool, whether it needs a cluster, how it
//! selects a kube context, whether it brings its own kubeconfig.

use std::sync::LazyLock;

use regex::Regex;

use super::{Command, Word};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tool {
    Kubectl,
    Helm,
    Flux,
    Kpt,
}

impl Tool {
    pub fn name(self) -> &'static str {
        match self {
            Tool::Kubectl => "kubectl",
            Tool::Helm => "helm",
            Tool::Flux => "flux",
            Tool::Kpt => "kpt",
        }
    }
}

pub fn tool(cmd: &Command) -> Option<Tool> {
    match cmd.program()? {
        "kubectl" | "kubectl.exe" => Some(Tool::Kubectl),
        "helm" | "helm3" => Some(Tool::Helm),
        "flux" => Some(Tool::Flux),
        "kpt" => Some(Tool::Kpt),
        _ => None,
    }
}

/// Flags (of any of the tools) that take the next word as their value.
const VALUE_FLAGS: &[&str] = &[
    "-n",
    "--namespace",
    "--context",
    "--kube-context",
    "--kubeconfig",
    "--cluster",
    "--user",
    "-s",
    "--server",
    "--token",
    "-f",
    "--filename",
    "-l",
    "--selector",
    "-o",
    "--output",
    "-c",
    "--container",
    "--as",
    "--request-timeout",
    "--values",
    "--set",
    "--set-string",
    "--version",
    "--timeout",
    "-k",
];

/// Positional words after the program (flags and their values skipped).
pub fn positionals(cmd: &Command) -> Vec<&str> {
    let mut out = Vec::new();
    let mut skip = false;
    for w in cmd.args() {
        if skip {
            skip = false;
            continue;
        }
        let t = w.text.as_str();
        if t.starts_with('-') {
            skip = VALUE_FLAGS.contains(&t);
            continue;
        }
        out.push(t);
    }
    out
}

/// Does the command talk to a cluster? Commands that need none (`kubectl version
/// --client`, `helm template`, `flux push artifact`, `--dry-run=client`, `--help`) do not.
pub fn needs_cluster(cmd: &Command) -> bool {
    let Some(tool) = tool(cmd) else { return false };
    if cmd.flag(&["--help", "-h"]).is_some() || cmd.has_word("--dry-run=client") {
        return false;
    }
    let pos = positionals(cmd);
    let sub = pos.first().copied().unwrap_or("");
    match tool {
        Tool::Kubectl => !matches!(
            sub,
            "" | "version"
                | "config"
                | "kustomize"
                | "completion"
                | "plugin"
                | "help"
                | "options"
                | "api-resources-offline"
        ),
        Tool::Helm => matches!(
            sub,
            "install"
                | "upgrade"
                | "uninstall"
                | "delete"
                | "del"
                | "rollback"
                | "ls"
                | "list"
                | "status"
                | "history"
                | "get"
                | "test"
        ),
        Tool::Flux => {
            matches!(
                sub,
                "reconcile"
                    | "get"
                    | "create"
                    | "delete"
                    | "suspend"
                    | "resume"
                    | "export"
                    | "install"
                    | "uninstall"
                    | "bootstrap"
                    | "diff"
                    | "logs"
                    | "trace"
                    | "tree"
                    | "events"
                    | "check"
                    | "stats"
            ) && !(sub == "diff" && pos.get(1) == Some(&"artifact"))
        }
        Tool::Kpt => sub == "live",
    }
}

/// The context a command passes itself (`--context X`, helm `--kube-context X`).
pub fn context_flag(cmd: &Command) -> Option<Word> {
    match tool(cmd)? {
        Tool::Helm => cmd.flag_value(&["--kube-context"]),
        Tool::Kubectl | Tool::Flux => cmd.flag_value(&["--context"]),
        Tool::Kpt => cmd.flag_value(&["--context"]),
    }
}

/// `kubectl config use-context X` → X.
pub fn use_context(cmd: &Command) -> Option<Word> {
    if tool(cmd)? != Tool::Kubectl {
        return None;
    }
    let args = cmd.args();
    let i = args
        .iter()
        .position(|w| w.text == "use-context" || w.text == "use")?;
    if !args[..i].iter().any(|w| w.text == "config") {
        return None;
    }
    args[i + 1..]
        .iter()
        .find(|w| !w.text.starts_with('-'))
        .cloned()
}

/// `kubectl config <sub>` → sub.
pub fn config_subcommand(cmd: &Command) -> Option<&str> {
    if tool(cmd)? != Tool::Kubectl {
        return None;
    }
    let pos = positionals(cmd);
    (pos.first() == Some(&"config"))
        .then(|| pos.get(1).copied())
        .flatten()
}

/// The command writes the kubeconfig (`use-context`, `set-context`, `config set-*`).
pub fn writes_kubeconfig(cmd: &Command) -> bool {
    matches!(
        config_subcommand(cmd),
        Some(
            "use-context"
                | "use"
                | "set-context"
                | "set-cluster"
                | "set-credentials"
                | "set"
                | "unset"
                | "rename-context"
                | "delete-context"
        )
    )
}

/// Programs that write a kubeconfig with a current context (cloud CLIs, local clusters).
const KUBECONFIG_WRITERS: &[&str] = &[
    "gcloud",
    "aws",
    "az",
    "doctl",
    "kind",
    "k3d",
    "minikube",
    "oc",
    "ibmcloud",
    "scw",
    "eksctl",
    "k3s",
    "microk8s",
    "tsh",
    "linode-cli",
    "civo",
    "exo",
    "rancher",
    "vcluster",
    "hcloud",
    "ovhcloud",
    "yc",
    "tccli",
    "kubelogin",
    "kubectx",
];

/// The command builds or points at a kubeconfig of its own (so the agent's context
/// handling does not apply): `kubectl config set-cluster`, `--kubeconfig`, `--server`,
/// writing `~/.kube/config`, a cloud CLI's `get-credentials`...
pub fn own_kubeconfig(cmd: &Command) -> bool {
    own_kubeconfig_besides(cmd, None)
}

/// [`own_kubeconfig`], not counting an assignment of `ignored` (a context variable that
/// kubectl does not read).
pub fn own_kubeconfig_besides(cmd: &Command, ignored: Option<&str>) -> bool {
    if matches!(
        config_subcommand(cmd),
        Some("set-cluster" | "set-credentials")
    ) {
        return true;
    }
    if tool(cmd).is_some()
        && cmd
            .flag(&[
                "--kubeconfig",
                "--server",
                "-s",
                "--token",
                "--kube-apiserver",
                "--kube-token",
            ])
            .is_some()
    {
        return true;
    }
    if cmd
        .program()
        .is_some_and(|p| KUBECONFIG_WRITERS.contains(&p))
    {
        return true;
    }
    if cmd.assignments.iter().any(|a| {
        Some(a.name.as_str()) != ignored
            && matches!(
                a.name.as_str(),
                "KUBECONFIG" | "KUBE_CONTEXT" | "HELM_KUBECONTEXT"
            )
    }) {
        return true;
    }
    // Writing a kubeconfig file: `echo "$X" | base64 -d > ~/.kube/config`, `cp x $HOME/.kube/config`.
    let mentions = |t: &str| {
        let l = t.to_ascii_lowercase();
        l.contains(".kube/") || l.contains("kubeconfig") || l.contains("kube_config")
    };
    tool(cmd).is_none() && cmd.words.iter().any(|w| mentions(&w.text))
}

/// A flag of kubectl, helm or flux that takes the next word as its value.
pub fn takes_value(flag: &str) -> bool {
    VALUE_FLAGS.contains(&flag)
}

static AGENT_NAME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$").expect("valid regex"));
static PATH_SEGMENT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[a-zA-Z0-9_.][a-zA-Z0-9_.-]*$").expect("valid regex"));

/// What is wrong with a context's shape; parts holding variables are not checked.
pub fn shape_problem(ctx: &str) -> Option<String> {
    if ctx.is_empty() || ctx.trim() != ctx {
        return Some("it is empty or has surrounding spaces".into());
    }
    let Some((path, agent)) = ctx.rsplit_once(':') else {
        if ctx.contains('$') {
            return None;
        }
        return Some("it has no `:` between the project path and the agent name".into());
    };
    if !agent.contains('$') && (agent.len() > 63 || !AGENT_NAME.is_match(agent)) {
        return Some(format!(
            "`{agent}` is not a valid agent name (lowercase letters, digits and `-`, at most 63 characters)"
        ));
    }
    if path.contains('$') {
        return None;
    }
    let segments: Vec<&str> = path.split('/').collect();
    if segments.len() < 2 {
        return Some(format!(
            "`{path}` is not a project's full path (`group/project`)"
        ));
    }
    if segments.len() > 21 {
        return Some(format!("`{path}` has more than 20 ancestor groups"));
    }
    for s in segments {
        if s.len() > 255 || !PATH_SEGMENT.is_match(s) || s.ends_with(".git") || s.ends_with(".atom")
        {
            return Some(format!(
                "`{s}` is not a valid group or project path segment"
            ));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::shape_problem;

    #[test]
    fn shapes() {
        assert!(shape_problem("my-group/optional-subgroup/my-repository:testing").is_none());
        assert!(shape_problem("$CI_PROJECT_PATH:prod-agent").is_none());
        assert!(shape_problem("$CI_PROJECT_PATH:Prod_Agent").is_some());
        assert!(shape_problem("my-group/my-project/testing").is_some());
        assert!(shape_problem("project:agent").is_some());
        assert!(shape_problem("$AGENT").is_none());
    }
}
