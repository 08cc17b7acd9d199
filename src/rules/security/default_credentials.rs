//! default-credentials: a credential-like variable set to a well-known default (postgres/postgres,
//! guest/guest, admin, ...). The value is never shown. Docs: rules/default-credentials.md
use super::{env_values, is_default_credential, who};
use crate::rules::prelude::*;

pub(crate) struct DefaultCredentials;

impl Rule for DefaultCredentials {
    fn check(&self, stack: &Stack, out: &mut Vec<Diagnostic>) {
        crate::k8s::checks::default_credentials(&stack.k8s, out);
        for v in env_values(stack, &is_default_credential) {
            if v.via.iter().any(|(n, val)| is_default_credential(n, val)) {
                continue; // reported in the `.env` that holds it
            }
            let name = v.name;
            let message = match v.services.first() {
                Some(_) => format!(
                    "{} {} `{name}` to a well-known default (`***`)",
                    who(&v.services),
                    if v.services.len() == 1 { "sets" } else { "set" }
                ),
                None => format!("`{name}` is set to a well-known default (`***`)"),
            };
            out.push(
                Diagnostic::new("default-credentials", v.name_span, message)
                    .label("well-known default value")
                    .help(format!(
                        "set a strong `{name}` outside the repository (a git-ignored `.env` or a secret) and rotate the one in use"
                    ))
                    .redact(v.value_span)
                    .subject(format!("{} {name}", v.services.first().copied().unwrap_or("env"))),
            );
        }
    }
}
