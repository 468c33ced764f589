//! `kaslint generate`: every template, through the real binary, lints clean, is
//! deterministic, round-trips through kaslint's loader, and (RBAC, Flux) deserializes into
//! the real Kubernetes types without loss. Plus the writer's refusal, `--force` and atomicity.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde::{Deserialize, Serialize};
use serde_json::{json, Value as Json};

const BIN: &str = env!("CARGO_BIN_EXE_kaslint");

/// Run the binary with a scrubbed environment.
fn kaslint(args: &[&str], dir: Option<&Path>) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE");
    for (k, _) in std::env::vars() {
        if k.starts_with("CI") || k.starts_with("GITLAB_") || k.starts_with("KASLINT_") {
            cmd.env_remove(k);
        }
    }
    if let Some(d) = dir {
        cmd.current_dir(d);
    }
    cmd.output().expect("the kaslint binary runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8(b.to_vec()).expect("UTF-8 output")
}

/// `kaslint generate ARGS` → stdout, asserting success and determinism (two runs, same bytes).
fn generate(args: &[&str]) -> String {
    let mut full = vec!["generate"];
    full.extend_from_slice(args);
    let first = kaslint(&full, None);
    assert_eq!(
        first.status.code(),
        Some(0),
        "kaslint {full:?} failed: {}",
        text(&first.stderr)
    );
    let second = kaslint(&full, None);
    assert_eq!(
        first.stdout, second.stdout,
        "kaslint {full:?} is not deterministic"
    );
    text(&first.stdout)
}

/// A fresh folder under the target's temporary directory.
fn fresh(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("generate")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// A repository folder (its own root: `.git` inside).
fn repo(name: &str) -> PathBuf {
    let dir = fresh(name);
    std::fs::create_dir_all(dir.join(".git")).expect(".git");
    dir
}

/// Findings of `kaslint check` on the repository's `.gitlab-ci.yml` (JSON, every severity).
fn findings(dir: &Path) -> Vec<Json> {
    let root = dir.to_str().expect("UTF-8 path");
    let out = kaslint(
        &[
            "check",
            ".gitlab-ci.yml",
            "--root",
            root,
            "--format",
            "json",
            "--fail-on",
            "info",
        ],
        Some(dir),
    );
    let report: Json = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "check output is JSON ({e}): {}{}",
            text(&out.stdout),
            text(&out.stderr)
        )
    });
    report["findings"].as_array().cloned().unwrap_or_default()
}

/// Write `yaml` as a repository's `.gitlab-ci.yml` and assert `kaslint check` finds nothing.
fn assert_lints_clean(name: &str, yaml: &str) -> PathBuf {
    let dir = repo(name);
    std::fs::write(dir.join(".gitlab-ci.yml"), yaml).expect("write pipeline");
    let f = findings(&dir);
    assert!(
        f.is_empty(),
        "{name}: kaslint check found {} finding(s):\n{}\n--- pipeline ---\n{yaml}",
        f.len(),
        serde_json::to_string_pretty(&f).unwrap_or_default()
    );
    dir
}

/// Node → JSON, the way GitLab would see the data.
fn to_json(node: &kaslint::load::Node) -> Json {
    use kaslint::load::Value;
    match &node.value {
        Value::Null => Json::Null,
        Value::Bool(b) => json!(b),
        Value::Int(i) => json!(i),
        Value::Float(f) => json!(f),
        Value::Str(s) => json!(s.to_string()),
        Value::Seq(items) => Json::Array(items.iter().map(|n| to_json(n)).collect()),
        Value::Map(m) => Json::Object(
            m.iter()
                .map(|(k, e)| (k.clone(), to_json(&e.value)))
                .collect(),
        ),
    }
}

/// Every document of `yaml`, through kaslint's own loader.
fn load(yaml: &str) -> Vec<Json> {
    let loaded = kaslint::load::yaml::parse(0, yaml)
        .unwrap_or_else(|e| panic!("the loader rejects the output: {e:?}\n{yaml}"));
    assert!(loaded.duplicates.is_empty(), "duplicate keys in\n{yaml}");
    loaded.documents.iter().map(|d| to_json(d)).collect()
}

fn one_doc(yaml: &str) -> Json {
    let docs = load(yaml);
    assert_eq!(docs.len(), 1, "one document expected in\n{yaml}");
    docs.into_iter().next().unwrap_or_default()
}

/// A pipeline template's expectations after the loader round trip.
struct Expect<'a> {
    job: &'a str,
    stop: Option<&'a str>,
    agent: &'a str,
    environment: &'a str,
    namespace: &'a str,
    /// (variable, value) pairs the job must hold verbatim.
    vars: &'a [(&'a str, &'a str)],
}

fn var(job: &Json, name: &str) -> Json {
    let v = &job["variables"][name];
    if v.is_object() {
        assert_eq!(v["expand"], json!(false));
        v["value"].clone()
    } else {
        v.clone()
    }
}

