//! doc-count-drift: prose states a whole-stack count ("11 containers running") that differs from
//! the number of services the one compose project the doc describes defines. Qualified counts,
//! historical docs (changelogs, reports, dated notes), stacks with profiles or overlays that change
//! the count, and Kubernetes pod counts are not judged. Docs: rules/doc-count-drift.md
use crate::docs::Scope;
use crate::rules::prelude::*;

pub(crate) struct DocCountDrift;

impl Rule for DocCountDrift {
    fn check(&self, stack: &Stack, out: &mut Vec<Diagnostic>) {
        for doc in stack.docs.iter().filter(|d| !d.historical) {
            if doc.claims.counts.is_empty() {
                continue;
            }
            let scope = Scope::of(stack, doc.dir());
            if scope.has_objects() {
                continue;
            }
            let counts: Vec<usize> = scope.projects().map(|p| p.model.services.len()).collect();
            let bases: Vec<_> = scope.projects().filter(|p| !p.name.contains('+')).collect();
            let [base] = bases.as_slice() else { continue };
            if counts.iter().any(|c| *c != base.model.services.len())
                || base.model.services.iter().any(|s| !s.profiles.is_empty())
            {
                continue;
            }
            let m = base.model.services.len();
            for c in &doc.claims.counts {
                if c.noun == "pods" || c.n == m {
                    continue;
                }
                let first = base.files.first().copied();
                let mut d = Diagnostic::new(
                    "doc-count-drift",
                    doc.span(&c.range),
                    format!(
                        "the doc says {} {}, but `{}` defines {m} service{}",
                        c.n,
                        c.noun,
                        base.name,
                        if m == 1 { "" } else { "s" }
                    ),
                )
                .label("stated count")
                .help(format!("write {m}, or generate the list with `stacklint docs --write`"))
                .subject(format!("count {} {}", c.n, c.noun));
                if let Some(f) = first {
                    d = d.related(Span::file_start(f), format!("{m} services defined here"));
                }
                out.push(d);
            }
        }
    }
}
