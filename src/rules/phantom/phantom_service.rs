//! phantom-service: a claim names a service nothing defines, or a port it does not serve.
//!
//! Claims side: port registry entries, Prometheus scrape targets and the `job="…"` selectors of
//! its rule files, gateway backends (nginx upstreams and `proxy_pass`, Traefik servers). Names are
//! resolved through [`crate::model::names`]; names that cannot be judged are left alone.
//!
//! Docs side: a doc table row or list item states a port for a name that no compose service,
//! container, image or Kubernetes object answers to, in a table or list whose other entries do
//! name the stack.
//!
//! Kubernetes side: a cluster DNS name (`svc`, `svc.ns`, `svc.ns.svc`,
//! `svc.ns.svc.cluster.local`) in an env value, a container argument or ConfigMap data names no
//! Service, or a port that Service does not expose. Only URL hosts and whole `host:port` values are
//! read, and only namespaces the repository defines. Docs: rules/phantom-service.md
use crate::k8s::checks::all_containers;
use crate::k8s::model::{Body, Object};
use crate::k8s::{dedupe, dns, Cluster};
use crate::rules::prelude::*;
use crate::source::Span;

pub(crate) struct PhantomService;

/// `what` names where the text is (``env `X` ``), for messages: made only for a finding.
fn check_text(
    cluster: &Cluster,
    o: &Object,
    text: &str,
    span: Span,
    what: &dyn Fn() -> String,
    out: &mut Vec<Diagnostic>,
) {
    for r in dns::host_refs(text) {
        if dns::is_loopback(&r.host) {
            continue;
        }
        let Some((svc, ns)) = dns::cluster_service(&r.host, &o.namespace, &cluster.namespaces) else {
            continue;
        };
        // Another namespace counts only when the repository creates it: otherwise its Services
        // (a monitoring stack, a platform chart) are likely managed elsewhere.
        let foreign = ns != o.namespace && !cluster.defines_namespace(&ns);
        if foreign || !cluster.namespaces.contains(&ns) || cluster.is_known("Service", &svc) {
            continue;
        }
        let services: Vec<_> = cluster
            .find("Service", &ns, &svc, o.rendering)
            .filter_map(|so| so.service())
            .collect();
        let port_text = r.port.map(|p| format!(":{p}")).unwrap_or_default();
        if services.is_empty() {
            if cluster.may_exist("Service", &ns, &svc, o.rendering) {
                continue;
            }
            let what = what();
            out.push(
                Diagnostic::new(
                    "phantom-service",
                    span,
                    format!(
                        "{what} of `{}` refers to `{}{port_text}`, but no Service `{svc}` exists in namespace `{ns}`",
                        o.display(),
                        r.host
                    ),
                )
                .label("cluster DNS name")
                .help(format!(
                    "define Service `{svc}`, fix the name, or list it under `known_objects` in the config"
                ))
                .subject(format!("{} {what} {}", o.display(), r.host)),
            );
            continue;
        }
        let Some(port) = r.port else { continue };
        let ok = services
            .iter()
            .any(|s| s.headless || s.service_type == "ExternalName" || s.exposes(port));
        if !ok {
            let what = what();
            let exposed: Vec<String> = services
                .iter()
                .flat_map(|s| s.ports.iter().map(|p| p.port.value.to_string()))
                .collect();
            out.push(
                Diagnostic::new(
                    "phantom-service",
                    span,
                    format!(
                        "{what} of `{}` reaches `{}:{port}`, but Service `{svc}` does not expose port {port}",
                        o.display(),
                        r.host
                    ),
                )
                .label("port not exposed")
                .help(format!("use a port Service `{svc}` exposes ({})", exposed.join(", ")))
                .subject(format!("{} {what} {}:{port}", o.display(), r.host)),
            );
        }
    }
}