fn assert_pipeline(name: &str, yaml: &str, e: &Expect<'_>) {
    assert_lints_clean(name, yaml);
    let doc = one_doc(yaml);
    let job = &doc[e.job];
    assert!(
        job.is_object(),
        "{name}: job `{}` missing in\n{yaml}",
        e.job
    );
    assert_eq!(var(job, "AGENT_KUBECONTEXT"), json!(e.agent), "{name}");
    assert_eq!(job["environment"]["name"], json!(e.environment), "{name}");
    assert_eq!(
        job["environment"]["kubernetes"]["agent"],
        json!(e.agent),
        "{name}"
    );
    assert_eq!(
        job["environment"]["kubernetes"]["dashboard"]["namespace"],
        json!(e.namespace),
        "{name}"
    );
    for (k, v) in e.vars {
        assert_eq!(var(job, k), json!(v), "{name}: variable {k}");
    }
    let Some(stop_name) = e.stop else { return };
    let stop = &doc[stop_name];
    assert_eq!(job["environment"]["on_stop"], json!(stop_name), "{name}");
    assert_eq!(stop["environment"]["action"], json!("stop"), "{name}");
    assert_eq!(stop["environment"]["name"], json!(e.environment), "{name}");
    assert_eq!(stop["stage"], job["stage"], "{name}: same stage");
    assert_eq!(stop["resource_group"], job["resource_group"], "{name}");
    assert_eq!(stop["variables"]["GIT_STRATEGY"], json!("none"), "{name}");
    assert_eq!(stop["allow_failure"], json!(true), "{name}");
    assert_eq!(stop["image"], job["image"], "{name}: same image");
    let ifs = |j: &Json| -> Vec<Json> {
        j["rules"]
            .as_array()
            .map(|r| r.iter().map(|x| x["if"].clone()).collect())
            .unwrap_or_default()
    };
    assert_eq!(ifs(stop), ifs(job), "{name}: identical rules");
    assert_eq!(stop["rules"][0]["when"], json!("manual"), "{name}");
    assert_eq!(var(stop, "AGENT_KUBECONTEXT"), json!(e.agent), "{name}");
}

// Values with `:`, `$`, quotes and unicode, where a parameter allows them.
const TRICKY_PATH: &str = "k8s/ünïcødé \"prod\": it's $X/";
const TRICKY_URL: &str = "https://example.com/a:b?q=\"x\"&y='z'&ü=1";
const TRICKY_JOB: &str = "deploy: prod ✓ \"eu\"";
const TRICKY_TITLE: &str = "NGINX \"example\": ünï $5 'q' # not a comment";

#[test]
fn kubectl_deploy_lints_clean_and_round_trips() {
    let yaml = generate(&["kubectl-deploy"]);
    assert_pipeline(
        "kubectl-default",
        &yaml,
        &Expect {
            job: "deploy",
            stop: Some("stop-deploy"),
            agent: "my-group/my-project:my-agent",
            environment: "production",
            namespace: "my-namespace",
            vars: &[("MANIFESTS", "k8s/"), ("DEPLOY_NAMESPACE", "my-namespace")],
        },
    );
    let args = [
        "kubectl-deploy",
        "--agent",
        "group/sub.group/my_project:prod-agent-1",
        "--environment",
        "review/$CI_COMMIT_REF_SLUG",
        "--namespace",
        "apps",
        "--tier",
        "staging",
        "--url",
        TRICKY_URL,
        "--manifests",
        TRICKY_PATH,
        "--app",
        "shop.v2",
        "--job",
        TRICKY_JOB,
        "--stage",
        "release: eu",
    ];
    let yaml = generate(&args);
    assert_pipeline(
        "kubectl-tricky",
        &yaml,
        &Expect {
            job: TRICKY_JOB,
            stop: Some(&format!("stop-{TRICKY_JOB}")),
            agent: "group/sub.group/my_project:prod-agent-1",
            environment: "review/$CI_COMMIT_REF_SLUG",
            namespace: "apps",
            vars: &[("MANIFESTS", TRICKY_PATH), ("APP_INSTANCE", "shop.v2")],
        },
    );
    let doc = one_doc(&yaml);
    assert_eq!(doc["stages"], json!(["release: eu"]));
    assert_eq!(doc[TRICKY_JOB]["environment"]["url"], json!(TRICKY_URL));
    assert_eq!(
        doc[TRICKY_JOB]["environment"]["deployment_tier"],
        json!("staging")
    );
    // Images from the catalogue: an ENTRYPOINT to clear, a HOME to make writable.
    for (image, entrypoint, home) in [
        ("bitnami/kubectl:1.33.4", true, false),
        ("fluxcd/flux-cli:v2.4.0", true, true),
        ("example.com/tools/kubectl:2025.01", true, false),
    ] {
        let yaml = generate(&["kubectl-deploy", "--image", image]);
        let name = format!("kubectl-{}", image.replace(['/', ':'], "_"));
        assert_lints_clean(&name, &yaml);
        let doc = one_doc(&yaml);
        let img = &doc["deploy"]["image"];
        assert_eq!(img.get("entrypoint").is_some(), entrypoint, "{image}");
        if entrypoint {
            assert_eq!(img["entrypoint"], json!([""]));
            assert_eq!(img["name"], json!(image));
        }
        assert_eq!(
            doc["deploy"]["variables"].get("HOME").is_some(),
            home,
            "{image}"
        );
    }
}

