//! port-clash (Kubernetes side): two Services of one rendering claim the same nodePort (the API
//! server rejects the second), or two containers claim the same hostPort where they must share a
//! node: within one pod, or against a DaemonSet (which runs on every node). Different renderings
//! (overlays) are usually different clusters and are not compared.

use super::all_containers;
use crate::diagnostic::Diagnostic;
use crate::k8s::{dedupe, Cluster};
use crate::source::Span;
use std::collections::BTreeMap;

struct Claim {
    owner: String,
    object: usize,
    daemonset: bool,
    span: Span,
}

pub(crate) fn port_clash(cluster: &Cluster, out: &mut Vec<Diagnostic>) {
    let start = out.len();
    let mut node_ports: BTreeMap<(usize, i64, String), Vec<Claim>> = BTreeMap::new();
    let mut host_ports: BTreeMap<(usize, i64, String, String), Vec<Claim>> = BTreeMap::new();
    for (i, o) in cluster.objects().iter().enumerate() {
        if let Some(s) = o.service() {
            for p in &s.ports {
                if let Some(np) = p.node_port.as_ref().filter(|n| n.value != 0) {
                    node_ports
                        .entry((o.rendering, np.value, p.protocol.clone()))
                        .or_default()
                        .push(Claim {
                            owner: o.display(),
                            object: i,
                            daemonset: false,
                            span: np.span,
                        });
                }
            }
        }
        if let Some(w) = o.workload() {
            for c in all_containers(w) {
                for p in &c.ports {
                    if let Some(hp) = &p.host_port {
                        let ip = p.host_ip.clone().unwrap_or_default();
                        host_ports
                            .entry((o.rendering, hp.value, p.protocol.clone(), ip))
                            .or_default()
                            .push(Claim {
                                owner: format!("container `{}` of `{}`", c.name.value, o.display()),
                                object: i,
                                daemonset: o.kind == "DaemonSet",
                                span: hp.span,
                            });
                    }
                }
            }
        }
    }
    for ((_, port, proto), claims) in &node_ports {
        let Some((first, rest)) = claims.split_first() else {
            continue;
        };
        for dup in rest.iter().filter(|c| c.span != first.span) {
            out.push(
                Diagnostic::new(
                    "port-clash",
                    dup.span,
                    format!(
                        "nodePort {port}/{} is already used by `{}`",
                        proto.to_ascii_lowercase(),
                        first.owner
                    ),
                )
                .label("nodePort used again here")
                .related(first.span, "first used here")
                .help("give one Service another nodePort, or omit nodePort to let Kubernetes allocate one")
                .subject(format!("nodePort {port}/{proto} {}", dup.owner)),
            );
        }
    }
    for ((_, port, proto, _), claims) in &host_ports {
        for (j, dup) in claims.iter().enumerate() {
            let Some(first) = claims[..j]
                .iter()
                .find(|f| f.span != dup.span && (f.object == dup.object || f.daemonset || dup.daemonset))
            else {
                continue;
            };
            out.push(
                Diagnostic::new(
                    "port-clash",
                    dup.span,
                    format!(
                        "hostPort {port}/{} is already used by {}",
                        proto.to_ascii_lowercase(),
                        first.owner
                    ),
                )
                .label("hostPort used again here")
                .related(first.span, "first used here")
                .help("use another hostPort, or expose the pods through a Service instead of a hostPort")
                .subject(format!("hostPort {port}/{proto} {}", dup.owner)),
            );
        }
    }
    dedupe(out, start);
}
