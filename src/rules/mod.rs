//! The rule engine: one rule = one type in its own file, declared once with a
//! [`RuleMeta`] and registered in [`RULES`]. Rules see the model, never raw YAML.

pub use crate::diagnostic::{Diagnostic, RuleMeta, Severity};
use crate::model::{Job, Pipeline, ProblemKind};

pub mod deploy;
mod duplicate_key;
mod extends_circular;
mod extends_invalid;
mod extends_too_deep;
mod extends_unknown;
pub mod gitlab;
mod include_invalid;
mod include_loop;
mod include_not_checked;
mod include_not_found;
mod invalid_configuration_format;
mod invalid_inputs;
mod invalid_yaml;
mod reference_circular;
mod reference_not_found;
pub mod security;
pub mod shellcheck;
pub mod suppression_malformed;
pub mod suppression_unused;
pub mod suppression_without_reason;
mod yaml_limit_exceeded;

pub trait Rule: Sync {
    fn meta(&self) -> &'static RuleMeta;
    /// Called once per pipeline.
    fn check_pipeline(&self, _cx: &Context<'_>, _out: &mut Vec<Diagnostic>) {}
    /// Called once per job (hidden templates included; see [`Job::hidden`]).
    fn check_job(&self, _cx: &Context<'_>, _job: &Job, _out: &mut Vec<Diagnostic>) {}
}

/// What the rules may know of a run besides the files, built once by the engine from the
/// settings (`Settings::rule_run`): which rules run and the facts the files cannot show.
/// Rules never read command-line settings.
#[derive(Debug, Clone, Default)]
pub struct Run {
    /// Codes of the rules that run.
    pub enabled: Vec<&'static str>,
    /// Variables defined in project, group or instance settings (invisible in the files).
    pub variables: Vec<String>,
    /// Agent contexts known to exist (`path/to/config-project:agent-name`).
    pub contexts: Vec<String>,
    /// The checked project's full path (`group/subgroup/project`).
    pub project: Option<String>,
    /// Extra image catalogue entries (checked before the built-in ones).
    pub images: Vec<&'static crate::data::images::ImageInfo>,
    /// ShellCheck runs in this check (decided by the engine).
    pub shellcheck: bool,
}

impl Run {
    /// Every rule enabled, nothing known beyond the files, no ShellCheck.
    pub fn all_rules() -> Self {
        Run {
            enabled: RULES.iter().map(|r| r.meta().code).collect(),
            ..Run::default()
        }
    }
    pub fn enabled(&self, code: &str) -> bool {
        self.enabled.contains(&code)
    }
}

/// What a rule sees.
pub struct Context<'a> {
    pub pipeline: &'a Pipeline,
    pub options: &'a Run,
    /// Per-job script and variable analysis, built on first use and shared by the rules.
    facts: std::sync::OnceLock<deploy::FactsTable<'a>>,
    /// GitLab's validation, one walk shared by the rules of `gitlab/`.
    gitlab: std::sync::OnceLock<Vec<gitlab::finding::Finding>>,
}

impl<'a> Context<'a> {
    pub fn new(pipeline: &'a Pipeline, options: &'a Run) -> Self {
        Context {
            pipeline,
            options,
            facts: std::sync::OnceLock::new(),
            gitlab: std::sync::OnceLock::new(),
        }
    }

    /// The findings of GitLab's validation (computed once).
    pub fn gitlab_findings(&self) -> &[gitlab::finding::Finding] {
        self.gitlab
            .get_or_init(|| gitlab::finding::all(self.pipeline))
    }

    /// The analysis of every job's scripts and variables (computed once).
    pub fn facts(&self) -> &deploy::FactsTable<'a> {
        self.facts
            .get_or_init(|| deploy::FactsTable::new(self.pipeline, self.options))
    }

    /// Report the model's problems of one kind as findings of `meta`.
    pub fn problems(&self, kind: ProblemKind, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        for p in self.pipeline.problems.iter().filter(|p| p.kind == kind) {
            let mut d = Diagnostic::new(meta, p.span, p.message.clone())
                .help_opt(p.help.clone())
                .job_opt(p.job.clone());
            for (span, text) in &p.related {
                d = d.related(*span, text.clone());
            }
            out.push(d);
        }
    }
}

