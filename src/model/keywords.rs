//! GitLab's keyword facts as data.

/// Top-level keys that are not jobs (`Gitlab::Ci::Config::Entry::Root`).
pub const GLOBAL_KEYWORDS: &[&str] = &[
    "default",
    "include",
    "before_script",
    "image",
    "services",
    "after_script",
    "variables",
    "stages",
    "cache",
    "workflow",
];

/// Keys a job inherits from `default:`.
pub const DEFAULT_KEYS: &[&str] = &[
    "after_script",
    "artifacts",
    "before_script",
    "cache",
    "hooks",
    "id_tokens",
    "identity",
    "image",
    "interruptible",
    "retry",
    "services",
    "tags",
    "timeout",
];

/// Top-level keys that act as `default:` (deprecated spelling).
pub const DEPRECATED_GLOBAL_DEFAULTS: &[&str] = &[
    "image",
    "services",
    "cache",
    "before_script",
    "after_script",
];

/// Stages when `stages:` is absent.
pub const DEFAULT_STAGES: &[&str] = &[".pre", "build", "test", "deploy", ".post"];

pub fn is_global_keyword(key: &str) -> bool {
    GLOBAL_KEYWORDS.contains(&key)
}

// ---- GitLab's entry tables ------------------------------------------------------------
// Sources: `lib/gitlab/ci/config/entry/*.rb` in gitlab-org/gitlab (mirrored as
// gitlabhq/gitlabhq). EE-only keys (`secrets`, `identity`, `dast_configuration`,
// `inputs`) are accepted because GitLab.com and self-managed EE accept them.

/// How a keyword's value is validated: one variant per GitLab entry class.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `Entry::Commands`: a string or nested arrays of strings (10 levels).
    Commands,
    /// `Entry::Stage`: a string.
    Stage,
    /// `Entry::Stages`: nested arrays of strings.
    Stages,
    /// `Entry::Policy` (`only`, `except`).
    Policy,
    /// `Entry::Rules` of a job.
    JobRules,
    /// `Entry::Rules` of `workflow`.
    WorkflowRules,
    /// `Entry::Variables` at the top level (value, description, expand, options).
    GlobalVariables,
    /// `Entry::Variables` of a job (value, expand).
    JobVariables,
    Inherit,
    Environment,
    /// `true` or `false`.
    Boolean,
    Image,
    Services,
    /// `Entry::Caches`: one cache or an array of them.
    Cache,
    /// A duration up to one month.
    Timeout,
    Retry,
    Tags,
    Artifacts,
    JobNeeds,
    BridgeNeeds,
    /// A `/regex/` with RE2 syntax.
    Coverage,
    Release,
    JobParallel,
    BridgeParallel,
    AllowFailure,
    IdTokens,
    Hooks,
    Pages,
    /// A job attribute that must be a string (`resource_group`, `publish`, `manual_confirmation`).
    String,
    /// `extends`: a string or an array of strings.
    Extends,
    /// Attributes the job itself checks (`when`, `dependencies`, `start_in`, a trigger
    /// job's `allow_failure`).
    JobAttribute,
    Trigger,
    Include,
    Workflow,
    Default,
    /// Validated by GitLab with a JSON schema or EE code kaslint does not reproduce.
    Unchecked,
}

