//! `include:remote`: an HTTP(S) address, fetched once and kept by its address. With
//! `integrity: sha256-<base64>` the content must match (a mismatch is GitLab's refusal);
//! without it the cached copy is used until `--refresh`.

use base64::Engine;

use super::http::{self, HttpError};
use super::store::{self, TreeFile};
use super::{not_cached, Context, FetchError, Fetched, Mode, Request, Source};

#[derive(Debug)]
pub struct RemoteSource;

/// The SHA-256 digest an `integrity` value names, if it is well formed.
pub fn integrity_digest(integrity: &str) -> Option<Vec<u8>> {
    let b64 = integrity.strip_prefix("sha256-")?;
    base64::engine::general_purpose::STANDARD.decode(b64).ok()
}

fn matches(bytes: &[u8], digest: Option<&[u8]>) -> bool {
    use sha2::{Digest, Sha256};
    digest.is_none_or(|d| Sha256::digest(bytes).as_slice() == d)
}

/// GitLab's words for a fetch that failed (`File::Remote#fetch_with_error_handling`;
/// `#verify_integrity` for a mismatch).
fn failure(url: &str, e: HttpError) -> FetchError {
    match e {
        // GitLab retries 5xx answers (a server's trouble, not the pipeline's): not checked.
        HttpError::Status(code) if code >= 500 => FetchError::Unavailable(format!(
            "Remote file `{url}` could not be fetched because of HTTP code `{code}` error!"
        )),
        HttpError::Status(code) => FetchError::Refused(format!(
            "Remote file `{url}` could not be fetched after 1 attempt because of HTTP code `{code}` error!"
        )),
        HttpError::Timeout => FetchError::Unavailable(format!(
            "Remote file `{url}` could not be fetched because of a timeout error!"
        )),
        HttpError::Socket(detail) => FetchError::Unavailable(format!(
            "Remote file `{url}` could not be fetched because of a socket error! ({detail})"
        )),
        HttpError::TooLarge => FetchError::Invalid(format!(
            "Remote file `{url}` is larger than GitLab's limit of {} bytes",
            http::MAX_BYTES
        )),
        HttpError::Other(detail) => FetchError::Unavailable(format!(
            "Remote file `{url}` could not be fetched because of HTTP error! ({detail})"
        )),
    }
}

pub fn mismatch(url: &str) -> FetchError {
    FetchError::Invalid(format!("Remote file `{url}` failed integrity check!"))
}

impl Source for RemoteSource {
    fn read(&self, request: &Request<'_>, ctx: &Context) -> Result<Fetched, FetchError> {
        let Request::Remote { url, integrity } = request else {
            return Err(FetchError::Unavailable("not a remote include".into()));
        };
        let digest = match integrity {
            Some(i) => Some(integrity_digest(i).ok_or_else(|| {
                FetchError::Unavailable(format!("`{i}` is not a valid integrity value"))
            })?),
            None => None,
        };
        let dir = store::blob_dir(&ctx.cache, "remote", url);
        let what = format!("remote file `{url}`");
        let done = |path, bytes| Fetched {
            name: url.to_string(),
            path,
            bytes,
            tree: None,
            component: None,
            note: None,
        };
        let cached = store::read_blob(&dir);
        // A copy pinned by `integrity` never moves; others are fetched again on refresh.
        let pinned = digest.is_some();
        match cached {
            TreeFile::Found(path, bytes)
                if matches(&bytes, digest.as_deref()) && (pinned || !ctx.refresh_now(url)) =>
            {
                return Ok(done(path, bytes));
            }
            TreeFile::Found(..) if ctx.mode == Mode::Offline => {
                return Err(FetchError::NotCached(format!(
                    "the cached copy of {what} does not match its `integrity`; `kaslint fetch` reads it again"
                )));
            }
            TreeFile::Corrupt(detail) if ctx.mode == Mode::Offline => {
                return Err(FetchError::Unavailable(format!(
                    "the cache entry is damaged ({detail}); `kaslint fetch` fetches it again"
                )));
            }
            _ if ctx.mode == Mode::Offline => return Err(not_cached(&what)),
            _ => {}
        }
        let bytes = http::get(url, ctx.timeout).map_err(|e| failure(url, e))?;
        if !matches(&bytes, digest.as_deref()) {
            return Err(mismatch(url));
        }
        let path = store::write_blob(&dir, &bytes).map_err(FetchError::Unavailable)?;
        Ok(done(path, bytes))
    }
}
