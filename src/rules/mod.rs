//! The rule engine: one rule = one type in its own file, declared once with a
//! [`RuleMeta`] and registered in [`RULES`]. Rules see the model, never raw YAML.

use crate::analysis::facts::{Facts, FactsTable};
pub use crate::diagnostic::{Diagnostic, RuleMeta, Severity};
use crate::model::{Job, Pipeline};

pub mod deploy;
pub mod gitlab;
mod include_not_checked;
pub mod prelude;
pub mod reported;
pub mod security;
pub mod shellcheck;
pub mod suppression_malformed;
pub mod suppression_unused;
pub mod suppression_without_reason;

/// What `declare_rule!` writes for a rule: its metadata and the shared analyses it uses.
pub trait Declared {
    fn meta(&self) -> &'static RuleMeta;
    fn uses(&self) -> Uses;
}

/// A rule's hooks (the engine walks the pipeline once and calls every enabled rule).
pub trait Rule: Declared + Sync {
    /// Called once per pipeline.
    fn check_pipeline(&self, _cx: &Context<'_>, _out: &mut Vec<Diagnostic>) {}
    /// Called once per visible job with its facts, for the rules that use `facts`.
    fn check_job(&self, _cx: &Context<'_>, _job: &Job, _f: &Facts<'_>, _out: &mut Vec<Diagnostic>) {
    }
}

/// The shared analyses a rule uses, computed once per pipeline by the engine (side by
/// side on big pipelines) and read by the rules through [`Context`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Uses {
    /// The facts of each job's scripts, variables and image ([`Context::facts`]); the
    /// engine calls the rule's [`Rule::check_job`] for every visible job.
    pub facts: bool,
    /// GitLab's validation ([`Context::gitlab_findings`]).
    pub gitlab: bool,
}

impl Uses {
    pub const NONE: Uses = Uses {
        facts: false,
        gitlab: false,
    };
}

pub use crate::analysis::Run;

impl Run {
    /// Every rule enabled, nothing known beyond the files, no ShellCheck.
    pub fn all_rules() -> Self {
        Run {
            enabled: RULES.iter().map(|r| r.meta().code).collect(),
            ..Run::default()
        }
    }
    pub fn enabled(&self, code: &str) -> bool {
        self.enabled.binary_search(&code).is_ok()
    }
}

/// What a rule sees.
pub struct Context<'a> {
    pub pipeline: &'a Pipeline,
    pub options: &'a Run,
    /// Per-job script and variable analysis, built on first use and shared by the rules.
    facts: std::sync::OnceLock<FactsTable<'a>>,
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
    pub fn facts(&self) -> &FactsTable<'a> {
        self.facts.get_or_init(|| {
            FactsTable::new(self.pipeline, &self.options.variables, &self.options.images)
        })
    }
}

/// Every rule, in documentation order. Sections: KAS0xx YAML, model and GitLab's own
/// validation; KAS1xx kube context and agent; KAS2xx images and kubectl versions;
/// KAS3xx environments and `on_stop`; KAS4xx security and TLS; KAS500 ShellCheck;
/// KAS9xx kaslint itself.
pub static RULES: &[&dyn Rule] = &ALL;

/// Every rule: the engine's own (loading, the model, GitLab's validation), each family's
/// `RULES` (one per rule file, listed by `build.rs`), then ShellCheck and kaslint's own.
/// Codes ascend.
static ALL: [&dyn Rule; CORE.len() + deploy::RULES.len() + security::RULES.len() + TAIL.len()] =
    concat(&[CORE, deploy::RULES, security::RULES, TAIL]);

const CORE: &[&dyn Rule] = &[
    &reported::INVALID_YAML,
    &reported::YAML_LIMIT_EXCEEDED,
    &reported::INVALID_CONFIGURATION_FORMAT,
    &reported::DUPLICATE_KEY,
    &reported::INCLUDE_NOT_FOUND,
    &reported::INCLUDE_LOOP,
    &reported::INCLUDE_INVALID,
    &include_not_checked::IncludeNotChecked,
    &reported::EXTENDS_UNKNOWN,
    &reported::EXTENDS_CIRCULAR,
    &reported::EXTENDS_TOO_DEEP,
    &reported::EXTENDS_INVALID,
    &reported::REFERENCE_NOT_FOUND,
    &reported::REFERENCE_CIRCULAR,
    &reported::INVALID_INPUTS,
    &reported::UNKNOWN_KEY,
    &reported::INVALID_VALUE,
    &reported::JOB_WITHOUT_SCRIPT,
    &reported::NO_VISIBLE_JOB,
    &reported::UNDEFINED_STAGE,
    &reported::INVALID_NEEDS,
    &reported::INVALID_DEPENDENCIES,
    &reported::NEEDS_CYCLE,
    &reported::INVALID_ON_STOP,
    &reported::DEPRECATED_KUBERNETES_KEY,
    &reported::INVALID_INPUT_SPEC,
];