#[test]
fn the_checker_is_not_vacuous() {
    // The same pipeline without its context selection must be reported.
    let yaml = generate(&["kubectl-deploy"]);
    let broken = yaml.replace(
        "kubectl config use-context \"$AGENT_KUBECONTEXT\"",
        "echo no context",
    );
    assert_ne!(broken, yaml);
    let dir = repo("kubectl-broken");
    std::fs::write(dir.join(".gitlab-ci.yml"), broken).expect("write");
    assert!(
        !findings(&dir).is_empty(),
        "a job with no context selected lints clean"
    );
}

#[test]
fn helm_deploy_lints_clean_and_round_trips() {
    let yaml = generate(&["helm-deploy"]);
    assert!(yaml.contains("--atomic") && yaml.contains("--kube-context \"$AGENT_KUBECONTEXT\""));
    assert!(yaml.contains("helm uninstall"));
    assert_pipeline(
        "helm-default",
        &yaml,
        &Expect {
            job: "helm-deploy",
            stop: Some("stop-helm-deploy"),
            agent: "my-group/my-project:my-agent",
            environment: "production",
            namespace: "my-namespace",
            vars: &[("HELM_RELEASE", "my-app"), ("HELM_CHART", "./chart")],
        },
    );
    let values = "values/prod: \"eu\" ü.yaml";
    let yaml = generate(&[
        "helm-deploy",
        "--agent",
        "a/b:c",
        "--environment",
        "Production EU",
        "--namespace",
        "shop",
        "--tier",
        "other",
        "--release",
        "app.v2",
        "--chart",
        "oci://registry.example.com:5000/charts/app",
        "--chart-version",
        "1.2.3",
        "--values",
        values,
        "--image",
        "dtzar/helm-kubectl:3.18.4",
    ]);
    assert_pipeline(
        "helm-tricky",
        &yaml,
        &Expect {
            job: "helm-deploy",
            stop: Some("stop-helm-deploy"),
            agent: "a/b:c",
            environment: "Production EU",
            namespace: "shop",
            vars: &[
                ("HELM_VALUES", values),
                ("HELM_CHART", "oci://registry.example.com:5000/charts/app"),
                ("HELM_CHART_VERSION", "1.2.3"),
            ],
        },
    );
}

#[test]
fn flux_oci_lints_clean_and_round_trips() {
    let yaml = generate(&["flux-oci"]);
    assert!(yaml.contains("flux push artifact"));
    assert!(
        !yaml.contains("$CI_REPOSITORY_URL\""),
        "the job token must not be an annotation"
    );
    assert_pipeline(
        "flux-default",
        &yaml,
        &Expect {
            job: "flux-deploy",
            stop: None,
            agent: "my-group/my-project:my-agent",
            environment: "production",
            namespace: "my-namespace",
            vars: &[("OCI_ARTIFACT", "my-app"), ("HOME", "/tmp")],
        },
    );
    let doc = one_doc(&yaml);
    assert_eq!(
        doc["flux-deploy"]["environment"]["kubernetes"]["dashboard"]["flux_resource_path"],
        json!("kustomize.toolkit.fluxcd.io/v1/namespaces/flux-system/kustomizations/my-app")
    );
    let args = [
        "flux-oci",
        "--agent",
        "my-group/optional-subgroup/my-repository:testing",
        "--environment",
        "applications/nginx",
        "--namespace",
        "default",
        "--name",
        "nginx-example",
        "--manifests",
        "./clusters/applications/nginx ✓",
        "--title",
        TRICKY_TITLE,
        "--tag",
        "v1.2.3_rc",
    ];
    let yaml = generate(&args);
    assert_pipeline(
        "flux-tricky",
        &yaml,
        &Expect {
            job: "flux-deploy",
            stop: None,
            agent: "my-group/optional-subgroup/my-repository:testing",
            environment: "applications/nginx",
            namespace: "default",
            vars: &[
                ("OCI_TITLE", TRICKY_TITLE),
                ("MANIFESTS", "./clusters/applications/nginx ✓"),
                ("OCI_TAG", "v1.2.3_rc"),
            ],
        },
    );
}