/// `Entry::Job`'s keys (its own and `Processable`'s), with how each is validated.
pub const JOB_ENTRIES: &[(&str, Kind)] = &[
    ("extends", Kind::Extends),
    ("stage", Kind::Stage),
    ("only", Kind::Policy),
    ("except", Kind::Policy),
    ("rules", Kind::JobRules),
    ("variables", Kind::JobVariables),
    ("inherit", Kind::Inherit),
    ("allow_failure", Kind::AllowFailure),
    ("when", Kind::JobAttribute),
    ("needs", Kind::JobNeeds),
    ("resource_group", Kind::String),
    ("environment", Kind::Environment),
    ("interruptible", Kind::Boolean),
    ("tags", Kind::Tags),
    ("script", Kind::Commands),
    ("image", Kind::Image),
    ("services", Kind::Services),
    ("start_in", Kind::JobAttribute),
    ("artifacts", Kind::Artifacts),
    ("cache", Kind::Cache),
    ("dependencies", Kind::JobAttribute),
    ("before_script", Kind::Commands),
    ("after_script", Kind::Commands),
    ("hooks", Kind::Hooks),
    ("coverage", Kind::Coverage),
    ("retry", Kind::Retry),
    ("parallel", Kind::JobParallel),
    ("timeout", Kind::Timeout),
    ("release", Kind::Release),
    ("id_tokens", Kind::IdTokens),
    ("publish", Kind::String),
    ("pages", Kind::Pages),
    ("manual_confirmation", Kind::String),
    ("run", Kind::Unchecked),
    // EE (`ee/lib/ee/gitlab/ci/config/entry/job.rb`) and newer keywords.
    ("secrets", Kind::Unchecked),
    ("dast_configuration", Kind::Unchecked),
    ("identity", Kind::Unchecked),
    ("inputs", Kind::Unchecked),
];

/// `Entry::Bridge`'s keys (trigger jobs).
pub const BRIDGE_ENTRIES: &[(&str, Kind)] = &[
    ("extends", Kind::Extends),
    ("stage", Kind::Stage),
    ("only", Kind::Policy),
    ("except", Kind::Policy),
    ("rules", Kind::JobRules),
    ("variables", Kind::JobVariables),
    ("inherit", Kind::Inherit),
    ("allow_failure", Kind::JobAttribute),
    ("when", Kind::JobAttribute),
    ("needs", Kind::BridgeNeeds),
    ("resource_group", Kind::String),
    ("environment", Kind::Environment),
    ("interruptible", Kind::Boolean),
    ("trigger", Kind::Trigger),
    ("parallel", Kind::BridgeParallel),
    ("inputs", Kind::Unchecked),
];

/// `Entry::Default`'s keys.
pub const DEFAULT_ENTRIES: &[(&str, Kind)] = &[
    ("before_script", Kind::Commands),
    ("after_script", Kind::Commands),
    ("hooks", Kind::Hooks),
    ("cache", Kind::Cache),
    ("image", Kind::Image),
    ("services", Kind::Services),
    ("interruptible", Kind::Boolean),
    ("timeout", Kind::Timeout),
    ("retry", Kind::Retry),
    ("tags", Kind::Tags),
    ("artifacts", Kind::Artifacts),
    ("id_tokens", Kind::IdTokens),
    ("identity", Kind::Unchecked),
];

/// `Entry::Root`'s keywords (everything else is a job).
pub const ROOT_ENTRIES: &[(&str, Kind)] = &[
    ("default", Kind::Default),
    ("include", Kind::Include),
    ("before_script", Kind::Commands),
    ("image", Kind::Image),
    ("services", Kind::Services),
    ("after_script", Kind::Commands),
    ("variables", Kind::GlobalVariables),
    ("stages", Kind::Stages),
    ("cache", Kind::Cache),
    ("workflow", Kind::Workflow),
];

/// `Entry::Workflow`.
pub const WORKFLOW_KEYS: &[&str] = &["rules", "name", "auto_cancel"];

/// `Entry::Rules::Rule` keys and `when` values, per context.
pub const JOB_RULE_KEYS: &[&str] = &[
    "if",
    "changes",
    "exists",
    "when",
    "start_in",
    "allow_failure",
    "variables",
    "needs",
    "interruptible",
];
pub const JOB_RULE_WHEN: &[&str] = &[
    "on_success",
    "on_failure",
    "always",
    "never",
    "manual",
    "delayed",
];
pub const WORKFLOW_RULE_KEYS: &[&str] = &[
    "if",
    "changes",
    "exists",
    "when",
    "start_in",
    "allow_failure",
    "variables",
    "needs",
    "auto_cancel",
];
pub const WORKFLOW_RULE_WHEN: &[&str] = &["always", "never"];
pub const CHANGES_KEYS: &[&str] = &["paths", "compare_to"];
pub const EXISTS_KEYS: &[&str] = &["paths", "project", "ref"];
/// `rules:changes` / `rules:exists` arrays hold at most this many paths.
pub const RULE_PATHS_LIMIT: usize = 50;