/// Every rule, in documentation order. Sections: KAS0xx YAML, model and GitLab's own
/// validation; KAS1xx kube context and agent; KAS2xx images and kubectl versions;
/// KAS3xx environments and `on_stop`; KAS4xx security and TLS; KAS500 ShellCheck;
/// KAS9xx kaslint itself.
pub static RULES: &[&dyn Rule] = &[
    // -- KAS0xx: loading and model --
    &invalid_yaml::InvalidYaml,
    &yaml_limit_exceeded::YamlLimitExceeded,
    &invalid_configuration_format::InvalidConfigurationFormat,
    &duplicate_key::DuplicateKey,
    &include_not_found::IncludeNotFound,
    &include_loop::IncludeLoop,
    &include_invalid::IncludeInvalid,
    &include_not_checked::IncludeNotChecked,
    &extends_unknown::ExtendsUnknown,
    &extends_circular::ExtendsCircular,
    &extends_too_deep::ExtendsTooDeep,
    &extends_invalid::ExtendsInvalid,
    &reference_not_found::ReferenceNotFound,
    &reference_circular::ReferenceCircular,
    &invalid_inputs::InvalidInputs,
    // -- KAS02x-KAS09x: GitLab's configuration validation (rules in `gitlab/`) --
    &gitlab::UnknownKey,
    &gitlab::InvalidValue,
    &gitlab::JobWithoutScript,
    &gitlab::NoVisibleJob,
    &gitlab::UndefinedStage,
    &gitlab::InvalidNeeds,
    &gitlab::InvalidDependencies,
    &gitlab::NeedsCycle,
    &gitlab::InvalidOnStop,
    &gitlab::DeprecatedKubernetesKey,
    &gitlab::InvalidInputSpec,
    // -- KAS1xx-KAS4xx: deployment rules (rules in `deploy/`) --
    &deploy::context_not_selected::ContextNotSelected,
    &deploy::context_variable_misspelt::ContextVariableMisspelt,
    &deploy::context_variable_undefined::ContextVariableUndefined,
    &deploy::context_invalid::ContextInvalid,
    &deploy::context_agent_mismatch::ContextAgentMismatch,
    &deploy::context_in_cluster_fallback::ContextInClusterFallback,
    &deploy::agent_not_found::AgentNotFound,
    &deploy::agent_config_invalid::AgentConfigInvalid,
    &deploy::agent_config_too_many::AgentConfigTooMany,
    &deploy::job_environment_not_authorized::JobEnvironmentNotAuthorized,
    &deploy::job_without_environment_for_agent::JobWithoutEnvironmentForAgent,
    &deploy::image_no_shell::ImageNoShell,
    &deploy::image_entrypoint::ImageEntrypoint,
    &deploy::image_home_not_writable::ImageHomeNotWritable,
    &deploy::image_empty::ImageEmpty,
    &deploy::image_missing::ImageMissing,
    &deploy::image_unpinned::ImageUnpinned,
    &deploy::kubectl_version::KubectlBrokenVersion,
    &deploy::kubectl_version_validation_off::KubectlBrokenVersionValidationOff,
    &deploy::kubectl_version_floating::KubectlVersionFloating,
    &deploy::on_stop_rules_differ::OnStopRulesDiffer,
    &deploy::on_stop_without_when::OnStopWithoutWhen,
    &deploy::on_stop_manual_blocks::OnStopManualBlocks,
    &deploy::on_stop_later_stage::OnStopLaterStage,
    &deploy::on_stop_git_strategy::OnStopGitStrategy,
    &deploy::on_stop_resource_group::OnStopResourceGroup,
    &deploy::on_stop_context_differs::OnStopContextDiffers,
    &deploy::on_stop_delete_not_idempotent::OnStopDeleteNotIdempotent,
    &deploy::tls_verify_disabled::TlsVerifyDisabled,
    &deploy::secret_create_not_idempotent::SecretCreateNotIdempotent,
    &security::script_injection::ScriptInjection,
    &security::argument_injection::ArgumentInjection,
    &security::kubeconfig_printed::KubeconfigPrinted,
    &security::kubeconfig_in_artifacts::KubeconfigInArtifacts,
    &security::mr_deploys_production::MrDeploysProduction,
    &security::agent_access_as_agent::AgentAccessAsAgent,
    &security::include_not_pinned::IncludeNotPinned,
    // -- KAS500: ShellCheck on job scripts --
    &shellcheck::Shellcheck,
    // -- KAS9xx: kaslint itself --
    &suppression_unused::SuppressionUnused,
    &suppression_malformed::SuppressionMalformed,
    &suppression_without_reason::SuppressionWithoutReason,
];

/// Find a rule by code or name (case-insensitive).
pub fn find(id: &str) -> Option<&'static dyn Rule> {
    RULES.iter().copied().find(|r| {
        let m = r.meta();
        m.code.eq_ignore_ascii_case(id) || m.name.eq_ignore_ascii_case(id)
    })
}