#[test]
fn registry_secret_lints_clean_and_round_trips() {
    let yaml = generate(&["registry-secret"]);
    assert!(yaml.contains("--dry-run=client --output yaml | kubectl apply --filename -"));
    assert!(yaml.contains("--ignore-not-found"));
    assert!(!yaml.contains("image: \"\""));
    assert_pipeline(
        "registry-default",
        &yaml,
        &Expect {
            job: "create-registry-secret",
            stop: Some("delete-registry-secret"),
            agent: "my-group/my-project:my-agent",
            environment: "container-registry-secret",
            namespace: "flux-system",
            vars: &[("SECRET_NAME", "gitlab-registry-auth")],
        },
    );
    let yaml = generate(&[
        "registry-secret",
        "--agent",
        "ops/clusters:prod",
        "--environment",
        "secrets/${CI_PROJECT_NAME}",
        "--namespace",
        "apps",
        "--secret",
        "pull.secret",
        "--username-variable",
        "DEPLOY_USER",
        "--password-variable",
        "DEPLOY_TOKEN",
        "--job",
        "make-secret",
        "--stage",
        "setup",
    ]);
    assert!(yaml.contains("--docker-password=\"$DEPLOY_TOKEN\""));
    assert_pipeline(
        "registry-tricky",
        &yaml,
        &Expect {
            job: "make-secret",
            stop: Some("delete-make-secret"),
            agent: "ops/clusters:prod",
            environment: "secrets/${CI_PROJECT_NAME}",
            namespace: "apps",
            vars: &[("SECRET_NAME", "pull.secret"), ("SECRET_NAMESPACE", "apps")],
        },
    );
}

#[test]
fn review_app_lints_clean_and_round_trips() {
    let yaml = generate(&["review-app"]);
    assert_pipeline(
        "review-default",
        &yaml,
        &Expect {
            job: "review",
            stop: Some("stop-review"),
            agent: "my-group/my-project:my-agent",
            environment: "review/$CI_COMMIT_REF_SLUG",
            namespace: "review-apps",
            vars: &[("HELM_RELEASE", "$CI_ENVIRONMENT_SLUG")],
        },
    );
    let doc = one_doc(&yaml);
    assert_eq!(
        doc["review"]["environment"]["auto_stop_in"],
        json!("1 week")
    );
    let url = "https://$CI_ENVIRONMENT_SLUG.apps.example.com/\"ü\":8080";
    let yaml = generate(&[
        "review-app",
        "--environment",
        "review/${CI_COMMIT_REF_SLUG}",
        "--url",
        url,
        "--auto-stop-in",
        "3 days 12 hours",
        "--values",
        "ci/review: values ü.yaml",
        "--job",
        "review app ✓",
    ]);
    assert_pipeline(
        "review-tricky",
        &yaml,
        &Expect {
            job: "review app ✓",
            stop: Some("stop-review app ✓"),
            agent: "my-group/my-project:my-agent",
            environment: "review/${CI_COMMIT_REF_SLUG}",
            namespace: "review-apps",
            vars: &[("HELM_VALUES", "ci/review: values ü.yaml")],
        },
    );
    let doc = one_doc(&yaml);
    assert_eq!(doc["review app ✓"]["environment"]["url"], json!(url));
    assert_eq!(
        doc["review app ✓"]["environment"]["auto_stop_in"],
        json!("3 days 12 hours")
    );
}

#[test]
fn agent_config_parses_and_its_pipeline_lints_clean() {
    for (case, extra) in [
        ("agent-default", vec![]),
        (
            "agent-full",
            vec![
                "--agent",
                "ops/k8s.config:prod-cluster",
                "--project",
                "shop/web",
                "--project",
                "shop/api",
                "--group",
                "platform",
                "--environment",
                "production",
                "--environment",
                "review/*",
                "--protected-branches-only",
                "--ci-job",
            ],
        ),
    ] {
        let dir = repo(case);
        let agent = extra
            .iter()
            .position(|a| *a == "--agent")
            .map_or("my-group/my-project:my-agent", |i| extra[i + 1]);
        let name = agent.rsplit_once(':').map_or("", |(_, n)| n);
        let config = dir.join(".gitlab/agents").join(name).join("config.yaml");
        let config_s = config.to_str().expect("UTF-8");
        let mut args = vec!["agent-config"];
        args.extend(&extra);
        let stdout = generate(&args);
        args.extend(["-o", config_s]);
        let mut full = vec!["generate"];
        full.extend(&args);
        let out = kaslint(&full, None);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let written = std::fs::read_to_string(&config).expect("config written");
        assert_eq!(written, stdout, "-o writes what stdout shows");
        let doc = one_doc(&written);
        let access = &doc["ci_access"];
        if case == "agent-default" {
            assert_eq!(
                access,
                &json!({"projects": [{"id": "my-group/my-project"}]})
            );
        } else {
            let entry = json!({
                "environments": ["production", "review/*"],
                "protected_branches_only": true,
                "access_as": {"ci_job": {}},
            });
            let with = |id: &str| {
                let mut e = entry.clone();
                e["id"] = json!(id);
                e
            };
            assert_eq!(
                access["projects"],
                json!([with("shop/web"), with("shop/api")])
            );
            assert_eq!(access["groups"], json!([with("platform")]));
        }
        // A pipeline using that agent, in the same repository, lints clean.
        let yaml = generate(&["kubectl-deploy", "--agent", agent]);
        std::fs::write(dir.join(".gitlab-ci.yml"), &yaml).expect("write");
        let f = findings(&dir);
        assert!(
            f.is_empty(),
            "{case}: {}",
            serde_json::to_string_pretty(&f).unwrap_or_default()
        );
    }
}

