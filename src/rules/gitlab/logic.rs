//! GitLab's logical checks (`Gitlab::Ci::YamlProcessor#run_logical_validations!`) and
//! the jobs-level checks of `Entry::Jobs`: at least one visible job, stages, needs,
//! dependencies, `on_stop`, and cycles in `needs`. GitLab raises the first of these
//! and runs them only when the entries are valid; kaslint reports every one.
//! They need the whole pipeline, so they are skipped when it is incomplete
//! (a fragment, or includes that cannot be read offline).

use std::collections::{HashMap, HashSet};

use super::entries::{job_type, opaque, JobType};
use super::finding::{Class, Finding};
use crate::load::yaml::Style;
use crate::load::{Node, NodeRef, Span, Value};
use crate::model::keywords as kw;
use crate::model::{suggest, Job, Pipeline};

struct Info<'a> {
    job: &'a Job,
    stage: Option<String>,
    stage_span: Span,
}

/// Job names after `parallel` expansion: `name 1/3` or `name: [a, b]` also count.
fn base_name<'n>(name: &'n str, known: &HashMap<&str, usize>) -> &'n str {
    if known.contains_key(name) {
        return name;
    }
    if let Some(i) = name.rfind(' ') {
        let (base, tail) = name.split_at(i);
        let tail = tail.trim();
        if tail.split('/').count() == 2
            && tail.split('/').all(|n| n.parse::<u32>().is_ok())
            && known.contains_key(base)
        {
            return base;
        }
    }
    if let Some(i) = name.find(": [") {
        let base = &name[..i];
        if known.contains_key(base) {
            return base;
        }
    }
    name
}

/// The names `Config::Normalizer` gives a job's `parallel` instances (none without
/// `parallel`): `name 1/3` for a number, `name: [v1, v2]` per matrix combination.
fn expanded_names(name: &str, job: &Node) -> Vec<String> {
    let Some(par) = job.get("parallel").filter(|p| !opaque(p)) else {
        return Vec::new();
    };
    if let Value::Int(n) = par.value {
        return (1..=n.clamp(0, 200))
            .map(|i| format!("{name} {i}/{n}"))
            .collect();
    }
    let Some(matrix) = par.get("matrix").and_then(|m| m.as_seq()) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for entry in matrix {
        let Some(m) = entry.as_map() else { continue };
        let mut combos: Vec<Vec<String>> = vec![Vec::new()];
        for (_, e) in m.iter() {
            let values: Vec<String> = match e.value.as_seq() {
                Some(items) => items.iter().filter_map(|i| i.scalar_text()).collect(),
                None => e.value.scalar_text().into_iter().collect(),
            };
            combos = combos
                .iter()
                .flat_map(|c| {
                    values.iter().map(move |v| {
                        let mut next = c.clone();
                        next.push(v.clone());
                        next
                    })
                })
                .collect();
            if combos.len() > 200 {
                return out;
            }
        }
        out.extend(
            combos
                .into_iter()
                .map(|c| format!("{name}: [{}]", c.join(", "))),
        );
    }
    out
}

struct Need {
    name: String,
    span: Span,
    optional: bool,
}

/// The job needs of a `needs:` value (not `pipeline:`/`project:` ones).
fn job_needs(v: &Node) -> Option<Vec<Need>> {
    let items: Vec<&Node> = match &v.value {
        Value::Seq(s) => {
            let mut flat = Vec::new();
            flatten_nodes(s, &mut flat);
            flat
        }
        Value::Map(_) => vec![v],
        _ => return Some(Vec::new()),
    };
    let mut out = Vec::new();
    for i in items {
        if opaque(i) {
            return None;
        }
        match &i.value {
            Value::Str(s) => out.push(Need {
                name: s.to_string(),
                span: i.span,
                optional: false,
            }),
            Value::Map(m) if !m.contains_key("pipeline") && !m.contains_key("project") => {
                let Some(j) = m.get("job") else { continue };
                if opaque(j) {
                    return None;
                }
                let Some(name) = j.as_str() else { continue };
                out.push(Need {
                    name: name.to_string(),
                    span: j.span,
                    optional: m.get("optional").and_then(|o| o.as_bool()) == Some(true),
                });
            }
            _ => {}
        }
    }
    Some(out)
}

