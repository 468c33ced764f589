//! The typed job model: what a top-level entry is (GitLab's `Entry::Root#filter_jobs!` and
//! `Entry::Jobs.find_type`), its `extends` chain, and typed accessors for the keys the rules
//! read (`stage`, `environment`, `script`), so GitLab meaning is derived once, here.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;

use super::extends::{extends_names, MAX_NESTING_LEVELS};
use super::keywords;
use crate::load::{Node, NodeRef, Span, Value};

/// What kind of entry a job is (`Entry::Jobs::TYPES`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobKind {
    /// `Entry::Job`: has `script` (or `run`).
    Job,
    /// `Entry::Hidden`: the name starts with `.` (a template).
    Hidden,
    /// `Entry::Bridge`: `trigger` (or `needs`) without `script`.
    Bridge,
    /// None of the above: GitLab rejects it ("should implement the script:, run:, or
    /// trigger: keyword").
    Unknown,
}

impl JobKind {
    /// `Entry::Jobs.find_type(name, config)`.
    pub fn of(name: &str, node: &Node) -> JobKind {
        if name.starts_with('.') {
            return JobKind::Hidden;
        }
        let Some(m) = node.as_map() else {
            return JobKind::Unknown;
        };
        if m.contains_key("script") || m.contains_key("run") {
            JobKind::Job
        } else if m.contains_key("trigger") || m.contains_key("needs") {
            JobKind::Bridge
        } else {
            JobKind::Unknown
        }
    }
}

/// The root keywords GitLab does not reserve (`Entry::Root` entries without
/// `reserved: true`): a job may take their name.
const UNRESERVED: &[&str] = &["default", "workflow"];

/// Is the top-level entry `key` a job (`Entry::Root#filter_jobs!`)? Reserved keywords never
/// are; `default` and `workflow` are when they hold a job's keys; any other key is.
pub fn is_job_entry(key: &str, node: &Node) -> bool {
    if !keywords::is_global_keyword(key) {
        return true;
    }
    UNRESERVED.contains(&key) && JobKind::of(key, node) != JobKind::Unknown
}

/// A value kaslint cannot know offline: an unresolved `!reference`, or text still holding an
/// input placeholder (`$[[ inputs.x ]]`).
pub fn unknown_offline(n: &Node) -> bool {
    n.is_reference() || matches!(&n.value, Value::Str(s) if has_placeholder(s))
}

pub use crate::load::posmap::has_placeholder;

/// One job (or hidden template) after `extends` and `!reference`.
#[derive(Debug)]
pub struct Job {
    pub name: String,
    pub key_span: Span,
    pub node: NodeRef,
    pub hidden: bool,
    pub kind: JobKind,
    /// The entries it extends, nearest first, each with the span of its name where it is
    /// named (`extends: .a` in this job, then `.a`'s own parents, ...).
    pub extends: Vec<(String, Span)>,
}

/// A job's `environment:` as typed values.
pub struct Environment<'a> {
    pub node: &'a NodeRef,
    /// The `name` node (the string itself for `environment: name`).
    pub name: Option<&'a NodeRef>,
    pub action: Option<&'a str>,
    pub on_stop: Option<&'a NodeRef>,
    /// `kubernetes:agent`, when a string.
    pub agent: Option<&'a NodeRef>,
    pub deployment_tier: Option<&'a NodeRef>,
}

impl Environment<'_> {
    /// The name as written (`review/$CI_COMMIT_REF_SLUG`).
    pub fn name_text(&self) -> Option<String> {
        self.name.and_then(|n| n.scalar_text())
    }
}

impl Job {
    pub(crate) fn new(name: &str, key_span: Span, node: NodeRef, merged: &Node) -> Job {
        Job {
            kind: JobKind::of(name, &node),
            hidden: name.starts_with('.'),
            extends: extends_chain(merged, name),
            name: name.to_string(),
            key_span,
            node,
        }
    }

    /// The declared `stage` node.
    pub fn stage(&self) -> Option<&NodeRef> {
        self.node.get("stage")
    }

    /// The stage name (`test` when absent, as GitLab's `Entry::Job` default).
    pub fn stage_name(&self) -> String {
        self.stage()
            .and_then(|s| s.scalar_text())
            .unwrap_or_else(|| "test".to_string())
    }

