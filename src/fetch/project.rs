//! `include:project` (and local includes inside a file read from a project): the
//! project's repository `<server>/<project>.git` at `ref` (default `HEAD`), as
//! `File::Project` reads it. The commit a ref resolves to and that commit's YAML files
//! are cached; the tree logic here serves components too.

use std::path::PathBuf;

use super::git::{self, RemoteRef};
use super::store::{self, RefRecord, TreeFile};
use super::{not_cached, Context, FetchError, Fetched, Mode, Request, Source, Tree};

#[derive(Debug)]
pub struct ProjectSource;

impl Source for ProjectSource {
    fn read(&self, request: &Request<'_>, ctx: &Context) -> Result<Fetched, FetchError> {
        match request {
            Request::Project {
                project,
                reference,
                file,
            } => {
                let project = project.trim_matches('/').to_lowercase();
                let shown = reference.unwrap_or("HEAD");
                let what = format!("project `{project}` at `{shown}`");
                let tree = tree(ctx, &project, shown, &what, &|refs| {
                    resolve_ref(refs, shown).ok_or_else(|| {
                        FetchError::Refused(format!(
                            "Project `{project}` reference `{shown}` does not exist!"
                        ))
                    })
                })?;
                let file = file.trim_start_matches('/');
                match tree_file(ctx, &tree, file)? {
                    Some((path, bytes)) => Ok(fetched(&tree, file, path, bytes)),
                    None => Err(FetchError::Refused(format!(
                        "Project `{project}` file `{file}` does not exist!"
                    ))),
                }
            }
            Request::Local { tree, file } => match tree_file(ctx, tree, file)? {
                Some((path, bytes)) => Ok(fetched(tree, file, path, bytes)),
                None => Err(FetchError::Refused(format!(
                    "Local file `{file}` does not exist!"
                ))),
            },
            _ => Err(FetchError::Unavailable("not a project include".into())),
        }
    }
}

fn fetched(tree: &Tree, file: &str, path: PathBuf, bytes: Vec<u8>) -> Fetched {
    Fetched {
        name: tree.display(file),
        path,
        bytes,
        tree: Some(tree.clone()),
        component: None,
        note: None,
    }
}

/// The commit a project ref names, as `project.commit(ref)` finds it: a full ref, a tag,
/// a branch (git's order), `HEAD`, or a full commit SHA.
pub fn resolve_ref(refs: &[RemoteRef], reference: &str) -> Option<RefRecord> {
    let find = |name: &str| refs.iter().find(|r| r.name == name);
    let record = |r: &RemoteRef, kind: &str| RefRecord {
        commit: r.commit.clone(),
        kind: kind.into(),
        shown: reference.into(),
    };
    if reference == "HEAD" {
        return find("HEAD").map(|r| record(r, "head"));
    }
    if let Some(r) = find(reference).filter(|_| reference.starts_with("refs/")) {
        let kind = if reference.starts_with("refs/tags/") {
            "tag"
        } else {
            "branch"
        };
        return Some(record(r, kind));
    }
    if let Some(r) = find(&format!("refs/tags/{reference}")) {
        return Some(record(r, "tag"));
    }
    if let Some(r) = find(&format!("refs/heads/{reference}")) {
        return Some(record(r, "branch"));
    }
    let sha = reference.len() == 40 && reference.bytes().all(|b| b.is_ascii_hexdigit());
    sha.then(|| RefRecord {
        commit: reference.to_ascii_lowercase(),
        kind: "sha".into(),
        shown: reference.into(),
    })
}

/// The cached tree of `project` at `reference` (resolved by `resolve` from the
/// repository's refs when the cache has no usable record and the mode allows).
pub fn tree(
    ctx: &Context,
    project: &str,
    reference: &str,
    what: &str,
    resolve: &dyn Fn(&[RemoteRef]) -> Result<RefRecord, FetchError>,
) -> Result<Tree, FetchError> {
    let pdir = store::project_dir(&ctx.cache, &ctx.server, project);
    let url = git::project_url(ctx, project);
    let recorded = store::read_ref(&pdir, reference)
        .filter(|r| r.immutable() || !ctx.refresh_now(&format!("{}\n{reference}", pdir.display())));
    let record = match recorded {
        Some(r) => r,
        None if ctx.mode == Mode::Offline => return Err(not_cached(what)),
        None => {
            let refs = git::ls_remote(ctx, &url).map_err(|e| {
                FetchError::Unavailable(format!(
                    "Project `{project}` not found or access denied! ({e})"
                ))
            })?;
            let record = resolve(&refs)?;
            store::write_ref(&pdir, reference, &record).map_err(FetchError::Unavailable)?;
            record
        }
    };
    let dir = store::tree_dir(&pdir, &record.commit);
    let tree = Tree {
        project: project.to_string(),
        shown_ref: record.shown.clone(),
        commit: record.commit.clone(),
        dir: dir.clone(),
    };
    if store::tree_listing(&dir).is_some() {
        return Ok(tree);
    }
    if ctx.mode == Mode::Offline {
        return Err(if dir.exists() {
            corrupt(&format!("`{}` has no valid listing", dir.display()))
        } else {
            not_cached(what)
        });
    }
    match git::fetch_tree(ctx, &url, &record.commit, &dir) {
        Ok(true) => Ok(tree),
        Ok(false) => Err(FetchError::Refused(format!(
            "Project `{project}` reference `{reference}` does not exist!"
        ))),
        Err(e) => Err(FetchError::Unavailable(format!(
            "project `{project}` could not be fetched: {e}"
        ))),
    }
}

fn corrupt(detail: &str) -> FetchError {
    FetchError::Unavailable(format!(
        "the cache entry is damaged ({detail}); `kaslint fetch` fetches it again"
    ))
}

/// A file of a cached tree: `None` when the commit has no such file. A damaged entry
/// is fetched again when the mode allows.
pub fn tree_file(
    ctx: &Context,
    tree: &Tree,
    file: &str,
) -> Result<Option<(PathBuf, Vec<u8>)>, FetchError> {
    let found = |read: TreeFile| {
        match read {
        TreeFile::Found(path, bytes) => Ok(Some((path, bytes))),
        TreeFile::Missing => Ok(None),
        TreeFile::NotKept => Err(FetchError::Unavailable(format!(
            "`{file}` of project `{}` was not kept: the project's YAML files are past the include cache's limits",
            tree.project
        ))),
        TreeFile::Corrupt(detail) => Err(corrupt(&detail)),
    }
    };
    match store::read_tree_file(&tree.dir, file) {
        TreeFile::Corrupt(_) if ctx.mode != Mode::Offline => {
            store::remove_tree(&tree.dir);
            let url = git::project_url(ctx, &tree.project);
            git::fetch_tree(ctx, &url, &tree.commit, &tree.dir).map_err(FetchError::Unavailable)?;
            found(store::read_tree_file(&tree.dir, file))
        }
        read => found(read),
    }
}
