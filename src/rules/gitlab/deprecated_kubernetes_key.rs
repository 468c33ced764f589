//! environment:kubernetes uses namespace or flux_resource_path, deprecated in favour of dashboard.

super::finding::gitlab_rule!(DeprecatedKubernetesKey, Deprecated, "KAS029", "deprecated-kubernetes-key", Warning, "environment:kubernetes uses namespace or flux_resource_path, deprecated in favour of dashboard");
