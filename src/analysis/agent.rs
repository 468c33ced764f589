//! What the agent rules (KAS110-KAS114) share: which agent a context names, whose
//! configuration project that is, and what the repository's `ci_access` says.

use std::sync::LazyLock;

use regex::Regex;

use super::facts::Facts;
use super::Run;
use crate::analysis::vars::Vars;
use crate::load::{NodeRef, Span};
use crate::model::agents::AgentConfig;
use crate::model::Pipeline;

static AGENT_NAME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$").expect("valid regex"));

/// Stands for this project's full path while expanding (`$CI_PROJECT_PATH`).
const THIS_PATH: &str = "\u{1}";
const THIS_NAMESPACE: &str = "\u{2}";
const THIS_NAME: &str = "\u{3}";

/// Whose agent a context names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfigProject {
    /// This repository's project (`$CI_PROJECT_PATH`, or the path in `kaslint.toml`).
    This,
    /// Another project, or a path kaslint cannot tie to this repository.
    Other(String),
}

/// One use of an agent by a job.
#[derive(Clone, Debug)]
pub struct AgentUse {
    pub project: ConfigProject,
    pub agent: String,
    /// The context as expanded (this project's path shown as `$CI_PROJECT_PATH`, or as
    /// configured).
    pub shown: String,
    /// Where the context was written (a variable's definition when the context is one
    /// variable).
    pub span: Span,
    /// From `environment:kubernetes:agent` (the dashboard), not a selected context.
    pub from_environment: bool,
}

/// The agents a job uses: the contexts it selects (unless it builds its own kubeconfig)
/// and, with `with_environment`, its `environment:kubernetes:agent`. Contexts whose
/// agent name or project cannot be read from the files are left out.
pub fn agent_uses(f: &Facts<'_>, options: &Run, with_environment: bool) -> Vec<AgentUse> {
    let mut out: Vec<AgentUse> = Vec::new();
    let mut push = |u: AgentUse| {
        if !out
            .iter()
            .any(|o| o.span == u.span && o.agent == u.agent && o.project == u.project)
        {
            out.push(u);
        }
    };
    if !f.own_kubeconfig() {
        for w in f.selected_contexts() {
            if let Some(u) = resolve(&f.vars, options, &w.text, w.span, false) {
                push(u);
            }
        }
    }
    if with_environment {
        if let Some(node) = f.env_agent() {
            let text = node.as_str().unwrap_or_default();
            if let Some(u) = resolve(&f.vars, options, text, node.span, true) {
                push(u);
            }
        }
    }
    out
}

fn resolve(
    vars: &Vars,
    options: &Run,
    text: &str,
    span: Span,
    from_environment: bool,
) -> Option<AgentUse> {
    let text = text.trim_matches('"');
    let value = expand(vars, text)?;
    let value = value.replace(&format!("{THIS_NAMESPACE}/{THIS_NAME}"), THIS_PATH);
    let (path, agent) = value.rsplit_once(':')?;
    if agent.len() > 63 || !AGENT_NAME.is_match(agent) {
        return None;
    }
    let this = options.project.as_deref();
    let project = if path == THIS_PATH {
        ConfigProject::This
    } else if path.is_empty() || path.contains(['$', '\u{1}', '\u{2}', '\u{3}']) {
        return None;
    } else if this.is_some_and(|p| p.eq_ignore_ascii_case(path)) {
        ConfigProject::This
    } else {
        ConfigProject::Other(path.to_string())
    };
    let shown_path = match (&project, this) {
        (ConfigProject::This, Some(p)) => p.to_string(),
        (ConfigProject::This, None) => "$CI_PROJECT_PATH".to_string(),
        _ => path.to_string(),
    };
    Some(AgentUse {
        project,
        agent: agent.to_string(),
        shown: format!("{shown_path}:{agent}"),
        span: definition_span(vars, text).unwrap_or(span),
        from_environment,
    })
}

/// Where the value was written when `text` is exactly one variable with one definition.
fn definition_span(vars: &Vars, text: &str) -> Option<Span> {
    let names = var_names(text);
    let [name] = names.as_slice() else {
        return None;
    };
    let bare = text.trim_matches(['{', '}', '$', '"']);
    if bare != name {
        return None;
    }
    match vars.defs(name) {
        [def] if def.value.is_some() => Some(def.span),
        _ => None,
    }
}

/// Expand like [`Vars::expand`], with this project's path, namespace and name kept as
/// markers (their values are unknown, but their meaning is not).
fn expand(vars: &Vars, text: &str) -> Option<String> {
    vars.expand_with(text, &|name| match name {
        "CI_PROJECT_PATH" => Some(THIS_PATH),
        "CI_PROJECT_NAMESPACE" => Some(THIS_NAMESPACE),
        "CI_PROJECT_NAME" => Some(THIS_NAME),
        _ => None,
    })
}

/// This repository's configuration of `agent`.
pub fn repo_agent<'p>(p: &'p Pipeline, agent: &str) -> Option<&'p AgentConfig> {
    p.agents.iter().find(|a| a.name == agent)
}

