//! KAS203: a non-root image whose HOME is not writable, in a job that writes the kubeconfig.

use crate::analysis::kube;
use crate::rules::prelude::*;

declare_rule!(
    ImageHomeNotWritable,
    "KAS203",
    "image-kube-config-not-writable",
    Warning,
    "the job writes the kubeconfig in an image whose user cannot write its home directory", uses: [facts]
);

impl Rule for ImageHomeNotWritable {
    fn check_job(&self, _cx: &Context<'_>, job: &Job, f: &Facts<'_>, out: &mut Vec<Diagnostic>) {
        if f.script.incomplete {
            return;
        }
        let Some((image, info, r)) = f.catalogued_image() else {
            return;
        };
        let Some(user) = info.home_not_writable else {
            return;
        };
        if image.runs_as_root
            || ["HOME", "KUBECACHEDIR", "XDG_CACHE_HOME"]
                .iter()
                .any(|n| !f.vars.defs(n).is_empty())
            || f.own_kubeconfig()
        {
            return;
        }
        let Some(cmd) = f
            .script
            .commands
            .iter()
            .find(|c| kube::writes_kubeconfig(c))
        else {
            return;
        };
        let sub = kube::config_subcommand(cmd).unwrap_or("use-context");
        out.push(
            Diagnostic::new(
                &META,
                cmd.span,
                format!("`kubectl config {sub}` writes the kubeconfig, but `{}` runs as {user} and cannot write its home directory", r.repo),
            )
            .label("writes the kubeconfig and `~/.kube`")
            .job(job.name.clone())
            .related(image.node.span, "non-root image")
            .help("pass `--context` on each command instead, set `HOME: /tmp` (or `KUBECACHEDIR`) in `variables`, or run as root with `image: {docker: {user: root}}`"),
        );
    }
}