// --- RBAC: the real Kubernetes types ---------------------------------------------------

use k8s_openapi::api::rbac::v1::{ClusterRoleBinding, PolicyRule, Role, RoleBinding};

/// Deserialize `doc` into `T` and serialize it back: nothing may be lost or added.
fn typed<T: for<'de> Deserialize<'de> + Serialize>(doc: &Json) -> T {
    let value: T = serde_json::from_value(doc.clone())
        .unwrap_or_else(|e| panic!("does not deserialize ({e}): {doc}"));
    let back = serde_json::to_value(&value).expect("serializes");
    assert_eq!(&back, doc, "lossy round trip");
    value
}

fn assert_least_privilege(rules: &[PolicyRule]) {
    for r in rules {
        let all = r
            .verbs
            .iter()
            .chain(r.resources.iter().flatten())
            .chain(r.api_groups.iter().flatten());
        for s in all {
            assert!(!s.contains('*'), "wildcard in {r:?}");
        }
        for v in &r.verbs {
            assert!(
                !matches!(
                    v.as_str(),
                    "escalate" | "bind" | "impersonate" | "deletecollection"
                ),
                "verb {v}"
            );
        }
        for g in r.api_groups.iter().flatten() {
            assert_ne!(g, "rbac.authorization.k8s.io", "no rights on RBAC");
        }
        for res in r.resources.iter().flatten() {
            assert!(
                !matches!(res.as_str(), "namespaces" | "nodes"),
                "resource {res}"
            );
        }
    }
}

fn assert_subject(subjects: &Option<Vec<k8s_openapi::api::rbac::v1::Subject>>, group: &str) {
    let s = subjects.as_deref().unwrap_or_default();
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].kind, "Group");
    assert_eq!(s[0].name, group);
    assert_eq!(s[0].api_group.as_deref(), Some("rbac.authorization.k8s.io"));
}

#[test]
fn rbac_deserializes_into_kubernetes_types_and_is_least_privilege() {
    for (args, group) in [
        (vec![], "gitlab:ci_job"),
        (vec!["--project-id", "150"], "gitlab:project:150"),
        (
            vec!["--project-id", "150", "--tier", "production"],
            "gitlab:project_env_tier:150:production",
        ),
        (
            vec![
                "--project-id",
                "150",
                "--environment-slug",
                "prod",
                "--namespace",
                "shop",
            ],
            "gitlab:project_env:150:prod",
        ),
    ] {
        let mut full = vec!["rbac"];
        full.extend(&args);
        let yaml = generate(&full);
        let docs = load(&yaml);
        assert_eq!(docs.len(), 2, "Role and RoleBinding, separated by `---`");
        let role: Role = typed(&docs[0]);
        let binding: RoleBinding = typed(&docs[1]);
        assert_least_privilege(role.rules.as_deref().unwrap_or_default());
        assert_eq!(binding.role_ref.kind, "Role");
        assert_eq!(Some(&binding.role_ref.name), role.metadata.name.as_ref());
        assert_eq!(binding.metadata.namespace, role.metadata.namespace);
        assert!(binding.metadata.namespace.is_some(), "namespaced");
        assert_subject(&binding.subjects, group);
    }
    // The Flux bindings the tutorial meant: two documents, scoped to Flux's namespace...
    let yaml = generate(&["rbac", "--flux"]);
    let docs = load(&yaml);
    assert_eq!(docs.len(), 2);
    let names: Vec<String> = docs
        .iter()
        .map(|d| {
            let b: RoleBinding = typed(d);
            assert_eq!(b.metadata.namespace.as_deref(), Some("flux-system"));
            assert_eq!(b.role_ref.kind, "ClusterRole");
            assert_subject(&b.subjects, "gitlab:ci_job");
            b.role_ref.name
        })
        .collect();
    assert_eq!(names, ["flux-edit-flux-system", "flux-view-flux-system"]);
    // ...or only what `flux reconcile source oci` needs...
    let yaml = generate(&["rbac", "--flux", "--reconcile-only", "--project-id", "9"]);
    let docs = load(&yaml);
    assert_eq!(docs.len(), 2);
    let role: Role = typed(&docs[0]);
    let binding: RoleBinding = typed(&docs[1]);
    let rules = role.rules.as_deref().unwrap_or_default();
    assert_least_privilege(rules);
    assert_eq!(rules.len(), 1);
    assert_eq!(rules[0].verbs, ["get", "list", "watch", "patch"]);
    assert_eq!(
        rules[0].resources.as_deref(),
        Some(&["ocirepositories".to_string()][..])
    );
    assert_eq!(role.metadata.namespace.as_deref(), Some("flux-system"));
    assert_eq!(binding.role_ref.kind, "Role");
    assert_subject(&binding.subjects, "gitlab:project:9");
    // ...or cluster-wide, as the seed wrote them.
    let yaml = generate(&[
        "rbac",
        "--flux",
        "--cluster-wide",
        "--project-id",
        "7",
        "--tier",
        "staging",
    ]);
    let docs = load(&yaml);
    assert_eq!(docs.len(), 2);
    for (d, role) in docs
        .iter()
        .zip(["flux-edit-flux-system", "flux-view-flux-system"])
    {
        let b: ClusterRoleBinding = typed(d);
        assert_eq!(b.role_ref.name, role);
        assert_ne!(b.role_ref.name, "cluster-admin");
        assert_subject(&b.subjects, "gitlab:project_env_tier:7:staging");
    }
}

