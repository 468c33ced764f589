//! The rules that report what a shared pass found, declared in one table: each model
//! problem kind ([`ProblemKind`], found while loading and building the model) and each
//! class of GitLab's validation ([`Class`], see `gitlab/`) is reported by one rule here.
//! Their pages are `rules/<code>.md` as for every rule.

use super::gitlab::finding::Class;
use super::{Context, Declared, Rule, RuleMeta, Uses};
use crate::diagnostic::Diagnostic;
use crate::model::ProblemKind;
// The table names a source by its variant: `Problem(Kind)`, `Gitlab(Class)`.
use super::gitlab::finding::Class as Gitlab;
use crate::model::ProblemKind as Problem;

/// A rule reporting one kind of shared finding.
pub struct Reported {
    pub meta: &'static RuleMeta,
    pub source: Source,
}

/// Which shared finding a [`Reported`] rule reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    Problem(ProblemKind),
    Gitlab(Class),
}

super::declare_rule! {
    reports:
    // -- KAS00x-KAS01x: loading and the model --
    INVALID_YAML = Problem(YamlSyntax), "KAS001", "invalid-yaml", Error,
        "the file is not valid YAML";
    YAML_LIMIT_EXCEEDED = Problem(YamlLimit), "KAS002", "yaml-limit-exceeded", Error,
        "the file exceeds GitLab's size or nesting limits";
    INVALID_CONFIGURATION_FORMAT = Problem(ConfigFormat), "KAS003", "invalid-configuration-format", Error,
        "the configuration is empty or not a mapping";
    DUPLICATE_KEY = Problem(DuplicateKey), "KAS004", "duplicate-key", Warning,
        "a mapping repeats a key and GitLab keeps only the last value";
    INCLUDE_NOT_FOUND = Problem(IncludeMissing), "KAS005", "include-not-found", Error,
        "a local include names a file that does not exist";
    INCLUDE_LOOP = Problem(IncludeLoop), "KAS006", "include-loop", Error,
        "local includes include each other in a loop";
    INCLUDE_INVALID = Problem(IncludeInvalid), "KAS007", "include-invalid", Error,
        "an include is malformed, empty, not YAML, or past GitLab's include limit";
    EXTENDS_UNKNOWN = Problem(ExtendsUnknown), "KAS010", "extends-unknown-target", Error,
        "`extends` names a job or template that does not exist";
    EXTENDS_CIRCULAR = Problem(ExtendsCircular), "KAS011", "extends-circular", Error,
        "`extends` forms a cycle";
    EXTENDS_TOO_DEEP = Problem(ExtendsTooDeep), "KAS012", "extends-too-deep", Error,
        "`extends` nests more than 11 levels";
    EXTENDS_INVALID = Problem(ExtendsInvalid), "KAS013", "extends-invalid", Error,
        "`extends` is not a string or list of strings, or names a value that is not a mapping";
    REFERENCE_NOT_FOUND = Problem(ReferenceNotFound), "KAS014", "reference-not-found", Error,
        "a `!reference` tag points at nothing";
    REFERENCE_CIRCULAR = Problem(ReferenceCircular), "KAS015", "reference-circular", Error,
        "`!reference` tags form a cycle or nest more than 10 deep";
    INVALID_INPUTS = Problem(Inputs), "KAS016", "invalid-inputs", Error,
        "an include passes inputs that its `spec:inputs` does not accept";
    // -- KAS02x-KAS03x: GitLab's configuration validation --
    UNKNOWN_KEY = Gitlab(UnknownKey), "KAS020", "unknown-key", Error,
        "a key GitLab does not accept at this place";
    INVALID_VALUE = Gitlab(Invalid), "KAS021", "invalid-keyword-value", Error,
        "a keyword has a value of the wrong type or outside its allowed values";
    JOB_WITHOUT_SCRIPT = Gitlab(MissingScript), "KAS022", "job-without-script", Error,
        "a visible job has no script, run or trigger";
    NO_VISIBLE_JOB = Gitlab(NoVisibleJob), "KAS023", "no-visible-job", Error,
        "the pipeline defines no visible job";
    UNDEFINED_STAGE = Gitlab(UndefinedStage), "KAS024", "undefined-stage", Error,
        "a job uses a stage that is not declared in stages";
    INVALID_NEEDS = Gitlab(Needs), "KAS025", "invalid-needs", Error,
        "a need names an undefined job, a job in a later stage, or is repeated";
    INVALID_DEPENDENCIES = Gitlab(Dependencies), "KAS026", "invalid-dependencies", Error,
        "a dependency names an undefined job, a later job, or one missing from needs";
    NEEDS_CYCLE = Gitlab(NeedsCycle), "KAS027", "needs-cycle", Error,
        "jobs need each other in a cycle";
    INVALID_ON_STOP = Gitlab(OnStop), "KAS028", "invalid-on-stop", Error,
        "an environment's on_stop job is missing or does not stop the same environment";
    DEPRECATED_KUBERNETES_KEY = Gitlab(Deprecated), "KAS029", "deprecated-kubernetes-key", Warning,
        "environment:kubernetes uses namespace or flux_resource_path, deprecated in favour of dashboard";
    INVALID_INPUT_SPEC = Gitlab(InputSpec), "KAS030", "invalid-input-spec", Error,
        "a spec:inputs declaration or default is invalid";
}

impl Declared for Reported {
    fn meta(&self) -> &'static RuleMeta {
        self.meta
    }
    fn uses(&self) -> Uses {
        Uses {
            gitlab: matches!(self.source, Source::Gitlab(_)),
            ..Uses::NONE
        }
    }
}

impl Rule for Reported {
    fn check_pipeline(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        match self.source {
            Source::Problem(kind) => {
                for p in cx.pipeline.problems.iter().filter(|p| p.kind == kind) {
                    out.push(self.finding(p));
                }
            }
            Source::Gitlab(class) => {
                for f in cx.gitlab_findings().iter().filter(|f| f.kind == class) {
                    let mut d = self.finding(f);
                    if class == Class::UnknownKey {
                        let to = f.help.as_deref().and_then(crate::fix::build::suggested_key);
                        d =
                            d.fix_opt(to.and_then(|to| {
                                crate::fix::build::rename_key(cx.pipeline, f.span, to)
                            }));
                    }
                    out.push(d);
                }
            }
        }
    }
}

impl Reported {
    /// The one conversion of a shared pass's finding into this rule's [`Diagnostic`].
    fn finding<K>(&self, p: &crate::model::Problem<K>) -> Diagnostic {
        let mut d = Diagnostic::new(self.meta, p.span, p.message.clone())
            .help_opt(p.help.clone())
            .job_opt(p.job.clone());
        for (span, text) in &p.related {
            d = d.related(*span, text.clone());
        }
        d
    }
}

#[cfg(test)]
mod tests {
    use super::super::RULES;
    use super::*;

    /// Every problem kind and validation class is reported by exactly one rule.
    #[test]
    fn each_source_has_one_rule() {
        let sources: Vec<Source> = REPORTED.iter().map(|r| r.source).collect();
        for (i, s) in sources.iter().enumerate() {
            assert!(!sources[i + 1..].contains(s), "{s:?} reported twice");
        }
        for r in REPORTED {
            let code = r.meta.code;
            assert!(
                RULES.iter().any(|x| x.meta().code == code),
                "{code} not registered"
            );
        }
    }
}