/// From this many jobs on, rules run on two threads.
const PARALLEL_MIN_JOBS: usize = 200;

/// Every hook of `rules`: pipeline-level first, then one walk over `jobs`.
fn run(rules: &[&dyn Rule], cx: &Context<'_>, jobs: &[Job]) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for rule in rules {
        rule.check_pipeline(cx, &mut out);
    }
    run_jobs(rules, cx, jobs, &mut out);
    out
}

fn run_jobs(rules: &[&dyn Rule], cx: &Context<'_>, jobs: &[Job], out: &mut Vec<Diagnostic>) {
    for job in jobs {
        for rule in rules {
            rule.check_job(cx, job, out);
        }
    }
}

/// [`run`] on two cores, with the same findings in the same order: the two shared
/// analyses (GitLab's validation, the jobs' scripts and variables) side by side, then
/// the pipeline hooks and the first half of the jobs here, the second half there.
fn run_parallel(rules: &[&dyn Rule], cx: &Context<'_>) -> Vec<Diagnostic> {
    let uses = |family: &[u8]| {
        rules
            .iter()
            .any(|r| family.contains(&r.meta().code.as_bytes()[3]))
    };
    let (gitlab, deploy) = (uses(b"0"), uses(b"1234"));
    std::thread::scope(|s| {
        let other = s.spawn(|| {
            if gitlab {
                cx.gitlab_findings();
            }
        });
        if deploy {
            cx.facts();
        }
        join(other);
    });
    let jobs = &cx.pipeline.jobs;
    let (first, second) = jobs.split_at(jobs.len() / 2);
    std::thread::scope(|s| {
        let other = s.spawn(|| {
            let mut out = Vec::new();
            run_jobs(rules, cx, second, &mut out);
            out
        });
        let mut out = run(rules, cx, first);
        out.extend(join(other));
        out
    })
}

/// A scoped thread's result; its panic goes on in this thread.
fn join<T>(handle: std::thread::ScopedJoinHandle<'_, T>) -> T {
    match handle.join() {
        Ok(v) => v,
        Err(panic) => std::panic::resume_unwind(panic),
    }
}

/// Run the enabled rules over one pipeline: one walk, every rule at each job.
pub fn check(pipeline: &Pipeline, options: &Run) -> Vec<Diagnostic> {
    check_leaking(pipeline, options, false)
}

/// [`check`]; with `leak_analysis`, the shared analyses are not freed (for a process that
/// exits right after: freeing a big pipeline's script analysis takes a sixth of its check).
pub fn check_leaking(pipeline: &Pipeline, options: &Run, leak_analysis: bool) -> Vec<Diagnostic> {
    let rules: Vec<&dyn Rule> = RULES
        .iter()
        .copied()
        .filter(|r| options.enabled(r.meta().code))
        .collect();
    let cx = Context::new(pipeline, options);
    let mut out = if pipeline.jobs.len() >= PARALLEL_MIN_JOBS {
        run_parallel(&rules, &cx)
    } else {
        run(&rules, &cx, &pipeline.jobs)
    };
    if leak_analysis {
        std::mem::forget(cx);
    }
    dedup_naming_jobs(&mut out);
    out.sort_by(|a, b| {
        (a.primary.file, a.primary.start, a.rule.code).cmp(&(
            b.primary.file,
            b.primary.start,
            b.rule.code,
        ))
    });
    out
}

/// One anchor or template used by many jobs gives one finding, which names every job
/// it was found in (the first one as its job, the others in `also_jobs`).
fn dedup_naming_jobs(out: &mut Vec<Diagnostic>) {
    let mut first: std::collections::HashMap<(String, crate::load::Span, String), usize> =
        std::collections::HashMap::new();
    let mut kept: Vec<Diagnostic> = Vec::with_capacity(out.len());
    for d in out.drain(..) {
        let key = (d.code().to_string(), d.primary, d.message.clone());
        match first.get(&key) {
            Some(&i) => {
                let k = &mut kept[i];
                for job in d.jobs() {
                    if !k.jobs().any(|j| j == job) {
                        if k.job.is_none() {
                            k.job = Some(job.to_string());
                        } else {
                            k.also_jobs.push(job.to_string());
                        }
                    }
                }
            }
            None => {
                first.insert(key, kept.len());
                kept.push(d);
            }
        }
    }
    *out = kept;
}

