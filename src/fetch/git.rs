//! Git through the `git` program: the user's credential helpers, SSH agent and proxy
//! settings apply unchanged. Every process runs with no terminal prompt, no standard
//! input, no hooks and a bounded time. Files are read from a bare repository with
//! `git cat-file`: nothing fetched is checked out or executed.
//!
//! In GitLab CI (`CI_JOB_TOKEN` set) the token goes to the configured server only, as an
//! `Authorization` header given to that one process through `GIT_CONFIG_*` variables:
//! it is never part of a URL, an argument, the cache or a message.

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;

use super::{store, Context};

/// The YAML files of a commit kept in the cache, at most this many…
const MAX_FILES: usize = 5_000;
/// …of at most GitLab's 2 MB each, and this much in all (a larger project is kept in
/// part, and a file not kept is "not checked", never "does not exist").
const MAX_FILE_BYTES: usize = crate::load::MAX_FILE_BYTES;
const MAX_TOTAL_BYTES: usize = 64 * 1024 * 1024;

/// Files of a commit: (path, bytes).
type Files = Vec<(String, Vec<u8>)>;

/// One ref of `git ls-remote`.
#[derive(Clone, Debug)]
pub struct RemoteRef {
    pub name: String,
    pub commit: String,
}

/// Run git with `args`; the output, or a one-line reason.
fn run(ctx: &Context, args: &[&str], input: Option<Vec<u8>>) -> Result<Vec<u8>, String> {
    let mut cmd = Command::new("git");
    cmd.args([
        "-c",
        "core.hooksPath=/dev/null",
        "-c",
        "credential.interactive=false",
    ])
    .args(args)
    .env("GIT_TERMINAL_PROMPT", "0")
    .env("GIT_ASKPASS", "")
    .env("SSH_ASKPASS", "")
    .env("GIT_SSH_VARIANT", "ssh")
    .env("LC_ALL", "C")
    .stdin(if input.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    })
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    if let Some(token) = ctx.job_token.as_deref() {
        if ctx.server.starts_with("https://") || ctx.server.starts_with("http://") {
            let basic = base64::engine::general_purpose::STANDARD
                .encode(format!("gitlab-ci-token:{token}"));
            cmd.env("GIT_CONFIG_COUNT", "1")
                .env(
                    "GIT_CONFIG_KEY_0",
                    format!("http.{}/.extraHeader", ctx.server),
                )
                .env(
                    "GIT_CONFIG_VALUE_0",
                    format!("Authorization: Basic {basic}"),
                );
        }
    }
    let mut child = cmd.spawn().map_err(|e| format!("cannot run `git`: {e}"))?;
    if let (Some(bytes), Some(mut stdin)) = (input, child.stdin.take()) {
        std::thread::spawn(move || {
            let _ = stdin.write_all(&bytes);
        });
    }
    let mut stdout = child.stdout.take().expect("piped");
    let mut stderr = child.stderr.take().expect("piped");
    let out = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = stdout.read_to_end(&mut v);
        v
    });
    let err = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = (&mut stderr).take(64 * 1024).read_to_end(&mut v);
        v
    });
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break s,
            Ok(None) if start.elapsed() > ctx.timeout => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "git did not finish within {} s",
                    ctx.timeout.as_secs()
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => return Err(format!("git: {e}")),
        }
    };
    let stdout = out.join().unwrap_or_default();
    let stderr = err.join().unwrap_or_default();
    if status.success() {
        Ok(stdout)
    } else {
        Err(first_error_line(&String::from_utf8_lossy(&stderr)))
    }
}

/// git's most telling line (`fatal: …`), without any address credentials.
fn first_error_line(stderr: &str) -> String {
    let line = stderr
        .lines()
        .find(|l| l.starts_with("fatal:") || l.starts_with("error:"))
        .or_else(|| stderr.lines().find(|l| !l.trim().is_empty()))
        .unwrap_or("git failed")
        .trim();
    strip_credentials(line)
}

/// `scheme://user:secret@host` → `scheme://host` anywhere in `text`.
pub fn strip_credentials(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find("://") {
        out.push_str(&rest[..i + 3]);
        rest = &rest[i + 3..];
        let end = rest
            .find(|c: char| c.is_whitespace() || c == '/' || c == '\'' || c == '"')
            .unwrap_or(rest.len());
        if let Some(at) = rest[..end].rfind('@') {
            rest = &rest[at + 1..];
        }
    }
    out.push_str(rest);
    out
}

/// The project's repository address on the server.
pub fn project_url(ctx: &Context, project: &str) -> String {
    format!("{}/{}.git", ctx.server, project.trim_matches('/'))
}

/// The refs of a repository (tags peeled to their commits), or why not.
pub fn ls_remote(ctx: &Context, url: &str) -> Result<Vec<RemoteRef>, String> {
    let out = run(ctx, &["ls-remote", "--", url], None)?;
    let text = String::from_utf8_lossy(&out);
    let mut refs: Vec<RemoteRef> = Vec::new();
    for line in text.lines() {
        let Some((commit, name)) = line.split_once('\t') else {
            continue;
        };
        if let Some(tag) = name.strip_suffix("^{}") {
            // An annotated tag: its commit replaces the tag object.
            refs.retain(|r| r.name != tag);
            refs.push(RemoteRef {
                name: tag.to_string(),
                commit: commit.to_string(),
            });
        } else {
            refs.push(RemoteRef {
                name: name.to_string(),
                commit: commit.to_string(),
            });
        }
    }
    Ok(refs)
}

