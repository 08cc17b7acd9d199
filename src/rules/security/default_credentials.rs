//! default-credentials: a credential-like variable set to a well-known default (postgres/postgres,
//! guest/guest, admin, ...). The value is never shown. Docs: rules/default-credentials.md
use super::{env_values, is_default_credential};
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
            let message = match v.service {
                Some(s) => format!("service `{s}` sets `{name}` to a well-known default (`***`)"),
                None => format!("`{name}` is set to a well-known default (`***`)"),
            };
            out.push(
                Diagnostic::new("default-credentials", v.name_span, message)
                    .label("well-known default value")
                    .help(format!(
                        "set a strong `{name}` outside the repository (a git-ignored `.env` or a secret) and rotate the one in use"
                    ))
                    .redact(v.value_span)
                    .subject(format!("{} {name}", v.service.unwrap_or("env"))),
            );
        }
    }
}
