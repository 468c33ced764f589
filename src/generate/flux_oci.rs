//! `flux-oci`: GitLab's Flux OCI tutorial done right. The job pushes the manifests as an
//! OCI artifact and asks Flux to reconcile; `--cluster` prints the cluster side instead
//! (an `OCIRepository` and the `Kustomization` that applies it).

use serde::Serialize;

use super::doc::{Doc, Environment, Job, Line, Note, RuleItem, Vars};
use super::params;
use super::pipeline::{
    agent_var, image, kubernetes, stages, TargetArgs, DEFAULT_BRANCH_RULE, FLUX_IMAGE,
};
use super::OutputArgs;

/// Parameters of `kaslint generate flux-oci`.
#[derive(clap::Args, Debug, Clone)]
#[command(
    mut_arg("environment", |a| a.help("Environment name (`$VARIABLES` allowed)")),
    mut_arg("namespace", |a| a.help("Namespace the application runs in (the Kustomization's `targetNamespace`)")),
)]
pub struct FluxOciArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    /// Name of the OCI artifact, the OCIRepository and the Kustomization
    #[arg(long, value_name = "NAME", default_value = "my-app", value_parser = params::object_name)]
    pub name: String,
    /// Namespace of Flux's objects
    #[arg(long, value_name = "NS", default_value = "flux-system", value_parser = params::namespace)]
    pub flux_namespace: String,
    /// Folder of manifests pushed as the artifact (relative to the repository)
    #[arg(long, value_name = "PATH", default_value = "./k8s", value_parser = params::text)]
    pub manifests: String,
    /// Artifact tag the OCIRepository follows
    #[arg(long, value_name = "TAG", default_value = "latest", value_parser = params::oci_tag)]
    pub tag: String,
    /// Title annotation of the artifact (free text, taken literally)
    #[arg(long, value_name = "TEXT", default_value = "My application", value_parser = params::text)]
    pub title: String,
    /// The project's `$CI_REGISTRY_IMAGE` (for the cluster-side OCIRepository URL)
    #[arg(long, value_name = "REGISTRY/PATH", default_value = "registry.gitlab.com/my-group/my-project", value_parser = params::text)]
    pub registry_image: String,
    /// Pull secret in the Flux namespace (see `kaslint generate registry-secret`)
    #[arg(long, value_name = "NAME", default_value = "gitlab-registry-auth", value_parser = params::object_name)]
    pub secret: String,
    /// Image with a shell and the flux CLI (pinned)
    #[arg(long, value_name = "IMAGE", default_value = FLUX_IMAGE, value_parser = params::image)]
    pub image: String,
    /// Name of the job
    #[arg(long, value_name = "JOB", default_value = "flux-deploy", value_parser = params::job_name)]
    pub job: String,
    /// Stage of the job
    #[arg(long, value_name = "STAGE", default_value = "deploy", value_parser = params::stage)]
    pub stage: String,
    /// Print the cluster-side OCIRepository and Kustomization instead of the CI job
    #[arg(long)]
    pub cluster: bool,
    #[command(flatten)]
    pub tls: super::pipeline::TlsArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

