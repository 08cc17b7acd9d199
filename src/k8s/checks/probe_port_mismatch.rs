//! probe-port-mismatch (Kubernetes side): a probe targets a port its container does not declare.
//! A named port must be declared by the container itself (the kubelet resolves it there); a numeric
//! port is only checked when the container declares ports at all (containerPort is informational),
//! and any container of the pod declaring it is enough.

use super::running_containers;
use crate::diagnostic::Diagnostic;
use crate::k8s::model::PortRef;
use crate::k8s::{dedupe, Cluster};

pub(crate) fn probe_port_mismatch(cluster: &Cluster, out: &mut Vec<Diagnostic>) {
    let start = out.len();
    for (o, w) in cluster.workloads() {
        if o.patched {
            continue;
        }
        for c in running_containers(w) {
            for probe in &c.probes {
                let Some(port) = &probe.port else { continue };
                if probe.host.is_some() {
                    continue;
                }
                let missing = match &port.value {
                    PortRef::Name(n) => !c.declares_port_name(n),
                    PortRef::Number(n) => {
                        !c.ports.is_empty() && !running_containers(w).any(|other| other.declares_port_number(*n))
                    }
                };
                if !missing {
                    continue;
                }
                let declared: Vec<String> = c
                    .ports
                    .iter()
                    .map(|p| match (&p.name, p.number) {
                        (Some(name), Some(n)) => format!("{n} ({name})"),
                        (None, Some(n)) => n.to_string(),
                        (Some(name), None) => name.clone(),
                        (None, None) => String::new(),
                    })
                    .filter(|s| !s.is_empty())
                    .collect();
                let declared = if declared.is_empty() {
                    "no ports".to_owned()
                } else {
                    declared.join(", ")
                };
                out.push(
                    Diagnostic::new(
                        "probe-port-mismatch",
                        port.span,
                        format!(
                            "{} of container `{}` in `{}` targets port `{}`, which the container does not declare",
                            probe.kind.field(),
                            c.name.value,
                            o.display(),
                            port.value
                        ),
                    )
                    .label("probe port")
                    .related(c.name.span, format!("container declares {declared}"))
                    .help("point the probe at a declared port, or declare the port the process listens on")
                    .subject(format!(
                        "{} container {} {} port {}",
                        o.display(),
                        c.name.value,
                        probe.kind.field(),
                        port.value
                    )),
                );
            }
        }
    }
    dedupe(out, start);
}