impl Rule for PhantomService {
    fn check(&self, stack: &Stack, out: &mut Vec<Diagnostic>) {
        let cluster = &stack.k8s;
        let start = out.len();
        for o in cluster.objects() {
            if !cluster.complete(o) {
                continue;
            }
            match &o.body {
                Body::Workload(w) => {
                    for c in all_containers(w) {
                        for e in &c.env {
                            if let Some(v) = &e.value {
                                let what = || format!("env `{}`", e.name.value);
                                check_text(cluster, o, &v.value, v.span, &what, out);
                            }
                        }
                        let what = || format!("an argument of container `{}`", c.name.value);
                        for a in c.command.iter().chain(&c.args) {
                            check_text(cluster, o, &a.value, a.span, &what, out);
                        }
                    }
                }
                Body::Data(d) if o.kind == "ConfigMap" => {
                    for (k, v) in &d.values {
                        let what = || format!("key `{}`", k.value);
                        check_text(cluster, o, &v.value, v.span, &what, out);
                    }
                }
                _ => {}
            }
        }
        dedupe(out, start);
        check_claims(stack, out);
        crate::systemd::checks::phantom_dependencies(stack, out);
        check_docs(stack, out);
    }
}

/// A text position inside a scalar: exact when the scalar is written as is, else the whole scalar.
fn inner(span: Span, text: &str, range: std::ops::Range<usize>) -> Span {
    if span.range().len() == text.len() {
        span.sub(range)
    } else {
        span
    }
}

/// One `host[:port]` claim.
fn check_host(
    stack: &Stack,
    host: &str,
    port: Option<u16>,
    span: Span,
    origin: &str,
    hints: &mut usize,
    out: &mut Vec<Diagnostic>,
) {
    use crate::model::names::Resolved;
    match stack.names.resolve(host) {
        Resolved::Unsure => {}
        Resolved::Missing => {
            // Each suggestion compares the name with every defined name: bounded, so that a
            // registry of thousands of unknown names stays linear (the first ones get a hint).
            let hint = if *hints > 0 {
                *hints -= 1;
                stack.names.nearest(host).map(|n| format!("; did you mean `{n}`?"))
            } else {
                None
            }
            .unwrap_or_default();
            out.push(
                Diagnostic::new(
                    "phantom-service",
                    span,
                    format!("{origin} names `{host}`, but no service, container, unit or Service of the repository is called that"),
                )
                .label("undefined name")
                .help(format!(
                    "define `{host}`, fix the name, or declare an external machine under `hosts` in .stacklint.yaml{hint}"
                ))
                .subject(format!("{origin} {host}")),
            );
        }
        Resolved::Found(targets) => {
            let Some(port) = port else {
                return;
            };
            if targets.iter().any(|t| t.ports.is_empty() || t.ports.contains(&port)) {
                return;
            }
            let what = &targets[0].what;
            let served: Vec<String> = targets[0].ports.iter().map(u16::to_string).collect();
            out.push(
                Diagnostic::new(
                    "phantom-service",
                    span,
                    format!(
                        "{origin} reaches `{host}:{port}`, but {what} serves only {}",
                        served.join(", ")
                    ),
                )
                .label("port not served")
                .help(format!(
                    "use a port {what} serves, or declare port {port} on it (`expose`, `ports`)"
                ))
                .subject(format!("{origin} {host}:{port}")),
            );
        }
    }
}

/// How many unknown names of the claim files get a "did you mean" (see [`check_host`]).
const MAX_HINTS: usize = 50;

fn check_claims(stack: &Stack, out: &mut Vec<Diagnostic>) {
    let mut budget = MAX_HINTS;
    let hints = &mut budget;
    for r in &stack.registries {
        for e in &r.entries {
            check_host(
                stack,
                &e.service.value,
                None,
                e.service.span,
                "the port registry",
                hints,
                out,
            );
        }
    }
    for (file, cfg) in &stack.prometheus {
        for job in &cfg.jobs {
            // A target with a scheme (`https://vault.home`) is what a blackbox exporter probes,
            // passed on as a parameter, not a host scraped by name.
            for t in job.targets.iter().filter(|t| !t.value.contains("://")) {
                let (host, port) = crate::model::listen::split_host_port(&t.value);
                let span = inner(t.span, &t.value, 0..t.value.len());
                let origin = format!("scrape job `{}`", job.name.value);
                check_host(stack, &host, port, span, &origin, hints, out);
            }
        }
        check_rule_files(stack, *file, cfg, out);
    }
    for g in &stack.gateways {
        let (host, port) = crate::model::listen::split_host_port(&g.address);
        check_host(stack, &host, port, g.span, &g.via, hints, out);
    }
}

