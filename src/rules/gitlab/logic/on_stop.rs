//! GitLab's four `on_stop` errors (`YamlProcessor#validate_job_environment!`).

use super::*;

pub(super) fn env_name_action(env: &Node) -> (Option<String>, Option<String>) {
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

pub(super) fn on_stop(
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
    if env_name.as_deref().is_some_and(|n| n.contains("$[[")) {
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
    if stop_name.as_deref().is_some_and(|n| n.contains("$[[")) {
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