/// `when` of jobs and trigger jobs.
pub const JOB_WHEN: &[&str] = &["on_success", "on_failure", "always", "manual", "delayed"];
pub const BRIDGE_WHEN: &[&str] = &["on_success", "on_failure", "always", "manual"];

/// `Entry::Policy` (`only` / `except` as a hash).
pub const POLICY_KEYS: &[&str] = &["refs", "kubernetes", "variables", "changes"];

/// `Entry::Artifacts`.
pub const ARTIFACTS_KEYS: &[&str] = &[
    "name",
    "untracked",
    "paths",
    "reports",
    "when",
    "expire_in",
    "expose_as",
    "exclude",
    "public",
    "access",
];
pub const ARTIFACTS_WHEN: &[&str] = &["on_success", "on_failure", "always"];
pub const ARTIFACTS_ACCESS: &[&str] = &["none", "developer", "maintainer", "all"];
/// `Entry::Reports::ALLOWED_KEYS` (artifact report types). `cobertura` (replaced by
/// `coverage_report` in GitLab 15.0), `license_management` and `cluster_applications` were
/// removed from the list: GitLab now rejects them as unknown keys.
pub const REPORTS_KEYS: &[&str] = &[
    "junit",
    "codequality",
    "sast",
    "secret_detection",
    "dependency_scanning",
    "container_scanning",
    "dast",
    "performance",
    "browser_performance",
    "load_performance",
    "license_scanning",
    "metrics",
    "lsif",
    "dotenv",
    "terraform",
    "accessibility",
    "requirements",
    "requirements_v2",
    "coverage_fuzzing",
    "api_fuzzing",
    "cluster_image_scanning",
    "coverage_report",
    "cyclonedx",
    "annotations",
    "repository_xray",
    "sarif",
];
pub const COVERAGE_REPORT_KEYS: &[&str] = &["coverage_format", "path"];
pub const COVERAGE_FORMATS: &[&str] = &["cobertura", "jacoco"];

/// `Entry::Cache`.
pub const CACHE_KEYS: &[&str] = &[
    "key",
    "untracked",
    "paths",
    "when",
    "policy",
    "unprotect",
    "fallback_keys",
];
pub const CACHE_WHEN: &[&str] = &["on_success", "on_failure", "always"];
pub const CACHE_KEY_KEYS: &[&str] = &["files", "files_commits", "prefix"];
/// `Entry::Caches::MULTIPLE_CACHE_LIMIT` (the default of `ci_max_caches_per_job`).
pub const CACHE_LIMIT: usize = 4;

/// `Entry::Image` / `Entry::Service` (`Imageable`). `ports` is in the keys but is
/// disallowed outside the Web IDE terminal.
pub const IMAGE_KEYS: &[&str] = &[
    "docker",
    "kubernetes",
    "name",
    "entrypoint",
    "ports",
    "pull_policy",
];
pub const SERVICE_KEYS: &[&str] = &[
    "docker",
    "kubernetes",
    "name",
    "entrypoint",
    "ports",
    "pull_policy",
    "command",
    "alias",
    "variables",
];
pub const PULL_POLICIES: &[&str] = &["always", "never", "if-not-present"];
/// `schemas/imageable/executor_opts.json`: executor → its keys.
pub const EXECUTOR_OPTS: &[(&str, &[&str])] =
    &[("docker", &["platform", "user"]), ("kubernetes", &["user"])];