/// The `ci_access.projects` entries naming `project` (case-insensitive, as GitLab's paths).
pub fn project_entries<'a>(config: &'a NodeRef, project: &str) -> Vec<&'a NodeRef> {
    let project = project.trim_matches('/');
    config
        .get("ci_access")
        .and_then(|c| c.get("projects"))
        .and_then(|p| p.as_seq())
        .unwrap_or_default()
        .iter()
        .filter(|e| {
            e.get("id")
                .and_then(|i| i.scalar_text())
                .is_some_and(|id| id.trim_matches('/').eq_ignore_ascii_case(project))
        })
        .collect()
}

/// How the agent's own configuration project may use it: `None` when every job gets its
/// context (no `ci_access.projects` entry names the project, so GitLab's implicit
/// authorization of the configuration project applies, or an entry has no
/// `environments`); else the `environments` nodes that restrict it.
pub fn own_project_environments<'a>(
    config: &'a AgentConfig,
    project: &str,
) -> Option<Vec<&'a NodeRef>> {
    let node = config.node.as_ref()?;
    let entries = project_entries(node, project);
    if entries.is_empty() {
        return None;
    }
    let mut lists = Vec::new();
    for e in entries {
        let envs = e.get("environments").filter(|v| !v.is_null())?;
        let items = envs.as_seq()?;
        if items.is_empty() || items.iter().any(|i| i.scalar_text().is_none()) {
            return None;
        }
        lists.push(envs);
    }
    Some(lists)
}

/// A job's use of an agent whose `ci_access` entry for this project lists `environments`.
pub struct RestrictedUse<'p> {
    pub agent_use: AgentUse,
    pub config: &'p AgentConfig,
    /// The entry's `environments` lists.
    pub lists: Vec<&'p NodeRef>,
}

impl RestrictedUse<'_> {
    /// The environment names and patterns the lists allow.
    pub fn patterns(&self) -> Vec<String> {
        self.lists
            .iter()
            .filter_map(|l| l.as_seq())
            .flatten()
            .filter_map(|i| i.scalar_text())
            .collect()
    }
}

/// GitLab's `EnvironmentMatcher`: an exact match, or, when the pattern holds `*`, a
/// match of the pattern as an unanchored regular expression with `*` as `.*`. `None`
/// when the pattern cannot be read as such (undecided).
pub fn environment_matches(pattern: &str, environment: &str) -> Option<bool> {
    if pattern.is_empty() {
        return Some(false);
    }
    if pattern == environment {
        return Some(true);
    }
    if !pattern.contains('*') {
        return Some(false);
    }
    let re = Regex::new(&pattern.replace('*', ".*")).ok()?;
    Some(re.is_match(environment))
}

/// The job's environment name (`environment` or `environment:name`) and its node.
pub fn environment_name<'a>(f: &Facts<'a>) -> Option<&'a NodeRef> {
    f.job.environment()?.name
}

/// The agents of this repository a job selects whose `ci_access` entry for this project
/// lists `environments`, with those lists. Needs the project's path (`kaslint.toml`
/// `project`) and a configuration the agent server accepts.
pub fn restricted_uses<'p>(
    p: &'p Pipeline,
    options: &Run,
    f: &Facts<'_>,
) -> Vec<RestrictedUse<'p>> {
    let Some(project) = options.project.as_deref() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for u in agent_uses(f, options, false) {
        if u.project != ConfigProject::This {
            continue;
        }
        let Some(config) = repo_agent(p, &u.agent) else {
            continue;
        };
        // GitLab ignores a `config.yml`, and keeps its previous configuration when the
        // agent server rejects the file: what applies is then unknown.
        if config.wrong_extension || !super::agent_config::validate(config).is_empty() {
            continue;
        }
        if let Some(lists) = own_project_environments(config, project) {
            out.push(RestrictedUse {
                agent_use: u,
                config,
                lists,
            });
        }
    }
    out
}

/// Agent names configured in the repository (`.gitlab/agents/<name>/`), sorted.
pub fn repo_agents(p: &Pipeline) -> Vec<String> {
    p.agents.iter().map(|a| a.name.clone()).collect()
}

/// Variables named in a text (`$A`, `${B}`), in order.
pub fn var_names(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find('$') {
        let after = &rest[i + 1..];
        let body = after.strip_prefix('{').unwrap_or(after);
        let name: String = body
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !name.is_empty() && !name.starts_with(|c: char| c.is_ascii_digit()) {
            out.push(name);
        }
        rest = after;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::environment_matches;

    #[test]
    fn gitlab_environment_matching() {
        assert_eq!(environment_matches("production", "production"), Some(true));
        assert_eq!(environment_matches("production", "staging"), Some(false));
        assert_eq!(
            environment_matches("review/*", "review/feature-1"),
            Some(true)
        );
        assert_eq!(environment_matches("review/*", "staging"), Some(false));
        // Unanchored, as GitLab's `Regexp.new(pattern.gsub('*', '.*'))`.
        assert_eq!(environment_matches("review/*", "old/review/x"), Some(true));
        assert_eq!(environment_matches("*", "anything"), Some(true));
        assert_eq!(environment_matches("", "production"), Some(false));
        assert_eq!(environment_matches("a(*", "a(b"), None);
    }
}
