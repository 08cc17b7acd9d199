//! missing-healthcheck (Kubernetes side): a long-running container with neither a readiness nor a
//! liveness probe. Init containers, Jobs, CronJobs and Pods that do not restart never need one.

use crate::diagnostic::Diagnostic;
use crate::k8s::model::ProbeKind;
use crate::k8s::{dedupe, Cluster};

pub(crate) fn missing_healthcheck(cluster: &Cluster, out: &mut Vec<Diagnostic>) {
    let start = out.len();
    for (o, w) in cluster.workloads() {
        if !w.long_running || o.patched {
            continue;
        }
        for c in &w.pod.containers {
            if c.probe(ProbeKind::Readiness).is_some() || c.probe(ProbeKind::Liveness).is_some() {
                continue;
            }
            out.push(
                Diagnostic::new(
                    "missing-healthcheck",
                    c.name.span,
                    format!(
                        "container `{}` of `{}` has no readiness or liveness probe",
                        c.name.value,
                        o.display()
                    ),
                )
                .label("defined here without a probe")
                .help("add a `readinessProbe` (and a `livenessProbe` if the process can hang)")
                .subject(format!("{} container {}", o.display(), c.name.value)),
            );
        }
    }
    dedupe(out, start);
}
