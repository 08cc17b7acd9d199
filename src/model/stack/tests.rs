//! The parse step drops manifest trees once their objects are read (`Trees::DropRead`): these
//! tests check that no finding depends on a dropped tree, and which trees are kept.

use super::*;
use crate::testing::files_in;

/// Every finding of every rule, and every ignore annotation, in a comparable order.
fn outcome(stack: &Stack) -> (Vec<String>, Vec<String>) {
    let mut found: Vec<String> = stack.parse_diagnostics.iter().map(|d| format!("{d:?}")).collect();
    for r in crate::rules::RULES {
        let mut out = Vec::new();
        r.rule.check(stack, &mut out);
        found.extend(out.iter().map(|d| format!("{d:?}")));
    }
    found.sort();
    let ignores = stack
        .yaml
        .iter()
        .flat_map(|y| &y.ignores)
        .map(|a| format!("{a:?}"))
        .collect();
    (found, ignores)
}

/// Manifests whose tree was dropped.
fn dropped(stack: &Stack) -> Vec<&str> {
    stack
        .yaml
        .iter()
        .filter(|y| y.role == YamlRole::Kubernetes && y.documents.is_empty())
        .map(|y| stack.sources.path(y.file))
        .collect()
}

/// Every stack and rule fixture of the repository gives the same findings and ignore annotations
/// whether manifest trees are dropped or kept; some trees are dropped (or this would prove
/// nothing).
#[test]
fn dropping_manifest_trees_changes_no_finding() {
    let testdata = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata");
    let mut roots: Vec<std::path::PathBuf> = Vec::new();
    for group in ["stacks", "rules"] {
        for e in std::fs::read_dir(testdata.join(group)).into_iter().flatten().flatten() {
            if group == "rules" {
                for case in ["bad", "good"].map(|c| e.path().join(c)) {
                    roots.extend(
                        std::fs::read_dir(case)
                            .into_iter()
                            .flatten()
                            .flatten()
                            .map(|c| c.path()),
                    );
                }
            } else {
                roots.push(e.path());
            }
        }
    }
    roots.sort();
    assert!(roots.len() > 100, "{} roots", roots.len());
    let config = Config::default();
    let mut dropped_files = 0;
    for root in &roots {
        let files = files_in(root);
        let dropping = Stack::from_memory_with(&files, &config, Trees::DropRead);
        let keeping = Stack::from_memory_with(&files, &config, Trees::KeepAll);
        assert!(dropped(&keeping).is_empty());
        dropped_files += dropped(&dropping).len();
        assert_eq!(outcome(&dropping), outcome(&keeping), "{}", root.display());
    }
    assert!(dropped_files > 10, "only {dropped_files} trees dropped");
}

/// A tree is kept when something reads it after the parse step: a kustomization includes or
/// patches the file, it defines CRDs or holds a custom resource, or rules read it as a workflow
/// or a Prometheus rule file.
#[test]
fn trees_read_again_are_kept() {
    let deployment = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n        - name: web\n          image: nginx:1.27\n";
    let service = "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  annotations:\n    stacklint.dev/ignore: selector-mismatch -- reason\nspec:\n  selector: {app: web}\n  ports:\n    - port: 80\n";
    let crd = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.example.com\nspec:\n  group: example.com\n  names: {kind: Widget, plural: widgets}\n  scope: Namespaced\n  versions:\n    - name: v1\n      served: true\n      storage: true\n      schema:\n        openAPIV3Schema: {type: object}\n";
    let file = |p: &str, t: &str| (p.to_owned(), t.to_owned());
    let files = vec![
        file(
            "base/kustomization.yaml",
            "resources:\n  - deployment.yaml\n  - ../shared/\npatches:\n  - path: patch.yaml\n",
        ),
        file("base/deployment.yaml", deployment),
        file(
            "base/patch.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n",
        ),
        file("plain/deployment.yaml", deployment),
        file("plain/service.yaml", service),
        file("crds/widget.yaml", crd),
        file(
            "crds/my-widget.yaml",
            "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n",
        ),
        file(
            ".github/workflows/ci.yml",
            "apiVersion: v1\nkind: Workflow\non: push\njobs: {}\n",
        ),
        file(
            "monitoring/rules.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: r\ngroups: []\n",
        ),
    ];
    let stack = Stack::from_memory(&files, &Config::default());
    assert_eq!(dropped(&stack), ["plain/deployment.yaml", "plain/service.yaml"]);
    // The dropped Service's ignore annotation was read before its tree went.
    let ignores: Vec<&str> = stack
        .yaml
        .iter()
        .flat_map(|y| &y.ignores)
        .map(|a| a.text.as_str())
        .collect();
    assert_eq!(ignores, ["selector-mismatch -- reason"]);
    // Its objects are in the cluster all the same.
    let names: Vec<String> = stack.k8s.objects().iter().map(|o| o.display()).collect();
    assert!(names.iter().filter(|n| n.contains("web")).count() >= 3, "{names:?}");
}
