//! Port registries: which service owns which port, as a team writes it down.
//!
//! Our own format (`schemas/port-registry.schema.json`) is a `ports:` list (or a top-level list) of
//! `{service, port, protocol?, host?, environment?, description?}`. The tolerant reader also takes
//! the ad-hoc shapes teams write: a flat map `service: port`, a grouped map
//! `group: {service: port}`, and lists of `{name, port}`. Anything else is [`Registry::Unread`]:
//! a registry that cannot be understood is reported, never guessed at.

use crate::compose::model::Spanned;
use crate::source::Span;
use crate::yaml::Node;

/// One registered port.
#[derive(Clone, Debug)]
pub struct RegistryEntry {
    pub service: Spanned<String>,
    pub port: Spanned<u16>,
    /// `tcp` unless stated.
    pub protocol: String,
    pub host: Option<String>,
    pub environment: Option<String>,
    /// The group key of a grouped map (`infra: {redis: 6379}`), if any.
    pub group: Option<String>,
}

/// What a registry file says.
#[derive(Clone, Debug)]
pub enum Registry {
    Entries(Vec<RegistryEntry>),
    /// Not a shape stacklint understands: where, and why.
    Unread(Span, String),
}

/// Whether a file name says it is a port registry (`*port*registry*`, `ports.y(a)ml`, `port-map*`).
pub fn named_like_registry(rel: &str) -> bool {
    let name = rel.rsplit('/').next().unwrap_or(rel).to_ascii_lowercase();
    let yaml = name.ends_with(".yml") || name.ends_with(".yaml");
    yaml && ((name.contains("port") && name.contains("registry"))
        || name == "ports.yml"
        || name == "ports.yaml"
        || name.starts_with("port-map")
        || name.starts_with("port_map"))
}

fn port_of(n: &Node) -> Option<Spanned<u16>> {
    let text = n.as_str()?;
    let p = text.trim().parse::<u16>().ok().filter(|p| *p > 0)?;
    Some(Spanned::new(p, n.span))
}

fn name_of(n: &Node) -> Option<Spanned<String>> {
    let t = n.as_str()?.trim();
    (!t.is_empty() && !t.contains(char::is_whitespace)).then(|| Spanned::new(t.to_owned(), n.span))
}

fn text_of(n: &Node, key: &str) -> Option<String> {
    n.get(key).and_then(Node::as_str).map(str::to_owned)
}

/// One `{service|name, port, …}` map.
fn entry_map(item: &Node, group: Option<&str>) -> Result<RegistryEntry, (Span, String)> {
    let service = item
        .get("service")
        .or_else(|| item.get("name"))
        .ok_or_else(|| (item.span, "entry has no `service` (or `name`)".to_owned()))?;
    let service = name_of(service).ok_or_else(|| (service.span, "`service` is not a name".to_owned()))?;
    let port = item
        .get("port")
        .ok_or_else(|| (item.span, "entry has no `port`".to_owned()))?;
    let port = port_of(port).ok_or_else(|| (port.span, "`port` is not a port number (1-65535)".to_owned()))?;
    let protocol = text_of(item, "protocol")
        .unwrap_or_else(|| "tcp".to_owned())
        .to_ascii_lowercase();
    Ok(RegistryEntry {
        service,
        port,
        protocol,
        host: text_of(item, "host"),
        environment: text_of(item, "environment"),
        group: group.map(str::to_owned),
    })
}

fn list(items: &[Node], group: Option<&str>) -> Result<Vec<RegistryEntry>, (Span, String)> {
    items
        .iter()
        .map(|i| {
            if i.is_map() {
                entry_map(i, group)
            } else {
                Err((i.span, "list item is not a `{service, port}` map".to_owned()))
            }
        })
        .collect()
}

/// `service: port` pairs (every value a port), or `None` if this map is not that shape.
fn flat(map: &Node, group: Option<&str>) -> Option<Vec<RegistryEntry>> {
    let mut out = Vec::new();
    for (name, key, value) in map.entries() {
        let port = port_of(value)?;
        let service = name_of(key)?;
        let _ = name;
        out.push(RegistryEntry {
            service,
            port,
            protocol: "tcp".to_owned(),
            host: None,
            environment: None,
            group: group.map(str::to_owned),
        });
    }
    (!out.is_empty()).then_some(out)
}

/// Reads one registry document.
pub fn read(doc: &Node) -> Registry {
    let unread = |span: Span, why: &str| Registry::Unread(span, why.to_owned());
    if let Some(items) = doc.as_seq() {
        return match list(items, None) {
            Ok(e) => Registry::Entries(e),
            Err((s, why)) => Registry::Unread(s, why),
        };
    }
    if !doc.is_map() {
        return unread(doc.span, "expected a map or a list of entries");
    }
    if let Some(ports) = doc.get("ports") {
        return match ports.as_seq().map(|items| list(items, None)) {
            Some(Ok(e)) => Registry::Entries(e),
            Some(Err((s, why))) => Registry::Unread(s, why),
            None => flat(ports, None).map_or_else(
                || {
                    unread(
                        ports.span,
                        "`ports` is neither a list of entries nor a `service: port` map",
                    )
                },
                Registry::Entries,
            ),
        };
    }
    if let Some(e) = flat(doc, None) {
        return Registry::Entries(e);
    }
    // Grouped: every value a `service: port` map or a list of entries.
    let mut out = Vec::new();
    for (group, _, value) in doc.entries() {
        if let Some(items) = value.as_seq() {
            match list(items, Some(group)) {
                Ok(e) => out.extend(e),
                Err((s, why)) => return Registry::Unread(s, why),
            }
        } else if let Some(e) = flat(value, Some(group)) {
            out.extend(e);
        } else {
            return unread(
                value.span,
                "expected `service: port` pairs, a list of `{service, port}`, or groups of them",
            );
        }
    }
    if out.is_empty() {
        return unread(doc.span, "no entries");
    }
    Registry::Entries(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;
    use crate::yaml::{parse_yaml, YamlLimits};

    fn entries(text: &str) -> Vec<(String, u16, Option<String>)> {
        let s = parse_yaml(FileId(0), text, YamlLimits::default());
        match read(&s.documents[0]) {
            Registry::Entries(e) => e
                .into_iter()
                .map(|e| (e.service.value, e.port.value, e.group))
                .collect(),
            Registry::Unread(_, why) => panic!("{why}"),
        }
    }

    #[test]
    fn shapes() {
        assert_eq!(
            entries("ports:\n  - service: api\n    port: 8000\n"),
            vec![("api".into(), 8000, None)]
        );
        assert_eq!(entries("- {name: api, port: 8000}\n"), vec![("api".into(), 8000, None)]);
        assert_eq!(entries("api: 8000\nweb: 80\n").len(), 2);
        assert_eq!(
            entries("infra:\n  redis: 6379\napps:\n  - {name: api, port: 8000}\n"),
            vec![
                ("redis".into(), 6379, Some("infra".into())),
                ("api".into(), 8000, Some("apps".into()))
            ]
        );
    }

    #[test]
    fn unreadable() {
        let s = parse_yaml(FileId(0), "api: {url: http://x}\n", YamlLimits::default());
        assert!(matches!(read(&s.documents[0]), Registry::Unread(..)));
        let s = parse_yaml(
            FileId(0),
            "ports:\n  - service: api\n    port: eighty\n",
            YamlLimits::default(),
        );
        assert!(matches!(read(&s.documents[0]), Registry::Unread(..)));
        assert!(named_like_registry("ops/port-registry.yaml"));
        assert!(named_like_registry("ports.yml"));
        assert!(!named_like_registry("report.yaml"));
    }
}
