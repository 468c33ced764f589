//! `rbac`: RBAC for jobs the agent impersonates (`access_as: {ci_job: {}}`). Least
//! privilege: a namespaced Role with explicit verbs and resources (no wildcard, nothing on
//! RBAC, namespaces or nodes) bound to the narrowest group the job carries; or the Flux
//! roles the tutorial meant, bound in Flux's namespace unless `--cluster-wide`.

use serde::Serialize;
use serde_saphyr::FlowSeq;

use super::doc::Doc;
use super::params;
use super::pipeline::{Tier, DEFAULT_NAMESPACE};
use super::OutputArgs;

const RBAC_GROUP: &str = "rbac.authorization.k8s.io";

/// Parameters of `kaslint generate rbac`.
#[derive(clap::Args, Debug, Clone)]
pub struct RbacArgs {
    /// Namespace the CI jobs deploy to (where the Role and RoleBinding live)
    #[arg(long, value_name = "NS", default_value = DEFAULT_NAMESPACE, value_parser = params::namespace)]
    pub namespace: String,
    /// Bind only jobs of this project (`gitlab:project:<id>`); narrower with --tier or --environment-slug
    #[arg(long, value_name = "ID", value_parser = clap::value_parser!(u64).range(1..))]
    pub project_id: Option<u64>,
    /// Bind only the project's jobs deploying to this tier (`gitlab:project_env_tier:<id>:<tier>`)
    #[arg(
        long,
        value_enum,
        requires = "project_id",
        conflicts_with = "environment_slug"
    )]
    pub tier: Option<Tier>,
    /// Bind only the project's jobs deploying to this environment (`gitlab:project_env:<id>:<slug>`)
    #[arg(long, value_name = "SLUG", requires = "project_id", value_parser = params::environment_slug)]
    pub environment_slug: Option<String>,
    /// Bind Flux's `flux-edit-flux-system` and `flux-view-flux-system` roles instead
    /// (what `flux reconcile` needs)
    #[arg(long)]
    pub flux: bool,
    /// Flux's namespace (with --flux)
    #[arg(long, value_name = "NS", default_value = "flux-system", value_parser = params::namespace)]
    pub flux_namespace: String,
    /// With --flux: ClusterRoleBindings (every namespace) instead of RoleBindings in Flux's namespace
    #[arg(long, requires = "flux")]
    pub cluster_wide: bool,
    /// With --flux: instead of Flux's edit/view roles, a Role allowing only what
    /// `flux reconcile source oci` does (get, list, watch, patch OCIRepositories)
    #[arg(long, requires = "flux", conflicts_with = "cluster_wide")]
    pub reconcile_only: bool,
    /// Prefix of the generated objects' names
    #[arg(long, value_name = "NAME", default_value = "gitlab-ci", value_parser = params::object_name)]
    pub name: String,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Serialize, Clone)]