    /// `environment:`, in either form (a name, or a map).
    pub fn environment(&self) -> Option<Environment<'_>> {
        let node = self.node.get("environment").filter(|e| !e.is_null())?;
        let env = match &node.value {
            Value::Map(m) => Environment {
                node,
                name: m.get("name"),
                action: m.get("action").and_then(|a| a.as_str()),
                on_stop: m.get("on_stop"),
                agent: m
                    .get("kubernetes")
                    .and_then(|k| k.get("agent"))
                    .filter(|a| a.as_str().is_some()),
                deployment_tier: m.get("deployment_tier"),
            },
            _ => Environment {
                node,
                name: Some(node),
                action: None,
                on_stop: None,
                agent: None,
                deployment_tier: None,
            },
        };
        Some(env)
    }

    /// The job's own `script` node.
    pub fn script(&self) -> Option<&NodeRef> {
        self.node.get("script")
    }

    /// The job's `rules` items.
    pub fn rules(&self) -> Option<&[NodeRef]> {
        self.node.get("rules").and_then(|r| r.as_seq())
    }
}

/// A job's effective script keys: `before_script` and `after_script` fall back to
/// `default:` (see [`super::Pipeline::job_value`]), `script` is the job's own.
pub struct Scripts<'a> {
    pub before: Option<&'a NodeRef>,
    pub script: Option<&'a NodeRef>,
    pub after: Option<&'a NodeRef>,
    pipeline: &'a super::Pipeline,
    job: &'a Job,
}

impl<'a> Scripts<'a> {
    /// `hooks:pre_get_sources_script` (looked up only when asked).
    pub fn pre_get_sources(&self) -> Option<&'a NodeRef> {
        self.pipeline
            .job_value(self.job, "hooks")
            .and_then(|h| h.get("pre_get_sources_script"))
    }
}

impl super::Pipeline {
    /// The script keys `job` runs (the one script look-up for analysis and ShellCheck).
    pub fn scripts<'a>(&'a self, job: &'a Job) -> Scripts<'a> {
        Scripts {
            before: self.job_value(job, "before_script"),
            script: job.script(),
            after: self.job_value(job, "after_script"),
            pipeline: self,
            job,
        }
    }
}

/// A job's `image:` (or `default:image`), in either form.
pub struct Image<'a> {
    /// The `image` value.
    pub node: &'a NodeRef,
    /// The name node: the string itself, or `image:name`.
    pub name: &'a NodeRef,
}

impl<'a> Image<'a> {
    /// A key of the map form (`entrypoint`, `docker`, `pull_policy`).
    pub fn get(&self, key: &str) -> Option<&'a NodeRef> {
        self.node.as_map()?.get(key)
    }
}

impl super::Pipeline {
    /// The image `job` runs in (the one image look-up; see [`super::Pipeline::job_value`]).
    pub fn image<'a>(&'a self, job: &'a Job) -> Option<Image<'a>> {
        let node = self.job_value(job, "image")?;
        let name = match &node.value {
            Value::Map(m) => m.get("name")?,
            _ => node,
        };
        Some(Image { node, name })
    }
}

/// A script value's lines, nested arrays flattened as GitLab does; `false` when part of
/// it cannot be seen (an unresolved `!reference`, a mapping, nesting too deep).
pub fn script_lines(node: &NodeRef, out: &mut Vec<NodeRef>) -> bool {
    fn walk(node: &NodeRef, out: &mut Vec<NodeRef>, depth: usize) -> bool {
        if node.is_reference() || depth > 12 {
            return false;
        }
        match &node.value {
            Value::Seq(items) => {
                let mut complete = true;
                for i in items {
                    complete &= walk(i, out, depth + 1);
                }
                complete
            }
            Value::Map(_) => false,
            Value::Null => true,
            _ => {
                out.push(node.clone());
                true
            }
        }
    }
    walk(node, out, 0)
}

/// The `extends` chain of the top-level entry `name` in the merged tree (before `extends` is
/// resolved): nearest first (breadth-first), each once, at most GitLab's nesting levels deep.
fn extends_chain(merged: &Node, name: &str) -> Vec<(String, Span)> {
    let Some(map) = merged.as_map() else {
        return Vec::new();
    };
    if map.get(name).is_none_or(|n| n.get("extends").is_none()) {
        return Vec::new();
    }
    // Chains are short (at most 11 levels): a list serves as queue and seen-set.
    let mut out: Vec<(String, Span)> = Vec::new();
    let mut depths: Vec<usize> = Vec::new();
    let mut next = 0;
    let mut at = name;
    let mut depth = 0;
    loop {
        if depth <= MAX_NESTING_LEVELS {
            let parents = map.get(at).map(extends_names);
            for (parent, span) in parents.and_then(Result::ok).unwrap_or_default() {
                if parent != name && !out.iter().any(|(p, _)| *p == parent) {
                    out.push((parent, span));
                    depths.push(depth + 1);
                }
            }
        }
        let Some((parent, _)) = out.get(next) else {
            break;
        };
        at = parent;
        depth = depths[next];
        next += 1;
    }
    out
}

