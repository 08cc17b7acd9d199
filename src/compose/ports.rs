//! Compose port mappings in every short and long form.
//!
//! Short: `"80"`, `"8080:80"`, `"127.0.0.1:8080:80"`, `"[::1]:80:80"`, `"8000-8010:8000-8010"`,
//! `"53:53/udp"`, bare integers. Long: `target`, `published` (string, int or range), `host_ip`,
//! `protocol`, `mode`. A value that still holds an unresolved `${VAR}` is unknown and rules skip it.

use crate::source::Span;

/// An inclusive port range (`start == end` for a single port).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PortRange {
    pub start: u16,
    pub end: u16,
}

impl PortRange {
    pub fn single(p: u16) -> PortRange {
        PortRange { start: p, end: p }
    }

    pub fn len(&self) -> usize {
        usize::from(self.end.saturating_sub(self.start)) + 1
    }

    pub fn is_empty(&self) -> bool {
        false
    }

    pub fn contains(&self, p: u16) -> bool {
        self.start <= p && p <= self.end
    }

    pub fn overlaps(&self, other: &PortRange) -> bool {
        self.start <= other.end && other.start <= self.end
    }

    /// Parses `80` or `8000-8010`; `Err` says why.
    pub fn parse(s: &str) -> Result<PortRange, String> {
        let s = s.trim();
        let (a, b) = match s.split_once('-') {
            Some((a, b)) => (a, Some(b)),
            None => (s, None),
        };
        let start = parse_port(a)?;
        let end = match b {
            Some(b) => parse_port(b)?,
            None => start,
        };
        if end < start {
            return Err(format!("port range `{s}` ends before it starts"));
        }
        Ok(PortRange { start, end })
    }
}

impl std::fmt::Display for PortRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.start == self.end {
            write!(f, "{}", self.start)
        } else {
            write!(f, "{}-{}", self.start, self.end)
        }
    }
}

fn parse_port(s: &str) -> Result<u16, String> {
    let n: u64 = s.trim().parse().map_err(|_| format!("`{s}` is not a port number"))?;
    if n > 65535 {
        return Err(format!("port {n} is above 65535"));
    }
    u16::try_from(n).map_err(|_| format!("port {n} is above 65535"))
}

/// One `ports:` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PortMapping {
    /// Host IP as written (`127.0.0.1`, `::1`); `None` means all interfaces.
    pub host_ip: Option<String>,
    /// The host side; `None` means Compose picks an ephemeral port (nothing fixed is published).
    pub published: Option<PortRange>,
    pub target: PortRange,
    pub protocol: String,
    pub span: Span,
}

impl PortMapping {
    /// True when the host IP is a wildcard (listens on every interface).
    pub fn any_ip(&self) -> bool {
        matches!(self.host_ip.as_deref(), None | Some("" | "0.0.0.0" | "::" | "[::]"))
    }

    /// Two mappings compete for a host socket when their IPs overlap (a wildcard overlaps all).
    pub fn ip_overlaps(&self, other: &PortMapping) -> bool {
        self.any_ip() || other.any_ip() || self.host_ip == other.host_ip
    }

    pub fn describe_host(&self) -> String {
        let port = self.published.map_or_else(|| "?".to_owned(), |p| p.to_string());
        match &self.host_ip {
            Some(ip) if !self.any_ip() => {
                if ip.contains(':') {
                    format!("[{ip}]:{port}/{}", self.protocol)
                } else {
                    format!("{ip}:{port}/{}", self.protocol)
                }
            }
            _ => format!("{port}/{}", self.protocol),
        }
    }
}

/// Parses the short syntax. `Ok(None)` is never returned: an unknown value is filtered earlier.
pub fn parse_short(text: &str, span: Span) -> Result<PortMapping, String> {
    let text = text.trim();
    let (body, protocol) = match text.rsplit_once('/') {
        Some((b, p)) => (b, p.to_ascii_lowercase()),
        None => (text, "tcp".to_owned()),
    };
    if !matches!(protocol.as_str(), "tcp" | "udp" | "sctp") {
        return Err(format!("unknown protocol `{protocol}` (expected tcp, udp or sctp)"));
    }
    // Split off a bracketed IPv6 host first: `[::1]:80:80`.
    let (host_ip, rest) = if let Some(after) = body.strip_prefix('[') {
        let (ip, rest) = after
            .split_once(']')
            .ok_or_else(|| format!("`{text}` has an unclosed `[`"))?;
        let rest = rest
            .strip_prefix(':')
            .ok_or_else(|| format!("`{text}` needs `:` after the IPv6 address"))?;
        (Some(ip.to_owned()), rest)
    } else {
        (None, body)
    };
    let parts: Vec<&str> = rest.split(':').collect();
    let (host_ip, published, target) = match (host_ip, parts.as_slice()) {
        (None, [t]) => (None, None, *t),
        (None, [p, t]) => (None, Some(*p), *t),
        (None, [ip, p, t]) => (Some((*ip).to_owned()), Some(*p), *t),
        (Some(ip), [p, t]) => (Some(ip), Some(*p), *t),
        (Some(ip), [t]) => (Some(ip), None, *t),
        _ if parts.len() > 3 => {
            // Unbracketed IPv6 such as `::1:80:80`: the last two parts are the ports.
            let n = parts.len();
            let ip = parts[..n - 2].join(":");
            (Some(ip), parts.get(n - 2).copied(), parts[n - 1])
        }
        _ => return Err(format!("`{text}` is not a port mapping")),
    };
    let target = PortRange::parse(target)?;
    let published = match published {
        Some("") | None => None,
        Some(p) => Some(PortRange::parse(p)?),
    };
    if let Some(p) = published {
        if p.len() != target.len() && target.len() != 1 {
            return Err(format!(
                "`{text}` maps {} host ports onto {} container ports",
                p.len(),
                target.len()
            ));
        }
    }
    Ok(PortMapping {
        host_ip: host_ip.filter(|ip| !ip.is_empty()),
        published,
        target,
        protocol,
        span,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> PortMapping {
        match parse_short(s, Span::default()) {
            Ok(m) => m,
            Err(e) => panic!("{s}: {e}"),
        }
    }

    #[test]
    fn short_forms() {
        assert_eq!(p("80").published, None);
        assert_eq!(p("80").target, PortRange::single(80));
        let m = p("8080:80");
        assert_eq!(m.published, Some(PortRange::single(8080)));
        let m = p("127.0.0.1:8080:80");
        assert_eq!(m.host_ip.as_deref(), Some("127.0.0.1"));
        let m = p("[::1]:80:80");
        assert_eq!(m.host_ip.as_deref(), Some("::1"));
        assert_eq!(m.published, Some(PortRange::single(80)));
        let m = p("8000-8010:8000-8010");
        assert_eq!(m.published, Some(PortRange { start: 8000, end: 8010 }));
        let m = p("53:53/udp");
        assert_eq!(m.protocol, "udp");
        let m = p("127.0.0.1::80");
        assert_eq!(m.published, None);
        assert_eq!(p("2122:22").published, Some(PortRange::single(2122)));
    }

    #[test]
    fn bad_forms() {
        assert!(parse_short("70000:80", Span::default()).is_err());
        assert!(parse_short("80/xyz", Span::default()).is_err());
        assert!(parse_short("a:b", Span::default()).is_err());
    }
}
