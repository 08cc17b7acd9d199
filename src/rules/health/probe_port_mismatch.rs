//! probe-port-mismatch: a healthcheck probes a local port the container does not listen on, so it
//! fails forever. Docs: rules/probe-port-mismatch.md
use crate::compose::HealthTest;
use crate::model::endpoints::endpoints;
use crate::model::listen::is_loopback;
use crate::rules::prelude::*;

pub(crate) struct ProbePortMismatch;

impl Rule for ProbePortMismatch {
    fn check(&self, stack: &Stack, out: &mut Vec<Diagnostic>) {
        crate::k8s::checks::probe_port_mismatch(&stack.k8s, out);
        for project in &stack.projects {
            for s in &project.model.services {
                let Some(HealthTest::Command(test)) = s.healthcheck.as_ref().and_then(|h| h.test.as_ref()) else {
                    continue;
                };
                if s.network_mode.is_some() {
                    continue;
                }
                let listen = stack.listen_ports(project, s);
                if listen.is_empty() {
                    continue;
                }
                for (i, arg) in test.args.iter().enumerate() {
                    for ep in endpoints(arg) {
                        let Some(port) = ep.port else { continue };
                        if !is_loopback(&ep.host) && ep.host != "0.0.0.0" || listen.contains(&port) {
                            continue;
                        }
                        let arg_span = test.arg_span(i);
                        let exact = arg_span.range().len() == arg.len();
                        let span = if exact {
                            arg_span.sub(ep.range.clone())
                        } else {
                            arg_span
                        };
                        let ports: Vec<String> = listen.iter().map(u16::to_string).collect();
                        out.push(
                            Diagnostic::new(
                                "probe-port-mismatch",
                                span,
                                format!(
                                    "the healthcheck of `{}` probes port {port}, but the container listens on {}",
                                    s.name.value,
                                    ports.join(", ")
                                ),
                            )
                            .label(format!("nothing listens on {port}"))
                            .help(format!(
                                "probe one of the ports the service listens on ({})",
                                ports.join(", ")
                            ))
                            .subject(format!("{} {port}", s.name.value)),
                        );
                    }
                }
            }
        }
    }
}
