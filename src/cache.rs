//! Where kaslint keeps what it may reuse across runs (fetched includes, ShellCheck
//! results): `$XDG_CACHE_HOME/kaslint`, else `~/.cache/kaslint`. Each user of the cache
//! keeps its own sub-folder and writes through [`crate::write::write_atomic`].

use std::path::PathBuf;

/// The cache root from the two environment values that decide it (read once, by
/// [`crate::environment::Environment::read`]): `XDG_CACHE_HOME` when absolute, else `HOME/.cache`. `None` when neither is set.
pub fn root(xdg_cache_home: Option<&str>, home: Option<&str>) -> Option<PathBuf> {
    if let Some(x) = xdg_cache_home.filter(|x| x.starts_with('/')) {
        return Some(PathBuf::from(x).join("kaslint"));
    }
    home.filter(|h| !h.is_empty())
        .map(|h| PathBuf::from(h).join(".cache").join("kaslint"))
}

#[cfg(test)]
mod tests {
    use super::root;
    use std::path::PathBuf;

    #[test]
    fn xdg_first_then_home() {
        assert_eq!(
            root(Some("/x"), Some("/h")),
            Some(PathBuf::from("/x/kaslint"))
        );
        // A relative XDG_CACHE_HOME is ignored, as the XDG spec says.
        assert_eq!(
            root(Some("rel"), Some("/h")),
            Some(PathBuf::from("/h/.cache/kaslint"))
        );
        assert_eq!(root(None, None), None);
    }
}
