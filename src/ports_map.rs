//! The port map of a whole repository: for every port, who publishes it (compose host ports), who
//! listens on it (container ports), who registers it (port registries), who scrapes it
//! (Prometheus), who routes to it (nginx, Traefik), who serves it on a node (Kubernetes NodePort,
//! hostPort) or in the cluster (Service `port`), which systemd unit listens on it and which doc
//! gives it; with the claims `port-clash` reports marked.
//!
//! Built once from the [`Stack`] in a deterministic order so `stacklint ports` and a docs generator
//! render the same table.

use crate::diagnostic::Diagnostic;
use crate::model::Stack;
use crate::source::Span;
use foldhash::HashSet;
use serde::Serialize;
use std::collections::BTreeMap;

/// How many ports of one published or container range are listed (a wider range is clipped).
const MAX_RANGE: u32 = 64;

/// What a claim does with a port.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PortRole {
    /// A compose service publishes it on the host.
    Publishes,
    /// A container listens on it (compose container port, Kubernetes `containerPort`).
    Listens,
    /// A Kubernetes Service exposes it on every node.
    NodePort,
    /// A Kubernetes Service exposes it inside the cluster (its `port`; the context names the
    /// `targetPort`).
    Exposes,
    /// A Kubernetes container binds it on its node.
    HostPort,
    /// A systemd unit's process listens on it.
    Unit,
    /// A port registry assigns it.
    Registers,
    /// Prometheus scrapes it.
    Scrapes,
    /// A gateway (nginx, Traefik) routes to it.
    RoutesTo,
    /// A Markdown doc gives it for a service (a port table row or list item).
    Documents,
}

impl PortRole {
    pub fn as_str(self) -> &'static str {
        match self {
            PortRole::Publishes => "publishes",
            PortRole::Listens => "listens",
            PortRole::NodePort => "node-port",
            PortRole::Exposes => "exposes",
            PortRole::HostPort => "host-port",
            PortRole::Unit => "unit",
            PortRole::Registers => "registers",
            PortRole::Scrapes => "scrapes",
            PortRole::RoutesTo => "routes-to",
            PortRole::Documents => "documents",
        }
    }
}

/// One claim on a port.
#[derive(Clone, Debug, Serialize)]
pub struct PortClaim {
    pub role: PortRole,
    /// Who: `api`, `billing.service`, `Service/shop`, the Prometheus job, the gateway directive.
    pub owner: String,
    /// Where it belongs: the compose project, the Kubernetes namespace, or the target/address.
    pub context: String,
    /// The file it is written in, relative to the root.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// `port-clash` reports this claim (as the clash or as the other side of it).
    pub clash: bool,
    #[serde(skip)]
    pub span: Span,
}

/// Everything that claims one port.
#[derive(Clone, Debug, Serialize)]
pub struct PortEntry {
    pub port: u16,
    /// `tcp` or `udp`.
    pub protocol: String,
    /// Some claim on this port takes part in a `port-clash`.
    pub clash: bool,
    pub claims: Vec<PortClaim>,
}

/// The whole map, sorted by (port, protocol), each port's claims by (role, file, line, owner).
#[derive(Clone, Debug, Default, Serialize)]
pub struct PortMap {
    pub ports: Vec<PortEntry>,
}

struct Builder<'a> {
    stack: &'a Stack,
    map: BTreeMap<(u16, String), Vec<PortClaim>>,
    seen: HashSet<(PortRole, u16, String, Span)>,
}

impl Builder<'_> {
    fn add(&mut self, port: u16, protocol: &str, role: PortRole, owner: String, context: String, span: Span) {
        let protocol = protocol.to_ascii_lowercase();
        // Alternative overlays of one base repeat the base's services: list each written place once.
        if !self.seen.insert((role, port, owner.clone(), span)) {
            return;
        }
        let (file, start, _) = crate::report::position(&self.stack.sources, span);
        // Targets and upstreams are URLs as written (`http://user:password@db:5432`): every
        // format of the map shows them, so they are masked here, once.
        self.map.entry((port, protocol)).or_default().push(PortClaim {
            role,
            owner: crate::redact::redact(&owner).into_owned(),
            context: crate::redact::redact(&context).into_owned(),
            file,
            line: start.line,
            clash: false,
            span,
        });
    }
}

