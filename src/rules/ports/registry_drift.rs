//! registry-drift: a port registry disagrees with the ports compose services publish: an entry
//! gives a service a port it does not publish, or a published port is missing from a registry that
//! covers the project. Docs: rules/registry-drift.md
use crate::model::names::Resolved;
use crate::model::project::dir_of;
use crate::rules::prelude::*;

pub(crate) struct RegistryDrift;

/// The names a registry may use for a compose service.
fn names_of(s: &crate::compose::Service) -> Vec<&str> {
    let mut n = vec![s.name.value.as_str()];
    n.extend(s.container_name.iter().map(|c| c.value.as_str()));
    n.extend(s.hostname.iter().map(|c| c.value.as_str()));
    n
}

/// Whether `dir` is `ancestor` or below it.
fn under(dir: &str, ancestor: &str) -> bool {
    ancestor.is_empty() || dir == ancestor || dir.starts_with(&format!("{ancestor}/"))
}

impl Rule for RegistryDrift {
    fn check(&self, stack: &Stack, out: &mut Vec<Diagnostic>) {
        for r in &stack.registries {
            let path = stack.sources.path(r.file);
            for e in &r.entries {
                let Resolved::Found(targets) = stack.names.resolve(&e.service.value) else {
                    continue;
                };
                // Judge only names that are compose services publishing fixed host ports.
                if targets.iter().any(|t| t.published.is_empty()) {
                    continue;
                }
                if targets.iter().any(|t| t.published.contains(&e.port.value)) {
                    continue;
                }
                let published: Vec<String> = targets[0].published.iter().map(u16::to_string).collect();
                out.push(
                    Diagnostic::new(
                        "registry-drift",
                        e.port.span,
                        format!(
                            "the registry gives `{}` port {}, but {} publishes {}",
                            e.service.value,
                            e.port.value,
                            targets[0].what,
                            published.join(", ")
                        ),
                    )
                    .label("registered port")
                    .help("update the registry entry or the compose port mapping so they agree")
                    .subject(format!("{} {}", e.service.value, e.port.value)),
                );
            }
            // Published ports missing from a registry that covers the project: one under the
            // registry's folder that registers at least one of its services.
            let reg_dir = dir_of(path);
            // Indexed once per registry: every project's services are looked up in it.
            let registered: foldhash::HashSet<&str> = r.entries.iter().map(|e| e.service.value.as_str()).collect();
            let ports: foldhash::HashSet<u16> = r.entries.iter().map(|e| e.port.value).collect();
            let is_registered = |s: &crate::compose::Service| names_of(s).iter().any(|n| registered.contains(n));
            for p in &stack.projects {
                if !under(&p.dir, reg_dir) {
                    continue;
                }
                let covers = p.model.services.iter().any(is_registered);
                if !covers {
                    continue;
                }
                for s in &p.model.services {
                    // A registered service with another port is drift, reported on its entry.
                    if is_registered(s) {
                        continue;
                    }
                    for m in &s.ports {
                        let Some(range) = m.published else { continue };
                        if range.len() != 1 {
                            continue;
                        }
                        if ports.contains(&range.start) {
                            continue;
                        }
                        out.push(
                            Diagnostic::new(
                                "registry-drift",
                                m.span,
                                format!(
                                    "host port {} of `{}` is missing from the port registry `{path}`",
                                    range.start, s.name.value
                                ),
                            )
                            .label("published, not registered")
                            .related(Span::file_start(r.file), "the registry")
                            .help(format!(
                                "register port {} for `{}` in `{path}`",
                                range.start, s.name.value
                            ))
                            .subject(format!("{} {} unregistered {}", p.name, s.name.value, range.start)),
                        );
                    }
                }
            }
        }
    }
}
