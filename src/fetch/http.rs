//! HTTP(S) for `remote:` includes and the Templates API: rustls, at most 5 redirects,
//! GitLab's 2 MB limit on what is read, a bounded time, the environment's proxy.
//! No credential is ever sent.

use std::time::Duration;

/// GitLab's limit on an included file.
pub const MAX_BYTES: u64 = crate::load::MAX_FILE_BYTES as u64;

/// Why a request failed.
pub enum HttpError {
    /// The server answered with this status (400 or more).
    Status(u16),
    Timeout,
    /// No connection (refused, unknown host, TLS).
    Socket(String),
    TooLarge,
    Other(String),
}

/// `GET url`: the body, at most [`MAX_BYTES`].
pub fn get(url: &str, timeout: Duration) -> Result<Vec<u8>, HttpError> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .max_redirects(5)
        .http_status_as_error(false)
        .user_agent(concat!("kaslint/", env!("CARGO_PKG_VERSION")))
        .build()
        .into();
    let mut response = agent.get(url).call().map_err(classify)?;
    let status = response.status().as_u16();
    if status >= 400 {
        return Err(HttpError::Status(status));
    }
    response
        .body_mut()
        .with_config()
        .limit(MAX_BYTES)
        .read_to_vec()
        .map_err(classify)
}

fn classify(e: ureq::Error) -> HttpError {
    match e {
        ureq::Error::StatusCode(s) => HttpError::Status(s),
        ureq::Error::Timeout(_) => HttpError::Timeout,
        ureq::Error::BodyExceedsLimit(_) => HttpError::TooLarge,
        ureq::Error::HostNotFound | ureq::Error::ConnectionFailed => {
            HttpError::Socket(e.to_string())
        }
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => HttpError::Timeout,
        ureq::Error::Io(io) => HttpError::Socket(io.to_string()),
        other => HttpError::Other(other.to_string()),
    }
}