/// `job="x"` selectors in the rule files a Prometheus config loads, where no scrape job is `x`.
fn check_rule_files(
    stack: &Stack,
    file: crate::source::FileId,
    cfg: &crate::parse::prometheus::PrometheusConfig,
    out: &mut Vec<Diagnostic>,
) {
    let dir = crate::model::project::dir_of(stack.sources.path(file));
    let jobs: Vec<&str> = cfg.jobs.iter().map(|j| j.name.value.as_str()).collect();
    for pattern in &cfg.rule_files {
        let Some(joined) = crate::model::project::join(dir, &pattern.value) else {
            continue;
        };
        let Ok(glob) = globset::Glob::new(&joined) else {
            continue;
        };
        let matcher = glob.compile_matcher();
        for y in &stack.yaml {
            if !matcher.is_match(stack.sources.path(y.file)) {
                continue;
            }
            for doc in &y.documents {
                for expr in crate::parse::prometheus::rule_exprs(doc) {
                    let Some(text) = expr.as_str() else { continue };
                    for (range, job) in crate::parse::prometheus::job_matchers(text) {
                        if jobs.contains(&job.as_str()) {
                            continue;
                        }
                        let hint = crate::suggest::nearest(&job, jobs.iter().copied())
                            .map(|n| format!("; did you mean `{n}`?"))
                            .unwrap_or_default();
                        out.push(
                            Diagnostic::new(
                                "phantom-service",
                                inner(expr.span, text, range),
                                format!(
                                    "rule expression selects `job=\"{job}\"`, but no scrape job of `{}` is called that",
                                    stack.sources.path(file)
                                ),
                            )
                            .label("no such job")
                            .help(format!("use a `job_name` of the scrape config, or add the job{hint}"))
                            .subject(format!("rule job {job}")),
                        );
                    }
                }
            }
        }
    }
}

/// Host ports that live compose services, Kubernetes Services and systemd units publish anywhere
/// in the repository, leaving out the ones that cannot be resolved.
fn known_published(stack: &Stack) -> std::collections::BTreeSet<u16> {
    let mut set = std::collections::BTreeSet::new();
    for p in stack.projects.iter().filter(|p| !stack.project_inactive(p)) {
        for s in &p.model.services {
            for m in &s.ports {
                if let Some(r) = m.published {
                    set.extend((r.start..=r.end).take(4096));
                }
            }
        }
    }
    for o in stack.k8s.objects().iter().filter(|o| !stack.is_inactive(o.span.file)) {
        if let Some(svc) = o.service() {
            for port in &svc.ports {
                set.extend(port.node_port.as_ref().and_then(|n| u16::try_from(n.value).ok()));
                set.extend(u16::try_from(port.port.value).ok());
            }
        }
    }
    for u in stack.units.iter().filter(|u| !stack.is_inactive(u.file)) {
        set.extend(crate::model::units::unit_ports(&u.unit));
    }
    set
}

/// The docs side: rows naming services that do not exist.
fn check_docs(stack: &Stack, out: &mut Vec<Diagnostic>) {
    let everywhere = crate::docs::Scope::all(stack);
    // A port that anything live in the repository publishes names that thing, whatever the doc
    // calls it ("Dashboard" for `room-01-dashboard` on 3011): no phantom. When a published port is
    // unknown (an unresolved variable) the others still count.
    let published_anywhere = known_published(stack);
    for doc in &stack.docs {
        let scope = crate::docs::Scope::of(stack, doc.dir());
        if !scope.has_projects() && !scope.has_objects() {
            continue;
        }
        let none = std::collections::BTreeSet::new();
        let published = scope.published().unwrap_or(&none);
        let claims = &doc.claims.name_ports;
        for c in claims {
            let Some(port) = c.port else { continue };
            if everywhere.knows(&c.name) || published.contains(&port) || published_anywhere.contains(&port) {
                continue;
            }
            // The table or list must be about this stack: another of its entries names a service.
            let about_stack = claims
                .iter()
                .any(|o| o.group == c.group && !std::ptr::eq(o, c) && scope.knows(&o.name));
            if !about_stack {
                continue;
            }
            out.push(
                Diagnostic::new(
                    "phantom-service",
                    doc.span(&c.name_range),
                    format!(
                        "the doc lists `{}` on port {port}, but no compose service, container or manifest defines it",
                        c.name
                    ),
                )
                .label(format!("named in {}", c.origin.describe()))
                .help("remove the entry, or define the service it describes")
                .subject(format!("doc {} {port}", c.name)),
            );
        }
    }
}