pub fn render(a: &FluxOciArgs) -> Result<String, String> {
    if a.cluster {
        return cluster(a);
    }
    let mut vars = Vars::default();
    let img = image(&a.image, &mut vars);
    let t = &a.target;
    agent_var(&mut vars, &t.agent);
    vars.set("OCI_ARTIFACT", &a.name)
        .set("OCI_TAG", &a.tag)
        .set("MANIFESTS", &a.manifests)
        .set("FLUX_NAMESPACE", &a.flux_namespace)
        .raw("OCI_TITLE", &a.title);
    let push = Line::block(&[
        "flux push artifact \"oci://$CI_REGISTRY_IMAGE/$OCI_ARTIFACT:$OCI_TAG\"",
        "--path=\"$MANIFESTS\"",
        "--source=\"$CI_PROJECT_URL\"",
        "--revision=\"$CI_COMMIT_REF_NAME@sha1:$CI_COMMIT_SHA\"",
        "--creds=\"$CI_REGISTRY_USER:$CI_REGISTRY_PASSWORD\"",
        "--annotations=\"org.opencontainers.image.url=$CI_PROJECT_URL\"",
        "--annotations=\"org.opencontainers.image.title=$OCI_TITLE\"",
        "--annotations=\"com.gitlab.job.id=$CI_JOB_ID\"",
        "--annotations=\"com.gitlab.job.url=$CI_JOB_URL\"",
    ]);
    let reconcile = Line::noted(
        "flux reconcile source oci \"$OCI_ARTIFACT\" --namespace \"$FLUX_NAMESPACE\" --context \"$AGENT_KUBECONTEXT\"",
        "pull the new artifact now instead of at the next interval",
    );
    let job = Job {
        stage: a.stage.clone(),
        image: img,
        variables: vars,
        before_script: a
            .tls
            .kas_ca_file
            .as_deref()
            .map(super::pipeline::trust_ca)
            .into_iter()
            .collect(),
        script: vec![push, reconcile],
        environment: Environment {
            kubernetes: Some(kubernetes(
                &t.agent,
                &t.namespace,
                Some(format!(
                    "kustomize.toolkit.fluxcd.io/v1/namespaces/{}/kustomizations/{}",
                    a.flux_namespace, a.name
                )),
            )),
            ..t.environment()
        },
        resource_group: Some(Note::with(
            t.environment.clone(),
            "one push and reconcile at a time",
        )),
        rules: vec![RuleItem {
            if_: DEFAULT_BRANCH_RULE.to_string(),
            when: None,
        }],
        allow_failure: None,
    };
    let mut doc = Doc::default();
    doc.comment(
        "Generated by `kaslint generate flux-oci`.\n\
         Pushes the manifests to the project's container registry as an OCI artifact and\n\
         asks Flux to reconcile it through the GitLab agent. The cluster side (an\n\
         OCIRepository and a Kustomization) comes from `kaslint generate flux-oci --cluster`\n\
         with the same parameters. `--source` is the project URL, not $CI_REPOSITORY_URL,\n\
         which holds the job token. flux takes `--context` on each cluster command, so the\n\
         job never writes the kubeconfig.",
    );
    doc.blank();
    stages(&mut doc, &a.stage)?;
    doc.entry(&a.job, &job)?;
    Ok(doc.finish())
}

/// `metadata` of a Flux object.
#[derive(Serialize)]
pub struct Metadata {
    pub name: String,
    pub namespace: String,
}

#[derive(Serialize)]
pub struct OciRef {
    pub tag: String,
}

#[derive(Serialize)]
pub struct LocalRef {
    pub name: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OciRepositorySpec {
    pub interval: String,
    pub url: String,
    #[serde(rename = "ref")]
    pub reference: OciRef,
    pub secret_ref: LocalRef,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SourceRef {
    pub kind: String,
    pub name: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KustomizationSpec {
    pub interval: String,
    pub source_ref: SourceRef,
    pub path: String,
    pub prune: bool,
    pub target_namespace: String,
    pub wait: bool,
    pub timeout: String,
}

/// A Flux object (`apiVersion`, `kind`, `metadata`, `spec`).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Object<S> {
    pub api_version: &'static str,
    pub kind: &'static str,
    pub metadata: Metadata,
    pub spec: S,
}

fn cluster(a: &FluxOciArgs) -> Result<String, String> {
    let metadata = || Metadata {
        name: a.name.clone(),
        namespace: a.flux_namespace.clone(),
    };
    let registry = a.registry_image.trim_end_matches('/');
    let registry = registry.strip_prefix("oci://").unwrap_or(registry);
    let repo = Object {
        api_version: "source.toolkit.fluxcd.io/v1beta2",
        kind: "OCIRepository",
        metadata: metadata(),
        spec: OciRepositorySpec {
            interval: "5m".into(),
            url: format!("oci://{registry}/{}", a.name),
            reference: OciRef { tag: a.tag.clone() },
            secret_ref: LocalRef {
                name: a.secret.clone(),
            },
        },
    };
    let kustomization = Object {
        api_version: "kustomize.toolkit.fluxcd.io/v1",
        kind: "Kustomization",
        metadata: metadata(),
        spec: KustomizationSpec {
            interval: "10m".into(),
            source_ref: SourceRef {
                kind: "OCIRepository".into(),
                name: a.name.clone(),
            },
            path: "./".into(),
            prune: true,
            target_namespace: a.target.namespace.clone(),
            wait: true,
            timeout: "5m".into(),
        },
    };
    let mut doc = Doc::default();
    doc.comment(&format!(
        "Generated by `kaslint generate flux-oci --cluster`.\n\
         Commit these to the repository Flux syncs (e.g. clusters/<cluster>/{}.yaml).\n\
         The OCIRepository pulls the artifact the CI job pushes, with the pull secret\n\
         `{}` (`kaslint generate registry-secret`); v1beta2 is served by Flux 2.x.",
        a.name, a.secret
    ));
    doc.document(&repo)?;
    doc.separator();
    doc.comment(
        "Applies the artifact's manifests; `prune` deletes what the artifact no longer holds,\n\
         so removing a manifest from the repository removes it from the cluster.",
    );
    doc.document(&kustomization)?;
    Ok(doc.finish())
}