/// `Entry::Environment`.
pub const ENVIRONMENT_KEYS: &[&str] = &[
    "name",
    "url",
    "action",
    "on_stop",
    "auto_stop_in",
    "kubernetes",
    "deployment_tier",
];
pub const ENVIRONMENT_ACTIONS: &[&str] = &["start", "stop", "prepare", "verify", "access"];
pub const DEPLOYMENT_TIERS: &[&str] = &["production", "staging", "testing", "development", "other"];
/// `Entry::Kubernetes` (`environment:kubernetes`).
pub const KUBERNETES_KEYS: &[&str] = &[
    "namespace",
    "agent",
    "flux_resource_path",
    "managed_resources",
    "dashboard",
];
/// `environment:kubernetes` keys deprecated in GitLab 18.4 → their `dashboard:` twin.
pub const KUBERNETES_DEPRECATED: &[(&str, &str)] = &[
    ("namespace", "dashboard:namespace"),
    ("flux_resource_path", "dashboard:flux_resource_path"),
];
/// `schemas/kubernetes/dashboard.json`: key, maximum length; `namespace` is required.
pub const DASHBOARD_KEYS: &[(&str, usize)] = &[("namespace", 63), ("flux_resource_path", 255)];

/// `Entry::Retry::FullRetry`.
pub const RETRY_KEYS: &[&str] = &["max", "when", "exit_codes"];
/// `Ci::Build.failure_reasons` keys plus `always` (`app/models/concerns/enums/ci/commit_status.rb`).
pub const RETRY_WHEN: &[&str] = &[
    "always",
    "unknown_failure",
    "script_failure",
    "api_failure",
    "stuck_or_timeout_failure",
    "runner_system_failure",
    "missing_dependency_failure",
    "runner_unsupported",
    "stale_schedule",
    "job_execution_timeout",
    "archived_failure",
    "unmet_prerequisites",
    "scheduler_failure",
    "data_integrity_failure",
    "forward_deployment_failure",
    "user_blocked",
    "project_deleted",
    "ci_quota_exceeded",
    "pipeline_loop_detected",
    "no_matching_runner",
    "trace_size_exceeded",
    "builds_disabled",
    "environment_creation_failure",
    "deployment_rejected",
    "failed_outdated_deployment_job",
    "job_execution_server_timeout",
    "stuck_pending_with_matching_runners",
    "stuck_pending_no_matching_runners",
    "no_updates_running",
    "no_updates_canceling",
    "server_timeout_running",
    "server_timeout_canceling",
    "runner_configuration_error",
    "runner_external_dependency_failure",
    "runner_interrupted",
    "protected_environment_failure",
    "insufficient_bridge_permissions",
    "downstream_bridge_project_not_found",
    "invalid_bridge_trigger",
    "upstream_bridge_project_not_found",
    "insufficient_upstream_permissions",
    "bridge_pipeline_is_child_pipeline",
    "downstream_pipeline_creation_failed",
    "secrets_provider_not_found",
    "reached_max_descendant_pipelines_depth",
    "ip_restriction_failure",
    "reached_max_pipeline_hierarchy_size",
    "reached_downstream_pipeline_trigger_rate_limit",
    "duo_workflow_not_allowed",
    "job_router_failure",
    "job_token_expired",
    "id_token_burned_project_path",
    "downstream_project_trigger_resolved_to_empty",
];
/// `retry` and `retry:max` are at most this.
pub const RETRY_MAX: i64 = 2;

