//! `include:component`: `<fqdn>/<project path>/<name>@<version>` (`InstancePath`): the
//! project is the path before the last `/`, the file `templates/<name>.yml` or
//! `templates/<name>/template.yml` at the version: a partial semantic version (`1`,
//! `1.2`: the newest matching release), a released tag, a branch or a commit SHA, or
//! `~latest`. GitLab takes `~latest` and partial versions from its catalog releases;
//! over git the honest approximation is the highest semantic-version tag, and the
//! finding says so.

use super::git::RemoteRef;
use super::project::{resolve_ref, tree, tree_file};
use super::store::RefRecord;
use super::{ComponentInfo, Context, FetchError, Fetched, Request, Source};

#[derive(Debug)]
pub struct ComponentSource;

pub const LATEST: &str = "~latest";

/// A parsed component address.
#[derive(Debug, PartialEq, Eq)]
pub struct Address {
    pub project: String,
    pub name: String,
    pub version: String,
}

/// `$CI_SERVER_FQDN` and `$CI_SERVER_HOST` (the host without its port) of `fqdn`.
pub fn expand_server_vars(location: &str, fqdn: &str) -> String {
    let host = fqdn.split(':').next().unwrap_or(fqdn);
    location
        .replace("${CI_SERVER_FQDN}", fqdn)
        .replace("$CI_SERVER_FQDN", fqdn)
        .replace("${CI_SERVER_HOST}", host)
        .replace("$CI_SERVER_HOST", host)
}

/// The address with the server's variables expanded; `Err` with the reason when it is not
/// one of the server's components.
pub fn parse(location: &str, fqdn: &str) -> Result<Address, FetchError> {
    let expanded = expand_server_vars(location, fqdn);
    let unsupported = || {
        FetchError::Refused(format!(
            "Component '{expanded}' - the component path is not supported"
        ))
    };
    let Some((path, version)) = expanded.split_once('@') else {
        return Err(unsupported());
    };
    let Some(rest) = path.strip_prefix(&format!("{fqdn}/")) else {
        // Another host, or the server is not configured for it: not checked.
        return Err(FetchError::Unavailable(format!(
            "component `{expanded}` is not on the configured server `{fqdn}` (`[includes] server` in kaslint.toml)"
        )));
    };
    let Some((project, name)) = rest
        .rsplit_once('/')
        .filter(|(p, n)| !p.is_empty() && !n.is_empty() && !p.starts_with('/'))
    else {
        return Err(FetchError::Refused(format!(
            "Component '{expanded}' - content not found"
        )));
    };
    Ok(Address {
        project: project.to_lowercase(),
        name: name.to_string(),
        version: version.to_string(),
    })
}

/// `MAJOR.MINOR.PATCH` with an optional pre-release, as numbers (pre-release last).
fn semver(tag: &str) -> Option<(u64, u64, u64, bool)> {
    let core = tag.split('+').next()?;
    let (core, pre) = match core.split_once('-') {
        Some((c, p)) if !p.is_empty() => (c, true),
        Some(_) => return None,
        None => (core, false),
    };
    let mut parts = core.split('.').map(|p| {
        (!p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
            .then(|| p.parse::<u64>().ok())
            .flatten()
    });
    let v = (parts.next()??, parts.next()??, parts.next()??, pre);
    parts.next().is_none().then_some(v)
}

/// The newest released (not pre-release) semantic-version tag matching `prefix`
/// (`[]` for `~latest`, `[1]` or `[1, 2]` for a partial version).
fn newest_tag<'a>(refs: &'a [RemoteRef], prefix: &[u64]) -> Option<(&'a RemoteRef, &'a str)> {
    refs.iter()
        .filter_map(|r| {
            let tag = r.name.strip_prefix("refs/tags/")?;
            let v = semver(tag)?;
            let matches = prefix
                .iter()
                .zip([v.0, v.1])
                .all(|(want, have)| *want == have);
            (!v.3 && matches).then_some((v, r, tag))
        })
        .max_by_key(|(v, _, _)| (v.0, v.1, v.2))
        .map(|(_, r, tag)| (r, tag))
}