fn flatten_nodes<'n>(items: &'n [NodeRef], out: &mut Vec<&'n Node>) {
    for i in items {
        match i.as_seq() {
            Some(inner) if !i.is_reference() => flatten_nodes(inner, out),
            _ => out.push(i),
        }
    }
}

pub(super) fn check(p: &Pipeline) -> Vec<Finding> {
    let mut out = Vec::new();
    if !p.is_complete() || p.root.as_ref().and_then(|r| r.as_map()).is_none() {
        return out;
    }
    let jobs: Vec<&Job> = p
        .jobs
        .iter()
        .filter(|j| {
            matches!(
                job_type(&j.name, &j.node),
                Some(JobType::Job | JobType::Bridge)
            )
        })
        .collect();

    // `Entry::Jobs`: at least one visible job (hidden ones and keyless entries do not count).
    if jobs.is_empty()
        && !p
            .jobs
            .iter()
            .any(|j| !j.hidden && job_type(&j.name, &j.node).is_none())
    {
        let at = p
            .root
            .as_ref()
            .and_then(|r| r.as_map())
            .and_then(|m| {
                m.iter()
                    .find(|(_, e)| e.key_span.file == p.entry)
                    .map(|(_, e)| e.key_span)
            })
            .or_else(|| {
                p.root
                    .as_ref()
                    .map(|r| Span::point(r.span.file, r.span.start as usize))
            })
            .unwrap_or_default();
        out.push(
            Finding::new(Class::NoVisibleJob, at, "jobs config should contain at least one visible job").help(
                "add a job with `script:` (or `trigger:`); jobs whose names start with `.` are hidden templates",
            ),
        );
    } else if jobs.is_empty() {
        // Only jobs without `script`: reported by the missing-script rule, plus this one.
        let at = p
            .jobs
            .iter()
            .find(|j| !j.hidden)
            .map(|j| j.key_span)
            .unwrap_or_default();
        out.push(Finding::new(
            Class::NoVisibleJob,
            at,
            "jobs config should contain at least one visible job",
        ));
    }

    let Some(stages) = p.stages() else { return out };
    let infos: Vec<Info<'_>> = jobs
        .iter()
        .map(|j| {
            let stage_node = j.node.get("stage").filter(|s| !s.is_null());
            let (stage, stage_span) = match stage_node {
                Some(s) if opaque(s) => (None, s.span),
                Some(s) => (s.as_str().map(str::to_string), s.span),
                None => (Some("test".to_string()), j.key_span),
            };
            Info {
                job: j,
                stage,
                stage_span,
            }
        })
        .collect();
    let index: HashMap<&str, usize> = infos
        .iter()
        .enumerate()
        .map(|(i, info)| (info.job.name.as_str(), i))
        .collect();
    let stage_of = |i: usize| -> Option<usize> {
        infos[i]
            .stage
            .as_ref()
            .and_then(|s| stages.iter().position(|x| x == s))
    };
    let stage_unknown = |i: usize| infos[i].stage.is_none();

    for (i, info) in infos.iter().enumerate() {
        let name = info.job.name.as_str();
        let node = &info.job.node;
        // Stage.
        if let Some(stage) = &info.stage {
            if !stages.contains(stage) {
                let mut f = Finding::new(
                    Class::UndefinedStage,
                    info.stage_span,
                    format!(
                        "{name} job: chosen stage {stage} does not exist; available stages are {}",
                        stages.join(", ")
                    ),
                )
                .job(name);
                f.help = Some(match suggest(stage, stages.iter().map(String::as_str)) {
                    Some(s) => format!("did you mean `{s}`? otherwise add `{stage}` to `stages:`"),
                    None => format!("add `{stage}` to `stages:` or use one of the stages listed"),
                });
                if let Some(decl) = p
                    .root
                    .as_ref()
                    .and_then(|r| r.as_map())
                    .and_then(|m| m.entry("stages"))
                {
                    f = f.related(decl.key_span, "stages are declared here");
                }
                out.push(f);
            }
        }
        let dependency = |out: &mut Vec<Finding>,
                          dep: &str,
                          span: Span,
                          kind: &str,
                          optional: bool,
                          class: Class| {
            let base = base_name(dep, &index);
            let Some(&d) = index.get(base) else {
                if !optional {
                    let mut f =
                        Finding::new(class, span, format!("{name} job: undefined {kind}: {dep}"))
                            .job(name);
                    if let Some(s) = suggest(dep, index.keys().copied()) {
                        f = f.help(format!("did you mean `{s}`?"));
                    } else if kind == "need" {
                        f = f.help("name an existing job, or add `optional: true` for a job that may be absent");
                    }
                    out.push(f);
                }
                return;
            };
            // The check runs on the normalized needs: a need on a parallel job names
            // each of its instances (`job 1/2`, `job: [a, b]`).
            let too_long = if kind == "need" && base == dep {
                expanded_names(dep, &infos[d].job.node)
                    .into_iter()
                    .find(|n| n.chars().count() > 255)
            } else {
                None
            }
            .or_else(|| (kind == "need" && dep.chars().count() > 255).then(|| dep.to_string()));
            if let Some(long) = too_long {
                out.push(
                    Finding::new(
                        class,
                        span,
                        format!(
                            "{name} job: need `{long}` name is too long (maximum is 255 characters)"
                        ),
                    )
                    .job(name),
                );
                return;
            }
            if stage_unknown(i) || stage_unknown(d) {
                return;
            }
            let ok = matches!((stage_of(d), stage_of(i)), (Some(ds), Some(js)) if ds <= js);
            if !ok && stage_of(i).is_some() {
                let mut f = Finding::new(
                    class,
                    span,
                    format!("{name} job: {kind} {dep} is not defined in current or prior stages"),
                )
                .job(name)
                .help(format!(
                    "`{dep}` runs in stage `{}`, after this job's stage `{}`",
                    infos[d].stage.as_deref().unwrap_or(""),
                    info.stage.as_deref().unwrap_or("")
                ));
                f = f.related(infos[d].job.key_span, format!("`{dep}` is defined here"));
                out.push(f);
            }
        };
        // Dependencies.
        if let Some(deps) = node.get("dependencies").and_then(|d| d.as_seq()) {
            for d in deps {
                if let Some(s) = d.as_str().filter(|_| !opaque(d)) {
                    // Psych loads a plain `:name` as the Symbol `:name`; GitLab looks
                    // dependencies up with `to_sym`, so `- :build` names job `build`.
                    let s = match s.strip_prefix(':') {
                        Some(sym) if d.style == Style::Plain && !sym.is_empty() => sym,
                        _ => s,
                    };
                    dependency(
                        &mut out,
                        s,
                        d.span,
                        "dependency",
                        false,
                        Class::Dependencies,
                    );
                }
            }
        }
        // Needs: the job's, then each rule's.
        let mut need_lists: Vec<(&NodeRef, bool)> = Vec::new();
        if let Some(n) = node.get("needs").filter(|n| !n.is_null()) {
            need_lists.push((n, true));
        }
        if let Some(rules) = node.get("rules").and_then(|r| r.as_seq()) {
            let mut flat = Vec::new();
            flatten_nodes(rules, &mut flat);
            for r in flat {
                if let Some(n) = r.get("needs").filter(|n| !n.is_null()) {
                    need_lists.push((n, false));
                }
            }
        }
        for (list, job_level) in need_lists {
            let Some(needs) = job_needs(list) else {
                continue;
            };
            for n in &needs {
                dependency(&mut out, &n.name, n.span, "need", n.optional, Class::Needs);
            }
            let mut seen: HashSet<&str> = HashSet::new();
            let mut dups: Vec<(&str, Span)> = Vec::new();
            for n in &needs {
                if !seen.insert(n.name.as_str()) && !dups.iter().any(|(d, _)| *d == n.name) {
                    dups.push((n.name.as_str(), n.span));
                }
            }
            if !dups.is_empty() {
                let names: Vec<&str> = dups.iter().map(|(d, _)| *d).collect();
                let message = format!(
                    "{name} has the following needs duplicated: {}.",
                    names.join(", ")
                );
                for (_, span) in dups {
                    out.push(
                        Finding::new(Class::Needs, span, message.clone())
                            .job(name)
                            .help("remove the repeated entry"),
                    );
                }
            }
            if job_level && needs.len() > kw::NEEDS_LIMIT {
                let at = node
                    .as_map()
                    .and_then(|m| m.entry("needs"))
                    .map_or(list.span, |e| e.key_span);
                out.push(
                    Finding::new(
                        Class::Needs,
                        at,
                        format!(
                            "{name}: one job can only need {} others, but you have listed {}. See needs keyword documentation for more details",
                            kw::NEEDS_LIMIT,
                            needs.len()
                        ),
                    )
                    .job(name),
                );
            }
        }
        // Dynamic child pipelines: `trigger:include:job`.
        if let Some(incs) = node.get("trigger").and_then(|t| t.get("include")) {
            let items: Vec<&NodeRef> = match &incs.value {
                Value::Seq(s) => s.iter().collect(),
                Value::Map(_) => vec![incs],
                _ => Vec::new(),
            };
            for inc in items {
                if let Some(j) = inc.get("job").filter(|j| !opaque(j)) {
                    if let Some(s) = j.as_str() {
                        dependency(
                            &mut out,
                            s,
                            j.span,
                            "dependency",
                            false,
                            Class::Dependencies,
                        );
                    }
                }
            }
        }
        // on_stop.
        on_stop(p, info.job, &index, &infos, &mut out);
    }
    cycles(&infos, &index, &mut out);
    out
}

