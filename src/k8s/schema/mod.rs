//! `k8s-schema`: strict structure of built-in kinds, checked by k8s-openapi's own types (no schema
//! file copied), API versions that the targeted Kubernetes release no longer serves ([`removed`]),
//! and custom resources checked against their CRD or JSON schema ([`crd`]).
//!
//! Custom resources without a known schema are skipped silently: there is nothing to check them
//! against.

pub(crate) mod crd;
mod de;
mod kinds;
mod removed;
mod shape;

use crate::diagnostic::Diagnostic;
use crate::yaml::Node;
use de::{NodeDe, Trace};
use k8s_openapi::Resource;
#[allow(unused_imports)]
use k8s_openapi::{api, apiextensions_apiserver, kube_aggregator};

pub(crate) const RULE: &str = "k8s-schema";

type Validate = fn(&Node, &Trace) -> Option<(String, String)>;

struct KindEntry {
    api_version: &'static str,
    group: &'static str,
    kind: &'static str,
    validate: Validate,
}

macro_rules! table {
    ($($t:ty),* $(,)?) => {
        const KINDS: &[KindEntry] = &[
            $( KindEntry {
                api_version: <$t as Resource>::API_VERSION,
                group: <$t as Resource>::GROUP,
                kind: <$t as Resource>::KIND,
                validate: validate_as::<$t>,
            } ),*
        ];
    };
}

kinds::with_builtin_kinds!(table);

/// Deserializes `node` as `T`; returns the first type error as (path, message).
///
/// Most manifests are well typed, so the first pass runs without `serde_path_to_error`, whose
/// wrapper around every value cost about a third of the schema check; only a document that fails
/// is read again, with a scratch trace (its unknown keys were already recorded), to learn the
/// error's path.
fn validate_as<T>(node: &Node, trace: &Trace) -> Option<(String, String)>
where
    T: for<'de> serde::Deserialize<'de>,
{
    T::deserialize(NodeDe { node, trace }).err()?;
    let scratch = Trace::default();
    match serde_path_to_error::deserialize::<_, T>(NodeDe { node, trace: &scratch }) {
        Ok(_) => None,
        Err(e) => {
            trace.error_span.set(scratch.error_span.get());
            Some((e.path().to_string(), e.inner().0.clone()))
        }
    }
}

/// Whether Kubernetes itself defines a kind of this name (in any group or version).
pub(crate) fn is_builtin_kind(kind: &str) -> bool {
    KINDS.iter().any(|k| k.kind == kind) || matches!(kind, "PodSecurityPolicy" | "List" | "PodPreset")
}

fn split_api_version(av: &str) -> (&str, &str) {
    av.split_once('/').unwrap_or(("", av))
}

/// Orders versions as Kubernetes does: GA > beta > alpha, then by number (`v2` > `v1` > `v1beta2`).
fn version_rank(version: &str) -> (u8, u32, u32) {
    let Some(rest) = version.strip_prefix('v') else {
        return (0, 0, 0);
    };
    let digits_end = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
    let major = rest[..digits_end].parse().unwrap_or(0);
    let tail = &rest[digits_end..];
    let (stability, minor) = if tail.is_empty() {
        (3, 0)
    } else if let Some(n) = tail.strip_prefix("beta") {
        (2, n.parse().unwrap_or(0))
    } else if let Some(n) = tail.strip_prefix("alpha") {
        (1, n.parse().unwrap_or(0))
    } else {
        (0, 0)
    };
    (stability, major, minor)
}

/// The apiVersion to use instead for a kind: the most stable served version, same group first.
fn replacement(group: &str, kind: &str) -> Option<&'static str> {
    let same_group = KINDS.iter().filter(|k| k.kind == kind && k.group == group);
    let best = |it: &mut dyn Iterator<Item = &'static KindEntry>| {
        it.max_by_key(|k| version_rank(split_api_version(k.api_version).1))
            .map(|k| k.api_version)
    };
    best(&mut same_group.into_iter()).or_else(|| best(&mut KINDS.iter().filter(|k| k.kind == kind)))
}

