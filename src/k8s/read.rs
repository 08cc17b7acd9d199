//! Reads one manifest document (a spanned YAML tree) into an [`Object`]. Total: anything missing or
//! of the wrong shape is left out (the schema check reports shapes), never a panic.

use super::model::*;
use crate::yaml::Node;

/// Kinds whose objects have no namespace (kustomize's `namespace:` leaves them alone).
pub(crate) fn is_cluster_scoped(kind: &str) -> bool {
    matches!(
        kind,
        "Namespace"
            | "Node"
            | "PersistentVolume"
            | "StorageClass"
            | "ClusterRole"
            | "ClusterRoleBinding"
            | "CustomResourceDefinition"
            | "PriorityClass"
            | "IngressClass"
            | "RuntimeClass"
            | "CSIDriver"
            | "CSINode"
            | "VolumeAttachment"
            | "APIService"
            | "MutatingWebhookConfiguration"
            | "ValidatingWebhookConfiguration"
            | "PodSecurityPolicy"
    )
}

/// The documents a manifest document stands for: itself, or the items of a `List` kind.
pub(crate) fn expand_list(doc: &Node) -> Vec<&Node> {
    let is_list = doc
        .get("kind")
        .and_then(Node::as_text)
        .is_some_and(|k| k == "List" || (k.ends_with("List") && doc.get("items").is_some()));
    if is_list {
        doc.get("items")
            .and_then(Node::as_seq)
            .map(|items| items.iter().filter(|i| i.is_map()).collect())
            .unwrap_or_default()
    } else if doc.is_map() {
        vec![doc]
    } else {
        Vec::new()
    }
}

fn text(node: Option<&Node>) -> Option<&str> {
    node.and_then(Node::as_text)
}

fn spanned_text(node: Option<&Node>) -> Option<Spanned<String>> {
    let n = node?;
    Some(Spanned::new(n.as_text()?.to_owned(), n.span))
}

fn seq(node: Option<&Node>) -> &[Node] {
    node.and_then(Node::as_seq).unwrap_or(&[])
}

fn string_map(node: Option<&Node>) -> Labels {
    node.map(|n| {
        n.entries()
            .filter_map(|(k, _, v)| Some((k.to_owned(), v.as_str()?.to_owned())))
            .collect()
    })
    .unwrap_or_default()
}

/// A port written as a number or a name (`8080`, `"8080"`, `http`).
pub(crate) fn port_ref(node: &Node) -> Option<Spanned<PortRef>> {
    let t = node.as_text()?;
    let value = match t.parse::<i64>() {
        Ok(n) => PortRef::Number(n),
        Err(_) => PortRef::Name(t.to_owned()),
    };
    Some(Spanned::new(value, node.span))
}

fn int(node: Option<&Node>) -> Option<Spanned<i64>> {
    let n = node?;
    let v = n.as_int().or_else(|| n.as_text()?.parse().ok())?;
    Some(Spanned::new(v, n.span))
}

/// Reads an object as written (no kustomize transforms yet).
pub(crate) fn read_object(doc: &Node, default_namespace: &str) -> Option<Object> {
    text(doc.get("apiVersion"))?;
    let kind = text(doc.get("kind"))?.to_owned();
    let meta = doc.get("metadata");
    let name = spanned_text(meta.and_then(|m| m.get("name"))).unwrap_or_else(|| Spanned::new(String::new(), doc.span));
    let namespace = if is_cluster_scoped(&kind) {
        String::new()
    } else {
        text(meta.and_then(|m| m.get("namespace")))
            .unwrap_or(default_namespace)
            .to_owned()
    };
    let namespace_explicit = meta.and_then(|m| m.get("namespace")).is_some();
    let body = read_body(&kind, doc);
    let custom_outputs = if super::schema::is_builtin_kind(&kind) {
        Vec::new()
    } else {
        let spec = doc.get("spec");
        let target = spec.and_then(|s| s.get("target")).and_then(|t| t.get("name"));
        let secret = spec.and_then(|s| s.get("secretName"));
        std::iter::once(name.value.clone())
            .chain([target, secret].into_iter().filter_map(|n| text(n).map(str::to_owned)))
            .collect()
    };
    Some(Object {
        written_name: name.value.clone(),
        name,
        namespace,
        namespace_explicit,
        span: doc.span,
        rendering: 0,
        patched: false,
        custom_outputs,
        kind,
        body,
    })
}