fn env_name_action(env: &Node) -> (Option<String>, Option<String>) {
    match &env.value {
        Value::Str(s) => (Some(s.to_string()), Some("start".into())),
        Value::Map(m) => (
            m.get("name").and_then(|n| n.scalar_text()),
            Some(
                m.get("action")
                    .filter(|a| !a.is_null())
                    .and_then(|a| a.scalar_text())
                    .unwrap_or_else(|| "start".into()),
            ),
        ),
        _ => (None, None),
    }
}

fn on_stop(
    p: &Pipeline,
    job: &Job,
    index: &HashMap<&str, usize>,
    infos: &[Info<'_>],
    out: &mut Vec<Finding>,
) {
    let _ = p;
    let name = job.name.as_str();
    let Some(env) = job.node.get("environment").filter(|e| e.as_map().is_some()) else {
        return;
    };
    let Some(on_stop) = env.get("on_stop").filter(|o| !o.is_null() && !opaque(o)) else {
        return;
    };
    let Some(target) = on_stop.as_str() else {
        return;
    };
    let (env_name, _) = env_name_action(env);
    if env_name
        .as_deref()
        .is_some_and(crate::model::job::has_placeholder)
    {
        return;
    }
    let Some(&t) = index.get(target) else {
        let mut f = Finding::new(
            Class::OnStop,
            on_stop.span,
            format!("{name} job: on_stop job {target} is not defined"),
        )
        .job(name);
        if let Some(s) = suggest(target, index.keys().copied()) {
            f = f.help(format!("did you mean `{s}`?"));
        }
        out.push(f);
        return;
    };
    let stop = infos[t].job;
    let Some(stop_env) = stop.node.get("environment").filter(|e| !e.is_null()) else {
        out.push(
            Finding::new(
                Class::OnStop,
                on_stop.span,
                format!("{name} job: on_stop job {target} does not have environment defined"),
            )
            .job(name)
            .related(stop.key_span, format!("`{target}` is defined here"))
            .help(format!(
                "give `{target}` `environment: {{name: <same name>, action: stop}}`"
            )),
        );
        return;
    };
    if opaque(stop_env) {
        return;
    }
    let (stop_name, stop_action) = env_name_action(stop_env);
    if stop_name
        .as_deref()
        .is_some_and(crate::model::job::has_placeholder)
    {
        return;
    }
    if stop_name != env_name {
        let at = stop_env.get("name").map_or(stop_env.span, |n| n.span);
        out.push(
            Finding::new(
                Class::OnStop,
                on_stop.span,
                format!("{name} job: on_stop job {target} have different environment name"),
            )
            .job(name)
            .related(at, format!("`{target}` uses environment `{}`", stop_name.unwrap_or_default()))
            .help(format!(
                "GitLab compares the names as written, before expanding variables: use `{}` in both jobs",
                env_name.unwrap_or_default()
            )),
        );
        return;
    }
    if stop_action.as_deref() != Some("stop") {
        out.push(
            Finding::new(
                Class::OnStop,
                on_stop.span,
                format!("{name} job: on_stop job {target} needs to have action stop defined"),
            )
            .job(name)
            .related(stop_env.span, format!("`{target}`'s environment"))
            .help(format!("add `action: stop` to `{target}`'s `environment:`")),
        );
    }
}

/// `Dag.check_circular_dependencies!` over job-level `needs`.
fn cycles(infos: &[Info<'_>], index: &HashMap<&str, usize>, out: &mut Vec<Finding>) {
    let n = infos.len();
    let mut edges: Vec<Vec<(usize, Span)>> = vec![Vec::new(); n];
    for (i, info) in infos.iter().enumerate() {
        let Some(needs) = info
            .job
            .node
            .get("needs")
            .filter(|x| !x.is_null())
            .and_then(|x| job_needs(x))
        else {
            continue;
        };
        for need in needs {
            if let Some(&d) = index.get(base_name(&need.name, index)) {
                edges[i].push((d, need.span));
            }
        }
    }
    // Tarjan's strongly connected components, iteratively.
    let mut idx = vec![usize::MAX; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut counter = 0;
    for start in 0..n {
        if idx[start] != usize::MAX {
            continue;
        }
        let mut work: Vec<(usize, usize)> = vec![(start, 0)];
        while let Some(&mut (v, ref mut ei)) = work.last_mut() {
            if *ei == 0 && idx[v] == usize::MAX {
                idx[v] = counter;
                low[v] = counter;
                counter += 1;
                stack.push(v);
                on_stack[v] = true;
            }
            if *ei < edges[v].len() {
                let (w, _) = edges[v][*ei];
                *ei += 1;
                if idx[w] == usize::MAX {
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(idx[w]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == idx[v] {
                let mut comp = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    comp.push(w);
                    if w == v {
                        break;
                    }
                }
                let self_loop = comp.len() == 1 && edges[v].iter().any(|(w, _)| *w == v);
                if comp.len() > 1 || self_loop {
                    // Ruby's TSort reports a component in DFS discovery (stack) order.
                    comp.reverse();
                    let names: Vec<&str> =
                        comp.iter().map(|&c| infos[c].job.name.as_str()).collect();
                    let message = if self_loop {
                        format!(
                            "The pipeline has circular dependencies: self-dependency: {}",
                            names[0]
                        )
                    } else {
                        let quoted: Vec<String> = names.iter().map(|s| format!("{s:?}")).collect();
                        format!(
                            "The pipeline has circular dependencies: topological sort failed: [{}]",
                            quoted.join(", ")
                        )
                    };
                    for &c in &comp {
                        for (w, span) in &edges[c] {
                            if comp.contains(w) {
                                out.push(
                                    Finding::new(Class::NeedsCycle, *span, message.clone())
                                        .job(&infos[c].job.name)
                                        .help(format!("the jobs {} need each other: remove one of these needs", names.join(", "))),
                                );
                            }
                        }
                    }
                }
            }
        }
    }
}
