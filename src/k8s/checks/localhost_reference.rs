//! localhost-reference (Kubernetes side): a container's env reaches `localhost:P` (or 127.0.0.1,
//! ::1) where P is served by ANOTHER workload. Containers of one pod share the network namespace,
//! so a port any container of the same pod declares is fine.
//!
//! Values are read where the container gets them: a literal `value`, a ConfigMap key through
//! `valueFrom.configMapKeyRef`, or every key of a ConfigMap through `envFrom.configMapRef` (then
//! the finding points at the ConfigMap's data line, with a label at the reference in the workload).

use super::{all_containers, running_containers};
use crate::diagnostic::Diagnostic;
use crate::k8s::model::{Body, Container, Object, ObjectRef, RefKind, Spanned};
use crate::k8s::{dedupe, dns, Cluster};
use crate::model::listen::may_name_loopback;
use crate::source::Span;
use foldhash::HashMap;

/// (rendering, port) → for each workload in object order, its first running container that declares
/// the port, with that port's span. Built once, so each reference is a lookup, not a scan.
type Servers<'a> = HashMap<(usize, i64), Vec<(&'a Object, &'a Container, Span)>>;

fn servers_by_port(cluster: &Cluster) -> Servers<'_> {
    let mut map: Servers<'_> = HashMap::default();
    for (so, sw) in cluster.workloads() {
        let mut seen = Vec::new();
        for sc in running_containers(sw) {
            for p in &sc.ports {
                let Some(n) = p.number else { continue };
                if seen.contains(&n) {
                    continue;
                }
                // The first container declaring `n`, and its first port entry numbered `n`.
                seen.push(n);
                map.entry((so.rendering, n)).or_default().push((so, sc, p.span));
            }
        }
    }
    map
}

/// One environment value a container receives that may reach localhost: its variable name, the
/// value as written, and for values read from a ConfigMap, where the workload refers to it.
struct EnvValue<'a> {
    name: &'a str,
    value: &'a Spanned<String>,
    via: Option<(Span, String)>,
}

/// ConfigMap data entries a reference reads: every entry, or only `key`.
fn config_map_values<'a>(
    cluster: &'a Cluster,
    o: &'a Object,
    r: &'a ObjectRef,
    key: Option<&str>,
) -> Vec<&'a (Spanned<String>, Spanned<String>)> {
    if r.kind != RefKind::ConfigMap {
        return Vec::new();
    }
    // The first ConfigMap of that name visible from the workload (others are other renderings'
    // copies of the same lines, or ambiguous).
    let Some(cm) = cluster
        .find("ConfigMap", &o.namespace, &r.name.value, o.rendering)
        .next()
    else {
        return Vec::new();
    };
    let Body::Data(d) = &cm.body else { return Vec::new() };
    d.values
        .iter()
        .filter(|(k, _)| key.is_none_or(|want| k.value == want))
        .collect()
}

fn env_values<'a>(cluster: &'a Cluster, o: &'a Object, c: &'a Container) -> Vec<EnvValue<'a>> {
    let mut out = Vec::new();
    for e in &c.env {
        if let Some(v) = e.value.as_ref().filter(|v| may_name_loopback(&v.value)) {
            out.push(EnvValue {
                name: &e.name.value,
                value: v,
                via: None,
            });
        }
        if let Some(r) = &e.value_from {
            let Some(key) = r.keys.first() else { continue };
            for (_, v) in config_map_values(cluster, o, r, Some(&key.value)) {
                if !may_name_loopback(&v.value) {
                    continue;
                }
                out.push(EnvValue {
                    name: &e.name.value,
                    value: v,
                    via: Some((
                        key.span,
                        format!(
                            "`{}` reads key `{}` of ConfigMap `{}` here",
                            e.name.value, key.value, r.name.value
                        ),
                    )),
                });
            }
        }
    }
    for r in &c.env_from {
        for (k, v) in config_map_values(cluster, o, r, None) {
            if !may_name_loopback(&v.value) {
                continue;
            }
            out.push(EnvValue {
                name: &k.value,
                value: v,
                via: Some((
                    r.name.span,
                    format!(
                        "container `{}` loads ConfigMap `{}` through `envFrom` here",
                        c.name.value, r.name.value
                    ),
                )),
            });
        }
    }
    out
}

pub(crate) fn localhost_reference(cluster: &Cluster, out: &mut Vec<Diagnostic>) {
    let start = out.len();
    let mut servers = None;
    for (o, w) in cluster.workloads() {
        for c in all_containers(w) {
            for e in env_values(cluster, o, c) {
                let v = e.value;
                for r in dns::host_refs(&v.value) {
                    let (true, Some(port)) = (dns::is_loopback(&r.host), r.port) else {
                        continue;
                    };
                    if running_containers(w).any(|own| own.declares_port_number(port)) {
                        continue;
                    }
                    // The first workload (in object order) of this rendering, other than this one,
                    // whose first running container declaring the port serves it.
                    let servers = servers.get_or_insert_with(|| servers_by_port(cluster));
                    let server = servers
                        .get(&(o.rendering, port))
                        .and_then(|list| list.iter().find(|(so, _, _)| so.span != o.span))
                        .copied();
                    let Some((so, sc, pspan)) = server else {
                        continue;
                    };
                    let mut d = Diagnostic::new(
                        "localhost-reference",
                        v.span,
                        format!(
                            "`{}` of container `{}` reaches `{}:{port}`, but port {port} is served by `{}`, another pod",
                            e.name,
                            c.name.value,
                            r.host,
                            so.display()
                        ),
                    )
                    .label(match e.via {
                        Some(_) => format!("localhost inside the pod of `{}`", o.display()),
                        None => "localhost inside this pod".to_owned(),
                    });
                    let mut subject = format!("{} container {} env {}", o.display(), c.name.value, e.name);
                    if let Some((span, label)) = &e.via {
                        d = d.related(*span, label.clone());
                        subject.push_str(" from ConfigMap");
                    }
                    out.push(
                        d.related(pspan, format!("served by container `{}` here", sc.name.value))
                            .help(format!(
                                "use the Service name of `{}` instead of localhost",
                                so.display()
                            ))
                            .subject(subject),
                    );
                }
            }
        }
    }
    dedupe(out, start);
}