const TAIL: &[&dyn Rule] = &[
    &shellcheck::Shellcheck,
    &suppression_unused::SuppressionUnused,
    &suppression_malformed::SuppressionMalformed,
    &suppression_without_reason::SuppressionWithoutReason,
];

/// The lists one after another (at compile time).
const fn concat<const N: usize>(parts: &[&[&'static dyn Rule]]) -> [&'static dyn Rule; N] {
    let mut out: [&'static dyn Rule; N] = [parts[0][0]; N];
    let (mut i, mut n) = (0, 0);
    while i < parts.len() {
        let mut j = 0;
        while j < parts[i].len() {
            out[n] = parts[i][j];
            n += 1;
            j += 1;
        }
        i += 1;
    }
    assert!(n == N);
    out
}

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

/// The walk: each visible job of `jobs`, with its facts, to the rules that use them.
fn run_jobs(rules: &[&dyn Rule], cx: &Context<'_>, jobs: &[Job], out: &mut Vec<Diagnostic>) {
    let job_rules: Vec<&dyn Rule> = rules.iter().copied().filter(|r| r.uses().facts).collect();
    if job_rules.is_empty() {
        return;
    }
    let facts = cx.facts();
    for job in jobs.iter().filter(|j| !j.hidden) {
        let Some(f) = facts.of(job) else { continue };
        for rule in &job_rules {
            rule.check_job(cx, job, f, out);
        }
    }
}

/// [`run`] on two cores, with the same findings in the same order: the shared analyses
/// the rules declare (GitLab's validation, the jobs' facts) side by side, then the
/// pipeline hooks and the first half of the jobs here, the second half there.
fn run_parallel(rules: &[&dyn Rule], cx: &Context<'_>) -> Vec<Diagnostic> {
    let gitlab = rules.iter().any(|r| r.uses().gitlab);
    let facts = rules.iter().any(|r| r.uses().facts);
    std::thread::scope(|s| {
        let other = s.spawn(|| {
            if gitlab {
                cx.gitlab_findings();
            }
        });
        if facts {
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

/// Declares a rule, the one way: its code, name, default severity, one-line summary
/// (its page is `rules/<code>.md`, embedded) and the shared analyses it uses.
///
/// `declare_rule!(Name, "KASnnn", "rule-name", Warning, "summary", uses: [facts]);` writes
/// `pub struct Name`, its `pub static META` and its [`Declared`]; the file then writes
/// `impl Rule for Name` with the hooks it needs. `uses: [facts]` (the jobs' scripts,
/// variables and image) makes the engine call `check_job` for each visible job;
/// `uses: [gitlab]`: GitLab's validation.
///
/// `declare_rule! { reports: NAME = Problem(Kind), "KASnnn", ...; }` declares the rules
/// that only report a shared finding ([`reported`]).
macro_rules! declare_rule {
    ($ty:ident, $code:literal, $name:literal, $sev:ident, $summary:literal $(, uses: [$($uses:ident),* $(,)?])? $(,)?) => {
        #[allow(unreachable_pub)] // rule modules are private or public; the macro serves both
        pub struct $ty;

        #[allow(unreachable_pub)]
        pub static META: $crate::rules::RuleMeta =
            $crate::rules::declare_rule!(@meta $code, $name, $sev, $summary);

        impl $crate::rules::Declared for $ty {
            fn meta(&self) -> &'static $crate::rules::RuleMeta {
                &META
            }
            fn uses(&self) -> $crate::rules::Uses {
                $crate::rules::Uses {
                    $($($uses: true,)*)?
                    ..$crate::rules::Uses::NONE
                }
            }
        }
    };
    (reports: $($static:ident = $source:ident($kind:ident), $code:literal, $name:literal, $sev:ident, $summary:literal;)*) => {
        $(
            pub static $static: $crate::rules::reported::Reported = $crate::rules::reported::Reported {
                meta: &$crate::rules::declare_rule!(@meta $code, $name, $sev, $summary),
                source: $crate::rules::reported::Source::$source($source::$kind),
            };
        )*
        /// Every rule of the table, in its order.
        pub static REPORTED: &[&$crate::rules::reported::Reported] = &[$(&$static),*];
    };
    (@meta $code:literal, $name:literal, $sev:ident, $summary:literal) => {
        $crate::rules::RuleMeta {
            code: $code,
            name: $name,
            severity: $crate::rules::Severity::$sev,
            summary: $summary,
            doc: include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/rules/", $code, ".md")),
        }
    };
}
pub(crate) use declare_rule;

#[cfg(test)]
mod tests {
    use super::*;

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
        Pipeline::from_yaml("big.yml", &y)
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

    /// `RULES` holds each rule once, codes ascending: the families' lists `build.rs`
    /// writes from their files take their place among the engine's own.
    #[test]
    fn every_rule_once_in_code_order() {
        let codes: Vec<&str> = RULES.iter().map(|r| r.meta().code).collect();
        assert!(codes.windows(2).all(|w| w[0] < w[1]), "{codes:?}");
        for code in ["KAS101", "KAS110", "KAS308", "KAS403", "KAS409"] {
            assert!(codes.contains(&code), "{code}");
        }
    }
}
