//! Finds network endpoints in free text: `scheme://[user[:pass]@]host[:port][/path]` URLs and bare
//! `host:port` pairs, with byte ranges, for env values, healthchecks, docs and configs.

use std::ops::Range;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    pub scheme: Option<String>,
    pub host: String,
    /// Explicit port, or the scheme's default for http/https when absent.
    pub port: Option<u16>,
    pub explicit_port: bool,
    /// Range of `host[:port]` in the text.
    pub range: Range<usize>,
}

fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "http" | "ws" => Some(80),
        "https" | "wss" => Some(443),
        _ => None,
    }
}

fn host_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')
}

/// Every endpoint in `text`. Bare `host:port` needs a plausible host (a name with a letter, or an
/// IPv4 address) and a numeric port; `${VAR}` parts end the scan of that token.
pub fn endpoints(text: &str) -> Vec<Endpoint> {
    // Both forms hold a colon (`://`, `host:port`): most env values and arguments hold none, and
    // the rules ask of every one.
    if memchr::memchr(b':', text.as_bytes()).is_none() {
        return Vec::new();
    }
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        // URL: scheme://
        if let Some(rel) = text.get(i..).and_then(|t| t.find("://")) {
            let sep = i + rel;
            // After the last character that cannot be in a scheme (which may be several bytes
            // long: a BOM or a non-ASCII letter right before `://`).
            let scheme_start = text[..sep]
                .char_indices()
                .rev()
                .find(|&(_, c)| !(c.is_ascii_alphanumeric() || c == '+' || c == '.' || c == '-'))
                .map_or(0, |(p, c)| p + c.len_utf8());
            let scheme = text[scheme_start..sep].to_ascii_lowercase();
            let auth_start = sep + 3;
            let auth_end = text[auth_start..]
                .find(['/', '?', '#', ' ', '"', '\'', ',', ';', ')'])
                .map_or(text.len(), |p| auth_start + p);
            let authority = &text[auth_start..auth_end];
            let host_part_start = authority.rfind('@').map_or(auth_start, |p| auth_start + p + 1);
            if let Some(ep) = host_port(text, host_part_start, auth_end, (!scheme.is_empty()).then_some(scheme)) {
                out.push(ep);
            }
            // Bare pairs before this URL.
            bare(text, i, scheme_start, &mut out);
            i = auth_end.max(sep + 3);
            continue;
        }
        bare(text, i, text.len(), &mut out);
        break;
    }
    out
}

/// Parses `host[:port]` in `text[start..end]` (IPv6 in brackets allowed).
fn host_port(text: &str, start: usize, end: usize, scheme: Option<String>) -> Option<Endpoint> {
    let s = text.get(start..end)?;
    let (host, port_text) = if let Some(rest) = s.strip_prefix('[') {
        let (h, after) = rest.split_once(']')?;
        (h.to_owned(), after.strip_prefix(':'))
    } else {
        match s.split_once(':') {
            Some((h, p)) => (h.to_owned(), Some(p)),
            None => (s.to_owned(), None),
        }
    };
    if host.is_empty() || host.contains('$') || host.contains('{') {
        return None;
    }
    let (port, explicit) = match port_text {
        Some(p) if p.contains('$') => return None,
        Some(p) => (Some(p.parse::<u16>().ok()?), true),
        None => (scheme.as_deref().and_then(default_port), false),
    };
    Some(Endpoint {
        scheme,
        host,
        port,
        explicit_port: explicit,
        range: start..end,
    })
}

/// Bare `host:port` tokens in `text[from..to]`.
fn bare(text: &str, from: usize, to: usize, out: &mut Vec<Endpoint>) {
    let Some(seg) = text.get(from..to) else { return };
    let mut pos = 0;
    for token in
        seg.split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '"' | '\'' | '(' | ')' | '=' | '@' | '/'))
    {
        let start = from + pos;
        pos += token.len() + 1;
        let Some((h, p)) = token.split_once(':') else { continue };
        if h.is_empty() || !h.chars().all(host_char) || p.is_empty() || !p.chars().all(|c| c.is_ascii_digit()) {
            continue;
        }
        let ipv4 = h.split('.').count() == 4 && h.split('.').all(|x| x.parse::<u8>().is_ok());
        if !ipv4 && !h.chars().any(|c| c.is_ascii_alphabetic()) {
            continue;
        }
        let Ok(port) = p.parse::<u16>() else { continue };
        out.push(Endpoint {
            scheme: None,
            host: h.to_owned(),
            port: Some(port),
            explicit_port: true,
            range: start..start + token.len(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multibyte_character_before_a_scheme() {
        // Found by fuzzing (k8s target): a BOM inside `htt\u{feff}p://` sliced inside the BOM.
        let text = "curl htt\u{feff}p://localhost(:8004/health é://x:1";
        for e in endpoints(text) {
            assert!(text.get(e.range.clone()).is_some(), "{e:?}");
        }
        assert_eq!(endpoints("\u{feff}http://api:80")[0].host, "api");
    }

    #[test]
    fn urls_and_pairs() {
        let e = endpoints("redis://:secret@localhost:6379/0");
        assert_eq!(e.len(), 1);
        assert_eq!((e[0].host.as_str(), e[0].port), ("localhost", Some(6379)));
        let e = endpoints("postgres://app:pw@db:5432/app?sslmode=disable");
        assert_eq!((e[0].host.as_str(), e[0].port), ("db", Some(5432)));
        let e = endpoints("curl -f http://localhost/health");
        assert_eq!(
            (e[0].host.as_str(), e[0].port, e[0].explicit_port),
            ("localhost", Some(80), false)
        );
        let e = endpoints("nc -z 127.0.0.1:8080 && echo http://[::1]:9000/x");
        assert_eq!(e.len(), 2);
        assert!(e.iter().any(|x| x.host == "::1" && x.port == Some(9000)));
        assert!(e.iter().any(|x| x.host == "127.0.0.1" && x.port == Some(8080)));
        assert!(endpoints("image: redis:7.4").iter().all(|x| x.port != Some(7)));
        assert!(endpoints("10:30").is_empty());
        assert!(endpoints("http://${HOST}:8000").is_empty());
        let e = endpoints("kafka:9092,zk:2181");
        assert_eq!(e.len(), 2);
    }
}