/// `host:port` (or `scheme://host:port/path`) to the port, when one is written.
fn address_port(address: &str) -> Option<u16> {
    let rest = address.split_once("://").map_or(address, |(_, r)| r);
    let authority = rest.split('/').next().unwrap_or(rest);
    let (_, port) = authority.rsplit_once(':')?;
    if authority.starts_with('[') && !authority.contains("]:") {
        return None;
    }
    port.parse().ok()
}

/// The port map of `stack`. Clashes are the findings of the `port-clash` rule.
pub fn port_map(stack: &Stack) -> PortMap {
    let mut b = Builder {
        stack,
        map: BTreeMap::new(),
        seen: HashSet::default(),
    };
    for p in &stack.projects {
        for s in &p.model.services {
            for m in &s.ports {
                let ranges = m
                    .published
                    .map(|r| (r, PortRole::Publishes))
                    .into_iter()
                    .chain([(m.target, PortRole::Listens)]);
                for (range, role) in ranges {
                    for port in (u32::from(range.start)..=u32::from(range.end)).take(MAX_RANGE as usize) {
                        let port = u16::try_from(port).unwrap_or(u16::MAX);
                        b.add(port, &m.protocol, role, s.name.value.clone(), p.name.clone(), m.span);
                    }
                }
            }
        }
    }
    for (o, svc) in stack.k8s.services() {
        for sp in &svc.ports {
            if let Ok(port) = u16::try_from(sp.port.value) {
                let target = sp
                    .target_port
                    .as_ref()
                    .map_or_else(|| sp.port.value.to_string(), |t| t.value.to_string());
                let context = format!("{} → {target}", o.namespace);
                b.add(
                    port,
                    &sp.protocol,
                    PortRole::Exposes,
                    o.display(),
                    context,
                    sp.port.span,
                );
            }
            if let Some(np) = sp.node_port.as_ref().filter(|n| n.value != 0) {
                if let Ok(port) = u16::try_from(np.value) {
                    b.add(
                        port,
                        &sp.protocol,
                        PortRole::NodePort,
                        o.display(),
                        o.namespace.clone(),
                        np.span,
                    );
                }
            }
        }
    }
    for (o, w) in stack.k8s.workloads() {
        for c in crate::k8s::checks::all_containers(w) {
            for cp in &c.ports {
                if let Some(port) = cp.number.and_then(|n| u16::try_from(n).ok()) {
                    let owner = format!("{} container `{}`", o.display(), c.name.value);
                    b.add(
                        port,
                        &cp.protocol,
                        PortRole::Listens,
                        owner,
                        o.namespace.clone(),
                        cp.span,
                    );
                }
                if let Some(hp) = &cp.host_port {
                    if let Ok(port) = u16::try_from(hp.value) {
                        let owner = format!("{} container `{}`", o.display(), c.name.value);
                        b.add(
                            port,
                            &cp.protocol,
                            PortRole::HostPort,
                            owner,
                            o.namespace.clone(),
                            hp.span,
                        );
                    }
                }
            }
        }
    }
    for u in &stack.units {
        let Some(exec) = u.unit.get("Service", "ExecStart") else {
            continue;
        };
        for port in crate::model::units::unit_ports(&u.unit) {
            b.add(
                port,
                "tcp",
                PortRole::Unit,
                u.name.clone(),
                "systemd".to_owned(),
                exec.value.span,
            );
        }
    }
    for r in &stack.registries {
        for e in &r.entries {
            let context = [e.host.as_deref(), e.environment.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ");
            b.add(
                e.port.value,
                &e.protocol,
                PortRole::Registers,
                e.service.value.clone(),
                context,
                e.port.span,
            );
        }
    }
    for (_, cfg) in &stack.prometheus {
        for job in &cfg.jobs {
            for t in &job.targets {
                if let Some(port) = address_port(&t.value) {
                    let owner = format!("job `{}`", job.name.value);
                    b.add(port, "tcp", PortRole::Scrapes, owner, t.value.clone(), t.span);
                }
            }
        }
    }
    for g in &stack.gateways {
        if let Some(port) = address_port(&g.address) {
            b.add(
                port,
                "tcp",
                PortRole::RoutesTo,
                g.via.clone(),
                g.address.clone(),
                g.span,
            );
        }
    }
    for d in &stack.docs {
        for np in &d.claims.name_ports {
            if let Some(port) = np.port {
                b.add(
                    port,
                    "tcp",
                    PortRole::Documents,
                    np.name.clone(),
                    d.path.clone(),
                    d.span(&np.port_range),
                );
            }
        }
    }
    let clashing = clash_spans(stack);
    let ports = b
        .map
        .into_iter()
        .map(|((port, protocol), mut claims)| {
            for c in &mut claims {
                // A container port shares its mapping's span but never clashes: only host-side claims.
                c.clash = c.role != PortRole::Listens && clashing.contains(&c.span);
            }
            claims.sort_by(|a, c| (a.role, &a.file, a.line, &a.owner).cmp(&(c.role, &c.file, c.line, &c.owner)));
            PortEntry {
                port,
                protocol,
                clash: claims.iter().any(|c| c.clash),
                claims,
            }
        })
        .collect();
    PortMap { ports }
}

/// Every span a `port-clash` finding points at (primary or related).
fn clash_spans(stack: &Stack) -> HashSet<Span> {
    let mut out: Vec<Diagnostic> = Vec::new();
    if let Some(entry) = crate::rules::find("port-clash") {
        entry.rule.check(stack, &mut out);
    }
    out.iter()
        .flat_map(|d| std::iter::once(d.primary.span).chain(d.related.iter().map(|l| l.span)))
        .collect()
}

/// A fixed-width table, one line per claim; `!` marks a claim that takes part in a clash.
pub fn render_table(map: &PortMap) -> String {
    let rows: Vec<[String; 5]> = map
        .ports
        .iter()
        .flat_map(|e| {
            e.claims.iter().map(move |c| {
                [
                    format!("{}{}/{}", if c.clash { "!" } else { " " }, e.port, e.protocol),
                    c.role.as_str().to_owned(),
                    crate::escape::one_line(&c.owner).into_owned(),
                    crate::escape::one_line(&c.context).into_owned(),
                    format!("{}:{}", crate::escape::one_line(&c.file), c.line),
                ]
            })
        })
        .collect();
    let header = [" PORT", "ROLE", "WHO", "CONTEXT", "SOURCE"].map(str::to_owned);
    let mut widths = [0usize; 5];
    for r in std::iter::once(&header).chain(rows.iter()) {
        for (w, cell) in widths.iter_mut().zip(r) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut text = String::new();
    for r in std::iter::once(&header).chain(rows.iter()) {
        let mut line = String::new();
        for (i, (cell, w)) in r.iter().zip(widths).enumerate() {
            if i + 1 == r.len() {
                line.push_str(cell);
            } else {
                line.push_str(&format!("{cell:<w$}  "));
            }
        }
        text.push_str(line.trim_end());
        text.push('\n');
    }
    let clashes = map.ports.iter().filter(|e| e.clash).count();
    text.push_str(&format!(
        "\n{} port(s), {} claim(s); {clashes} port(s) in a clash (marked !)\n",
        map.ports.len(),
        map.ports.iter().map(|e| e.claims.len()).sum::<usize>()
    ));
    text
}

/// The map as versioned JSON.
pub fn render_json(map: &PortMap) -> String {
    let value = serde_json::json!({"version": 1, "ports": map.ports});
    let mut s = serde_json::to_string_pretty(&value).unwrap_or_default();
    s.push('\n');
    s
}

/// A Markdown table (for docs), one row per claim.
pub fn render_markdown(map: &PortMap) -> String {
    let esc = crate::escape::markdown_cell;
    let mut text = String::from("| port | role | who | context | source | clash |\n|---|---|---|---|---|---|\n");
    for e in &map.ports {
        for c in &e.claims {
            text.push_str(&format!(
                "| {}/{} | {} | {} | {} | `{}:{}` | {} |\n",
                e.port,
                e.protocol,
                c.role.as_str(),
                esc(&c.owner),
                esc(&c.context),
                esc(&c.file),
                c.line,
                if c.clash { "yes" } else { "" }
            ));
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::address_port;

    #[test]
    fn ports_of_addresses() {
        assert_eq!(address_port("api:8000"), Some(8000));
        assert_eq!(address_port("http://prometheus:9091/x"), Some(9091));
        assert_eq!(address_port("api"), None);
        assert_eq!(address_port("[::1]"), None);
        assert_eq!(address_port("[::1]:80"), Some(80));
    }
}