/// Fetch `commit` of `url` and keep its YAML files in the cache at `dest`.
/// `Ok(false)` when the repository has no such commit.
pub fn fetch_tree(ctx: &Context, url: &str, commit: &str, dest: &Path) -> Result<bool, String> {
    let tmp = store::temp_dir(&ctx.cache).map_err(|e| format!("cache: {e}"))?;
    let repo = tmp.join("repo.git");
    let result = fetch_into(ctx, url, commit, &repo).and_then(|found| {
        if !found {
            return Ok(None);
        }
        read_yaml_files(ctx, &repo, commit).map(Some)
    });
    let _ = std::fs::remove_dir_all(&repo);
    match result {
        Ok(Some((files, partial))) => store::place_tree(&tmp, dest, &files, partial).map(|()| true),
        Ok(None) => {
            let _ = std::fs::remove_dir_all(&tmp);
            Ok(false)
        }
        Err(e) => {
            let _ = std::fs::remove_dir_all(&tmp);
            Err(e)
        }
    }
}

fn fetch_into(ctx: &Context, url: &str, commit: &str, repo: &Path) -> Result<bool, String> {
    let git_dir = repo.to_string_lossy().into_owned();
    run(ctx, &["init", "--bare", "-q", &git_dir], None)?;
    let gd = ["--git-dir", &git_dir];
    let has = |ctx: &Context| {
        run(
            ctx,
            &[
                gd[0],
                gd[1],
                "cat-file",
                "-e",
                &format!("{commit}^{{commit}}"),
            ],
            None,
        )
        .is_ok()
    };
    // The commit alone first; servers that refuse a bare SHA get the whole history.
    let shallow = run(
        ctx,
        &[
            gd[0],
            gd[1],
            "fetch",
            "-q",
            "--no-tags",
            "--depth=1",
            "--",
            url,
            commit,
        ],
        None,
    );
    if shallow.is_ok() && has(ctx) {
        return Ok(true);
    }
    run(
        ctx,
        &[
            gd[0],
            gd[1],
            "fetch",
            "-q",
            "--",
            url,
            "+refs/heads/*:refs/heads/*",
            "+refs/tags/*:refs/tags/*",
        ],
        None,
    )?;
    Ok(has(ctx))
}

/// The YAML files of `commit` (path, bytes), read with `git cat-file --batch`, and
/// whether some were left out (past the limits).
fn read_yaml_files(ctx: &Context, repo: &Path, commit: &str) -> Result<(Files, bool), String> {
    let git_dir = repo.to_string_lossy().into_owned();
    let listing = run(
        ctx,
        &[
            "--git-dir",
            &git_dir,
            "ls-tree",
            "-r",
            "-z",
            "--long",
            "--full-tree",
            commit,
        ],
        None,
    )?;
    let mut wanted: Vec<(String, String)> = Vec::new();
    let (mut total, mut partial) = (0usize, false);
    for entry in listing.split(|b| *b == 0).filter(|e| !e.is_empty()) {
        let entry = String::from_utf8_lossy(entry);
        let Some((meta, path)) = entry.split_once('\t') else {
            continue;
        };
        let fields: Vec<&str> = meta.split_whitespace().collect();
        let [_, kind, object, size] = fields[..] else {
            continue;
        };
        let yaml = {
            let lower = path.to_ascii_lowercase();
            lower.ends_with(".yml") || lower.ends_with(".yaml")
        };
        if kind != "blob" || !yaml || !safe_path(path) {
            continue;
        }
        let size = size.parse::<usize>().unwrap_or(usize::MAX);
        if size > MAX_FILE_BYTES || total + size > MAX_TOTAL_BYTES || wanted.len() >= MAX_FILES {
            partial = true;
            continue;
        }
        total += size;
        wanted.push((object.to_string(), path.to_string()));
    }
    if wanted.is_empty() {
        return Ok((Vec::new(), partial));
    }
    let input: String = wanted.iter().map(|(o, _)| format!("{o}\n")).collect();
    let out = run(
        ctx,
        &["--git-dir", &git_dir, "cat-file", "--batch"],
        Some(input.into_bytes()),
    )?;
    let mut files = Vec::with_capacity(wanted.len());
    let mut at = 0usize;
    for (_, path) in &wanted {
        let header_end = out[at..]
            .iter()
            .position(|b| *b == b'\n')
            .ok_or("git cat-file: short output")?;
        let header = String::from_utf8_lossy(&out[at..at + header_end]).into_owned();
        let size: usize = header
            .rsplit(' ')
            .next()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| format!("git cat-file: `{header}`"))?;
        let start = at + header_end + 1;
        let end = start + size;
        if end > out.len() {
            return Err("git cat-file: short output".into());
        }
        files.push((path.clone(), out[start..end].to_vec()));
        at = end + 1;
    }
    Ok((files, partial))
}

/// A repository path that stays inside its folder.
fn safe_path(path: &str) -> bool {
    !path.starts_with('/')
        && path.split('/').all(|p| {
            !p.is_empty() && p != "." && p != ".." && p != store::LISTING && p != store::PARTIAL
        })
}

#[cfg(test)]
mod tests {
    use super::strip_credentials;

    #[test]
    fn credentials_are_stripped_from_messages() {
        assert_eq!(
            strip_credentials(
                "fatal: unable to access 'https://gitlab-ci-token:abc@h.example/g/p.git/': 403"
            ),
            "fatal: unable to access 'https://h.example/g/p.git/': 403"
        );
        assert_eq!(strip_credentials("no address"), "no address");
    }
}