/// The partial version `1` or `1.2` (`SHORTHAND_SEMVER_PATTERN`), as numbers.
fn shorthand(version: &str) -> Option<Vec<u64>> {
    let parts: Vec<&str> = version.split('.').collect();
    if parts.len() > 2
        || parts
            .iter()
            .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    parts.iter().map(|p| p.parse().ok()).collect()
}

fn resolve(refs: &[RemoteRef], version: &str) -> Option<RefRecord> {
    let moving = |r: &RemoteRef, tag: &str, kind: &str| RefRecord {
        commit: r.commit.clone(),
        kind: kind.into(),
        shown: tag.into(),
    };
    if version == LATEST {
        return newest_tag(refs, &[]).map(|(r, tag)| moving(r, tag, "latest"));
    }
    if let Some(prefix) = shorthand(version) {
        if let Some((r, tag)) = newest_tag(refs, &prefix) {
            return Some(moving(r, tag, "semver"));
        }
    }
    resolve_ref(refs, version)
}

impl Source for ComponentSource {
    fn read(&self, request: &Request<'_>, ctx: &Context) -> Result<Fetched, FetchError> {
        let Request::Component { location } = request else {
            return Err(FetchError::Unavailable("not a component include".into()));
        };
        let address = parse(location, &ctx.fqdn)?;
        let full = format!("{}/{}/{}", ctx.fqdn, address.project, address.name);
        let shown = format!("{full}@{}", address.version);
        let not_found = || FetchError::Refused(format!("Component '{shown}' - content not found"));
        let what = format!("component `{shown}`");
        let tree = tree(ctx, &address.project, &address.version, &what, &|refs| {
            resolve(refs, &address.version).ok_or_else(not_found)
        })?;
        let candidates = [
            format!("templates/{}.yml", address.name),
            format!("templates/{}/template.yml", address.name),
        ];
        for file in &candidates {
            if let Some((path, bytes)) = tree_file(ctx, &tree, file)? {
                let note = (address.version == LATEST).then(|| {
                    format!(
                        "`~latest` read as `{}`, the highest semantic-version tag (GitLab takes the newest catalog release)",
                        tree.shown_ref
                    )
                });
                return Ok(Fetched {
                    name: tree.display(file),
                    path,
                    bytes,
                    component: Some(ComponentInfo {
                        name: address.name.clone(),
                        sha: tree.commit.clone(),
                        reference: address.version.clone(),
                        version: tree.shown_ref.clone(),
                    }),
                    tree: Some(tree),
                    note,
                });
            }
        }
        Err(not_found())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(name: &str, commit: &str) -> RemoteRef {
        RemoteRef {
            name: name.into(),
            commit: commit.into(),
        }
    }

    #[test]
    fn addresses() {
        let a = parse("$CI_SERVER_FQDN/g/sub/p/deploy@1.2", "gitlab.example.com").unwrap();
        assert_eq!(a.project, "g/sub/p");
        assert_eq!(a.name, "deploy");
        assert_eq!(a.version, "1.2");
        assert!(matches!(
            parse("other.example/g/p/c@1", "gitlab.example.com"),
            Err(FetchError::Unavailable(_))
        ));
        assert!(matches!(
            parse("gitlab.example.com/g/p/c", "gitlab.example.com"),
            Err(FetchError::Refused(_))
        ));
    }

    #[test]
    fn versions() {
        let refs = [
            r("refs/tags/1.0.0", "a"),
            r("refs/tags/1.2.0", "b"),
            r("refs/tags/1.10.1", "c"),
            r("refs/tags/2.0.0-rc1", "d"),
            r("refs/tags/v3.0.0", "e"),
            r("refs/heads/main", "f"),
        ];
        assert_eq!(resolve(&refs, LATEST).unwrap().shown, "1.10.1");
        assert_eq!(resolve(&refs, "1").unwrap().commit, "c");
        assert_eq!(resolve(&refs, "1.2").unwrap().shown, "1.2.0");
        assert_eq!(resolve(&refs, "1.0.0").unwrap().kind, "tag");
        assert_eq!(resolve(&refs, "main").unwrap().kind, "branch");
        assert!(resolve(&refs, "4").is_none());
    }
}
