//! Cross-module tests of the Kubernetes layer: small in-memory repos, and (ignored by default) the
//! real-world corpus run that keeps false positives out.

use super::testutil::{build, lines, Built};
use super::{checks, K8sConfig};
use crate::diagnostic::Diagnostic;
use crate::model::Stack;
use crate::rules::phantom::{
    dangling_reference::DanglingReference, phantom_service::PhantomService, selector_mismatch::SelectorMismatch,
};
use crate::rules::ports::{nodeport_out_of_range::NodeportOutOfRange, target_port_mismatch::TargetPortMismatch};
use crate::rules::Rule;

/// Every Kubernetes finding: schema, k8s-only rules and the k8s side of shared rules.
// The model's Stack has many other fields; only `k8s` matters here.
#[allow(clippy::field_reassign_with_default)]
pub(crate) fn run_all(b: Built) -> (Vec<Diagnostic>, Built) {
    let mut out = b.schema.clone();
    let mut stack = Stack::default();
    stack.k8s = b.cluster.clone();
    let rules: [&dyn Rule; 5] = [
        &SelectorMismatch,
        &TargetPortMismatch,
        &NodeportOutOfRange,
        &DanglingReference,
        &PhantomService,
    ];
    for r in rules {
        r.check(&stack, &mut out);
    }
    let c = &b.cluster;
    checks::missing_healthcheck(c, &mut out);
    checks::probe_port_mismatch(c, &mut out);
    checks::port_clash(c, &mut out);
    checks::localhost_binding(c, &mut out);
    checks::localhost_reference(c, &mut out);
    checks::unpinned_image(c, &mut out);
    checks::default_credentials(c, &mut out);
    checks::plaintext_secret(c, &mut out);
    (out, b)
}

fn findings(files: &[(&str, &str)]) -> Vec<String> {
    let (out, b) = run_all(build(files, &K8sConfig::default()));
    lines(&b, &out)
}

const APP: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx:1.27
          ports:
            - {name: http, containerPort: 8080}
          readinessProbe:
            httpGet: {path: /, port: http}
          envFrom:
            - configMapRef: {name: web-config}
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports:
    - {port: 80, targetPort: http}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
data:
  UPSTREAM: http://web:80/
";

#[test]
fn a_correct_app_is_silent() {
    assert_eq!(findings(&[("k8s/app.yaml", APP)]), Vec::<String>::new());
}

#[test]
fn kustomize_prefix_labels_and_namespace_keep_references_working() {
    let kust = "resources: [../base]\nnamePrefix: prod-\nnamespace: shop\ncommonLabels: {env: prod}\nimages:\n  - {name: nginx, newTag: latest}\n";
    let out = findings(&[
        ("base/app.yaml", APP),
        ("base/kustomization.yaml", "resources: [app.yaml]\n"),
        ("prod/kustomization.yaml", kust),
    ]);
    // The only finding: the overlay's `latest` image (reported on the base's image line).
    assert_eq!(out, vec!["base/app.yaml:14 unpinned-image".to_owned()]);
}

/// `stacklint check` reads each manifest alone while it is parsed (`read_file`); tests and fuzzing
/// build the cluster from whole files. Both must give the same objects and findings: a misspelt
/// field, a removed API, a `List`, a custom resource (left to the late reading, which knows the
/// CRD), a file a kustomization includes (read by its rendering) and a patch (not checked alone).
#[test]
fn reading_manifests_early_changes_nothing() {
    let crd = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: widgets.example.com}\nspec:\n  group: example.com\n  names: {kind: Widget, plural: widgets}\n  scope: Namespaced\n  versions:\n    - name: v1\n      served: true\n      storage: true\n      schema:\n        openAPIV3Schema:\n          type: object\n          properties:\n            spec:\n              type: object\n              properties:\n                size: {type: integer}\n";
    let typo = APP.replace("targetPort: http", "targetPrt: http");
    let files: &[(&str, &str)] = &[
        ("k8s/app.yaml", &typo),
        ("k8s/crd.yaml", crd),
        ("k8s/widget.yaml", "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec: {size: big}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: x}\ndata: {a: b}\n"),
        ("k8s/list.yaml", "apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: Secret\n    metadata: {name: s}\n    stringData: {K: v}\n  - apiVersion: policy/v1beta1\n    kind: PodDisruptionBudget\n    metadata: {name: p}\n"),
        ("base/app.yaml", APP),
        ("base/patch.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 3}\n"),
        ("base/kustomization.yaml", "resources: [app.yaml]\npatches: [{path: patch.yaml}]\nnamePrefix: p-\n"),
    ];
    let config = K8sConfig::default();
    let summary = |b: &Built| {
        let mut objects: Vec<String> = b
            .cluster
            .objects()
            .iter()
            .map(|o| {
                format!(
                    "{}/{} {} r{} {:?}",
                    o.kind, o.name.value, o.namespace, o.rendering, o.span
                )
            })
            .collect();
        objects.sort();
        let mut schema: Vec<String> = b
            .schema
            .iter()
            .map(|d| format!("{:?} {}", d.primary.span, d.message))
            .collect();
        schema.sort();
        (objects, schema)
    };
    let (late, early) = (
        summary(&super::testutil::build_with(files, &config, false)),
        summary(&super::testutil::build_with(files, &config, true)),
    );
    assert_eq!(late, early);
    // The fixture holds what the test is about: each kind of finding, and objects of each file.
    let all = late.1.join("\n");
    for expected in ["targetPrt", "PodDisruptionBudget", "size"] {
        assert!(all.contains(expected), "{expected} missing from:\n{all}");
    }
    assert!(late.0.iter().any(|o| o.starts_with("Deployment/p-web")), "{:?}", late.0);
    assert!(late.0.iter().any(|o| o.starts_with("Widget/w")), "{:?}", late.0);
}