fn is_builtin_group(group: &str) -> bool {
    group == "extensions" || KINDS.iter().any(|k| k.group == group)
}

/// Nesting depth, bounded: custom resources deeper than `limit` are not validated (the schema
/// validator recurses). Built-in kinds count depth while they are read (`de::MAX_DEPTH`).
fn deeper_than(node: &Node, limit: usize) -> bool {
    if limit == 0 {
        return true;
    }
    match &node.kind {
        crate::yaml::NodeKind::Scalar(..) => false,
        crate::yaml::NodeKind::Seq(items) => items.iter().any(|n| deeper_than(n, limit - 1)),
        crate::yaml::NodeKind::Map(entries) => entries
            .iter()
            .any(|(k, v)| deeper_than(k, limit - 1) || deeper_than(v, limit - 1)),
    }
}

/// As deep as a custom resource may be to be validated (as built-in kinds, `de::MAX_DEPTH`).
const MAX_VALIDATED_DEPTH: usize = de::MAX_DEPTH;

/// The newest Kubernetes 1.x release whose types are compiled in (the k8s-openapi feature).
pub(crate) const NEWEST_MINOR: u32 = 37;

/// What the schema check needs besides the document.
pub(crate) struct Context<'a> {
    /// Minor version of the targeted Kubernetes 1.x release (`kubernetes.version`).
    pub version: u32,
    pub custom: &'a crd::CustomSchemas,
}

/// Whether checking `doc` needs the schemas of custom resources (its group is not built in), which
/// are known only once every file is read: [`check_document`] judges every other document alone.
pub(crate) fn needs_custom_schemas(doc: &Node) -> bool {
    let (Some(av), Some(kind)) = (
        doc.get("apiVersion").and_then(Node::as_text),
        doc.get("kind").and_then(Node::as_text),
    ) else {
        return false;
    };
    !KINDS.iter().any(|k| k.api_version == av && k.kind == kind) && !is_builtin_group(split_api_version(av).0)
}

/// Checks one manifest document (a `List` item counts as a document).
pub(crate) fn check_document(doc: &Node, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let (Some((_, av_node)), Some((_, kind_node))) = (doc.entry("apiVersion"), doc.entry("kind")) else {
        return;
    };
    let (Some(av), Some(kind)) = (av_node.as_text(), kind_node.as_text()) else {
        return;
    };
    if let Some(entry) = KINDS.iter().find(|k| k.api_version == av && k.kind == kind) {
        validate(entry, kind, doc, out);
        return;
    }
    let (group, version) = split_api_version(av);
    if !is_builtin_group(group) {
        if !cx.custom.is_empty() && !deeper_than(doc, MAX_VALIDATED_DEPTH) {
            cx.custom.check(doc, group, version, kind, out);
        }
        return;
    }
    let removed = removed::removed_in(av, kind);
    if removed.is_some_and(|minor| cx.version < minor) {
        // Still served by the targeted release; its types are not compiled in: nothing to check.
        return;
    }
    let when = removed.map_or_else(
        || "is not served by current Kubernetes".to_owned(),
        |minor| format!("was removed in Kubernetes 1.{minor}"),
    );
    if kind == "PodSecurityPolicy" {
        out.push(
            Diagnostic::new(RULE, av_node.span, format!("`PodSecurityPolicy` (`{av}`) {when}"))
                .label("no longer served")
                .help("use Pod Security Admission (namespace labels `pod-security.kubernetes.io/*`) or a policy engine")
                .subject(format!("apiVersion {av} {kind}")),
        );
        return;
    }
    let Some(new) = replacement(group, kind) else {
        return;
    };
    out.push(
        Diagnostic::new(RULE, av_node.span, format!("`{kind}` at `{av}` {when}; use `{new}`"))
            .label(if removed.is_some() {
                "removed API version"
            } else {
                "unknown API version"
            })
            .related(kind_node.span, "kind")
            .help(format!(
                "change `apiVersion` to `{new}` and check the fields that changed between versions"
            ))
            .subject(format!("apiVersion {av} {kind}")),
    );
}

