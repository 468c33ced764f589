//! `include:template`: a file of GitLab's `lib/gitlab/ci/templates/` folder. Read from
//! the folder `[includes] templates` names (a self-managed instance ships it at
//! `/opt/gitlab/embedded/service/gitlab-rails/lib/gitlab/ci/templates`), else from the
//! server's Templates API, `GET /api/v4/templates/gitlab_ci_ymls/:name` (cached). The
//! API's `:name` is one path segment, so nested names (`Jobs/SAST.gitlab-ci.yml`) are
//! read only from a folder; without one they stay unchecked, and the finding says why.

use super::http;
use super::store::{self, TreeFile};
use super::{not_cached, Context, FetchError, Fetched, Mode, Request, Source};

#[derive(Debug)]
pub struct TemplateSource;

const SUFFIX: &str = ".gitlab-ci.yml";

/// A template name that stays inside the folder.
fn safe(name: &str) -> bool {
    name.split('/')
        .all(|p| !p.is_empty() && p != "." && p != ".." && !p.contains('\\'))
}

impl Source for TemplateSource {
    fn read(&self, request: &Request<'_>, ctx: &Context) -> Result<Fetched, FetchError> {
        let Request::Template { name } = request else {
            return Err(FetchError::Unavailable("not a template include".into()));
        };
        let name = name.trim();
        if !safe(name) {
            return Err(FetchError::Unavailable(format!(
                "template `{name}` is not a file name"
            )));
        }
        let shown = format!("template:{name}");
        if let Some(folder) = &ctx.templates {
            let path = folder.join(name);
            return match crate::load::read_limited(&path) {
                Ok(bytes) => Ok(Fetched {
                    name: shown,
                    path,
                    bytes,
                    tree: None,
                    component: None,
                    note: None,
                }),
                Err(_) => Err(FetchError::Unavailable(format!(
                    "template `{name}` is not in the templates folder `{}`",
                    folder.display()
                ))),
            };
        }
        let key = name.strip_suffix(SUFFIX).unwrap_or(name);
        if key.contains('/') {
            return Err(FetchError::Unavailable(format!(
                "template `{name}`: the Templates API serves top-level names only; set `[includes] templates` to a folder of GitLab's templates"
            )));
        }
        if !(ctx.server.starts_with("https://") || ctx.server.starts_with("http://")) {
            return Err(FetchError::Unavailable(format!(
                "template `{name}`: the server `{}` has no Templates API over HTTP; set `[includes] templates`",
                store::server_name(&ctx.server)
            )));
        }
        let url = format!("{}/api/v4/templates/gitlab_ci_ymls/{key}", ctx.server);
        let dir = store::blob_dir(&ctx.cache, "templates", &url);
        let done = |path, bytes| Fetched {
            name: shown.clone(),
            path,
            bytes,
            tree: None,
            component: None,
            note: None,
        };
        match store::read_blob(&dir) {
            TreeFile::Found(path, bytes) if !ctx.refresh_now(&url) => return Ok(done(path, bytes)),
            _ if ctx.mode == Mode::Offline => {
                return Err(not_cached(&format!("template `{name}`")))
            }
            _ => {}
        }
        let body = http::get(&url, ctx.timeout).map_err(|e| match e {
            http::HttpError::Status(404) => FetchError::Refused(format!(
                "Included file `{name}` is empty or does not exist!"
            )),
            _ => FetchError::Unavailable(format!(
                "template `{name}` could not be fetched from `{url}`"
            )),
        })?;
        let content = serde_json::from_slice::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| v.get("content")?.as_str().map(str::to_string))
            .ok_or_else(|| {
                FetchError::Unavailable(format!("`{url}` did not answer with a template"))
            })?;
        let path = store::write_blob(&dir, content.as_bytes()).map_err(FetchError::Unavailable)?;
        Ok(done(path, content.into_bytes()))
    }
}
