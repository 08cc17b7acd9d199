//! obsolete-version: the top-level `version:` key, ignored by Compose v2. Docs: rules/obsolete-version.md
use crate::rules::prelude::*;

pub(crate) struct ObsoleteVersion;

impl Rule for ObsoleteVersion {
    fn check(&self, stack: &Stack, out: &mut Vec<Diagnostic>) {
        for (file, doc) in stack.compose_docs() {
            let Some((key, value)) = doc.entry("version") else {
                continue;
            };
            let span = Span {
                end: value.span.end.max(key.span.end),
                ..key.span
            };
            // The fix deletes the whole line(s), comment and line break included.
            let fix = stack.sources.get(file).map(|src| {
                let first = src.line_index(span.start as usize);
                let last = src.line_index(span.end as usize);
                let start = src.line_starts().get(first).copied().unwrap_or(span.start);
                let end = src
                    .line_starts()
                    .get(last + 1)
                    .copied()
                    .unwrap_or(src.text.len() as u32);
                Span { start, end, ..span }
            });
            let mut d = Diagnostic::new(
                "obsolete-version",
                span,
                "the top-level `version` key is obsolete and ignored by Compose v2",
            )
            .label("ignored")
            .help("remove the `version` line")
            .subject("version");
            if let Some(line) = fix {
                d = d.fix("remove the `version` line", line, "");
            }
            out.push(d);
        }
    }
}
