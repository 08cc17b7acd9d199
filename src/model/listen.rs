//! What a container listens on, and where it binds: read from its command line (server flags of
//! uvicorn, gunicorn, flask, django, http.server, node/next, rails, streamlit, hypercorn), from
//! HOST/BIND-style environment, from `ports`/`expose`, from the Dockerfile's `EXPOSE`, and from
//! the well-known default port of official images. Used by the network and health rules.

/// Loopback addresses: a server bound to one of them is unreachable from other containers.
pub fn is_loopback(host: &str) -> bool {
    let h = host.trim_matches(|c| c == '[' || c == ']');
    h == "localhost"
        || h == "::1"
        || h.starts_with("127.") && h.split('.').count() == 4 && h.split('.').all(|p| p.parse::<u8>().is_ok())
}

/// Whether `text` may hold a loopback host, as [`is_loopback`] or the Kubernetes checks'
/// `dns::is_loopback` (on lowercased hosts) accept one: a cheap test that lets the localhost rules
/// skip values that cannot reach localhost before scanning them for hosts.
pub(crate) fn may_name_loopback(text: &str) -> bool {
    text.contains("127.")
        || text.contains("::1")
        || text.contains("0:0:0:0:0:0:0:1")
        || super::contains_ignore_ascii_case(text, "localhost")
}

/// A bind address found in a command line: the argument index holding the host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bind {
    pub host: String,
    pub port: Option<u16>,
    /// Index of the argument that holds the host (for its span).
    pub arg: usize,
    /// The flag or program that set it, for the message (`--host`, `runserver`).
    pub via: String,
}

/// Splits `host:port` (`[::1]:8000`, `127.0.0.1:8000`, `0.0.0.0`), port optional.
pub fn split_host_port(s: &str) -> (String, Option<u16>) {
    if let Some(rest) = s.strip_prefix('[') {
        if let Some((h, p)) = rest.split_once(']') {
            return (h.to_owned(), p.strip_prefix(':').and_then(|p| p.parse().ok()));
        }
    }
    match s.rsplit_once(':') {
        Some((h, p)) if !h.contains(':') => (h.to_owned(), p.parse().ok()),
        _ if s.parse::<u16>().is_ok() => (String::new(), s.parse().ok()),
        _ => (s.to_owned(), None),
    }
}

/// Server flags that take a host: `(program hint, flag)`; `None` hint means any program.
const HOST_FLAGS: &[&str] = &["--host", "--hostname", "--server.address", "--binding"];
/// Flags whose value is `host:port`.
const BIND_FLAGS: &[&str] = &["--bind", "-b"];
/// Flags that take a port.
const PORT_FLAGS: &[&str] = &["--port", "-p", "--server.port", "--listen-port"];

/// Binds and ports set by a command line (already split into words; `sh -c "..."` bodies too).
pub fn command_binds<S: AsRef<str>>(args: &[S]) -> (Vec<Bind>, Vec<u16>) {
    let mut binds = Vec::new();
    let mut ports = Vec::new();
    let words: Vec<&str> = args.iter().map(AsRef::as_ref).collect();
    let program_has = |name: &str| {
        words
            .iter()
            .any(|w| w.rsplit('/').next().is_some_and(|p| p == name || p.starts_with(name)))
    };
    let flask = words.windows(2).any(|w| w[0].ends_with("flask") && w[1] == "run");
    let next_like = program_has("next") || program_has("node") || program_has("nuxt") || program_has("vite");
    let rails = program_has("rails") || program_has("puma");
    let http_server = words.windows(2).any(|w| w[0] == "-m" && w[1] == "http.server");
    for (i, w) in words.iter().enumerate() {
        let (flag, inline) = match w.split_once('=') {
            Some((f, v)) if f.starts_with('-') => (f, Some(v)),
            _ => (*w, None),
        };
        let value_at = if inline.is_some() { i } else { i + 1 };
        let bind = |host: String, port: Option<u16>| Bind {
            host,
            port,
            arg: value_at,
            via: flag.to_owned(),
        };
        let value = inline.or_else(|| words.get(i + 1).copied());
        let Some(value) = value else { continue };
        let is_host_flag = HOST_FLAGS.contains(&flag)
            || (flag == "-h" && flask)
            || (flag == "-H" && next_like)
            || (flag == "-b" && rails);
        if is_host_flag {
            let (host, port) = split_host_port(value);
            binds.push(bind(host, port));
            continue;
        }
        if BIND_FLAGS.contains(&flag) && !rails {
            if http_server {
                binds.push(bind(value.to_owned(), None));
                continue;
            }
            for part in value.split(',') {
                if part.starts_with("unix:") {
                    continue;
                }
                let (host, port) = split_host_port(part);
                ports.extend(port);
                binds.push(bind(host, port));
            }
            continue;
        }
        if PORT_FLAGS.contains(&flag) {
            if let Ok(p) = value.parse::<u16>() {
                ports.push(p);
            }
        }
        if *w == "runserver" {
            if let Some(addr) = words.get(i + 1).filter(|a| !a.starts_with('-')) {
                let (host, port) = split_host_port(addr);
                ports.extend(port);
                if !host.is_empty() {
                    binds.push(Bind {
                        host,
                        port,
                        arg: i + 1,
                        via: "runserver".to_owned(),
                    });
                }
            }
        }
    }
    if http_server {
        // `python -m http.server 8000`: the first bare number after the module.
        if let Some(p) = words
            .iter()
            .skip_while(|w| **w != "http.server")
            .skip(1)
            .find_map(|w| w.parse::<u16>().ok())
        {
            ports.push(p);
        }
    }
    for b in &mut binds {
        if b.port.is_none() {
            b.port = ports.first().copied();
        }
    }
    (binds, ports)
}