fn read_body(kind: &str, doc: &Node) -> Body {
    let spec = doc.get("spec");
    match kind {
        "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "ReplicationController" | "Job" => {
            spec.map_or(Body::Other, |s| Body::Workload(read_templated(kind, s, doc)))
        }
        "CronJob" => spec
            .and_then(|s| s.get("jobTemplate"))
            .and_then(|j| j.get("spec"))
            .map_or(Body::Other, |s| Body::Workload(read_templated(kind, s, doc))),
        "Pod" => Body::Workload(read_pod(doc)),
        "Service" => spec.map_or(Body::Other, |s| Body::Service(read_service(s))),
        "Ingress" => spec.map_or(Body::Other, |s| Body::Ingress(read_ingress(s))),
        "HorizontalPodAutoscaler" => spec
            .and_then(|s| s.get("scaleTargetRef"))
            .and_then(|t| {
                Some(Body::Hpa(Hpa {
                    target_kind: text(t.get("kind"))?.to_owned(),
                    target_name: spanned_text(t.get("name"))?,
                }))
            })
            .unwrap_or(Body::Other),
        "ConfigMap" | "Secret" => Body::Data(read_data(kind, doc)),
        _ => Body::Other,
    }
}

fn read_data(kind: &str, doc: &Node) -> DataObject {
    let fields: &[&str] = if kind == "Secret" {
        &["data", "stringData"]
    } else {
        &["data", "binaryData"]
    };
    let mut keys = Vec::new();
    let mut values = Vec::new();
    for f in fields {
        for (k, kn, v) in doc.get(f).map(|n| n.entries()).into_iter().flatten() {
            keys.push(k.to_owned());
            if kind == "ConfigMap" && *f == "data" {
                if let Some(t) = v.as_str() {
                    values.push((Spanned::new(k.to_owned(), kn.span), Spanned::new(t.to_owned(), v.span)));
                }
            }
        }
    }
    DataObject {
        keys: Some(keys),
        values,
    }
}

pub(crate) fn read_selector(node: &Node) -> Selector {
    let mut sel = Selector {
        span: node.span,
        ..Selector::default()
    };
    let has_structured = node.get("matchLabels").is_some() || node.get("matchExpressions").is_some();
    let labels = if has_structured {
        node.get("matchLabels")
    } else {
        Some(node)
    };
    for (k, kn, v) in labels.map(|n| n.entries()).into_iter().flatten() {
        if let Some(v) = v.as_str() {
            sel.match_labels
                .push((Spanned::new(k.to_owned(), kn.span), v.to_owned()));
        }
    }
    for e in seq(node.get("matchExpressions")) {
        let (Some(key), Some(op)) = (text(e.get("key")), text(e.get("operator"))) else {
            continue;
        };
        sel.match_expressions.push(Requirement {
            key: key.to_owned(),
            operator: op.to_owned(),
            values: seq(e.get("values"))
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect(),
        });
    }
    sel
}

fn read_templated(kind: &str, spec: &Node, doc: &Node) -> Workload {
    let template = spec.get("template");
    let tmeta = template.and_then(|t| t.get("metadata"));
    let labels_node = tmeta.and_then(|m| m.get("labels"));
    let manual = spec.get("manualSelector").and_then(Node::as_bool) == Some(true);
    let selector = match kind {
        "Job" | "CronJob" if !manual => None,
        _ => spec.get("selector").map(read_selector),
    };
    let pod = template
        .and_then(|t| t.get("spec"))
        .map(read_pod_spec)
        .unwrap_or_default();
    Workload {
        selector,
        template_labels: string_map(labels_node),
        template_labels_span: labels_node.or(template).map_or(doc.span, |n| n.span),
        long_running: !matches!(kind, "Job" | "CronJob"),
        claim_templates: seq(spec.get("volumeClaimTemplates"))
            .iter()
            .filter_map(|t| text(t.get("metadata").and_then(|m| m.get("name"))).map(str::to_owned))
            .collect(),
        pod,
    }
}

