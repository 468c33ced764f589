//! KAS407: a job that deploys to production through the agent can run in merge request
//! pipelines, which run the merge request author's YAML.

use super::uses_agent;
use crate::load::NodeRef;
use crate::model::Pipeline;
use crate::rules::deploy::agent::{agent_uses, project_entries, repo_agent, ConfigProject};
use crate::rules::deploy::on_stop::canon;
use crate::rules::prelude::*;

declare_rule!(
    MrDeploysProduction,
    "KAS407",
    "mr-deploys-production",
    Warning,
    "a job deploying to production through the agent can run in merge request pipelines", uses: [facts]
);

/// GitLab's `Environment#guess_tier` (`app/models/environment.rb`): the first pattern
/// the lower-cased name matches, unanchored (its `(a|)` written `a?`).
const TIER_GUESS: &[(&str, &str)] = &[
    ("development", r"(dev|review|trunk)"),
    ("testing", r"(test|tst|int|ac(ce)?pt|qa|qc|control|quality)"),
    ("staging", r"(sta?g|mode?l|pre|demo|non)"),
    ("production", r"(pro?d|live)"),
];

static TIERS: std::sync::LazyLock<Vec<(&'static str, regex::Regex)>> =
    std::sync::LazyLock::new(|| {
        TIER_GUESS
            .iter()
            .map(|(t, re)| (*t, regex::Regex::new(re).expect("valid regex")))
            .collect()
    });

/// The tier GitLab gives an environment of this name when `deployment_tier` is absent.
pub fn guess_tier(name: &str) -> &'static str {
    let name = name.to_ascii_lowercase();
    TIERS
        .iter()
        .find(|(_, re)| re.is_match(&name))
        .map_or("other", |(t, _)| t)
}

/// A `rules:if` that holds in merge request pipelines (`Some(true)`), in none of them
/// (`Some(false)`), or depending on something else (`None`). `||` holds when one side
/// does; `&&` fails when one side fails, and otherwise counts as its merge request test.
fn if_in_mr(cond: &str) -> Option<bool> {
    let c = cond.replace([' ', '(', ')'], "");
    let any: Vec<Option<bool>> = c.split("||").map(conjunction_in_mr).collect();
    if any.contains(&Some(true)) {
        Some(true)
    } else if any.iter().all(|a| *a == Some(false)) {
        Some(false)
    } else {
        None
    }
}

fn conjunction_in_mr(c: &str) -> Option<bool> {
    let all: Vec<Option<bool>> = c.split("&&").map(test_in_mr).collect();
    if all.contains(&Some(false)) {
        Some(false)
    } else if all.contains(&Some(true)) {
        Some(true)
    } else {
        None
    }
}

/// One comparison (spaces and parentheses removed).
fn test_in_mr(t: &str) -> Option<bool> {
    let source_is = |v: &str| {
        t == format!("$CI_PIPELINE_SOURCE==\"{v}\"") || t == format!("$CI_PIPELINE_SOURCE=='{v}'")
    };
    if source_is("merge_request_event") {
        return Some(true);
    }
    if t.starts_with("$CI_PIPELINE_SOURCE==") {
        return Some(false);
    }
    if t.starts_with("$CI_PIPELINE_SOURCE!=") && t.contains("merge_request_event") {
        return Some(false);
    }
    if t.starts_with("$CI_MERGE_REQUEST_") {
        // Set in every merge request pipeline: only a test for null fails.
        return Some(!(t.ends_with("==null") || t.ends_with("==\"\"")));
    }
    // In a merge request pipeline `CI_COMMIT_BRANCH` and `CI_COMMIT_TAG` are null.
    if t.starts_with("$CI_COMMIT_BRANCH") || t.starts_with("$CI_COMMIT_TAG") {
        let with_null = t.ends_with("null") || t.ends_with("\"\"") || t.ends_with("''");
        return Some(if t.contains("!=") || t.contains("!~") {
            !with_null
        } else {
            t.contains("==") && with_null
        });
    }
    None
}

