//! Host references inside free text (env values, args, ConfigMap data): URL authorities
//! (`scheme://host:port`) and whole `host:port` values. Deliberately narrow: a bare word is never a
//! host, because a false "phantom service" costs more than a missed one.

use foldhash::HashSet;

/// A host (and port, if written) found at a byte range of the scanned text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct HostRef {
    pub host: String,
    pub port: Option<i64>,
    pub range: std::ops::Range<usize>,
}

fn is_authority_end(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '/' | '?' | '#' | '"' | '\'' | ',' | ';' | ')' | '(' | '<' | '>' | '`' | '|' | '\\' | '{' | '}'
        )
}

/// Splits `host[:port]` (with `[v6]:port`); `None` if the port is not a number in 1..=65535.
fn split_host_port(authority: &str) -> Option<(&str, Option<i64>)> {
    if let Some(rest) = authority.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        return match after.strip_prefix(':') {
            Some(p) => Some((host, Some(parse_port(p)?))),
            None if after.is_empty() => Some((host, None)),
            None => None,
        };
    }
    match authority.rsplit_once(':') {
        Some((host, p)) if !host.contains(':') => Some((host, Some(parse_port(p)?))),
        Some(_) => Some((authority, None)).filter(|(h, _)| h.parse::<std::net::Ipv6Addr>().is_ok()),
        None => Some((authority, None)),
    }
}

fn parse_port(p: &str) -> Option<i64> {
    let n: i64 = p.parse().ok()?;
    (1..=65535).contains(&n).then_some(n)
}

/// Hosts of every `scheme://authority` in `text`.
pub(crate) fn url_hosts(text: &str) -> Vec<HostRef> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = text.get(from..).and_then(|t| t.find("://")) {
        let scheme_end = from + i;
        let start = scheme_end + 3;
        from = start;
        let scheme_ok = text[..scheme_end]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_ascii_alphanumeric());
        if !scheme_ok {
            continue;
        }
        let rest = &text[start..];
        let len = rest.find(is_authority_end).unwrap_or(rest.len());
        let authority = &rest[..len];
        let (host_start, authority) = match authority.rfind('@') {
            Some(at) => (start + at + 1, &authority[at + 1..]),
            None => (start, authority),
        };
        if authority.contains('$') || authority.is_empty() {
            continue;
        }
        if let Some((host, port)) = split_host_port(authority) {
            out.push(HostRef {
                host: host.to_ascii_lowercase(),
                port,
                range: host_start..host_start + authority.len(),
            });
        }
    }
    out
}

/// A value that is wholly `host:port` (or a comma-separated list of them), e.g. `redis:6379`.
pub(crate) fn host_port_values(text: &str) -> Vec<HostRef> {
    let mut out = Vec::new();
    let mut offset = 0;
    for item in text.split(',') {
        let trimmed = item.trim();
        let lead = item.len() - item.trim_start().len();
        if let Some((host, Some(port))) = split_host_port(trimmed) {
            let hostish = host
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'.');
            if !host.is_empty() && hostish && !trimmed.contains('$') {
                let start = offset + lead;
                out.push(HostRef {
                    host: host.to_ascii_lowercase(),
                    port: Some(port),
                    range: start..start + trimmed.len(),
                });
            }
        } else {
            return Vec::new();
        }
        offset += item.len() + 1;
    }
    out
}

/// Every host reference of a value: URL hosts, or the value as `host:port` list.
pub(crate) fn host_refs(text: &str) -> Vec<HostRef> {
    // Both forms need a colon; most values (names, numbers, flags) have none.
    if !text.contains(':') {
        return Vec::new();
    }
    let urls = url_hosts(text);
    if urls.is_empty() {
        host_port_values(text)
    } else {
        urls
    }
}

pub(crate) fn is_loopback(host: &str) -> bool {
    matches!(host, "localhost" | "127.0.0.1" | "::1" | "0:0:0:0:0:0:0:1")
}

/// A DNS-1035 label (what a Service name must be).
fn is_service_label(l: &str) -> bool {
    let b = l.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b[0].is_ascii_lowercase()
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && !l.ends_with('-')
}

/// The (service, namespace) a cluster DNS name stands for: `svc` (namespace `own_ns`), `svc.ns`
/// (only when `ns` is a namespace of this repo: otherwise it may be any public domain),
/// `svc.ns.svc`, `svc.ns.svc.cluster.local`, and `pod.svc.ns.svc.cluster.local`.
pub(crate) fn cluster_service(host: &str, own_ns: &str, namespaces: &HashSet<String>) -> Option<(String, String)> {
    let host = host.strip_suffix('.').unwrap_or(host);
    let labels: Vec<&str> = host.split('.').collect();
    let core: &[&str] = if host.ends_with(".svc.cluster.local") {
        labels.get(..labels.len().saturating_sub(3))?
    } else if host.ends_with(".svc") {
        labels.get(..labels.len().saturating_sub(1))?
    } else {
        match labels.as_slice() {
            [svc] => {
                return (is_service_label(svc) && !is_loopback(svc)).then(|| ((*svc).to_owned(), own_ns.to_owned()))
            }
            [svc, ns] if namespaces.contains(*ns) && is_service_label(svc) => {
                return Some(((*svc).to_owned(), (*ns).to_owned()))
            }
            _ => return None,
        }
    };
    // `svc.ns` or `pod.svc.ns` before the `.svc[.cluster.local]` suffix.
    match core {
        [svc, ns] | [_, svc, ns] if is_service_label(svc) => Some(((*svc).to_owned(), (*ns).to_owned())),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_hosts_with_ports_and_userinfo() {
        let r = url_hosts("postgres://user:pw@db.prod.svc.cluster.local:5432/app and http://web/");
        assert_eq!(r[0].host, "db.prod.svc.cluster.local");
        assert_eq!(r[0].port, Some(5432));
        assert_eq!(r[1].host, "web");
        assert_eq!(r[1].port, None);
        assert!(url_hosts("http://$(HOST):80").is_empty());
        assert_eq!(url_hosts("http://[::1]:8080")[0].host, "::1");
    }

    #[test]
    fn host_port_values_are_whole_values_only() {
        assert_eq!(host_port_values("redis:6379")[0].host, "redis");
        assert_eq!(host_port_values("a:1, b:2").len(), 2);
        assert!(host_port_values("nginx:1.25").is_empty());
        assert!(host_port_values("hello world:80").is_empty());
        assert!(host_port_values("redis").is_empty());
    }

    #[test]
    fn cluster_dns_forms() {
        let ns: HashSet<String> = ["default".to_owned(), "shop".to_owned()].into_iter().collect();
        let cs = |h: &str| cluster_service(h, "default", &ns);
        assert_eq!(cs("redis"), Some(("redis".into(), "default".into())));
        assert_eq!(cs("redis.shop"), Some(("redis".into(), "shop".into())));
        assert_eq!(cs("example.com"), None);
        assert_eq!(cs("redis.other.svc"), Some(("redis".into(), "other".into())));
        assert_eq!(
            cs("web-0.web.shop.svc.cluster.local"),
            Some(("web".into(), "shop".into()))
        );
        assert_eq!(cs("localhost"), None);
        assert_eq!(cs("10.0.0.1"), None);
    }
}
