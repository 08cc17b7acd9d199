//! nginx configuration (`*.conf`): only what names a backend — `server host:port;` inside
//! `upstream name { … }` blocks, and `proxy_pass`/`grpc_pass`/`fastcgi_pass`/`uwsgi_pass` URLs —
//! with the byte range of each address. Variables (`$host`) and unix sockets are left out.

use std::ops::Range;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Upstream {
    /// `host[:port]` (a URL's scheme and path removed).
    pub address: String,
    pub range: Range<usize>,
    /// The `upstream` block it is in, for `server` lines.
    pub block: Option<String>,
    /// The directive (`server`, `proxy_pass`, …).
    pub directive: String,
}

#[derive(Clone, Debug, Default)]
pub struct NginxConfig {
    pub upstream_names: Vec<String>,
    pub backends: Vec<Upstream>,
}

/// Whether a `*.conf` text reads like nginx configuration.
pub fn looks_like_nginx(text: &str) -> bool {
    text.contains("proxy_pass") || text.contains("upstream ") || (text.contains("server {") && text.contains("listen"))
}

/// Words of one statement, with their byte ranges.
fn words(text: &str, range: Range<usize>) -> Vec<(Range<usize>, &str)> {
    let mut out = Vec::new();
    let s = &text[range.clone()];
    let mut i = 0;
    for w in s.split(|c: char| c.is_whitespace()) {
        if !w.is_empty() {
            let start = range.start + i;
            out.push((start..start + w.len(), w));
        }
        i += w.len() + 1;
    }
    out
}

pub fn parse(text: &str) -> NginxConfig {
    let mut cfg = NginxConfig::default();
    let mut blocks: Vec<(String, Option<String>)> = Vec::new();
    let mut stmt_start = 0;
    let mut in_comment = false;
    let mut quote: Option<u8> = None;
    let bytes = text.as_bytes();
    // Comments are blanked so statements can be split on `;`, `{` and `}`.
    let mut clean = bytes.to_vec();
    for (i, &b) in bytes.iter().enumerate() {
        if in_comment {
            if b == b'\n' {
                in_comment = false;
            } else {
                clean[i] = b' ';
            }
            continue;
        }
        match (quote, b) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(b),
            (None, b'#') => {
                in_comment = true;
                clean[i] = b' ';
            }
            _ => {}
        }
    }
    let clean = String::from_utf8(clean).unwrap_or_default();
    for (i, c) in clean.char_indices() {
        if !matches!(c, ';' | '{' | '}') {
            continue;
        }
        let ws = words(&clean, stmt_start..i);
        stmt_start = i + 1;
        match c {
            '{' => {
                let name = ws.first().map(|w| w.1.to_owned()).unwrap_or_default();
                let arg = ws.get(1).map(|w| w.1.to_owned());
                if name == "upstream" {
                    cfg.upstream_names.extend(arg.clone());
                }
                blocks.push((name, arg));
            }
            '}' => {
                blocks.pop();
            }
            _ => {
                let Some((_, d)) = ws.first() else { continue };
                let Some((r, arg)) = ws.get(1).cloned() else { continue };
                let in_upstream = blocks.last().filter(|(n, _)| n == "upstream");
                let is_pass = matches!(*d, "proxy_pass" | "grpc_pass" | "fastcgi_pass" | "uwsgi_pass");
                if !(is_pass || (*d == "server" && in_upstream.is_some())) {
                    continue;
                }
                if arg.contains('$') || arg.starts_with("unix:") {
                    continue;
                }
                let (off, hostport) = match arg.find("://") {
                    Some(p) => (p + 3, &arg[p + 3..]),
                    None => (0, arg),
                };
                let hp_len = hostport.find('/').unwrap_or(hostport.len());
                let address = &hostport[..hp_len];
                if address.is_empty() {
                    continue;
                }
                let start = r.start + off;
                cfg.backends.push(Upstream {
                    address: address.to_owned(),
                    range: start..start + address.len(),
                    block: in_upstream.and_then(|(_, a)| a.clone()),
                    directive: (*d).to_owned(),
                });
            }
        }
    }
    cfg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upstreams_and_passes() {
        let text = "upstream app { server api:8000 weight=2; server web:80; }\n# proxy_pass http://no:1;\nserver {\n  listen 80;\n  location / { proxy_pass http://app; }\n  location /x { proxy_pass http://admin:9000/x/; }\n  location /y { proxy_pass http://$host; }\n}\n";
        let c = parse(text);
        assert_eq!(c.upstream_names, vec!["app"]);
        let a: Vec<&str> = c.backends.iter().map(|b| b.address.as_str()).collect();
        assert_eq!(a, vec!["api:8000", "web:80", "app", "admin:9000"]);
        assert_eq!(&text[c.backends[3].range.clone()], "admin:9000");
    }
}
