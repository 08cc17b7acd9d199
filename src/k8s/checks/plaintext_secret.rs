//! plaintext-secret (Kubernetes side): a literal value for a secret-named env var (`*_PASSWORD`,
//! `*_TOKEN`, `*_SECRET`, `*_KEY`, `*PASSWD`) instead of `valueFrom.secretKeyRef`. Secret objects'
//! own `data`/`stringData` are where secrets belong and are never reported. Placeholders and
//! references (`$(VAR)`, `${VAR}`) are skipped; well-known defaults go to `default-credentials`.

use super::all_containers;
use super::secrets::{is_default_password, is_password_name, is_placeholder, is_secret_name};
use crate::diagnostic::Diagnostic;
use crate::k8s::{dedupe, Cluster};

/// `*_KEY` names also name non-secrets (`CACHE_KEY=user_id`): require a key-like value.
fn looks_like_key(v: &str) -> bool {
    v.len() >= 12
        && !v.contains(char::is_whitespace)
        && v.chars().any(|c| c.is_ascii_digit())
        && v.chars().any(|c| c.is_ascii_alphabetic())
}

pub(crate) fn plaintext_secret(cluster: &Cluster, out: &mut Vec<Diagnostic>) {
    let start = out.len();
    for (o, w) in cluster.workloads() {
        for c in all_containers(w) {
            for e in &c.env {
                let Some(v) = &e.value else { continue };
                let name = e.name.value.as_str();
                if !is_secret_name(name) || is_placeholder(&v.value) {
                    continue;
                }
                if is_password_name(name) && is_default_password(&v.value) {
                    continue;
                }
                if name.to_ascii_uppercase().ends_with("_KEY") && !looks_like_key(&v.value) {
                    continue;
                }
                out.push(
                    Diagnostic::new(
                        "plaintext-secret",
                        e.name.span,
                        format!(
                            "`{name}` of container `{}` holds a literal secret (`***`)",
                            c.name.value
                        ),
                    )
                    .label("secret in plain text")
                    .redact(v.span)
                    .help("store the value in a Secret and reference it with `valueFrom.secretKeyRef`")
                    .subject(format!("{} container {} env {name}", o.display(), c.name.value)),
                );
            }
        }
    }
    dedupe(out, start);
}