/// Declares a rule's `META` (its page is `rules/<code>.md`, embedded).
macro_rules! rule_meta {
    ($code:literal, $name:literal, $sev:ident, $summary:literal) => {
        #[allow(unreachable_pub)] // rule modules are private or public; the macro serves both
        pub static META: $crate::rules::RuleMeta = $crate::rules::RuleMeta {
            code: $code,
            name: $name,
            severity: $crate::rules::Severity::$sev,
            summary: $summary,
            doc: include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/rules/", $code, ".md")),
        };
    };
}
pub(crate) use rule_meta;

/// Declares a rule that reports what a shared pass found: `$report(cx, &META, out)`.
macro_rules! reporting_rule {
    ($ty:ident, $code:literal, $name:literal, $sev:ident, $summary:literal, $report:expr) => {
        #[allow(unreachable_pub)] // rule modules are private or public; the macro serves both
        pub struct $ty;

        $crate::rules::rule_meta!($code, $name, $sev, $summary);

        impl $crate::rules::Rule for $ty {
            fn meta(&self) -> &'static $crate::rules::RuleMeta {
                &META
            }
            fn check_pipeline(
                &self,
                cx: &$crate::rules::Context<'_>,
                out: &mut Vec<$crate::diagnostic::Diagnostic>,
            ) {
                let report: fn(
                    &$crate::rules::Context<'_>,
                    &'static $crate::rules::RuleMeta,
                    &mut Vec<$crate::diagnostic::Diagnostic>,
                ) = $report;
                report(cx, &META, out);
            }
        }
    };
}
pub(crate) use reporting_rule;

/// Declares a rule that reports one kind of model problem.
macro_rules! model_problem_rule {
    ($ty:ident, $kind:ident, $code:literal, $name:literal, $sev:ident, $summary:literal) => {
        $crate::rules::reporting_rule!($ty, $code, $name, $sev, $summary, |cx, meta, out| {
            cx.problems($crate::model::ProblemKind::$kind, meta, out)
        });
    };
}
pub(crate) use model_problem_rule;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{self, Sources};
    use crate::model::{BuildOptions, Role};

    /// Jobs of every kind of finding, in both halves of a pipeline big enough for two cores.
    fn big_pipeline() -> Pipeline {
        let mut y = String::from(
            "stages: [build, deploy]\n\n.tpl:\n  image: bitnami/kubectl:1.27.0\n\n\
             uses-agent:\n  stage: deploy\n  script:\n    - kubectl config use-context $AGENT_KUBECONTEXT\n    - kubectl get pods\n\n",
        );
        for i in 0..(PARALLEL_MIN_JOBS + 40) {
            y += &match i % 4 {
                0 => format!("job-{i}:\n  stage: build\n  script: [make]\n"),
                1 => format!("job-{i}:\n  stage: nope\n  script: [make]\n  unknown_key: 1\n"),
                2 => format!(
                    "deploy-{i}:\n  extends: .tpl\n  stage: deploy\n  script:\n    - kubectl apply -f k8s/\n  environment:\n    name: review/{i}\n    on_stop: stop-{i}\n"
                ),
                _ => format!("job-{i}:\n  needs: [missing-{i}]\n  script: [make]\n"),
            };
        }
        let mut sources = Sources::default();
        let (id, problem) = load::decode(&mut sources, "big.yml".into(), None, y.into_bytes());
        let opts = BuildOptions {
            root: None,
            root_certain: false,
            display_root: String::new(),
            role: Role::Entry,
        };
        Pipeline::build(sources, id, problem, &opts)
    }

    #[test]
    fn two_cores_give_the_same_findings_in_the_same_order() {
        let p = big_pipeline();
        assert!(p.jobs.len() >= PARALLEL_MIN_JOBS);
        let options = Run::all_rules();
        let rules: Vec<&dyn Rule> = RULES.to_vec();
        let serial = run(&rules, &Context::new(&p, &options), &p.jobs);
        let parallel = run_parallel(&rules, &Context::new(&p, &options));
        let codes = |d: &[Diagnostic]| {
            let mut c: Vec<&str> = d.iter().map(|d| d.rule.code).collect();
            c.sort();
            c.dedup();
            c
        };
        // Findings from GitLab's validation and the deployment rules, in jobs of both halves.
        for code in ["KAS020", "KAS024", "KAS025", "KAS028", "KAS101", "KAS210"] {
            assert!(
                codes(&serial).contains(&code),
                "{code}: {:?}",
                codes(&serial)
            );
        }
        assert_eq!(format!("{serial:?}"), format!("{parallel:?}"));
    }
}
