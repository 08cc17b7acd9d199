//! localhost-reference: a container reaches another service at `localhost`, which inside a
//! container is the container itself. Docs: rules/localhost-reference.md
use crate::compose::Service;
use crate::model::endpoints::endpoints;
use crate::model::images::image_name;
use crate::model::listen::{is_loopback, may_name_loopback, prefix_images, BIND_ENV};
use crate::model::project::{join, Project};
use crate::rules::prelude::*;
use foldhash::HashMap;
use std::collections::BTreeSet;

pub(crate) struct LocalhostReference;

/// Settings read by browsers or external clients, where `localhost` is right.
fn browser_facing(name: &str) -> bool {
    let n = name.to_ascii_uppercase();
    n.ends_with("_PUBLIC_URL")
        || n.ends_with("_EXTERNAL_URL")
        || n.ends_with("ROOT_URL")
        || n.starts_with("NEXT_PUBLIC_")
        || n.starts_with("VITE_")
        || n.starts_with("REACT_APP_")
        || n.starts_with("NUXT_PUBLIC_")
        || n.contains("CORS")
        || n.contains("ORIGIN")
        || n.contains("REDIRECT")
        || n.contains("CALLBACK")
        || n.contains("PUBLIC")
        || n.contains("BROWSER")
        || BIND_ENV.contains(&n.as_str())
}

/// One environment entry of a service, from compose or from an env file it loads.
struct EnvEntry<'a> {
    name: &'a str,
    value: &'a str,
    span: Span,
}

fn env_entries<'a>(stack: &'a Stack, project: &Project, s: &'a Service) -> Vec<EnvEntry<'a>> {
    let mut out: Vec<EnvEntry<'a>> = s
        .environment
        .iter()
        .filter_map(|e| {
            let v = e.value.as_ref()?;
            Some(EnvEntry {
                name: &e.name.value,
                value: &v.value,
                span: v.span,
            })
        })
        .collect();
    for f in &s.env_files {
        let Some(rel) = join(&project.dir, &f.path.value) else {
            continue;
        };
        let Some(doc) = stack.env_files.get(&rel) else { continue };
        for e in &doc.doc.entries {
            if out.iter().any(|o| o.name == e.key) {
                continue; // `environment` wins over env files
            }
            out.push(EnvEntry {
                name: &e.key,
                value: &e.value,
                span: Span::new(doc.file, e.value_range.start, e.value_range.end),
            });
        }
    }
    out
}

impl Rule for LocalhostReference {
    fn check(&self, stack: &Stack, out: &mut Vec<Diagnostic>) {
        crate::k8s::checks::localhost_reference(&stack.k8s, out);
        for project in &stack.projects {
            let services = &project.model.services;
            // Who listens where, worked out for a project only once one of its values may name
            // localhost (most name none).
            let ports = std::cell::OnceCell::new();
            let ports = || {
                ports.get_or_init(|| {
                    let listen: Vec<std::borrow::Cow<'_, BTreeSet<u16>>> =
                        services.iter().map(|s| stack.listen_ports(project, s)).collect();
                    let mut by_port: HashMap<u16, Vec<usize>> = HashMap::default();
                    for (i, ports) in listen.iter().enumerate() {
                        for p in ports.iter() {
                            by_port.entry(*p).or_default().push(i);
                        }
                    }
                    (listen, by_port)
                })
            };
            for (si, s) in services.iter().enumerate() {
                if s.network_mode.is_some() {
                    continue;
                }
                let env = env_entries(stack, project, s);
                if !env.iter().any(|e| may_name_loopback(e.value)) {
                    continue;
                }
                let (listen, by_port) = ports();
                let own = &listen[si];
                let others_on = |port: u16| -> Vec<&str> {
                    by_port
                        .get(&port)
                        .map(|v| {
                            v.iter()
                                .filter(|&&i| i != si)
                                .filter_map(|&i| services.get(i))
                                .map(|o| o.name.value.as_str())
                                .collect()
                        })
                        .unwrap_or_default()
                };
                for e in &env {
                    if !may_name_loopback(e.value) || browser_facing(e.name) {
                        continue;
                    }
                    // URLs and host:port pairs.
                    for ep in endpoints(e.value) {
                        let (true, Some(port)) = (is_loopback(&ep.host), ep.port.filter(|_| ep.explicit_port)) else {
                            continue;
                        };
                        if own.contains(&port) {
                            continue;
                        }
                        let targets = others_on(port);
                        let Some(target) = targets.first() else { continue };
                        let exact = e.span.range().len() == e.value.len();
                        let span = if exact { e.span.sub(ep.range.clone()) } else { e.span };
                        let unique = targets.len() == 1;
                        let fix = unique.then(|| super::host_span(stack, span, &ep.host)).flatten();
                        report(out, s, e.name, &format!("{}:{port}", ep.host), target, port, span, fix);
                    }
                    // `X_HOST=localhost` beside `X_PORT`, or naming a backing service by prefix.
                    let Some(prefix) = e.name.strip_suffix("_HOST") else {
                        continue;
                    };
                    if !is_loopback(e.value.trim()) {
                        continue;
                    }
                    let port = env
                        .iter()
                        .find(|p| p.name == format!("{prefix}_PORT"))
                        .and_then(|p| p.value.trim().parse::<u16>().ok());
                    let target = match port {
                        Some(p) if !own.contains(&p) => others_on(p).first().map(|t| (t.to_string(), p)),
                        Some(_) => None,
                        None => {
                            let kinds = prefix_images(prefix.rsplit('_').next().unwrap_or(prefix));
                            services
                                .iter()
                                .enumerate()
                                .filter(|(i, _)| *i != si)
                                .find(|(_, o)| {
                                    stack
                                        .effective_image(project, o)
                                        .is_some_and(|img| kinds.contains(&image_name(&img)))
                                })
                                .and_then(|(i, o)| listen[i].first().map(|p| (o.name.value.clone(), *p)))
                        }
                    };
                    if let Some((t, p)) = target {
                        let unique = others_on(p).len() == 1;
                        let fix = unique
                            .then(|| super::host_span(stack, e.span, e.value.trim()))
                            .flatten();
                        report(out, s, e.name, e.value.trim(), &t, p, e.span, fix);
                    }
                }
            }
        }
    }
}

/// `fix`: where the loopback host is written, when exactly one service is meant.
#[allow(clippy::too_many_arguments)]
fn report(
    out: &mut Vec<Diagnostic>,
    s: &Service,
    var: &str,
    reached: &str,
    target: &str,
    port: u16,
    span: Span,
    fix: Option<Span>,
) {
    let name = &s.name.value;
    let mut d = Diagnostic::new(
            "localhost-reference",
            span,
            format!("`{var}` of `{name}` points at `{reached}`, which inside the container is `{name}` itself; `{target}` listens on {port}"),
        )
        .label("localhost is this container")
        .help(format!("use the service name: `{target}:{port}`"))
        .subject(format!("{name} {var} {target}"));
    if let Some(at) = fix {
        d = d.fix(format!("reach `{target}` by its service name"), at, target);
    }
    out.push(d);
}