// --- Flux: minimal mirrors of the CRD fields kaslint emits ---------------------------

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct Meta {
    name: String,
    namespace: String,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct FluxObject<S> {
    api_version: String,
    kind: String,
    metadata: Meta,
    spec: S,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct Name {
    name: String,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct OciRef {
    tag: String,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct OciRepositorySpec {
    interval: String,
    url: String,
    #[serde(rename = "ref")]
    reference: OciRef,
    secret_ref: Name,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct SourceRef {
    kind: String,
    name: String,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct KustomizationSpec {
    interval: String,
    source_ref: SourceRef,
    path: String,
    prune: bool,
    target_namespace: String,
    wait: bool,
    timeout: String,
}

#[test]
fn flux_cluster_manifests_deserialize_into_flux_types() {
    for (args, name, ns, target, url) in [
        (
            vec![],
            "my-app",
            "flux-system",
            "my-namespace",
            "oci://registry.gitlab.com/my-group/my-project/my-app",
        ),
        (
            vec![
                "--name",
                "nginx-example",
                "--namespace",
                "default",
                "--flux-namespace",
                "flux",
                "--registry-image",
                "registry.example.com:5000/grp/proj",
            ],
            "nginx-example",
            "flux",
            "default",
            "oci://registry.example.com:5000/grp/proj/nginx-example",
        ),
    ] {
        let mut full = vec!["flux-oci", "--cluster"];
        full.extend(&args);
        let yaml = generate(&full);
        let docs = load(&yaml);
        assert_eq!(
            docs.len(),
            2,
            "OCIRepository and Kustomization separated by `---`"
        );
        let repo: FluxObject<OciRepositorySpec> = typed(&docs[0]);
        let kust: FluxObject<KustomizationSpec> = typed(&docs[1]);
        assert_eq!(
            (repo.api_version.as_str(), repo.kind.as_str()),
            ("source.toolkit.fluxcd.io/v1beta2", "OCIRepository")
        );
        assert_eq!(
            (kust.api_version.as_str(), kust.kind.as_str()),
            ("kustomize.toolkit.fluxcd.io/v1", "Kustomization")
        );
        assert_eq!(repo.metadata.name, name);
        assert_eq!(repo.metadata.namespace, ns);
        assert_eq!(repo.spec.url, url);
        assert_eq!(repo.spec.secret_ref.name, "gitlab-registry-auth");
        assert_eq!(kust.spec.source_ref.kind, "OCIRepository");
        assert_eq!(kust.spec.source_ref.name, name);
        assert_eq!(kust.metadata.namespace, ns);
        assert_eq!(kust.spec.target_namespace, target);
        // The CI job's dashboard path names this Kustomization.
        let mut job_args = vec!["flux-oci"];
        job_args.extend(&args);
        let job = one_doc(&generate(&job_args));
        assert_eq!(
            job["flux-deploy"]["environment"]["kubernetes"]["dashboard"]["flux_resource_path"],
            json!(format!(
                "kustomize.toolkit.fluxcd.io/v1/namespaces/{ns}/kustomizations/{name}"
            ))
        );
    }
}

// --- CLI: list, help, validation ------------------------------------------------------

const TEMPLATES: &[&str] = &[
    "kubectl-deploy",
    "helm-deploy",
    "flux-oci",
    "registry-secret",
    "review-app",
    "agent-config",
    "rbac",
];

#[test]
fn list_and_help() {
    let out = kaslint(&["generate", "--list"], None);
    assert_eq!(out.status.code(), Some(0));
    let listed: Vec<String> = text(&out.stdout)
        .lines()
        .map(|l| l.split_whitespace().next().unwrap_or_default().to_string())
        .collect();
    assert_eq!(listed, TEMPLATES);
    for t in TEMPLATES {
        let out = kaslint(&["generate", t, "--help"], None);
        assert_eq!(out.status.code(), Some(0), "{t} --help");
        let help = text(&out.stdout);
        assert!(
            help.contains("--output <FILE>") && help.contains("--force"),
            "{t}"
        );
        if *t != "rbac" {
            assert!(help.contains("--agent <PATH:AGENT>"), "{t}");
            assert!(
                help.contains("my-group/my-project:my-agent"),
                "{t}: default shown"
            );
        }
        if !matches!(*t, "agent-config") {
            assert!(help.contains("--namespace <NS>"), "{t}");
        }
        if !matches!(*t, "rbac") {
            assert!(help.contains("--environment <NAME>"), "{t}");
        }
    }
    let out = kaslint(&["generate"], None);
    assert_eq!(out.status.code(), Some(2), "no template: usage error");
}

#[test]
fn invalid_parameters_exit_2_before_writing() {
    let dir = fresh("invalid");
    let target = dir.join("out.yml");
    let target_s = target.to_str().expect("UTF-8");
    for (args, needle) in [
        (
            vec!["kubectl-deploy", "--agent", "my-project"],
            "`:` is missing",
        ),
        (
            vec!["kubectl-deploy", "--agent", "group/project:My_Agent"],
            "agent name",
        ),
        (
            vec!["kubectl-deploy", "--agent", "group/-project:agent"],
            "path segment",
        ),
        (
            vec!["helm-deploy", "--environment", "prod:eu"],
            "environment name",
        ),
        (
            vec!["helm-deploy", "--environment", "/prod"],
            "cannot start or end with `/`",
        ),
        (vec!["review-app", "--namespace", "Review_Apps"], "RFC 1123"),
        (
            vec!["kubectl-deploy", "--namespace", &"n".repeat(64)],
            "RFC 1123",
        ),
        (vec!["kubectl-deploy", "--tier", "prod"], "production"),
        (
            vec!["kubectl-deploy", "--image", "bitnami/kubectl:1.27.1"],
            "426",
        ),
        (
            vec!["kubectl-deploy", "--image", "alpine/k8s"],
            "not pinned",
        ),
        (
            vec!["kubectl-deploy", "--image", "alpine/k8s:1.30"],
            "full kubectl version",
        ),
        (
            vec![
                "kubectl-deploy",
                "--image",
                "registry.k8s.io/kubectl:v1.33.4",
            ],
            "no shell",
        ),
        (vec!["kubectl-deploy", "--job", ".hidden"], "hidden"),
        (
            vec!["kubectl-deploy", "--manifests", "a\nb"],
            "control characters",
        ),
        (
            vec!["helm-deploy", "--release", "My Release"],
            "release name",
        ),
        (vec!["rbac", "--tier", "production"], "--project-id"),
        (vec!["rbac", "--project-id", "0"], "0"),
        (
            vec!["rbac", "--project-id", "1", "--environment-slug", "Prod!"],
            "slug",
        ),
        (vec!["agent-config", "--project", "a/b.git"], ".git"),
        (
            vec!["registry-secret", "--username-variable", "1X"],
            "variable name",
        ),
    ] {
        let mut full = vec!["generate"];
        full.extend(&args);
        full.extend(["-o", target_s]);
        let out = kaslint(&full, None);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: `{needle}` not in {err}");
        assert!(!target.exists(), "{args:?} wrote a file");
    }
    // GitLab drops ci_access entries past 500 silently: refused.
    let projects: Vec<String> = (0..501).map(|i| format!("--project=g/p{i}")).collect();
    let mut full = vec!["generate", "agent-config"];
    full.extend(projects.iter().map(String::as_str));
    full.extend(["-o", target_s]);
    let out = kaslint(&full, None);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("500"), "{}", text(&out.stderr));
    assert!(!target.exists());
    let leftovers: Vec<_> = std::fs::read_dir(&dir).expect("dir").collect();
    assert!(leftovers.is_empty(), "files left: {leftovers:?}");
}

// --- The writer ----------------------------------------------------------------------

fn entries(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .map(|r| {
            r.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

#[test]
fn output_file_refuses_overwrite_and_force_replaces() {
    let dir = fresh("write");
    let target = dir.join(".gitlab-ci.yml");
    let t = target.to_str().expect("UTF-8");
    let expected = generate(&["kubectl-deploy"]);
    let out = kaslint(&["generate", "kubectl-deploy", "-o", t], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty(), "nothing on stdout with -o");
    assert_eq!(std::fs::read_to_string(&target).expect("written"), expected);
    // Existing file: refused, untouched.
    std::fs::write(&target, "keep me\n").expect("write");
    let out = kaslint(&["generate", "helm-deploy", "-o", t], None);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("already exists") && err.contains("--force"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&target).expect("kept"), "keep me\n");
    // --force replaces it.
    let out = kaslint(&["generate", "helm-deploy", "-o", t, "--force"], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        std::fs::read_to_string(&target).expect("replaced"),
        generate(&["helm-deploy"])
    );
    assert_eq!(entries(&dir), [".gitlab-ci.yml"], "no temporary file left");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o600)).expect("chmod");
        let out = kaslint(&["generate", "rbac", "-o", t, "--force"], None);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let mode = std::fs::metadata(&target)
            .expect("exists")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "--force keeps the permissions");
    }
    // Missing folders are created (agent configurations live deep).
    let deep = dir.join(".gitlab/agents/my-agent/config.yaml");
    let out = kaslint(
        &[
            "generate",
            "agent-config",
            "-o",
            deep.to_str().expect("UTF-8"),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(deep.is_file());
}

#[test]
fn failed_writes_leave_no_partial_file() {
    let dir = fresh("atomic");
    // The parent is a file.
    std::fs::write(dir.join("file"), "x").expect("write");
    let under_file = dir.join("file/out.yml");
    let out = kaslint(
        &[
            "generate",
            "rbac",
            "-o",
            under_file.to_str().expect("UTF-8"),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(!text(&out.stderr).is_empty());
    assert_eq!(entries(&dir), ["file"]);
    assert_eq!(
        std::fs::read_to_string(dir.join("file")).expect("kept"),
        "x"
    );
    // The rename fails after the temporary file was written: the target is a non-empty
    // folder. The folder stays as it was and the temporary file is removed.
    let folder = dir.join("out.yml");
    std::fs::create_dir_all(&folder).expect("mkdir");
    std::fs::write(folder.join("inside"), "y").expect("write");
    let out = kaslint(
        &[
            "generate",
            "rbac",
            "-o",
            folder.to_str().expect("UTF-8"),
            "--force",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stdout));
    assert_eq!(entries(&dir), ["file", "out.yml"]);
    assert_eq!(entries(&folder), ["inside"]);
    // A name too long for the file system.
    let long = dir.join("x".repeat(300));
    let out = kaslint(
        &["generate", "rbac", "-o", long.to_str().expect("UTF-8")],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(entries(&dir), ["file", "out.yml"]);
    // A read-only folder (root may write anyway: then only check nothing partial is left).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let ro = dir.join("read-only");
        std::fs::create_dir_all(&ro).expect("mkdir");
        std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o555)).expect("chmod");
        let probe = std::fs::write(ro.join("probe"), "").is_ok();
        let _ = std::fs::remove_file(ro.join("probe"));
        let target = ro.join("out.yml");
        let out = kaslint(
            &["generate", "rbac", "-o", target.to_str().expect("UTF-8")],
            None,
        );
        if probe {
            assert_eq!(out.status.code(), Some(0), "writable for this user");
            assert_eq!(entries(&ro), ["out.yml"]);
            let _ = std::fs::remove_file(&target);
        } else {
            assert_eq!(out.status.code(), Some(2));
            assert!(text(&out.stderr).contains("temporary file"));
            assert!(
                entries(&ro).is_empty(),
                "partial file left: {:?}",
                entries(&ro)
            );
        }
        std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
}

// --- Snapshots of every template's default output ------------------------------------

#[test]
fn default_outputs_snapshots() {
    let cases: &[(&str, &[&str])] = &[
        ("kubectl-deploy", &["kubectl-deploy"]),
        ("helm-deploy", &["helm-deploy"]),
        ("flux-oci", &["flux-oci"]),
        ("flux-oci-cluster", &["flux-oci", "--cluster"]),
        ("registry-secret", &["registry-secret"]),
        ("review-app", &["review-app"]),
        ("agent-config", &["agent-config"]),
        ("rbac", &["rbac"]),
        ("rbac-flux", &["rbac", "--flux"]),
        (
            "rbac-flux-reconcile-only",
            &["rbac", "--flux", "--reconcile-only"],
        ),
    ];
    for (name, args) in cases {
        let out = generate(args);
        insta::with_settings!({snapshot_path => "snapshots/generate", prepend_module_to_snapshot => false}, {
            insta::assert_snapshot!(*name, out);
        });
    }
}

// --- Values YAML could misread ---------------------------------------------------------

#[test]
fn values_yaml_could_misread_survive_the_round_trip() {
    let values = [
        "on",
        "yes",
        "No",
        "null",
        "~",
        "0777",
        "1e3",
        ".inf",
        "2024-01-01",
        "- x",
        "#x",
        "a #b",
        "a: b",
        "*alias",
        "&anchor",
        "!tag",
        "%TAG",
        "@x",
        "`x`",
        "{a: b}",
        "[a]",
        "|",
        ">",
        "? x",
        "'",
        "\"",
        "\\",
        " leading",
        "trailing ",
        "ü€😀",
        "a\u{2028}b",
        "$[[ inputs.x ]]",
        "--- ",
        "...",
        "=",
        "<<",
    ];
    for (i, v) in values.iter().enumerate() {
        let (m, t) = (format!("--manifests={v}"), format!("--title={v}"));
        let yaml = generate(&["flux-oci", &m, &t]);
        let doc = one_doc(&yaml);
        let job = &doc["flux-deploy"];
        assert_eq!(var(job, "MANIFESTS"), json!(v), "{v:?}\n{yaml}");
        assert_eq!(var(job, "OCI_TITLE"), json!(v), "{v:?}\n{yaml}");
        assert_lints_clean(&format!("misread-{i}"), &yaml);
    }
}
