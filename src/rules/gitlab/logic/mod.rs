//! GitLab's logical checks (`Gitlab::Ci::YamlProcessor#run_logical_validations!`) and
//! the jobs-level checks of `Entry::Jobs`: at least one visible job, stages, needs,
//! dependencies, `on_stop`, and cycles in `needs`. GitLab raises the first of these
//! and runs them only when the entries are valid; kaslint reports every one.
//! They need the whole pipeline, so they are skipped when it is incomplete
//! (a fragment, or includes that cannot be read offline).

mod cycles;
mod on_stop;

use std::collections::{HashMap, HashSet};

use cycles::cycles;
use on_stop::on_stop;

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
    match job.get("parallel").filter(|p| !opaque(p)) {
        Some(par) => instance_names(name, par),
        None => Vec::new(),
    }
}

/// The instance names a `parallel:` value gives job `name`.
fn instance_names(name: &str, par: &Node) -> Vec<String> {
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
        match row_names(name, m) {
            Some(names) => out.extend(names),
            None => return out,
        }
    }
    out
}

/// The instance names one `parallel:matrix` row gives (`None` past 200 of them).
fn row_names(name: &str, m: &crate::load::Map) -> Option<Vec<String>> {
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
            return None;
        }
    }
    Some(
        combos
            .into_iter()
            .map(|c| format!("{name}: [{}]", c.join(", ")))
            .collect(),
    )
}

struct Need {
    name: String,
    span: Span,
    optional: bool,
    /// `needs:parallel:matrix`: the instances of a parallel job this need names.
    parallel: Option<NodeRef>,
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
                parallel: None,
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
                    parallel: m.get("parallel").filter(|p| !p.is_null()).cloned(),
                });
            }
            _ => {}
        }
    }
    Some(out)
}

/// `YamlProcessor#expand_parallelized_needs`: a need with `parallel:matrix` on a
/// parallel job names the instances its matrix builds (`build: [linux, amd64]`, values
/// in the need's key order); the first that job does not have, with its matrix row.
/// A consumer without `parallel:matrix` has no matrix to interpolate from: GitLab keeps
/// `$[[ matrix.X ]]` as written, and no instance has that name.
fn missing_instance(
    n: &Need,
    consumer: &Node,
    index: &HashMap<&str, usize>,
    infos: &[Info<'_>],
) -> Option<(String, Span)> {
    let par = n.parallel.as_ref()?;
    let producer = &infos[*index.get(n.name.as_str())?].job.node;
    let have = expanded_names(&n.name, producer);
    let rows = par.get("matrix")?.as_seq()?;
    let literal_matrix = consumer
        .get("parallel")
        .and_then(|p| p.get("matrix"))
        .is_none();
    let opaque_value = |x: &Node| {
        opaque(x) && !(literal_matrix && x.as_str().is_some_and(|t| t.contains("matrix.")))
    };
    let unknown = |x: &Node| {
        opaque_value(x)
            || x.as_seq()
                .is_some_and(|s| s.iter().any(|i| opaque_value(i)))
    };
    let knowable = !have.is_empty()
        && rows.iter().all(|r| {
            r.as_map()
                .is_some_and(|m| m.iter().all(|(_, e)| !unknown(&e.value)))
        });
    if !knowable || n.optional {
        return None;
    }
    rows.iter().find_map(|r| {
        let m = r.as_map()?;
        let names = row_names(&n.name, m)?;
        let missing = names.into_iter().find(|want| !have.contains(want))?;
        let at = m.iter().next().map_or(r.span, |(_, e)| e.key_span);
        Some((missing, at))
    })
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
                if let Some((missing, at)) = missing_instance(n, node, &index, &infos) {
                    out.push(
                        Finding::new(
                            Class::Needs,
                            at,
                            format!("{name} job: undefined need: {missing}"),
                        )
                        .job(name)
                        .help(if missing.contains("$[[") {
                            "`$[[ matrix.X ]]` is only resolved in a job with a `parallel:matrix` of its own".to_string()
                        } else {
                            format!(
                                "`{}` has no such instance: name values of its `parallel:matrix`, with its variables in the same order",
                                n.name
                            )
                        }),
                    );
                    continue;
                }
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
    point_at_first(&mut out);
    out
}

/// GitLab raises the first logical error (jobs in order; per job stage, dependencies,
/// needs, `on_stop`; then cycles) and stops: `out` holds them in that order. Every later
/// one points at the first, the message GitLab shows.
fn point_at_first(out: &mut [Finding]) {
    let logical = |f: &Finding| f.kind != Class::NoVisibleJob;
    let Some(first) = out.iter().position(logical) else {
        return;
    };
    let (span, message) = (out[first].span, out[first].message.clone());
    for f in out[first + 1..].iter_mut().filter(|f| logical(f)) {
        if f.span != span && f.message != message {
            f.related.push((
                span,
                format!("GitLab stops at its first logical error, this one: {message}"),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::table::assert_rows;

    /// (a `.gitlab-ci.yml`, GitLab's message); an empty message: no finding.
    #[test]
    fn logic_table() {
        assert_rows(super::check, &[
            ("job:\n  stage: nope\n  script: x\n", "job job: chosen stage nope does not exist; available stages are .pre, build, test, deploy, .post"),
            ("a:\n  script: x\n  parallel: {matrix: [{OS: [l, w]}]}\nb:\n  script: x\n  needs: [{job: a, parallel: {matrix: [{OS: m}]}}]\n", "b job: undefined need: a: [m]"),
            ("a:\n  script: x\n  parallel: {matrix: [{OS: [l, w], ARCH: [x]}]}\nb:\n  script: x\n  needs: [{job: a, parallel: {matrix: [{ARCH: x, OS: l}]}}]\n", "b job: undefined need: a: [x, l]"),
            ("a:\n  script: x\n  parallel: {matrix: [{OS: [l, w], ARCH: [x]}]}\nb:\n  script: x\n  needs: [{job: a, parallel: {matrix: [{OS: [l, w], ARCH: x}]}}]\n", ""),
            ("a:\n  script: x\nb:\n  script: x\n  needs: [a, a]\n", "b has the following needs duplicated: a."),
            ("a:\n  script: x\n  environment: {name: r, on_stop: s}\n", "a job: on_stop job s is not defined"),
        ]);
    }
}
