//! doc-port-drift: a doc table row or list item states a port for a service that it neither
//! publishes nor listens on, or a doc URL/curl reaches `localhost:P` while nothing in the stack the
//! doc describes publishes P. Names resolve through service, container and image names
//! (`PostgreSQL` → the service running `postgres`); an unresolved name, an unresolved port variable
//! or a doc that runs things outside containers (`npm start`, `uvicorn`) gives no finding.
//! Docs: rules/doc-port-drift.md
use crate::docs::claims::is_local;
use crate::docs::{target_ports, Scope, Target};
use crate::rules::prelude::*;
use foldhash::HashMap;
use std::collections::BTreeSet;

pub(crate) struct DocPortDrift;

/// What the services a doc name resolves to publish, what else may be called their port, and
/// whether that is unsure (see [`target_ports`]).
type NamePorts = (BTreeSet<u16>, BTreeSet<u16>, bool);

fn list(ports: &BTreeSet<u16>) -> String {
    ports.iter().map(u16::to_string).collect::<Vec<_>>().join(", ")
}

/// Ports the doc's own commands make reachable on localhost (`kubectl port-forward`, `kubectl
/// proxy`, `docker run -p`), and whether the doc runs servers outside containers (then its
/// localhost URLs are not about the stack).
fn doc_local_ports(doc: &crate::docs::MdDoc) -> (BTreeSet<u16>, bool) {
    let mut set = BTreeSet::new();
    let mut outside = false;
    for c in &doc.claims.commands {
        let w: Vec<&str> = c.words.iter().map(|w| w.0.as_str()).collect();
        let first = w.iter().copied().find(|x| *x != "sudo").unwrap_or("");
        if matches!(
            first,
            "npm"
                | "yarn"
                | "pnpm"
                | "npx"
                | "node"
                | "go"
                | "cargo"
                | "uvicorn"
                | "gunicorn"
                | "flask"
                | "python"
                | "python3"
                | "mvn"
                | "gradle"
                | "./gradlew"
                | "./mvnw"
                | "dotnet"
                | "java"
                | "php"
                | "rails"
                | "bundle"
                | "hugo"
                | "jekyll"
                | "minikube"
                | "kind"
                | "skaffold"
                | "tilt"
                | "ssh"
        ) {
            outside = true;
        }
        if w.contains(&"port-forward") {
            for x in &w {
                if let Some((a, _)) = x.split_once(':') {
                    set.extend(a.parse::<u16>().ok());
                } else if let Ok(p) = x.parse::<u16>() {
                    set.insert(p);
                }
            }
        }
        if w.contains(&"proxy") && first == "kubectl" {
            set.insert(8001);
            for x in &w {
                set.extend(x.strip_prefix("--port=").and_then(|p| p.parse::<u16>().ok()));
            }
        }
        for (i, x) in w.iter().enumerate() {
            if matches!(*x, "-p" | "--publish") {
                if let Some(v) = w.get(i + 1) {
                    let parts: Vec<&str> = v.split(':').collect();
                    if parts.len() >= 2 {
                        set.extend(parts[parts.len() - 2].parse::<u16>().ok());
                    }
                }
            }
        }
    }
    (set, outside)
}

/// Whether the line holding `at` lists allowed origins (`ALLOWED_ORIGINS=`, `cors_origins`): the
/// URLs there are where browsers come from, not endpoints the doc reaches.
fn names_an_origin(text: &str, at: usize) -> bool {
    let at = crate::source::floor_char_boundary(text, at.min(text.len()));
    let start = text.get(..at).and_then(|t| t.rfind('\n')).map_or(0, |i| i + 1);
    let end = text.get(at..).and_then(|t| t.find('\n')).map_or(text.len(), |i| at + i);
    text.get(start..end).is_some_and(|line| {
        let lower = line.to_ascii_lowercase();
        lower.contains("origin") || lower.contains("cors")
    })
}

impl Rule for DocPortDrift {
    fn check(&self, stack: &Stack, out: &mut Vec<Diagnostic>) {
        let mut ports_of: HashMap<(String, String), NamePorts> = HashMap::default();
        for doc in &stack.docs {
            let scope = Scope::of(stack, doc.dir());
            for np in &doc.claims.name_ports {
                let Some(port) = np.port else { continue };
                if !scope.knows(&np.name) {
                    continue;
                }
                // Docs of one scope repeat the same names (a `docs/` folder of 500 notes): the
                // ports of a name are gathered once per scope, not once per row.
                let (published, other, unsure) = ports_of
                    .entry((scope.dir().to_owned(), np.name.clone()))
                    .or_insert_with(|| {
                        let mut published = BTreeSet::new();
                        let mut other = BTreeSet::new();
                        let mut unsure = false;
                        for t in &scope.resolve(&np.name) {
                            let (p, o, u) = target_ports(stack, t);
                            published.extend(p);
                            other.extend(o);
                            unsure |= u;
                        }
                        (published, other, unsure)
                    });
                if *unsure || published.is_empty() || published.contains(&port) || other.contains(&port) {
                    continue;
                }
                let targets = scope.resolve(&np.name);
                let names: Vec<&str> = targets
                    .iter()
                    .map(Target::name)
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .collect();
                let who = names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ");
                let mut d = Diagnostic::new(
                    "doc-port-drift",
                    doc.span(&np.port_range),
                    format!(
                        "the doc puts `{}` on port {port}, but {who} publishes {}",
                        np.name,
                        list(published)
                    ),
                )
                .label(format!("port stated in {}", np.origin.describe()))
                .help(format!("write {} (or publish {port})", list(published)))
                .subject(format!("port {} {port}", np.name));
                if let Some(Target::Compose(_, s)) = targets.first() {
                    if let Some(m) = s.ports.iter().find(|m| m.published.is_some()) {
                        d = d.related(m.span, "published here");
                    }
                }
                out.push(d);
            }
            if !scope.has_projects() {
                continue;
            }
            let Some(published) = scope.published() else {
                continue;
            };
            let (local, outside) = doc_local_ports(doc);
            if outside || published.is_empty() {
                continue;
            }
            let text = stack.sources.get(doc.file).map_or("", |src| src.text.as_str());
            for u in &doc.claims.urls {
                let Some(port) = u.port.filter(|_| u.explicit_port && is_local(&u.host)) else {
                    continue;
                };
                if published.contains(&port) || local.contains(&port) || names_an_origin(text, u.range.start) {
                    continue;
                }
                out.push(
                    Diagnostic::new(
                        "doc-port-drift",
                        doc.span(&u.range),
                        format!(
                            "the doc reaches `{}:{port}`, but nothing in the stack publishes port {port}",
                            u.host
                        ),
                    )
                    .label("no service publishes this port")
                    .help(format!("use a published port ({})", list(published)))
                    .subject(format!("url {port}")),
                );
            }
        }
    }
}
