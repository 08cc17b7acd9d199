//! nodeport-out-of-range: a nodePort outside 30000-32767 (the API server's default range).
//! Docs: rules/nodeport-out-of-range.md
use crate::k8s::dedupe;
use crate::rules::prelude::*;

pub(crate) struct NodeportOutOfRange;

impl Rule for NodeportOutOfRange {
    fn check(&self, stack: &Stack, out: &mut Vec<Diagnostic>) {
        let start = out.len();
        for (o, s) in stack.k8s.services() {
            for p in &s.ports {
                let Some(np) = &p.node_port else { continue };
                if (30000..=32767).contains(&np.value) || np.value == 0 {
                    continue;
                }
                out.push(
                    Diagnostic::new(
                        "nodeport-out-of-range",
                        np.span,
                        format!(
                            "nodePort {} of Service `{}` is outside the range 30000-32767",
                            np.value, o.written_name
                        ),
                    )
                    .label("out of range")
                    .help("pick a nodePort between 30000 and 32767, or omit it to let Kubernetes allocate one")
                    .subject(format!("Service {} nodePort {}", o.written_name, np.value)),
                );
            }
        }
        dedupe(out, start);
    }
}
