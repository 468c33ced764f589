//! `kaslint fetch` and `check --fetch`/`--refresh`: the include reader built from
//! `[includes]` and the environment, and the fetch report.

use std::path::Path;
use std::sync::Arc;

use crate::check::{self, Target};
use crate::environment::Environment;
use crate::fetch::{Context, Includes, Mode, DEFAULT_SERVER};
use crate::folders::Folders;
use crate::settings::Settings;

/// The network mode the flags ask for.
pub fn mode(fetch: bool, refresh: bool) -> Mode {
    if refresh {
        Mode::Refresh
    } else if fetch {
        Mode::Fetch
    } else {
        Mode::Offline
    }
}

/// The include reader for a run: `None` when there is no cache folder and no templates
/// folder (nothing to read from).
pub fn reader(s: &Settings, mode: Mode, env: &Environment) -> Option<Arc<Includes>> {
    let ci_server = env.ci_server_url.clone();
    let server = s
        .includes
        .server
        .clone()
        .or_else(|| ci_server.clone())
        .unwrap_or_else(|| DEFAULT_SERVER.to_string());
    let cache = env.cache_root.clone();
    if cache.is_none() && s.includes.templates.is_none() {
        return None;
    }
    let root = cache.unwrap_or_else(|| std::env::temp_dir().join("kaslint-no-cache"));
    let mut ctx = Context::new(mode, &server, root);
    if let Some(fqdn) = &env.ci_server_fqdn {
        if ci_server.as_deref() == Some(ctx.server.as_str()) {
            ctx.fqdn = fqdn.clone();
        }
    }
    ctx.templates = s.includes.templates.clone();
    ctx.job_token = job_token(
        env.ci_job_token.as_deref(),
        &ctx.server,
        ci_server.as_deref(),
    );
    Some(Arc::new(Includes::new(ctx)))
}

/// The offline reader for a target, from the `kaslint.toml` that governs it (for
/// `kaslint config`, which has no flags of its own for includes).
pub fn offline_reader(
    target: &Target,
    env: &Environment,
    folders: &Folders,
) -> Option<Arc<Includes>> {
    let dir = match target {
        Target::File(p) => p
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .map(Path::to_path_buf)
            .unwrap_or_else(|| ".".into()),
        Target::Stdin => folders.cwd()?.to_path_buf(),
    };
    let mut s = Settings::default();
    if let Some(path) = crate::config::discover(folders, &dir) {
        let raw = crate::config::load(&path).ok()?;
        crate::config::apply(raw, &path, &mut s).ok()?;
    }
    reader(&s, Mode::Offline, env)
}

/// `CI_JOB_TOKEN`, only for the instance that issued it (`CI_SERVER_URL`, over HTTP(S)),
/// and only when git has no credential helper of its own for it.
fn job_token(token: Option<&str>, server: &str, ci_server: Option<&str>) -> Option<String> {
    let token = token?.to_string();
    let same = ci_server.is_some_and(|c| c.trim_end_matches('/') == server);
    if !same || !(server.starts_with("https://") || server.starts_with("http://")) {
        return None;
    }
    let helper = std::process::Command::new("git")
        .args(["config", "--get-urlmatch", "credential.helper", server])
        .env("GIT_TERMINAL_PROMPT", "0")
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output()
        .is_ok_and(|o| o.status.success() && !o.stdout.trim_ascii().is_empty());
    (!helper).then_some(token)
}

/// Fetch what one target's pipeline includes; print what happened. `Ok(false)` when an
/// include could not be fetched.
pub fn fetch_target(
    target: &Target,
    root: Option<&Path>,
    s: &Settings,
    folders: &Folders,
) -> Result<bool, String> {
    let Some(reader) = s.includes.reader.as_deref() else {
        return Err(
            "no cache folder: set XDG_CACHE_HOME or HOME (the include cache lives there)".into(),
        );
    };
    let loaded = check::load_target_with(target, root, s.entry.as_deref(), Some(reader), folders)
        .map_err(|e| e.0)?;
    let p = loaded.pipeline();
    let mut ok = true;
    for u in &p.unresolved {
        let Some(reason) = &u.reason else { continue };
        ok = false;
        let file = p.sources.get(u.span.file);
        let (line, col) = file.line_col(u.span.start);
        eprintln!(
            "kaslint: {}:{line}:{col}: `{}` include `{}`: {reason}",
            file.name, u.kind, u.location
        );
    }
    let shown = match target {
        Target::File(f) => f.display().to_string(),
        Target::Stdin => "<stdin>".into(),
    };
    let cache = &reader.ctx.cache;
    println!(
        "{shown}: {} included file(s) read from beyond the repository; cache: {}",
        p.fetched.len(),
        cache.display()
    );
    Ok(ok)
}
