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