#[test]
fn an_object_in_two_overlays_is_reported_once() {
    let bad = APP.replace("targetPort: http", "targetPort: web");
    let out = findings(&[
        ("base/app.yaml", &bad),
        ("base/kustomization.yaml", "resources: [app.yaml]\n"),
        ("dev/kustomization.yaml", "resources: [../base]\nnamespace: dev\n"),
        ("prod/kustomization.yaml", "resources: [../base]\nnamespace: prod\n"),
    ]);
    assert_eq!(out, vec!["base/app.yaml:29 target-port-mismatch".to_owned()]);
}

#[test]
fn broken_references_are_found() {
    let bad = APP
        .replace("port: http}\n          envFrom", "port: 9090}\n          envFrom")
        .replace("name: web-config}", "name: web-cfg}")
        .replace("selector: {app: web}", "selector: {app: webb}")
        .replace("http://web:80/", "http://web:8080/");
    let out = findings(&[("k8s/app.yaml", &bad)]);
    assert_eq!(
        out,
        vec![
            "k8s/app.yaml:18 probe-port-mismatch",
            "k8s/app.yaml:20 dangling-reference",
            "k8s/app.yaml:27 selector-mismatch",
            "k8s/app.yaml:36 phantom-service",
        ],
        "{out:#?}"
    );
}

#[test]
fn shared_checks_on_env() {
    let pod = "apiVersion: v1
kind: Pod
metadata: {name: api, labels: {app: api}}
spec:
  containers:
    - name: api
      image: api@sha256:abcd
      args: [\"--bind=127.0.0.1:8000\"]
      ports: [{containerPort: 8000, hostPort: 80}]
      livenessProbe: {tcpSocket: {port: 8000}}
      env:
        - {name: DB_PASSWORD, value: postgres}
        - {name: API_TOKEN, value: s3cr3t-t0ken}
        - {name: REF_TOKEN, value: $(OTHER)}
        - {name: CACHE_URL, value: redis://localhost:6379}
---
apiVersion: v1
kind: Pod
metadata: {name: cache}
spec:
  containers:
    - name: redis
      image: redis:7
      ports: [{containerPort: 6379}]
      readinessProbe: {tcpSocket: {port: 6379}}
";
    let out = findings(&[("k8s/pods.yaml", pod)]);
    assert_eq!(
        out,
        vec![
            "k8s/pods.yaml:12 default-credentials",
            "k8s/pods.yaml:13 plaintext-secret",
            "k8s/pods.yaml:15 localhost-reference",
            "k8s/pods.yaml:8 localhost-binding",
        ],
        "{out:#?}"
    );
}

/// Run with `cargo test --lib corpus -- --ignored --nocapture`.
#[test]
#[ignore]
fn corpus() {
    for root in [
        "/work/shared/corpus/microservices-demo",
        "/work/shared/corpus/k8s-examples",
    ] {
        let mut files: Vec<(String, String)> = Vec::new();
        let mut dirs = vec![std::path::PathBuf::from(root)];
        while let Some(d) = dirs.pop() {
            let Ok(rd) = std::fs::read_dir(&d) else {
                continue;
            };
            for e in rd.flatten() {
                let p = e.path();
                if p.is_dir() {
                    dirs.push(p);
                    continue;
                }
                let name = p.to_string_lossy().to_string();
                if !(name.ends_with(".yaml") || name.ends_with(".yml") || name.ends_with(".json")) {
                    continue;
                }
                let Ok(text) = std::fs::read_to_string(&p) else {
                    continue;
                };
                if text.contains("{{") {
                    continue;
                }
                let is_kust = name.ends_with("kustomization.yaml") || name.ends_with("kustomization.yml");
                if !is_kust && (!text.contains("apiVersion") || !text.contains("kind")) {
                    continue;
                }
                let rel = name.trim_start_matches(root).trim_start_matches('/').to_owned();
                files.push((rel, text));
            }
        }
        files.sort();
        let refs: Vec<(&str, &str)> = files.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let (out, b) = run_all(build(&refs, &K8sConfig::default()));
        let mut counts = std::collections::BTreeMap::new();
        for d in &out {
            *counts.entry(d.rule).or_insert(0) += 1;
        }
        println!(
            "== {root}: {} files, {} objects, {counts:?}",
            files.len(),
            b.cluster.objects.len()
        );
        let mut shown: Vec<String> = out
            .iter()
            .map(|d| {
                let f = b.sources.get(d.primary.span.file);
                let line = f.map_or(0, |f| f.line_col(d.primary.span.start as usize).line);
                format!(
                    "{} {}:{} {}",
                    d.rule,
                    f.map_or("", |f| f.path.as_str()),
                    line,
                    d.message
                )
            })
            .collect();
        shown.sort();
        for s in shown {
            println!("{s}");
        }
    }
}