fn read_pod(doc: &Node) -> Workload {
    let meta = doc.get("metadata");
    let labels_node = meta.and_then(|m| m.get("labels"));
    let spec = doc.get("spec");
    let restart = text(spec.and_then(|s| s.get("restartPolicy"))).unwrap_or("Always");
    Workload {
        selector: None,
        template_labels: string_map(labels_node),
        template_labels_span: labels_node.or(meta).map_or(doc.span, |n| n.span),
        long_running: restart == "Always",
        claim_templates: Vec::new(),
        pod: spec.map(read_pod_spec).unwrap_or_default(),
    }
}

fn read_pod_spec(spec: &Node) -> PodSpec {
    PodSpec {
        containers: seq(spec.get("containers"))
            .iter()
            .filter_map(|c| read_container(c, false))
            .collect(),
        init_containers: seq(spec.get("initContainers"))
            .iter()
            .filter_map(|c| read_container(c, true))
            .collect(),
        volumes: seq(spec.get("volumes")).iter().flat_map(read_volume).collect(),
        service_account: spanned_text(spec.get("serviceAccountName").or_else(|| spec.get("serviceAccount"))),
    }
}

fn optional(node: &Node) -> bool {
    node.get("optional").and_then(Node::as_bool) == Some(true)
}

fn items_keys(node: &Node) -> Vec<Spanned<String>> {
    seq(node.get("items"))
        .iter()
        .filter_map(|i| spanned_text(i.get("key")))
        .collect()
}

fn read_volume(vol: &Node) -> Vec<ObjectRef> {
    let mut out = Vec::new();
    if let Some(cm) = vol.get("configMap") {
        if let Some(name) = spanned_text(cm.get("name")) {
            out.push(ObjectRef {
                kind: RefKind::ConfigMap,
                name,
                keys: items_keys(cm),
                optional: optional(cm),
            });
        }
    }
    if let Some(s) = vol.get("secret") {
        if let Some(name) = spanned_text(s.get("secretName")) {
            out.push(ObjectRef {
                kind: RefKind::Secret,
                name,
                keys: items_keys(s),
                optional: optional(s),
            });
        }
    }
    if let Some(p) = vol.get("persistentVolumeClaim") {
        if let Some(name) = spanned_text(p.get("claimName")) {
            out.push(ObjectRef {
                kind: RefKind::PersistentVolumeClaim,
                name,
                keys: Vec::new(),
                optional: false,
            });
        }
    }
    for src in seq(vol.get("projected").and_then(|p| p.get("sources"))) {
        for (field, kind) in [("configMap", RefKind::ConfigMap), ("secret", RefKind::Secret)] {
            if let Some(s) = src.get(field) {
                if let Some(name) = spanned_text(s.get("name")) {
                    out.push(ObjectRef {
                        kind,
                        name,
                        keys: items_keys(s),
                        optional: optional(s),
                    });
                }
            }
        }
    }
    out
}

fn read_probe(kind: ProbeKind, node: &Node) -> Probe {
    let action = node
        .get("httpGet")
        .or_else(|| node.get("tcpSocket"))
        .or_else(|| node.get("grpc"));
    Probe {
        kind,
        port: action.and_then(|a| a.get("port")).and_then(port_ref),
        host: text(action.and_then(|a| a.get("host"))).map(str::to_owned),
    }
}

fn read_env(node: &Node) -> Option<EnvVar> {
    let name = spanned_text(node.get("name"))?;
    let value = node
        .get("value")
        .filter(|v| !v.is_null())
        .and_then(|v| Some(Spanned::new(v.as_str()?.to_owned(), v.span)));
    let value_from = node.get("valueFrom").and_then(|vf| {
        let (kind, r) = if let Some(r) = vf.get("configMapKeyRef") {
            (RefKind::ConfigMap, r)
        } else {
            (RefKind::Secret, vf.get("secretKeyRef")?)
        };
        Some(Box::new(ObjectRef {
            kind,
            name: spanned_text(r.get("name"))?,
            keys: spanned_text(r.get("key")).into_iter().collect(),
            optional: optional(r),
        }))
    });
    Some(EnvVar {
        name,
        value,
        value_from,
    })
}

