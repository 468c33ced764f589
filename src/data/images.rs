//! The catalogue of images seen in kubectl jobs (domain.md section 3), as one table.

/// What an image's tag says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TagMeaning {
    /// The tag is the kubectl version (`1.27.1`, `v1.27.1`, `1.27.1-debian-11-r5`).
    Kubectl,
    /// The tag is something else (Helm, Flux, Cloud SDK, OS version): says nothing about kubectl.
    Other(&'static str),
}

/// One catalogue row.
#[derive(Debug)]
pub struct ImageInfo {
    /// Repository names, without registry defaults (`docker.io/`, `library/`).
    pub names: &'static [&'static str],
    /// The shell the runner can pipe the script into (`None`: distroless or scratch).
    pub shell: Option<&'static str>,
    /// A program ENTRYPOINT that must be overridden with `entrypoint: [""]`.
    pub entrypoint: Option<&'static str>,
    /// Runs as a non-root user whose HOME (and so `~/.kube`) is not writable.
    pub home_not_writable: Option<&'static str>,
    pub tag: TagMeaning,
    /// A cluster tool (kubectl, helm, flux) whose version matters.
    pub cluster_tool: bool,
}

/// The catalogue. Users will be able to add rows from the config file.
pub static IMAGES: &[ImageInfo] = &[
    ImageInfo {
        names: &["bitnami/kubectl", "bitnamilegacy/kubectl"],
        shell: Some("bash"),
        entrypoint: Some("kubectl"),
        home_not_writable: None,
        tag: TagMeaning::Kubectl,
        cluster_tool: true,
    },
    ImageInfo {
        names: &["registry.k8s.io/kubectl", "rancher/kubectl"],
        shell: None,
        entrypoint: Some("/bin/kubectl"),
        home_not_writable: None,
        tag: TagMeaning::Kubectl,
        cluster_tool: true,
    },
    ImageInfo {
        names: &["alpine/k8s"],
        shell: Some("bash"),
        entrypoint: None,
        home_not_writable: None,
        tag: TagMeaning::Kubectl,
        cluster_tool: true,
    },
    ImageInfo {
        names: &["dtzar/helm-kubectl"],
        shell: Some("bash"),
        entrypoint: None,
        home_not_writable: None,
        tag: TagMeaning::Other("Helm's version"),
        cluster_tool: true,
    },
    ImageInfo {
        names: &["lachlanevenson/k8s-kubectl"],
        shell: Some("sh"),
        entrypoint: Some("kubectl"),
        home_not_writable: None,
        tag: TagMeaning::Kubectl,
        cluster_tool: true,
    },
    ImageInfo {
        names: &["portainer/kubectl-shell"],
        shell: Some("sh"),
        entrypoint: None,
        home_not_writable: None,
        tag: TagMeaning::Kubectl,
        cluster_tool: true,
    },
    ImageInfo {
        names: &["fluxcd/flux-cli", "ghcr.io/fluxcd/flux-cli"],
        shell: Some("sh"),
        entrypoint: Some("flux"),
        home_not_writable: Some("uid 65534"),
        tag: TagMeaning::Other("Flux's version"),
        cluster_tool: true,
    },
    ImageInfo {
        names: &[
            "google/cloud-sdk",
            "gcr.io/google.com/cloudsdktool/cloud-sdk",
        ],
        shell: Some("bash"),
        entrypoint: None,
        home_not_writable: None,
        tag: TagMeaning::Other("the Cloud SDK version"),
        cluster_tool: false,
    },
];

/// An image reference split into its parts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageRef {
    /// Repository without registry defaults (`bitnami/kubectl`, `registry.k8s.io/kubectl`).
    pub repo: String,
    pub tag: Option<String>,
    pub digest: Option<String>,
}

