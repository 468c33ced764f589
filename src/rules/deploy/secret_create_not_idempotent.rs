//! KAS402: `kubectl create secret` fails when the secret already exists.

use crate::analysis::kube::{self, Tool};
use crate::rules::prelude::*;

declare_rule!(
    SecretCreateNotIdempotent,
    "KAS402",
    "secret-create-not-idempotent",
    Info,
    "`kubectl create secret` fails on the second run when the secret exists", uses: [facts]
);

impl Rule for SecretCreateNotIdempotent {
    fn check_job(&self, _cx: &Context<'_>, job: &Job, f: &Facts<'_>, out: &mut Vec<Diagnostic>) {
        let cmds = &f.script.commands;
        for (i, cmd) in cmds.iter().enumerate() {
            if kube::tool(cmd) != Some(Tool::Kubectl) {
                continue;
            }
            let pos = kube::positionals(cmd);
            if pos.first() != Some(&"create") || pos.get(1) != Some(&"secret") {
                continue;
            }
            let name = pos
                .iter()
                .skip(2)
                .find(|p| !matches!(**p, "generic" | "docker-registry" | "tls"))
                .copied();
            if cmd.flag(&["--dry-run"]).is_some() || cmd.or_next || cmd.piped {
                continue;
            }
            // A `kubectl delete secret NAME` (or `|| true`) before makes it repeatable.
            let deleted_before = cmds[..i].iter().any(|c| {
                let p = kube::positionals(c);
                kube::tool(c) == Some(Tool::Kubectl)
                    && p.first() == Some(&"delete")
                    && p.get(1).is_some_and(|k| k.starts_with("secret"))
                    && name.is_none_or(|n| {
                        p.contains(&n) || p.iter().any(|x| x.ends_with(&format!("/{n}")))
                    })
            });
            // `kubectl get secret NAME || kubectl create secret ... NAME` creates it only when missing.
            let guarded = i > 0 && cmds[i - 1].or_next && {
                let c = &cmds[i - 1];
                let p = kube::positionals(c);
                kube::tool(c) == Some(Tool::Kubectl)
                    && matches!(p.first(), Some(&"get") | Some(&"describe"))
                    && p.get(1).is_some_and(|k| k.starts_with("secret"))
                    && name.is_none_or(|n| {
                        p.contains(&n) || p.iter().any(|x| x.ends_with(&format!("/{n}")))
                    })
            };
            if deleted_before || guarded {
                continue;
            }
            out.push(
                Diagnostic::new(&META, cmd.span, "`kubectl create secret` fails with `AlreadyExists` when the job runs again")
                    .label("not idempotent")
                    .job(job.name.clone())
                    .help("render and apply it: `kubectl create secret ... --dry-run=client -o yaml | kubectl apply -f -`"),
            );
        }
    }
}
