//! localhost-binding (Kubernetes side): a container's command, args or env makes its process listen
//! on 127.0.0.1/localhost/::1 while that port is declared by the container or targeted by a
//! Service: nothing outside the pod (kubelet probes, Services) can reach it. A loopback bind on a
//! port nobody targets is a legitimate pattern (a sidecar proxies to it) and stays silent.

use super::running_containers;
use crate::diagnostic::Diagnostic;
use crate::k8s::model::{Container, Object, PortRef, Spanned, Workload};
use crate::k8s::{dedupe, dns, Cluster};
use crate::source::Span;

/// Flags that set a listen address (`--flag=value` or `--flag value`).
const BIND_FLAGS: &[&str] = &[
    "bind",
    "b",
    "host",
    "listen",
    "address",
    "addr",
    "bind-address",
    "bind-addr",
    "bind_address",
    "listen-address",
    "listen-addr",
    "listen_address",
    "http-address",
    "http-addr",
    "web.listen-address",
    "server.address",
    "server-address",
    "server.host",
    "server-host",
    "http.addr",
];

/// Env vars that set a listen address.
const BIND_ENV: &[&str] = &[
    "HOST",
    "BIND",
    "BIND_ADDR",
    "BIND_ADDRESS",
    "BIND_HOST",
    "LISTEN",
    "LISTEN_ADDR",
    "LISTEN_ADDRESS",
    "LISTEN_HOST",
    "SERVER_HOST",
    "SERVER_ADDR",
    "SERVER_ADDRESS",
    "HTTP_HOST",
    "HTTP_ADDR",
    "GUNICORN_BIND",
    "UVICORN_HOST",
    "FLASK_RUN_HOST",
    "APP_HOST",
];

/// A loopback listen address: `127.0.0.1`, `localhost:8080`, `[::1]:80`, `tcp://127.0.0.1:9000`.
fn loopback(value: &str) -> Option<Option<i64>> {
    let v = value.trim();
    let v = v.split_once("://").map_or(v, |(_, rest)| rest);
    let v = v.trim_end_matches('/');
    if dns::is_loopback(v) {
        return Some(None);
    }
    if let Some(r) = dns::host_port_values(v).into_iter().next() {
        return dns::is_loopback(&r.host).then_some(r.port);
    }
    let v6 = v.strip_prefix('[').and_then(|r| r.split_once("]:"));
    if let Some((host, port)) = v6 {
        return dns::is_loopback(host).then(|| port.parse().ok());
    }
    None
}

struct Bind {
    port: Option<i64>,
    span: Span,
    what: String,
}

fn binds(c: &Container) -> Vec<Bind> {
    let mut out = Vec::new();
    let words: Vec<(&str, Span)> = c
        .command
        .iter()
        .chain(&c.args)
        .flat_map(|s: &Spanned<String>| s.value.split_whitespace().map(move |w| (w, s.span)))
        .collect();
    for (i, (w, span)) in words.iter().enumerate() {
        let Some(flag) = w.strip_prefix("--").or_else(|| w.strip_prefix('-')) else {
            continue;
        };
        let (name, value) = match flag.split_once('=') {
            Some((n, v)) => (n, Some((v, *span))),
            None => (flag, words.get(i + 1).map(|(v, s)| (*v, *s))),
        };
        if !BIND_FLAGS.contains(&name) {
            continue;
        }
        if let Some((v, vspan)) = value {
            let v = v.trim_matches(['"', '\'']);
            if let Some(port) = loopback(v) {
                out.push(Bind {
                    port,
                    span: vspan,
                    what: format!("`{w}`"),
                });
            }
        }
    }
    for e in &c.env {
        let Some(v) = &e.value else { continue };
        if BIND_ENV.contains(&e.name.value.as_str()) {
            if let Some(port) = loopback(&v.value) {
                out.push(Bind {
                    port,
                    span: v.span,
                    what: format!("`{}`", e.name.value),
                });
            }
        }
    }
    out
}

/// Numeric ports Services target on this workload's container (named targets resolved).
fn targeted_ports(cluster: &Cluster, o: &Object, w: &Workload, c: &Container) -> Vec<i64> {
    let mut out = Vec::new();
    for (so, s) in cluster.services() {
        let Some(sel) = &s.selector else { continue };
        if so.namespace != o.namespace || crate::k8s::selectors::matches(sel, &w.template_labels) != Some(true) {
            continue;
        }
        for p in &s.ports {
            match p.target_port.as_ref().map(|t| &t.value) {
                None => out.push(p.port.value),
                Some(PortRef::Number(n)) => out.push(*n),
                Some(PortRef::Name(n)) => out.extend(
                    c.ports
                        .iter()
                        .filter(|cp| cp.name.as_deref() == Some(n))
                        .filter_map(|cp| cp.number),
                ),
            }
        }
    }
    out
}

pub(crate) fn localhost_binding(cluster: &Cluster, out: &mut Vec<Diagnostic>) {
    let start = out.len();
    for (o, w) in cluster.workloads() {
        for c in running_containers(w) {
            let found = binds(c);
            if found.is_empty() {
                continue;
            }
            let declared: Vec<i64> = c.ports.iter().filter_map(|p| p.number).collect();
            let targeted = targeted_ports(cluster, o, w, c);
            for b in found {
                let reachable_port = match b.port {
                    Some(p) if declared.contains(&p) || targeted.contains(&p) => Some(p),
                    Some(_) => None,
                    None => declared.first().or(targeted.first()).copied(),
                };
                let Some(port) = reachable_port else { continue };
                out.push(
                    Diagnostic::new(
                        "localhost-binding",
                        b.span,
                        format!(
                            "container `{}` of `{}` listens on a loopback address ({}) but port {port} is meant to be reached from outside the pod",
                            c.name.value,
                            o.display(),
                            b.what
                        ),
                    )
                    .label("binds to loopback")
                    .related(c.name.span, "container")
                    .help("listen on `0.0.0.0` (or `::`) so the kubelet and Services can reach the port")
                    .subject(format!("{} container {} bind", o.display(), c.name.value)),
                );
            }
        }
    }
    dedupe(out, start);
}

#[cfg(test)]
mod tests {
    #[test]
    fn loopback_forms() {
        assert_eq!(super::loopback("127.0.0.1"), Some(None));
        assert_eq!(super::loopback("localhost:8080"), Some(Some(8080)));
        assert_eq!(super::loopback("[::1]:80"), Some(Some(80)));
        assert_eq!(super::loopback("tcp://127.0.0.1:9000"), Some(Some(9000)));
        assert_eq!(super::loopback("0.0.0.0:80"), None);
    }
}