fn validate(entry: &KindEntry, kind: &str, doc: &Node, out: &mut Vec<Diagnostic>) {
    validate_with(entry, kind, doc, out, true);
}

/// [`validate`]; `shapes`: whether to skip documents whose shape checked clean (see [`shape`]).
fn validate_with(entry: &KindEntry, kind: &str, doc: &Node, out: &mut Vec<Diagnostic>, shapes: bool) {
    let shape = shape::of(doc, entry.api_version, entry.kind).filter(|_| shapes);
    if shape.is_some_and(shape::known_clean) {
        return; // a document of this very shape checked clean (see `shape`)
    }
    let trace = Trace::default();
    let error = (entry.validate)(doc, &trace);
    if trace.too_deep.get() {
        return; // not read to the end: neither its unknown keys nor its errors are known
    }
    if error.is_none() && trace.unknown.borrow().is_empty() {
        if let Some(shape) = shape {
            shape::remember_clean(shape);
        }
        return;
    }
    let mut seen = foldhash::HashSet::default();
    for u in trace.unknown.into_inner() {
        if !seen.insert(u.key_span) {
            continue;
        }
        let suggestion = crate::suggest::nearest(&u.key, u.fields.iter().copied());
        let mut message = format!("unknown field `{}` in `{}`", u.key, u.type_name);
        if let Some(s) = suggestion {
            message.push_str(&format!(", did you mean `{s}`?"));
        }
        let mut fields: Vec<&str> = u.fields.to_vec();
        fields.sort_unstable();
        out.push(
            Diagnostic::new(RULE, u.key_span, message)
                .label("not a field of this object")
                .help(format!("valid fields of `{}`: {}", u.type_name, fields.join(", ")))
                .subject(format!("{kind} unknown field {}", u.key)),
        );
    }
    if let Some((path, msg)) = error {
        if msg.contains(de::UNSUPPORTED) {
            return;
        }
        let span = trace.error_span.get().unwrap_or(doc.span);
        // A Secret's values must never appear in a message.
        let message = if kind == "Secret" {
            format!("invalid value at `{path}`")
        } else {
            format!("invalid value at `{path}`: {msg}")
        };
        out.push(
            Diagnostic::new(RULE, span, message)
                .label("wrong type or format")
                .help("use the type the Kubernetes API expects for this field")
                .subject(format!("{kind} invalid {path}")),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;
    use crate::yaml::{parse_yaml, YamlLimits};

    fn check(text: &str) -> Vec<Diagnostic> {
        check_at(text, NEWEST_MINOR)
    }

    fn check_at(text: &str, version: u32) -> Vec<Diagnostic> {
        let stream = parse_yaml(FileId(0), text, YamlLimits::default());
        let custom = crd::CustomSchemas::default();
        let cx = Context {
            version,
            custom: &custom,
        };
        let mut out = Vec::new();
        for d in &stream.documents {
            check_document(d, &cx, &mut out);
        }
        out
    }

    /// Every built-in document of the fixtures, checked after every other one (so that each shape
    /// met before is remembered), gives exactly the findings a fresh deserialization gives.
    #[test]
    fn remembered_shapes_change_no_finding() {
        let testdata = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata");
        let streams: Vec<_> = crate::testing::files_in(&testdata)
            .into_iter()
            .filter(|(rel, _)| rel.ends_with(".yaml") || rel.ends_with(".yml"))
            .map(|(_, text)| parse_yaml(FileId(0), &text, YamlLimits::default()))
            .collect();
        let docs: Vec<(&Node, &KindEntry, &str)> = streams
            .iter()
            .flat_map(|s| &s.documents)
            .filter_map(|d| {
                let av = d.get("apiVersion").and_then(Node::as_text)?;
                let kind = d.get("kind").and_then(Node::as_text)?;
                let entry = KINDS.iter().find(|k| k.api_version == av && k.kind == kind)?;
                Some((d, entry, kind))
            })
            .collect();
        assert!(docs.len() > 50, "{} built-in documents", docs.len());
        let run = |shapes: bool| -> Vec<Vec<String>> {
            docs.iter()
                .map(|(d, entry, kind)| {
                    let mut out = Vec::new();
                    validate_with(entry, kind, d, &mut out, shapes);
                    out.iter()
                        .map(|x| format!("{:?} {}", x.primary.span, x.message))
                        .collect()
                })
                .collect()
        };
        let fresh = run(false);
        assert!(fresh.iter().any(|f| !f.is_empty()), "the fixtures hold schema findings");
        // Twice: the second pass meets every clean shape remembered.
        assert_eq!(run(true), fresh);
        assert_eq!(run(true), fresh);
    }

    /// What a type parses (timestamps, base64, 32-bit integers) tells shapes apart: a document
    /// that fails where a same-looking one passed is still checked.
    #[test]
    fn parsed_values_tell_shapes_apart() {
        let deployment = |created: &str, replicas: &str| {
            format!(
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: a\n  creationTimestamp: \"{created}\"\nspec:\n  replicas: {replicas}\n  selector: {{matchLabels: {{app: a}}}}\n  template:\n    metadata: {{labels: {{app: a}}}}\n    spec:\n      containers: [{{name: a, image: a}}]\n"
            )
        };
        assert!(check(&deployment("2024-01-01T00:00:00Z", "3")).is_empty());
        assert!(check(&deployment("2024-02-01T00:00:00Z", "4")).is_empty());
        let bad_time = check(&deployment("2024-13-45T00:00:00Z", "3"));
        assert_eq!(bad_time.len(), 1, "{bad_time:?}");
        assert!(
            bad_time[0].message.contains("creationTimestamp"),
            "{}",
            bad_time[0].message
        );
        let too_big = check(&deployment("2024-01-01T00:00:00Z", "3000000000"));
        assert_eq!(too_big.len(), 1, "{too_big:?}");
        assert!(too_big[0].message.contains("replicas"), "{}", too_big[0].message);
        let secret =
            |value: &str| format!("apiVersion: v1\nkind: Secret\nmetadata: {{name: s}}\ndata:\n  k: \"{value}\"\n");
        assert!(check(&secret("aGVsbG8=")).is_empty());
        assert!(check(&secret("d29ybGQ=")).is_empty());
        assert_eq!(check(&secret("aGVsbA=a")).len(), 1);
    }

    #[test]
    fn removal_follows_the_configured_version() {
        let ing = "apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata: {name: a}\n";
        assert!(check_at(ing, 21).is_empty());
        let out = check_at(ing, 22);
        assert_eq!(out.len(), 1);
        assert_eq!(
            out[0].message,
            "`Ingress` at `extensions/v1beta1` was removed in Kubernetes 1.22; use `networking.k8s.io/v1`"
        );
        let psp = "apiVersion: policy/v1beta1\nkind: PodSecurityPolicy\n";
        assert!(check_at(psp, 24).is_empty());
        assert_eq!(check_at(psp, 25).len(), 1);
        // Never served: reported whatever the version.
        assert_eq!(check_at("apiVersion: apps/v1beta9\nkind: Deployment\n", 10).len(), 1);
    }

    /// A CustomResourceDefinition whose schema nests `depth` properties, with a misspelt field
    /// (`typo`) at the bottom.
    fn deep_crd(depth: usize) -> String {
        let mut text = String::from(
            "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: a.b.c}\nspec:\n  group: b.c\n  names: {kind: A, plural: as}\n  scope: Namespaced\n  versions:\n    - name: v1\n      served: true\n      storage: true\n      schema:\n        openAPIV3Schema:\n",
        );
        let mut pad = " ".repeat(10);
        for i in 0..depth {
            text.push_str(&format!("{pad}type: object\n{pad}properties:\n{pad}  p{i}:\n"));
            pad.push_str("    ");
        }
        text.push_str(&format!("{pad}typo: string\n"));
        text
    }

    /// Depth is counted while a document is read: a misspelling within the bound is found, and a
    /// document nested past it is left unjudged (no finding, no stack overflow), as before.
    #[test]
    fn nesting_is_bounded_while_reading() {
        let shallow = check(&deep_crd(5));
        assert_eq!(shallow.len(), 1, "{shallow:#?}");
        assert!(
            shallow[0].message.contains("unknown field `typo`"),
            "{}",
            shallow[0].message
        );
        assert!(check(&deep_crd(de::MAX_DEPTH)).is_empty());
        let deep = std::thread::Builder::new()
            .stack_size(2 * 1024 * 1024)
            .spawn(|| check(&deep_crd(100)).len())
            .ok()
            .and_then(|h| h.join().ok());
        assert_eq!(deep, Some(0));
    }

    const DEPLOY: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n        - name: web\n          image: nginx:1.27\n          resources:\n            limits: {cpu: 0.5, memory: 128Mi}\n          ports:\n            - contianerPort: 80\n";

    #[test]
    fn unknown_field_with_suggestion_points_at_key() {
        let out = check(DEPLOY);
        assert_eq!(out.len(), 1, "{out:#?}");
        assert!(
            out[0].message.contains("did you mean `containerPort`?"),
            "{}",
            out[0].message
        );
        let start = DEPLOY.find("contianerPort").unwrap_or(0) as u32;
        assert_eq!(out[0].primary.span.start, start);
    }

    #[test]
    fn type_error_with_path_and_span() {
        let text = DEPLOY.replace("contianerPort: 80", "containerPort: eighty");
        let out = check(&text);
        assert_eq!(out.len(), 1, "{out:#?}");
        assert!(
            out[0].message.contains("containers[0].ports[0].containerPort"),
            "{}",
            out[0].message
        );
        assert_eq!(out[0].primary.span.start, text.find("eighty").unwrap_or(0) as u32);
    }

    #[test]
    fn clean_documents_and_crds_are_silent() {
        let text = DEPLOY.replace("contianerPort: 80", "containerPort: 80\n              protocol: TCP");
        assert!(check(&text).is_empty());
        assert!(check("apiVersion: example.com/v1\nkind: Widget\nspec: {anything: 1}\n").is_empty());
        let svc = "apiVersion: v1\nkind: Service\nmetadata: {name: s, creationTimestamp: null}\nspec:\n  ports: [{port: 80, targetPort: http}]\n";
        assert!(check(svc).is_empty());
    }

    #[test]
    fn removed_versions_name_the_replacement() {
        let out = check("apiVersion: extensions/v1beta1\nkind: Deployment\nmetadata: {name: a}\n");
        assert_eq!(out.len(), 1);
        assert!(out[0].message.contains("use `apps/v1`"), "{}", out[0].message);
        let out = check("apiVersion: autoscaling/v2beta2\nkind: HorizontalPodAutoscaler\n");
        assert!(out[0].message.contains("use `autoscaling/v2`"), "{}", out[0].message);
        let out = check("apiVersion: extensions/v1beta1\nkind: Ingress\n");
        assert!(
            out[0].message.contains("use `networking.k8s.io/v1`"),
            "{}",
            out[0].message
        );
        let out = check("apiVersion: batch/v1beta1\nkind: CronJob\n");
        assert!(out[0].message.contains("use `batch/v1`"), "{}", out[0].message);
        let out = check("apiVersion: policy/v1beta1\nkind: PodSecurityPolicy\n");
        assert!(out[0].message.contains("removed in Kubernetes 1.25"));
    }

    #[test]
    fn secret_values_never_in_messages() {
        let out = check("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata:\n  password: 'hunter2!!'\n");
        for d in &out {
            assert!(!d.message.contains("hunter2"), "{}", d.message);
        }
    }
}
