//! What the analyses and rules may know of a run besides the files (built once by the
//! engine from the settings; `rules::Run::all_rules` for every rule).

/// What the rules may know of a run besides the files, built once by the engine from the
/// settings (`Settings::rule_run`): which rules run and the facts the files cannot show.
/// Rules never read command-line settings.
#[derive(Debug, Clone, Default)]
pub struct Run {
    /// Codes of the rules that run, ascending (as `rules::RULES`): looked up by binary search.
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