pub const ALLOW_FAILURE_KEYS: &[&str] = &["exit_codes"];
pub const INHERIT_KEYS: &[&str] = &["default", "variables"];
pub const HOOKS_KEYS: &[&str] = &["pre_get_sources_script"];
pub const ID_TOKEN_KEYS: &[&str] = &["aud"];
pub const PAGES_KEYS: &[&str] = &["path_prefix", "expire_in", "publish"];
pub const AUTO_CANCEL_KEYS: &[&str] = &["on_new_commit", "on_job_failure"];
pub const AUTO_CANCEL_ON_NEW_COMMIT: &[&str] = &["conservative", "interruptible", "none"];
pub const AUTO_CANCEL_ON_JOB_FAILURE: &[&str] = &["none", "all"];
pub const RELEASE_KEYS: &[&str] = &[
    "tag_name",
    "tag_message",
    "name",
    "description",
    "ref",
    "released_at",
    "milestones",
    "assets",
];
pub const RELEASE_ASSETS_KEYS: &[&str] = &["links"];
pub const RELEASE_LINK_KEYS: &[&str] =
    &["name", "url", "filepath", "link_type", "direct_asset_path"];

/// `Entry::Trigger`: to another project, or a child pipeline (`include`).
pub const TRIGGER_PROJECT_KEYS: &[&str] = &["project", "branch", "strategy", "forward", "inputs"];
pub const TRIGGER_CHILD_KEYS: &[&str] = &["strategy", "include", "forward", "inputs"];
pub const TRIGGER_STRATEGIES: &[&str] = &["depend", "mirror"];
pub const TRIGGER_FORWARD_KEYS: &[&str] = &["yaml_variables", "pipeline_variables"];

/// `Entry::Need` forms.
pub const NEED_JOB_KEYS: &[&str] = &["job", "artifacts", "optional", "parallel"];
pub const NEED_PIPELINE_KEYS: &[&str] = &["pipeline", "job", "artifacts"];
pub const NEED_PROJECT_KEYS: &[&str] = &["project", "job", "ref", "artifacts"];
pub const NEED_BRIDGE_KEYS: &[&str] = &["pipeline", "project", "ref"];
/// `ci_needs_size_limit`'s default: one job needs at most this many others.
pub const NEEDS_LIMIT: usize = 50;

/// `Entry::Product::Parallel`.
pub const PARALLEL_KEYS: &[&str] = &["matrix"];
pub const PARALLEL_LIMIT: i64 = 200;

/// `Header::Spec` and `Header::Input`.
pub const SPEC_KEYS: &[&str] = &["inputs", "include", "component", "description"];
pub const INPUT_KEYS: &[&str] = &[
    "default",
    "description",
    "options",
    "regex",
    "type",
    "rules",
];
pub const INPUT_TYPES: &[&str] = &["array", "boolean", "number", "string"];
pub const INPUT_OPTIONS_LIMIT: usize = 50;
/// `Header::Input::Rules::Rule::ALLOWED_KEYS`.
pub const INPUT_RULE_KEYS: &[&str] = &["if", "options", "default"];
/// `Header::Component::ALLOWED_VALUES`: the `$[[ component.x ]]` fields.
pub const SPEC_COMPONENT_FIELDS: &[&str] = &["name", "sha", "version", "reference"];
/// `Header::Include::ALLOWED_KEYS` (`BaseInclude::COMMON_ALLOWED_KEYS`).
pub const SPEC_INCLUDE_KEYS: &[&str] = &["local", "file", "remote", "project", "ref", "integrity"];
/// `Header::Spec`: `validates :config_description, length: { maximum: 256 }`.
pub const SPEC_DESCRIPTION_MAX: usize = 256;

/// `Entry::Tags::TAGS_LIMIT`: a job has fewer tags than this.
pub const TAGS_LIMIT: usize = 50;

/// Longest `timeout` (`Project::MAX_BUILD_TIMEOUT`, one month) and `start_in` (one week), in seconds.
pub const MAX_TIMEOUT_SECS: f64 = 30.0 * 86400.0;
pub const MAX_START_IN_SECS: f64 = 7.0 * 86400.0;

/// Keys of an entry table.
pub fn keys_of(entries: &[(&'static str, Kind)]) -> Vec<&'static str> {
    entries.iter().map(|(k, _)| *k).collect()
}

/// How `key` is validated in an entry table.
pub fn kind_of(entries: &[(&str, Kind)], key: &str) -> Option<Kind> {
    entries
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, kind)| *kind)
}
