//! What stacklint knows about well-known images, without pulling them: their default ports, whether
//! they ship curl or wget, whether they define a HEALTHCHECK. Unknown image → `None`, and rules
//! that need the fact stay silent.

/// The image name without registry, tag or digest: `docker.io/library/redis:7` → `redis`.
pub fn image_name(image: &str) -> &str {
    let no_digest = image.split('@').next().unwrap_or(image);
    let last = no_digest.rsplit('/').next().unwrap_or(no_digest);
    last.split(':').next().unwrap_or(last)
}

/// Default ports of well-known images (what the process inside listens on without configuration).
pub fn image_default_ports(image: &str) -> &'static [u16] {
    match image_name(image) {
        "redis" | "redis-stack-server" | "valkey" | "keydb" | "redismod" => &[6379],
        "postgres" | "postgis" | "timescaledb" | "pgvector" => &[5432],
        "mysql" | "mariadb" | "percona" => &[3306],
        "mongo" | "mongodb" => &[27017],
        "rabbitmq" => &[5672, 15672],
        "memcached" => &[11211],
        "elasticsearch" | "opensearch" => &[9200, 9300],
        "nginx" | "httpd" | "caddy" => &[80],
        "grafana" => &[3000],
        "prometheus" => &[9090],
        "ollama" => &[11434],
        "minio" => &[9000],
        "nats" => &[4222],
        "zookeeper" => &[2181],
        "kafka" | "cp-kafka" => &[9092],
        "consul" => &[8500],
        "vault" => &[8200],
        "influxdb" => &[8086],
        "jaeger" | "all-in-one" => &[16686],
        "mailhog" | "mailpit" => &[1025, 8025],
        "adminer" => &[8080],
        "pgadmin4" => &[80],
        _ => &[],
    }
}

/// The tag part of an image reference (`python:3.12-slim` → `3.12-slim`).
fn tag(image: &str) -> &str {
    let no_digest = image.split('@').next().unwrap_or(image);
    let last = no_digest.rsplit('/').next().unwrap_or(no_digest);
    last.split_once(':').map_or("", |(_, t)| t)
}

/// Whether an image ships `tool` (`curl` or `wget`); `None` when unknown.
pub fn ships_tool(image: &str, tool: &str) -> Option<bool> {
    // Asked for every healthcheck that runs curl or wget: lowercased only when it has to be.
    let lower: std::borrow::Cow<'_, str> = if image.bytes().any(|b| b.is_ascii_uppercase()) {
        image.to_ascii_lowercase().into()
    } else {
        image.into()
    };
    let name = image_name(&lower);
    let tag = tag(&lower);
    if lower.contains("distroless") || name == "scratch" || lower.starts_with("cgr.dev/chainguard/static") {
        return Some(false);
    }
    // busybox (alone or inside alpine) provides `wget`, never `curl`.
    if name == "busybox" || name == "alpine" || tag.contains("alpine") {
        return Some(tool == "wget");
    }
    if tag.contains("slim") || matches!(name, "debian" | "ubuntu") {
        return Some(false);
    }
    // Full official language images are built on buildpack-deps, which has both.
    if matches!(
        name,
        "python" | "node" | "golang" | "ruby" | "openjdk" | "rust" | "php" | "buildpack-deps"
    ) && !tag.is_empty()
    {
        return Some(true);
    }
    None
}

/// Whether an image is known to define no HEALTHCHECK (the official database, cache and web server
/// images do not). `None` when unknown.
pub fn defines_healthcheck(image: &str) -> Option<bool> {
    match image_name(&image.to_ascii_lowercase()) {
        "redis" | "postgres" | "mysql" | "mariadb" | "mongo" | "rabbitmq" | "memcached" | "nginx" | "httpd"
        | "python" | "node" | "golang" | "alpine" | "debian" | "ubuntu" | "busybox" | "elasticsearch" | "adminer"
        | "wordpress" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images() {
        assert_eq!(image_name("docker.io/library/redis:7.4@sha256:abc"), "redis");
        assert_eq!(image_default_ports("bitnami/postgresql:16"), &[] as &[u16]);
        assert_eq!(image_default_ports("postgres:16"), &[5432]);
        assert_eq!(ships_tool("python:3.12-slim", "curl"), Some(false));
        assert_eq!(ships_tool("node:20-alpine", "wget"), Some(true));
        assert_eq!(ships_tool("node:20-alpine", "curl"), Some(false));
        assert_eq!(ships_tool("gcr.io/distroless/python3", "wget"), Some(false));
        assert_eq!(ships_tool("python:3.12", "curl"), Some(true));
        assert_eq!(ships_tool("ghcr.io/acme/api:1", "curl"), None);
    }
}