fn read_env_from(node: &Node) -> Option<ObjectRef> {
    let (kind, r) = if let Some(r) = node.get("configMapRef") {
        (RefKind::ConfigMap, r)
    } else {
        (RefKind::Secret, node.get("secretRef")?)
    };
    Some(ObjectRef {
        kind,
        name: spanned_text(r.get("name"))?,
        keys: Vec::new(),
        optional: optional(r),
    })
}

fn strings(node: Option<&Node>) -> Vec<Spanned<String>> {
    seq(node)
        .iter()
        .filter_map(|n| Some(Spanned::new(n.as_str()?.to_owned(), n.span)))
        .collect()
}

fn read_container(node: &Node, init: bool) -> Option<Container> {
    if !node.is_map() {
        return None;
    }
    let name = spanned_text(node.get("name")).unwrap_or_else(|| Spanned::new(String::new(), node.span));
    let ports = seq(node.get("ports"))
        .iter()
        .map(|p| ContainerPort {
            number: int(p.get("containerPort")).map(|s| s.value),
            name: text(p.get("name")).map(str::to_owned),
            protocol: text(p.get("protocol")).unwrap_or("TCP").to_ascii_uppercase(),
            host_port: int(p.get("hostPort")),
            host_ip: text(p.get("hostIP")).map(str::to_owned),
            span: p.span,
        })
        .collect();
    let probes = [
        ("readinessProbe", ProbeKind::Readiness),
        ("livenessProbe", ProbeKind::Liveness),
        ("startupProbe", ProbeKind::Startup),
    ]
    .into_iter()
    .filter_map(|(f, k)| node.get(f).filter(|n| n.is_map()).map(|n| read_probe(k, n)))
    .collect();
    Some(Container {
        name,
        image: spanned_text(node.get("image")),
        ports,
        probes,
        env: seq(node.get("env")).iter().filter_map(read_env).collect(),
        env_from: seq(node.get("envFrom")).iter().filter_map(read_env_from).collect(),
        command: strings(node.get("command")),
        args: strings(node.get("args")),
        sidecar: init && text(node.get("restartPolicy")) == Some("Always"),
    })
}

fn read_service(spec: &Node) -> Service {
    let selector = spec
        .get("selector")
        .filter(|s| s.is_map())
        .map(read_selector)
        .filter(|s| !s.is_empty());
    let ports = seq(spec.get("ports"))
        .iter()
        .filter_map(|p| {
            Some(ServicePort {
                name: text(p.get("name")).map(str::to_owned),
                port: int(p.get("port"))?,
                target_port: p.get("targetPort").and_then(port_ref),
                node_port: int(p.get("nodePort")),
                protocol: text(p.get("protocol")).unwrap_or("TCP").to_ascii_uppercase(),
            })
        })
        .collect();
    Service {
        service_type: text(spec.get("type")).unwrap_or("ClusterIP").to_owned(),
        selector,
        ports,
        headless: text(spec.get("clusterIP")) == Some("None"),
    }
}

fn read_backend(node: &Node, out: &mut Vec<Backend>) {
    // networking.k8s.io/v1: `service: {name, port: {number|name}}`; older: `serviceName`/`servicePort`.
    if let Some(svc) = node.get("service") {
        if let Some(name) = spanned_text(svc.get("name")) {
            let port = svc
                .get("port")
                .and_then(|p| p.get("number").or_else(|| p.get("name")).and_then(port_ref));
            out.push(Backend { service: name, port });
        }
    } else if let Some(name) = spanned_text(node.get("serviceName")) {
        out.push(Backend {
            service: name,
            port: node.get("servicePort").and_then(port_ref),
        });
    }
}

fn read_ingress(spec: &Node) -> Ingress {
    let mut backends = Vec::new();
    for field in ["defaultBackend", "backend"] {
        if let Some(b) = spec.get(field) {
            read_backend(b, &mut backends);
        }
    }
    for rule in seq(spec.get("rules")) {
        for path in seq(rule.get("http").and_then(|h| h.get("paths"))) {
            if let Some(b) = path.get("backend") {
                read_backend(b, &mut backends);
            }
        }
    }
    Ingress { backends }
}
