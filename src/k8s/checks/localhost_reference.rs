//! localhost-reference (Kubernetes side): a container's env reaches `localhost:P` (or 127.0.0.1,
//! ::1) where P is served by ANOTHER workload. Containers of one pod share the network namespace,
//! so a port any container of the same pod declares is fine.

use super::{all_containers, running_containers};
use crate::diagnostic::Diagnostic;
use crate::k8s::{dedupe, dns, Cluster};

pub(crate) fn localhost_reference(cluster: &Cluster, out: &mut Vec<Diagnostic>) {
    let start = out.len();
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
                    let server = cluster.workloads().find_map(|(so, sw)| {
                        if so.rendering != o.rendering || so.span == o.span {
                            return None;
                        }
                        running_containers(sw).find_map(|sc| {
                            sc.ports
                                .iter()
                                .find(|p| p.number == Some(port))
                                .map(|p| (so, sc, p.span))
                        })
                    });
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
