//! obsolete-version: the top-level `version:` key, ignored by Compose v2. Docs: rules/obsolete-version.md
use crate::rules::prelude::*;

pub(crate) struct ObsoleteVersion;

impl Rule for ObsoleteVersion {
    fn check(&self, stack: &Stack, out: &mut Vec<Diagnostic>) {
        for (_, doc) in stack.compose_docs() {
            let Some((key, value)) = doc.entry("version") else {
                continue;
            };
            let span = Span {
                end: value.span.end.max(key.span.end),
                ..key.span
            };
            out.push(
                Diagnostic::new(
                    "obsolete-version",
                    span,
                    "the top-level `version` key is obsolete and ignored by Compose v2",
                )
                .label("ignored")
                .help("remove the `version` line")
                .subject("version"),
            );
        }
    }
}
