//! KAS401: TLS verification turned off for the cluster connection.

use crate::analysis::kube::{self, Tool};
use crate::rules::prelude::*;

declare_rule!(
    TlsVerifyDisabled,
    "KAS401",
    "tls-verify-disabled",
    Warning,
    "a cluster tool runs with `--insecure-skip-tls-verify`", uses: [facts]
);

impl Rule for TlsVerifyDisabled {
    fn check_job(&self, _cx: &Context<'_>, job: &Job, f: &Facts<'_>, out: &mut Vec<Diagnostic>) {
        for cmd in &f.script.commands {
            let names: &[&str] = match kube::tool(cmd) {
                Some(Tool::Kubectl | Tool::Flux) => &["--insecure-skip-tls-verify"],
                Some(Tool::Helm) => &["--kube-insecure-skip-tls-verify"],
                _ => continue,
            };
            let Some(flag) = cmd.flag(names) else {
                continue;
            };
            let value = flag.text.split_once('=').map(|(_, v)| v);
            if matches!(value, Some("false" | "0")) {
                continue;
            }
            out.push(
                Diagnostic::new(&META, flag.span, format!("`{}` turns off TLS verification of the cluster connection", flag.text))
                    .label("not recommended")
                    .job(job.name.clone())
                    .help("trust the KAS certificate instead: `kubectl config set-cluster gitlab --certificate-authority=\"$KAS_CA_FILE\" --embed-certs=true` with a File variable holding the CA (`kaslint generate kubectl-deploy --kas-ca-file KAS_CA_FILE` writes such jobs), or `--certificate-authority=$KAS_CERTIFICATE`"),
            );
        }
    }
}
