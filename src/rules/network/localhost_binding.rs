//! localhost-binding: the server inside a container binds a loopback address, so the port that is
//! published, exposed or used by another service is unreachable. Docs: rules/localhost-binding.md
use crate::model::endpoints::endpoints;
use crate::model::listen::{is_loopback, split_host_port, BIND_ENV};
use crate::model::project::Project;
use crate::rules::prelude::*;

pub(crate) struct LocalhostBinding;

/// Whether another service of the project reaches `name` over the network (an env URL or
/// `name:port` naming it).
fn used_by_others(project: &Project, name: &str) -> bool {
    project.model.services.iter().filter(|o| o.name.value != name).any(|o| {
        o.environment
            .iter()
            .filter_map(|e| e.value.as_ref())
            .any(|v| endpoints(&v.value).iter().any(|ep| ep.host == name))
    })
}

impl Rule for LocalhostBinding {
    fn check(&self, stack: &Stack, out: &mut Vec<Diagnostic>) {
        crate::k8s::checks::localhost_binding(&stack.k8s, out);
        for project in &stack.projects {
            for s in &project.model.services {
                if s.network_mode.is_some() {
                    continue; // host networking, or another container's namespace: loopback may be right
                }
                let mut found: Vec<(String, Span, String)> = Vec::new();
                for b in stack.command_binds(project, s).iter() {
                    if is_loopback(&b.host) {
                        let words = stack.run_command(project, s);
                        let span = words.get(b.arg).map_or(s.name.span, |w| w.span);
                        found.push((b.host.clone(), span, format!("`{}`", b.via)));
                    }
                }
                for e in &s.environment {
                    let Some(v) = &e.value else { continue };
                    if BIND_ENV.contains(&e.name.value.as_str()) {
                        let (host, _) = split_host_port(&v.value);
                        if is_loopback(&host) {
                            found.push((host, v.span, format!("`{}`", e.name.value)));
                        }
                    }
                }
                // Asked only of a service that binds loopback (few do): `used_by_others` reads the
                // endpoints of every other service's environment.
                if found.is_empty() || (!stack.is_served(project, s) && !used_by_others(project, &s.name.value)) {
                    continue;
                }
                for (host, span, via) in found {
                    let name = &s.name.value;
                    let all = if host.contains(':') { "::" } else { "0.0.0.0" };
                    let mut d = Diagnostic::new(
                        "localhost-binding",
                        span,
                        format!("`{name}` listens on `{host}` (set by {via}), so nothing outside its container can reach it"),
                    )
                        .label("loopback inside the container")
                        .help("bind `0.0.0.0` inside the container; limit who can connect with the host IP of `ports` instead")
                        .subject(format!("{name} {host} {via}"));
                    if let Some(at) = super::host_span(stack, span, &host) {
                        d = d.fix(format!("bind `{all}` instead of `{host}`"), at, all);
                    }
                    out.push(d);
                }
            }
        }
    }
}
