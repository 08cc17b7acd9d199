//! target-port-mismatch: a Service targetPort (number or name) that no container of the selected
//! pods declares. Docs: rules/target-port-mismatch.md
use crate::k8s::checks::running_containers;
use crate::k8s::dedupe;
use crate::k8s::model::PortRef;
use crate::rules::prelude::*;

pub(crate) struct TargetPortMismatch;

impl Rule for TargetPortMismatch {
    fn check(&self, stack: &Stack, out: &mut Vec<Diagnostic>) {
        let cluster = &stack.k8s;
        let start = out.len();
        for (o, s) in cluster.services() {
            let Some(sel) = &s.selector else { continue };
            if o.patched {
                continue;
            }
            let Some(selected) = cluster.selected_by_service(o, sel) else {
                continue;
            };
            // Selecting nothing is selector-mismatch's finding; a patch may add the port.
            if selected.is_empty() || selected.iter().any(|(wo, _)| wo.patched) {
                continue;
            }
            for p in &s.ports {
                let (target, span) = match &p.target_port {
                    Some(t) => (t.value.clone(), t.span),
                    None => (PortRef::Number(p.port.value), p.port.span),
                };
                let served = match &target {
                    PortRef::Name(n) => selected
                        .iter()
                        .any(|(_, w)| running_containers(w).any(|c| c.declares_port_name(n))),
                    PortRef::Number(n) => selected.iter().any(|(_, w)| {
                        running_containers(w).all(|c| c.ports.is_empty())
                            || running_containers(w).any(|c| c.declares_port_number(*n))
                    }),
                };
                if served {
                    continue;
                }
                let (wo, _) = selected[0];
                let kind = if matches!(target, PortRef::Name(_)) {
                    "named port"
                } else {
                    "port"
                };
                out.push(
                    Diagnostic::new(
                        "target-port-mismatch",
                        span,
                        format!(
                            "Service `{}` targets {kind} `{target}`, which no container of `{}` declares",
                            o.written_name,
                            wo.display()
                        ),
                    )
                    .label("targetPort")
                    .related(wo.name.span, "selected workload")
                    .help("set targetPort to a containerPort (or port name) the selected containers declare")
                    .subject(format!("Service {} targetPort {target}", o.written_name)),
                );
            }
        }
        dedupe(out, start);
    }
}