/// Environment variables that set the address a server listens on.
pub const BIND_ENV: &[&str] = &[
    "HOST",
    "BIND",
    "BIND_ADDRESS",
    "BIND_ADDR",
    "BIND_HOST",
    "LISTEN_ADDRESS",
    "LISTEN_ADDR",
    "LISTEN_HOST",
    "SERVER_HOST",
    "SERVER_ADDR",
    "APP_HOST",
    "UVICORN_HOST",
    "FLASK_RUN_HOST",
    "WEB_HOST",
    "HTTP_HOST_BIND",
];

/// Which kind of backing service an env-variable prefix usually names (`REDIS_HOST` → redis).
pub fn prefix_images(prefix: &str) -> &'static [&'static str] {
    match prefix.to_ascii_uppercase().as_str() {
        "REDIS" | "CACHE" => &["redis", "valkey", "keydb", "redis-stack-server"],
        "POSTGRES" | "PG" | "POSTGRESQL" => &["postgres", "postgis", "timescaledb", "pgvector"],
        "MYSQL" | "MARIADB" => &["mysql", "mariadb", "percona"],
        "DB" | "DATABASE" => &["postgres", "postgis", "mysql", "mariadb", "mongo"],
        "MONGO" | "MONGODB" => &["mongo"],
        "RABBITMQ" | "RABBIT" | "AMQP" => &["rabbitmq"],
        "MEMCACHED" => &["memcached"],
        "ELASTICSEARCH" | "ES" | "ELASTIC" => &["elasticsearch", "opensearch"],
        "OLLAMA" => &["ollama"],
        _ => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        crate::compose::read::split_words(s)
    }

    #[test]
    fn servers() {
        let (b, p) = command_binds(&words("uvicorn app:app --host 127.0.0.1 --port 8000"));
        assert_eq!(b[0].host, "127.0.0.1");
        assert_eq!(b[0].port, Some(8000));
        assert_eq!(p, vec![8000]);
        let (b, _) = command_binds(&words("gunicorn -b 127.0.0.1:5000 app:app"));
        assert_eq!((b[0].host.as_str(), b[0].port), ("127.0.0.1", Some(5000)));
        let (b, _) = command_binds(&words("python manage.py runserver 127.0.0.1:8000"));
        assert_eq!(b[0].via, "runserver");
        let (b, _) = command_binds(&words("flask run -h localhost -p 5000"));
        assert_eq!(b[0].host, "localhost");
        let (b, _) = command_binds(&words("python -m http.server --bind 127.0.0.1 8080"));
        assert_eq!((b[0].host.as_str(), b[0].port), ("127.0.0.1", Some(8080)));
        let (b, _) = command_binds(&words("next dev -H 127.0.0.1 -p 3000"));
        assert_eq!(b[0].host, "127.0.0.1");
        let (b, _) = command_binds(&words("rails server -b 127.0.0.1"));
        assert_eq!(b[0].host, "127.0.0.1");
        let (b, _) = command_binds(&words("streamlit run app.py --server.address=localhost"));
        assert_eq!(b[0].host, "localhost");
        let (b, _) = command_binds(&words("uvicorn app:app --host 0.0.0.0"));
        assert!(!is_loopback(&b[0].host));
        // `ps -p 1` or `tar -h` are not servers.
        let (b, _) = command_binds(&words("ls -h /tmp"));
        assert!(b.is_empty());
    }

    #[test]
    fn loopback() {
        assert!(is_loopback("127.0.0.1"));
        assert!(is_loopback("[::1]"));
        assert!(is_loopback("localhost"));
        assert!(!is_loopback("0.0.0.0"));
        assert!(!is_loopback("127.example.com"));
    }
}