/// Do these `rules` (of a job or `workflow`) admit merge request pipelines? The first
/// rule that decides counts; `None` when none does.
fn rules_admit_mr(rules: &[NodeRef], no_if: Option<bool>) -> Option<bool> {
    for r in rules {
        let never = r.get("when").and_then(|w| w.as_str()) == Some("never");
        let decided = match r.get("if").and_then(|i| i.as_str()) {
            Some(cond) => if_in_mr(cond),
            None if r.get("changes").is_some() || r.get("exists").is_some() => None,
            None => no_if,
        };
        match decided {
            Some(true) => return Some(!never),
            Some(false) | None => continue,
        }
    }
    None
}

/// `workflow:rules` creates merge request pipelines.
fn workflow_admits_mr(p: &Pipeline) -> bool {
    let Some(rules) = p
        .root_get("workflow")
        .and_then(|w| w.get("rules"))
        .and_then(|r| r.as_seq())
    else {
        return false;
    };
    rules_admit_mr(rules, Some(true)) == Some(true)
}

/// The project has merge request pipelines: `workflow:rules` creates them, or (without
/// `workflow:rules`) a job's rules or `only` ask for them.
fn mr_pipelines(p: &Pipeline) -> bool {
    let has_workflow_rules = p
        .root_get("workflow")
        .and_then(|w| w.get("rules"))
        .is_some();
    if has_workflow_rules {
        return workflow_admits_mr(p);
    }
    p.visible_jobs()
        .any(|j| match j.node.get("rules").and_then(|r| r.as_seq()) {
            Some(rules) => rules_admit_mr(rules, Some(false)) == Some(true),
            None => j
                .node
                .get("only")
                .is_some_and(|o| canon(o).contains("merge_requests")),
        })
}

/// The job can be in a merge request pipeline.
pub fn runs_in_mr(p: &Pipeline, job: &Job) -> bool {
    if let Some(rules) = job.node.get("rules").and_then(|r| r.as_seq()) {
        // A rule without `if` holds in every pipeline there is.
        return rules_admit_mr(rules, Some(mr_pipelines(p))) == Some(true);
    }
    if let Some(only) = job.node.get("only") {
        return canon(only).contains("merge_requests");
    }
    // Without `rules`, `only` or `except`, `workflow:rules` drops the default
    // `only: [branches, tags]` (`Entry::Processable#compose!`).
    job.node.get("except").is_none() && workflow_admits_mr(p)
}

/// The environment's tier: `deployment_tier`, else GitLab's guess from its name (with
/// the variables the files give a value expanded; otherwise not guessed).
fn tier(f: &Facts<'_>) -> Option<(String, Option<String>)> {
    let env = f.job.node.get("environment")?;
    if let Some(t) = env.get("deployment_tier").and_then(|t| t.as_str()) {
        return Some((t.to_string(), None));
    }
    let name = crate::rules::deploy::on_stop::env_name(f.job)?;
    let name = f.vars.expand(&name).filter(|n| !n.contains('$'))?;
    Some((guess_tier(&name).to_string(), Some(name)))
}

/// The agent configuration in the repository limits this job: an entry for the project (or
/// any entry, when the project's path is unknown) lists `environments` or sets
/// `protected_branches_only`.
fn limited_by_agent_config(cx: &Context<'_>, f: &Facts<'_>) -> bool {
    let p = cx.pipeline;
    let uses = agent_uses(f, cx.options, true);
    let mut configs: Vec<&NodeRef> = uses
        .iter()
        .filter(|u| u.project == ConfigProject::This)
        .filter_map(|u| repo_agent(p, &u.agent)?.node.as_ref())
        .collect();
    if uses.is_empty() {
        configs = p.agents.iter().filter_map(|a| a.node.as_ref()).collect();
    }
    let limits = |e: &&NodeRef| {
        e.get("protected_branches_only").and_then(|b| b.as_bool()) == Some(true)
            || e.get("environments")
                .and_then(|v| v.as_seq())
                .is_some_and(|s| !s.is_empty())
    };
    configs.iter().any(|c| {
        let all: Vec<&NodeRef> = ["projects", "groups"]
            .iter()
            .filter_map(|k| c.get("ci_access")?.get(k)?.as_seq())
            .flatten()
            .collect();
        let entries: Vec<&NodeRef> = match cx.options.project.as_deref() {
            // The project's own entry, and the entries of the groups above it.
            Some(project) => {
                let mut e = project_entries(c, project);
                e.extend(all.into_iter().filter(|g| {
                    g.get("id").and_then(|i| i.scalar_text()).is_some_and(|id| {
                        let id = id.trim_matches('/').to_ascii_lowercase();
                        project.to_ascii_lowercase().starts_with(&format!("{id}/"))
                    })
                }));
                e
            }
            None => all,
        };
        entries.iter().any(limits)
    })
}