/// The jobs of a resolved configuration (`resolved`), with their `extends` chains read from
/// the configuration before `extends` was applied (`merged`).
pub(crate) fn jobs_of(resolved: &NodeRef, merged: &Node) -> Vec<Job> {
    let Some(map) = resolved.as_map() else {
        return Vec::new();
    };
    map.iter()
        .filter(|(k, e)| is_job_entry(k, &e.value))
        .map(|(k, e)| Job::new(k, e.key_span, e.value.clone(), merged))
        .collect()
}

/// A job that starts an environment and the job its `on_stop` names.
pub struct OnStopPair<'p> {
    pub start: &'p Job,
    pub stop: &'p Job,
    /// The `on_stop` value.
    pub on_stop: &'p NodeRef,
}

/// Job name → position in `jobs` (a fast hash: names are not attacker-chosen in a way that
/// matters for a one-shot check).
pub(crate) type NameIndex = HashMap<String, usize, BuildHasherDefault<rustc_hash::FxHasher>>;

/// Job name → position in `jobs`.
pub(crate) fn name_index(jobs: &[Job]) -> NameIndex {
    let mut index = NameIndex::with_capacity_and_hasher(jobs.len(), Default::default());
    for (i, j) in jobs.iter().enumerate() {
        index.entry(j.name.clone()).or_insert(i);
    }
    index
}

/// Every start/stop pair GitLab accepts, as positions in `jobs`: a visible job whose
/// `environment:on_stop` names another visible job whose `environment:action` is `stop`.
pub(crate) fn on_stop_pairs(jobs: &[Job], index: &NameIndex) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for (i, start) in jobs.iter().enumerate().filter(|(_, j)| !j.hidden) {
        let Some(name) = start
            .environment()
            .and_then(|e| e.on_stop)
            .and_then(|o| o.as_str())
        else {
            continue;
        };
        let Some(&s) = index.get(name) else { continue };
        let stop = &jobs[s];
        if stop.hidden || s == i {
            continue;
        }
        if stop.environment().and_then(|e| e.action) == Some("stop") {
            out.push((i, s));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::model::Pipeline;

    fn build(y: &str) -> Pipeline {
        Pipeline::from_yaml("t.yml", y)
    }

    fn names(p: &Pipeline) -> Vec<(&str, super::JobKind)> {
        p.jobs.iter().map(|j| (j.name.as_str(), j.kind)).collect()
    }

    #[test]
    fn default_and_workflow_are_jobs_only_with_a_jobs_keys() {
        use super::JobKind::*;
        let p =
            build("default: {image: a}\nworkflow: {rules: []}\nb: {trigger: x}\n.t: {}\nc: 1\n");
        assert_eq!(names(&p), [("b", Bridge), (".t", Hidden), ("c", Unknown)]);
        let p = build("default: {script: [x]}\nvariables: {script: x}\n");
        assert_eq!(names(&p), [("default", Job)]);
    }

    #[test]
    fn stages_follow_gitlab() {
        let stages = |y: &str| build(&format!("{y}\nj: {{script: [x]}}\n")).stages();
        assert_eq!(
            stages("").unwrap(),
            [".pre", "build", "test", "deploy", ".post"]
        );
        assert_eq!(stages("stages: ~").unwrap().len(), 5);
        assert!(stages("stages: []").unwrap().is_empty());
        assert_eq!(
            stages("stages: [a, [b], .post]").unwrap(),
            [".pre", "a", "b", ".post"]
        );
        assert!(stages("stages: [a, 1]").is_none());
    }

    #[test]
    fn extends_chain_nearest_first_and_accessors() {
        let p = build(
            ".a: {stage: deploy}\n.b: {extends: .a}\n.c: {}\n\
             j: {extends: [.b, .c], script: [x], environment: {name: e, on_stop: s}}\n\
             s: {script: [x], environment: {name: e, action: stop}}\n",
        );
        let j = p.job("j").unwrap();
        let chain: Vec<&str> = j.extends.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(chain, [".b", ".c", ".a"]);
        assert_eq!(j.stage_name(), "deploy");
        assert_eq!(p.job("s").unwrap().stage_name(), "test");
        let env = j.environment().unwrap();
        assert_eq!(env.name_text().as_deref(), Some("e"));
        let pairs: Vec<_> = p.on_stop_pairs().collect();
        assert_eq!(pairs.len(), 1);
        assert_eq!(
            (pairs[0].start.name.as_str(), pairs[0].stop.name.as_str()),
            ("j", "s")
        );
    }
}
