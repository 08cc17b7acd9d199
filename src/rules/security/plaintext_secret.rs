//! plaintext-secret: a literal secret value (`*_PASSWORD`, `*_TOKEN`, `*_SECRET`, `*_KEY`, ...) in
//! compose `environment` or a committed env file. The value is never shown.
//! Docs: rules/plaintext-secret.md
use super::{env_values, is_default_credential, is_placeholder, is_secret_name, who};
use crate::rules::prelude::*;

pub(crate) struct PlaintextSecret;

/// A secret-named variable with a real-looking value. Well-known defaults are default-credentials'
/// findings: one report per value.
fn fires(name: &str, value: &str) -> bool {
    is_secret_name(name) && !is_placeholder(value) && !is_default_credential(name, value)
}

impl Rule for PlaintextSecret {
    fn check(&self, stack: &Stack, out: &mut Vec<Diagnostic>) {
        crate::k8s::checks::plaintext_secret(&stack.k8s, out);
        for v in env_values(stack, &fires) {
            if v.via.iter().any(|(n, val)| fires(n, val)) {
                continue; // reported in the `.env` that holds it
            }
            let name = v.name;
            let (message, help) = match v.services.first() {
                Some(_) => (
                    format!(
                        "{} {} `{name}` to a literal secret (`***`) committed to the repository",
                        who(&v.services),
                        if v.services.len() == 1 { "sets" } else { "set" }
                    ),
                    format!("move the value to a git-ignored `.env` and reference it as `${{{name}}}`, or use Compose `secrets:`"),
                ),
                None => (
                    format!("`{name}` holds a literal secret (`***`) in a committed env file"),
                    "stop committing this file (git-ignore it, commit a `.env.example` without values) and rotate the secret".to_owned(),
                ),
            };
            out.push(
                Diagnostic::new("plaintext-secret", v.name_span, message)
                    .label("secret value on this line")
                    .help(help)
                    .redact(v.value_span)
                    .subject(format!("{} {name}", v.services.first().copied().unwrap_or("env"))),
            );
        }
    }
}
