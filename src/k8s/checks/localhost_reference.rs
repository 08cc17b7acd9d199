//! localhost-reference (Kubernetes side): a container's env reaches `localhost:P` (or 127.0.0.1,
//! ::1) where P is served by ANOTHER workload. Containers of one pod share the network namespace,
//! so a port any container of the same pod declares is fine.

use super::{all_containers, running_containers};
use crate::diagnostic::Diagnostic;
use crate::k8s::model::{Container, Object};
use crate::k8s::{dedupe, dns, Cluster};
use crate::source::Span;
use std::collections::HashMap;

/// (rendering, port) → for each workload in object order, its first running container that declares
/// the port, with that port's span. Built once, so each reference is a lookup, not a scan.
type Servers<'a> = HashMap<(usize, i64), Vec<(&'a Object, &'a Container, Span)>>;

fn servers_by_port(cluster: &Cluster) -> Servers<'_> {
    let mut map: Servers<'_> = HashMap::new();
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

pub(crate) fn localhost_reference(cluster: &Cluster, out: &mut Vec<Diagnostic>) {
    let start = out.len();
    let mut servers = None;
    for (o, w) in cluster.workloads() {
        for c in all_containers(w) {
            for e in &c.env {
                let Some(v) = &e.value else { continue };
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
                    out.push(
                        Diagnostic::new(
                            "localhost-reference",
                            v.span,
                            format!(
                                "`{}` of container `{}` reaches `{}:{port}`, but port {port} is served by `{}`, another pod",
                                e.name.value,
                                c.name.value,
                                r.host,
                                so.display()
                            ),
                        )
                        .label("localhost inside this pod")
                        .related(pspan, format!("served by container `{}` here", sc.name.value))
                        .help(format!("use the Service name of `{}` instead of localhost", so.display()))
                        .subject(format!("{} container {} env {}", o.display(), c.name.value, e.name.value)),
                    );
                }
            }
        }
    }
    dedupe(out, start);
}
