//! selector-mismatch: a Service selects no pod, or a workload's selector does not match its own
//! template labels. Docs: rules/selector-mismatch.md
use crate::k8s::{dedupe, selectors};
use crate::rules::prelude::*;

pub(crate) struct SelectorMismatch;

impl Rule for SelectorMismatch {
    fn check(&self, stack: &Stack, out: &mut Vec<Diagnostic>) {
        let cluster = &stack.k8s;
        let start = out.len();
        for (o, w) in cluster.workloads() {
            let Some(sel) = &w.selector else { continue };
            if o.patched || sel.is_empty() || selectors::matches(sel, &w.template_labels) != Some(false) {
                continue;
            }
            let span = sel
                .match_labels
                .iter()
                .find(|(k, v)| w.template_labels.get(&k.value) != Some(v))
                .map_or(sel.span, |(k, _)| k.span);
            out.push(
                Diagnostic::new(
                    "selector-mismatch",
                    span,
                    format!(
                        "the selector of `{}` does not match its own pod template labels",
                        o.display()
                    ),
                )
                .label("selector")
                .related(w.template_labels_span, "template labels")
                .help("make the template labels include every `matchLabels` pair of the selector")
                .subject(format!("{} selector", o.display())),
            );
        }
        for (o, s) in cluster.services() {
            let Some(sel) = &s.selector else { continue };
            // Only namespaces whose workloads the repository defines: elsewhere pods may come from
            // another repo, a chart or the platform.
            let has_workloads = cluster.has_workloads_in(&o.namespace);
            if o.patched || !has_workloads || !cluster.complete(o) || cluster.has_custom_resources(&o.namespace) {
                continue;
            }
            let Some(selected) = cluster.selected_by_service(o, sel) else {
                continue;
            };
            if !selected.is_empty() || selected.iter().any(|(wo, _)| wo.patched) {
                continue;
            }
            let wanted: Vec<String> = sel
                .match_labels
                .iter()
                .map(|(k, v)| format!("{}={v}", k.value))
                .collect();
            out.push(
                Diagnostic::new(
                    "selector-mismatch",
                    sel.span,
                    format!(
                        "Service `{}` selects no pod in namespace `{}` ({})",
                        o.written_name,
                        o.namespace,
                        wanted.join(", ")
                    ),
                )
                .label("matches no pod template")
                .help("make the selector match the pod template labels of the workload it should route to")
                .subject(format!("Service {} selector", o.written_name)),
            );
        }
        dedupe(out, start);
    }
}
