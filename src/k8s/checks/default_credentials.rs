//! default-credentials (Kubernetes side): a password env var set to a well-known default. The value
//! is never shown.

use super::all_containers;
use super::secrets::{is_default_password, is_password_name};
use crate::diagnostic::Diagnostic;
use crate::k8s::{dedupe, Cluster};

pub(crate) fn default_credentials(cluster: &Cluster, out: &mut Vec<Diagnostic>) {
    let start = out.len();
    for (o, w) in cluster.workloads() {
        for c in all_containers(w) {
            for e in &c.env {
                let Some(v) = &e.value else { continue };
                if !is_password_name(&e.name.value) || !is_default_password(&v.value) {
                    continue;
                }
                out.push(
                    Diagnostic::new(
                        "default-credentials",
                        e.name.span,
                        format!(
                            "`{}` of container `{}` is set to a well-known default password (`***`)",
                            e.name.value, c.name.value
                        ),
                    )
                    .label("default password")
                    .redact(v.span)
                    .help("generate a strong password, store it in a Secret and use `valueFrom.secretKeyRef`")
                    .subject(format!(
                        "{} container {} env {}",
                        o.display(),
                        c.name.value,
                        e.name.value
                    )),
                );
            }
        }
    }
    dedupe(out, start);
}