/// Split `name[:tag][@digest]`, dropping `docker.io/`, `index.docker.io/`, `library/` and a
/// dependency-proxy prefix (`$CI_DEPENDENCY_PROXY_GROUP_IMAGE_PREFIX/`, `.../dependency_proxy/containers/`).
pub fn parse_ref(image: &str) -> ImageRef {
    let image = image.trim();
    let (rest, digest) = match image.split_once('@') {
        Some((r, d)) => (r, Some(d.to_string())),
        None => (image, None),
    };
    // A tag is after the last `:` that follows the last `/` (a registry may have a port).
    let slash = rest.rfind('/').map_or(0, |i| i + 1);
    let (repo, tag) = match rest[slash..].rfind(':') {
        Some(i) => (&rest[..slash + i], Some(rest[slash + i + 1..].to_string())),
        None => (rest, None),
    };
    let mut repo = repo.to_ascii_lowercase();
    for prefix in [
        "${ci_dependency_proxy_group_image_prefix}/",
        "$ci_dependency_proxy_group_image_prefix/",
        "${ci_dependency_proxy_direct_group_image_prefix}/",
        "$ci_dependency_proxy_direct_group_image_prefix/",
    ] {
        if let Some(r) = repo.strip_prefix(prefix) {
            repo = r.to_string();
        }
    }
    // (Found among the `/`s: a substring search is costly to set up for such a needle.)
    const PROXY: &str = "/dependency_proxy/containers/";
    if let Some(i) = repo
        .match_indices('/')
        .map(|(i, _)| i)
        .find(|&i| repo[i..].starts_with(PROXY))
    {
        repo = repo[i + PROXY.len()..].to_string();
    }
    for prefix in ["docker.io/", "index.docker.io/", "registry-1.docker.io/"] {
        if let Some(r) = repo.strip_prefix(prefix) {
            repo = r.to_string();
        }
    }
    if let Some(r) = repo.strip_prefix("library/") {
        repo = r.to_string();
    }
    ImageRef {
        repo,
        tag: tag.filter(|t| !t.is_empty()),
        digest,
    }
}

/// The catalogue row of `repo`: the config file's entries (`extra`) first, then the
/// built-in table (the one image look-up).
pub fn lookup_with(extra: &[&'static ImageInfo], repo: &str) -> Option<&'static ImageInfo> {
    extra
        .iter()
        .copied()
        .find(|i| i.names.contains(&repo))
        .or_else(|| lookup(repo))
}

/// The catalogue row for a repository.
pub fn lookup(repo: &str) -> Option<&'static ImageInfo> {
    IMAGES.iter().find(|i| i.names.contains(&repo))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_references() {
        let r = parse_ref("docker.io/bitnami/kubectl:1.27.1");
        assert_eq!(r.repo, "bitnami/kubectl");
        assert_eq!(r.tag.as_deref(), Some("1.27.1"));
        let r = parse_ref("registry.example.com:5000/x/y");
        assert_eq!(r.repo, "registry.example.com:5000/x/y");
        assert_eq!(r.tag, None);
        let r = parse_ref("${CI_DEPENDENCY_PROXY_GROUP_IMAGE_PREFIX}/alpine/k8s:1.27.1@sha256:abc");
        assert_eq!(r.repo, "alpine/k8s");
        assert_eq!(r.digest.as_deref(), Some("sha256:abc"));
        assert!(lookup("fluxcd/flux-cli").is_some());
    }

    #[test]
    fn references_are_split_into_repo_tag_and_digest() {
        let cases = [
            ("alpine", "alpine", None, None),
            (
                "docker.io/library/alpine:3.20",
                "alpine",
                Some("3.20"),
                None,
            ),
            (
                "registry:5000/team/kubectl:1.29",
                "registry:5000/team/kubectl",
                Some("1.29"),
                None,
            ),
            (
                "bitnami/kubectl@sha256:abc",
                "bitnami/kubectl",
                None,
                Some("sha256:abc"),
            ),
            (
                "gitlab.example.com:443/group/dependency_proxy/containers/bitnami/kubectl:1.27.0",
                "bitnami/kubectl",
                Some("1.27.0"),
                None,
            ),
            (
                "${CI_DEPENDENCY_PROXY_GROUP_IMAGE_PREFIX}/Bitnami/Kubectl:1.29",
                "bitnami/kubectl",
                Some("1.29"),
                None,
            ),
            (
                "team/dependency_proxy/other:1",
                "team/dependency_proxy/other",
                Some("1"),
                None,
            ),
        ];
        for (image, repo, tag, digest) in cases {
            let r = parse_ref(image);
            assert_eq!(r.repo, repo, "{image}");
            assert_eq!(r.tag.as_deref(), tag, "{image}");
            assert_eq!(r.digest.as_deref(), digest, "{image}");
        }
    }
}
