//! dangling-reference: a Kubernetes object refers to a ConfigMap, Secret (or one of their keys),
//! ServiceAccount, PVC, Service or scale target that the repository does not define.
//! Docs: rules/dangling-reference.md
use crate::k8s::checks::all_containers;
use crate::k8s::dedupe;
use crate::k8s::model::{Body, Object, ObjectRef, PortRef};
use crate::k8s::Cluster;
use crate::rules::prelude::*;

pub(crate) struct DanglingReference;

fn missing(o: &Object, kind: &str, name: &str) -> String {
    format!(
        "`{}` refers to {kind} `{name}`, which is not defined in the repository",
        o.display()
    )
}

fn check_ref(cluster: &Cluster, o: &Object, r: &ObjectRef, out: &mut Vec<Diagnostic>) {
    if r.optional || r.name.value.contains(['$', '{']) {
        return;
    }
    let kind = r.kind.kind();
    if !cluster.may_exist(kind, &o.namespace, &r.name.value, o.rendering) {
        out.push(
            Diagnostic::new("dangling-reference", r.name.span, missing(o, kind, &r.name.value))
                .label(format!("{kind} name"))
                .help(format!(
                    "add the {kind} to the repository, fix the name, mark the reference `optional: true`, or list it under `known_objects` in the config"
                ))
                .subject(format!("{} ref {kind} {}", o.display(), r.name.value)),
        );
        return;
    }
    if r.keys.is_empty() {
        return;
    }
    // Keys are checked only when every candidate object's keys are known.
    let mut key_sets = Vec::new();
    for target in cluster.find(kind, &o.namespace, &r.name.value, o.rendering) {
        match &target.body {
            Body::Data(d) => match &d.keys {
                Some(keys) => key_sets.push(keys),
                None => return,
            },
            _ => return,
        }
    }
    if key_sets.is_empty() {
        return;
    }
    for key in &r.keys {
        if key_sets.iter().any(|keys| keys.contains(&key.value)) {
            continue;
        }
        let all: Vec<&str> = key_sets.iter().flat_map(|k| k.iter().map(String::as_str)).collect();
        let hint = crate::suggest::nearest(&key.value, all.iter().copied())
            .map(|s| format!("did you mean `{s}`? "))
            .unwrap_or_default();
        out.push(
            Diagnostic::new(
                "dangling-reference",
                key.span,
                format!("{kind} `{}` has no key `{}`", r.name.value, key.value),
            )
            .label("missing key")
            .help(format!("{hint}keys of `{}`: {}", r.name.value, all.join(", ")))
            .subject(format!("{} ref {kind} {} key {}", o.display(), r.name.value, key.value)),
        );
    }
}

impl Rule for DanglingReference {
    fn check(&self, stack: &Stack, out: &mut Vec<Diagnostic>) {
        let cluster = &stack.k8s;
        let start = out.len();
        for o in cluster.objects() {
            if !cluster.complete(o) || o.patched {
                continue;
            }
            match &o.body {
                Body::Workload(w) => {
                    for r in &w.pod.volumes {
                        if w.claim_templates.contains(&r.name.value) {
                            continue;
                        }
                        check_ref(cluster, o, r, out);
                    }
                    for c in all_containers(w) {
                        for r in c.env.iter().filter_map(|e| e.value_from.as_deref()).chain(&c.env_from) {
                            check_ref(cluster, o, r, out);
                        }
                    }
                    if let Some(sa) = &w.pod.service_account {
                        if sa.value != "default"
                            && !cluster.may_exist("ServiceAccount", &o.namespace, &sa.value, o.rendering)
                        {
                            out.push(
                                Diagnostic::new("dangling-reference", sa.span, missing(o, "ServiceAccount", &sa.value))
                                    .label("ServiceAccount name")
                                    .help("add the ServiceAccount, or list it under `known_objects` in the config")
                                    .subject(format!("{} ref ServiceAccount {}", o.display(), sa.value)),
                            );
                        }
                    }
                }
                Body::Ingress(ing) => {
                    for b in &ing.backends {
                        let name = &b.service.value;
                        let services: Vec<_> = cluster
                            .find("Service", &o.namespace, name, o.rendering)
                            .filter_map(|so| so.service())
                            .collect();
                        if services.is_empty() {
                            if !cluster.may_exist("Service", &o.namespace, name, o.rendering) {
                                out.push(
                                    Diagnostic::new("dangling-reference", b.service.span, missing(o, "Service", name))
                                        .label("backend Service")
                                        .help("add the Service, fix the name, or list it under `known_objects` in the config")
                                        .subject(format!("{} backend {name}", o.display())),
                                );
                            }
                            continue;
                        }
                        let Some(port) = &b.port else { continue };
                        let ok = services.iter().any(|s| match &port.value {
                            PortRef::Number(n) => s.exposes(*n),
                            PortRef::Name(n) => s.ports.iter().any(|p| p.name.as_deref() == Some(n)),
                        });
                        if !ok {
                            out.push(
                                Diagnostic::new(
                                    "dangling-reference",
                                    port.span,
                                    format!("`{}` routes to port `{}` of Service `{name}`, which the Service does not expose", o.display(), port.value),
                                )
                                .label("backend port")
                                .help("use a `port` (number or name) the Service declares")
                                .subject(format!("{} backend {name} port {}", o.display(), port.value)),
                            );
                        }
                    }
                }
                Body::Hpa(h)
                    if !h.target_name.value.contains(['$', '{'])
                        && !cluster.may_exist(&h.target_kind, &o.namespace, &h.target_name.value, o.rendering) =>
                {
                    // Defined, but in another namespace: say where, since the name looks right.
                    let elsewhere = cluster
                        .objects()
                        .iter()
                        .find(|t| t.kind == h.target_kind && t.name.value == h.target_name.value)
                        .map(|t| t.namespace.clone());
                    let message = match elsewhere {
                        Some(ns) => format!(
                            "`{}` in namespace `{}` scales {} `{}`, which is defined only in namespace `{ns}`",
                            o.display(),
                            o.namespace,
                            h.target_kind,
                            h.target_name.value
                        ),
                        None => missing(o, &h.target_kind, &h.target_name.value),
                    };
                    out.push(
                        Diagnostic::new("dangling-reference", h.target_name.span, message)
                        .label("scale target")
                        .help("point `scaleTargetRef` at a workload of the same namespace, fix the name, or list it under `known_objects` in the config")
                        .subject(format!("{} target {}", o.display(), h.target_name.value)),
                    );
                }
                _ => {}
            }
        }
        dedupe(out, start);
    }
}