impl Rule for MrDeploysProduction {
    fn check_job(&self, cx: &Context<'_>, job: &Job, f: &Facts<'_>, out: &mut Vec<Diagnostic>) {
        let Some((tier, guessed_from)) = tier(f) else {
            return;
        };
        if tier != "production" || !uses_agent(f) || !runs_in_mr(cx.pipeline, job) {
            return;
        }
        if limited_by_agent_config(cx, f) {
            return;
        }
        let env = job
            .node
            .get("environment")
            .expect("tier needs an environment");
        let span = env
            .get("deployment_tier")
            .or_else(|| env.get("name"))
            .map_or(env.span, |n| n.span);
        let how = match guessed_from {
            None => "`deployment_tier: production`".to_string(),
            Some(name) => format!("GitLab takes `{name}` for tier production"),
        };
        out.push(
            Diagnostic::new(
                &META,
                span,
                format!("job `{}` deploys through the agent to a production environment ({how}) and can run in merge request pipelines, which run the merge request author's YAML; kaslint cannot see whether the environment is protected (Settings > CI/CD > Protected environments)", job.name),
            )
            .label("production, reachable from a merge request")
            .job(job.name.clone())
            .help("keep the job out of merge request pipelines (`rules: - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH`), protect the environment, and limit the agent's `ci_access` entry for this project with `environments: [production]` or `protected_branches_only: true` (kaslint reads those and is then quiet)"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::guess_tier;

    #[test]
    fn merge_request_conditions() {
        use super::if_in_mr;
        assert_eq!(
            if_in_mr(r#"$CI_PIPELINE_SOURCE == "merge_request_event""#),
            Some(true)
        );
        assert_eq!(if_in_mr("$CI_MERGE_REQUEST_IID"), Some(true));
        assert_eq!(if_in_mr("$CI_MERGE_REQUEST_IID == null"), Some(false));
        assert_eq!(if_in_mr(r#"$CI_COMMIT_BRANCH == "main""#), Some(false));
        assert_eq!(if_in_mr("$CI_COMMIT_TAG"), Some(false));
        assert_eq!(if_in_mr(r#"$CI_PIPELINE_SOURCE == "push""#), Some(false));
        assert_eq!(
            if_in_mr(
                r#"$CI_COMMIT_BRANCH == "main" || $CI_PIPELINE_SOURCE == "merge_request_event""#
            ),
            Some(true)
        );
        assert_eq!(
            if_in_mr(
                r#"$CI_PIPELINE_SOURCE == "merge_request_event" && $CI_COMMIT_BRANCH == "main""#
            ),
            Some(false)
        );
        assert_eq!(if_in_mr(r#"$DEPLOY == "true""#), None);
        assert_eq!(if_in_mr(r#"$CI_COMMIT_BRANCH != "main""#), Some(true));
        assert_eq!(if_in_mr("$CI_COMMIT_BRANCH =~ /^release/"), Some(false));
        assert_eq!(
            if_in_mr(r#"$CI_MERGE_REQUEST_TARGET_BRANCH_NAME != "x""#),
            Some(true)
        );
    }

    #[test]
    fn gitlab_tier_guess() {
        assert_eq!(guess_tier("production"), "production");
        assert_eq!(guess_tier("prod-eu"), "production");
        assert_eq!(guess_tier("live"), "production");
        assert_eq!(guess_tier("preprod"), "staging");
        assert_eq!(guess_tier("review/production"), "development");
        assert_eq!(guess_tier("staging"), "staging");
        assert_eq!(guess_tier("qa"), "testing");
        assert_eq!(guess_tier("canary"), "other");
    }
}