struct Metadata {
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    namespace: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PolicyRule {
    api_groups: FlowSeq<Vec<&'static str>>,
    resources: FlowSeq<Vec<&'static str>>,
    verbs: FlowSeq<Vec<&'static str>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Role {
    api_version: &'static str,
    kind: &'static str,
    metadata: Metadata,
    rules: Vec<PolicyRule>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RoleRef {
    api_group: &'static str,
    kind: &'static str,
    name: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Subject {
    api_group: &'static str,
    kind: &'static str,
    name: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Binding {
    api_version: &'static str,
    kind: &'static str,
    metadata: Metadata,
    role_ref: RoleRef,
    subjects: Vec<Subject>,
}

/// Read and change: what `kubectl apply`/`delete` and `helm upgrade`/`uninstall` need.
const WRITE: &[&str] = &[
    "get", "list", "watch", "create", "update", "patch", "delete",
];
/// Read only: what `--wait` and troubleshooting need.
const READ: &[&str] = &["get", "list", "watch"];

/// The Role's rules: (comment, API groups, resources, verbs).
type RuleRow = (
    &'static str,
    &'static [&'static str],
    &'static [&'static str],
    &'static [&'static str],
);
const RULES: &[RuleRow] = &[
    (
        "core objects of an application; Helm keeps its release history in Secrets",
        &[""],
        &[
            "configmaps",
            "secrets",
            "services",
            "serviceaccounts",
            "persistentvolumeclaims",
        ],
        WRITE,
    ),
    (
        "read-only: `--wait`, rollout status and logs",
        &[""],
        &["pods", "pods/log", "events", "endpoints"],
        READ,
    ),
    (
        "",
        &["apps"],
        &["deployments", "statefulsets", "daemonsets"],
        WRITE,
    ),
    (
        "read-only: rollout history",
        &["apps"],
        &["replicasets"],
        READ,
    ),
    ("", &["batch"], &["jobs", "cronjobs"], WRITE),
    ("", &["networking.k8s.io"], &["ingresses"], WRITE),
    ("", &["autoscaling"], &["horizontalpodautoscalers"], WRITE),
    ("", &["policy"], &["poddisruptionbudgets"], WRITE),
];

/// The impersonated group the bindings name, and a note on who carries it.
fn subject(a: &RbacArgs) -> (String, String) {
    match (a.project_id, a.tier, &a.environment_slug) {
        (Some(id), Some(tier), _) => (
            format!("gitlab:project_env_tier:{id}:{}", tier.as_str()),
            format!(
                "only jobs of project {id} deploying to a {} environment carry it",
                tier.as_str()
            ),
        ),
        (Some(id), None, Some(slug)) => (
            format!("gitlab:project_env:{id}:{slug}"),
            format!(
                "only jobs of project {id} deploying to the environment `{slug}` (slug) carry it"
            ),
        ),
        (Some(id), None, None) => (
            format!("gitlab:project:{id}"),
            format!("every job of project {id} carries it (narrow it with --tier)"),
        ),
        (None, _, _) => (
            "gitlab:ci_job".to_string(),
            "every CI job the agent authorises carries it (narrow it with --project-id and --tier)"
                .to_string(),
        ),
    }
}

pub fn render(a: &RbacArgs) -> Result<String, String> {
    let (group, who) = subject(a);
    let subjects = || {
        vec![Subject {
            api_group: RBAC_GROUP,
            kind: "Group",
            name: group.clone(),
        }]
    };
    let mut doc = Doc::default();
    doc.comment(&format!(
        "Generated by `kaslint generate rbac`.\n\
         For an agent whose `ci_access` has `access_as: {{ci_job: {{}}}}`: the agent calls the\n\
         Kubernetes API as the job. The bindings name the group `{group}`:\n\
         {who}.\n\
         Least privilege: explicit verbs, no wildcards, no cluster-admin, nothing on RBAC."
    ));
    if a.flux && a.reconcile_only {
        return reconcile_only(a, doc, subjects());
    }
    if a.flux {
        doc.comment(
            "Caution: Flux applies Kustomizations with its controller's rights (cluster-admin\n\
             unless Flux is locked down), so editing Flux objects is powerful. `--reconcile-only`\n\
             grants just what `flux reconcile source oci` needs.",
        );
        let (kind, namespace, scope) = if a.cluster_wide {
            ("ClusterRoleBinding", None, "in every namespace")
        } else {
            (
                "RoleBinding",
                Some(a.flux_namespace.clone()),
                "in Flux's namespace only",
            )
        };
        for (i, (suffix, role, what)) in [
            (
                "flux-edit",
                "flux-edit-flux-system",
                "change Flux objects (`flux reconcile` annotates them)",
            ),
            (
                "flux-view",
                "flux-view-flux-system",
                "read Flux objects (`flux reconcile` waits on their status)",
            ),
        ]
        .into_iter()
        .enumerate()
        {
            if i > 0 {
                doc.separator();
            }
            doc.comment(&format!(
                "Lets the jobs {what},\n{scope}. The ClusterRole `{role}` comes with Flux."
            ));
            doc.document(&Binding {
                api_version: "rbac.authorization.k8s.io/v1",
                kind,
                metadata: Metadata {
                    name: format!("{}-{suffix}", a.name),
                    namespace: namespace.clone(),
                },
                role_ref: RoleRef {
                    api_group: RBAC_GROUP,
                    kind: "ClusterRole",
                    name: role.to_string(),
                },
                subjects: subjects(),
            })?;
        }
        return Ok(doc.finish());
    }
    doc.comment(&format!(
        "The Role: what kubectl-deploy and helm-deploy jobs do in `{}`, and no more.\n\
         Remove what you do not deploy (e.g. secrets, if you use kubectl and no secret).",
        a.namespace
    ));
    for (note, _, resources, _) in RULES {
        if !note.is_empty() {
            doc.comment(&format!("- {}: {note}.", resources.join(", ")));
        }
    }
    let rules = RULES
        .iter()
        .map(|(_, groups, resources, verbs)| PolicyRule {
            api_groups: FlowSeq(groups.to_vec()),
            resources: FlowSeq(resources.to_vec()),
            verbs: FlowSeq(verbs.to_vec()),
        })
        .collect();
    let role = Metadata {
        name: format!("{}-deploy", a.name),
        namespace: Some(a.namespace.clone()),
    };
    role_and_binding(
        doc,
        role,
        rules,
        "Grants the Role to the impersonated jobs, in this namespace only.",
        subjects(),
    )
}

/// A Role with `rules`, then the RoleBinding (of the same name and namespace, under
/// `binding_comment`) granting it to `subjects`.
fn role_and_binding(
    mut doc: Doc,
    metadata: Metadata,
    rules: Vec<PolicyRule>,
    binding_comment: &str,
    subjects: Vec<Subject>,
) -> Result<String, String> {
    let name = metadata.name.clone();
    doc.document(&Role {
        api_version: "rbac.authorization.k8s.io/v1",
        kind: "Role",
        metadata: metadata.clone(),
        rules,
    })?;
    doc.separator();
    doc.comment(binding_comment);
    doc.document(&Binding {
        api_version: "rbac.authorization.k8s.io/v1",
        kind: "RoleBinding",
        metadata,
        role_ref: RoleRef {
            api_group: RBAC_GROUP,
            kind: "Role",
            name,
        },
        subjects,
    })?;
    Ok(doc.finish())
}

/// A Role and RoleBinding in Flux's namespace allowing `flux reconcile source oci` only:
/// it reads the OCIRepository, patches its `reconcile.fluxcd.io/requestedAt` annotation and
/// watches its status.
fn reconcile_only(a: &RbacArgs, mut doc: Doc, subjects: Vec<Subject>) -> Result<String, String> {
    doc.comment(&format!(
        "The Role: `flux reconcile source oci` in `{}` and nothing else (no create or delete,\n\
         no Kustomizations, no Secrets).",
        a.flux_namespace
    ));
    let role = Metadata {
        name: format!("{}-flux-reconcile", a.name),
        namespace: Some(a.flux_namespace.clone()),
    };
    let rules = vec![PolicyRule {
        api_groups: FlowSeq(vec!["source.toolkit.fluxcd.io"]),
        resources: FlowSeq(vec!["ocirepositories"]),
        verbs: FlowSeq(vec!["get", "list", "watch", "patch"]),
    }];
    role_and_binding(
        doc,
        role,
        rules,
        "Grants the Role to the impersonated jobs, in Flux's namespace only.",
        subjects,
    )
}
