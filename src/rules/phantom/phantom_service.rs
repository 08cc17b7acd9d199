//! phantom-service. Docs side: a doc table row or list item states a port for a name that no
//! compose service, container, image or Kubernetes object answers to, in a table or list whose
//! other entries do name the stack. Kubernetes side: a cluster DNS name (`svc`, `svc.ns`, `svc.ns.svc`,
//! `svc.ns.svc.cluster.local`) in an env value, a container argument or ConfigMap data names no
//! Service, or a port that Service does not expose. Only URL hosts and whole `host:port` values are
//! read, and only namespaces the repository defines. Docs: rules/phantom-service.md
use crate::k8s::checks::all_containers;
use crate::k8s::model::{Body, Object};
use crate::k8s::{dedupe, dns, Cluster};
use crate::rules::prelude::*;
use crate::source::Span;

pub(crate) struct PhantomService;

fn check_text(cluster: &Cluster, o: &Object, text: &str, span: Span, what: &str, out: &mut Vec<Diagnostic>) {
    for r in dns::host_refs(text) {
        if dns::is_loopback(&r.host) {
            continue;
        }
        let Some((svc, ns)) = dns::cluster_service(&r.host, &o.namespace, &cluster.namespaces) else {
            continue;
        };
        // Another namespace counts only when the repository creates it: otherwise its Services
        // (a monitoring stack, a platform chart) are likely managed elsewhere.
        let foreign = ns != o.namespace && !cluster.defines_namespace(&ns);
        if foreign || !cluster.namespaces.contains(&ns) || cluster.is_known("Service", &svc) {
            continue;
        }
        let services: Vec<_> = cluster
            .find("Service", &ns, &svc, o.rendering)
            .filter_map(|so| so.service())
            .collect();
        let port_text = r.port.map(|p| format!(":{p}")).unwrap_or_default();
        if services.is_empty() {
            if cluster.may_exist("Service", &ns, &svc, o.rendering) {
                continue;
            }
            out.push(
                Diagnostic::new(
                    "phantom-service",
                    span,
                    format!(
                        "{what} of `{}` refers to `{}{port_text}`, but no Service `{svc}` exists in namespace `{ns}`",
                        o.display(),
                        r.host
                    ),
                )
                .label("cluster DNS name")
                .help(format!(
                    "define Service `{svc}`, fix the name, or list it under `known_objects` in the config"
                ))
                .subject(format!("{} {what} {}", o.display(), r.host)),
            );
            continue;
        }
        let Some(port) = r.port else { continue };
        let ok = services
            .iter()
            .any(|s| s.headless || s.service_type == "ExternalName" || s.exposes(port));
        if !ok {
            let exposed: Vec<String> = services
                .iter()
                .flat_map(|s| s.ports.iter().map(|p| p.port.value.to_string()))
                .collect();
            out.push(
                Diagnostic::new(
                    "phantom-service",
                    span,
                    format!(
                        "{what} of `{}` reaches `{}:{port}`, but Service `{svc}` does not expose port {port}",
                        o.display(),
                        r.host
                    ),
                )
                .label("port not exposed")
                .help(format!("use a port Service `{svc}` exposes ({})", exposed.join(", ")))
                .subject(format!("{} {what} {}:{port}", o.display(), r.host)),
            );
        }
    }
}

impl Rule for PhantomService {
    fn check(&self, stack: &Stack, out: &mut Vec<Diagnostic>) {
        let cluster = &stack.k8s;
        let start = out.len();
        for o in cluster.objects() {
            if !cluster.complete(o) {
                continue;
            }
            match &o.body {
                Body::Workload(w) => {
                    for c in all_containers(w) {
                        for e in &c.env {
                            if let Some(v) = &e.value {
                                check_text(cluster, o, &v.value, v.span, &format!("env `{}`", e.name.value), out);
                            }
                        }
                        for a in c.command.iter().chain(&c.args) {
                            check_text(
                                cluster,
                                o,
                                &a.value,
                                a.span,
                                &format!("an argument of container `{}`", c.name.value),
                                out,
                            );
                        }
                    }
                }
                Body::Data(d) if o.kind == "ConfigMap" => {
                    for (k, v) in &d.values {
                        check_text(cluster, o, &v.value, v.span, &format!("key `{}`", k.value), out);
                    }
                }
                _ => {}
            }
        }
        dedupe(out, start);
        check_docs(stack, out);
    }
}

/// The docs side: rows naming services that do not exist.
fn check_docs(stack: &Stack, out: &mut Vec<Diagnostic>) {
    let everywhere = crate::docs::Scope::all(stack);
    for doc in &stack.docs {
        let scope = crate::docs::Scope::of(stack, doc.dir());
        if scope.projects.is_empty() && scope.objects.is_empty() {
            continue;
        }
        let published = scope.published(stack).unwrap_or_default();
        let claims = &doc.claims.name_ports;
        for c in claims {
            let Some(port) = c.port else { continue };
            if !everywhere.resolve(&c.name).is_empty() || published.contains(&port) {
                continue;
            }
            // The table or list must be about this stack: another of its entries names a service.
            let about_stack = claims
                .iter()
                .any(|o| o.group == c.group && !std::ptr::eq(o, c) && !scope.resolve(&o.name).is_empty());
            if !about_stack {
                continue;
            }
            out.push(
                Diagnostic::new(
                    "phantom-service",
                    doc.span(&c.name_range),
                    format!(
                        "the doc lists `{}` on port {port}, but no compose service, container or manifest defines it",
                        c.name
                    ),
                )
                .label(format!("named in {}", c.origin.describe()))
                .help("remove the entry, or define the service it describes")
                .subject(format!("doc {} {port}", c.name)),
            );
        }
    }
}
