//! What counts as a secret-bearing env var and as a placeholder value, shared by
//! `plaintext-secret` and `default-credentials`.

/// `*_PASSWORD`, `*_TOKEN`, `*_SECRET`, `*_KEY`, `*PASSWD` (and `PASSWORD` itself).
pub(crate) fn is_secret_name(name: &str) -> bool {
    let n = name.to_ascii_uppercase();
    if n.contains("PUBLIC") {
        return false;
    }
    n == "PASSWORD"
        || ["_PASSWORD", "_TOKEN", "_SECRET", "_KEY", "PASSWD"]
            .iter()
            .any(|s| n.ends_with(s))
}

/// Names that hold a password (for the default-credentials list).
pub(crate) fn is_password_name(name: &str) -> bool {
    let n = name.to_ascii_uppercase();
    n.contains("PASSWORD") || n.contains("PASSWD") || n.ends_with("_PASS") || n == "PASS"
}

/// Values that are obviously not a real secret: references, templates, placeholders, paths.
pub(crate) fn is_placeholder(value: &str) -> bool {
    let v = value.trim();
    let lower = v.to_ascii_lowercase();
    v.is_empty()
        || v.contains("$(")
        || v.contains("${")
        || v.contains("{{")
        || (v.starts_with('<') && v.ends_with('>'))
        || v.starts_with('/')
        || v.starts_with("./")
        || v.chars().all(|c| matches!(c, 'x' | 'X' | '*' | '.' | '-' | '_'))
        || [
            "replace",
            "insert",
            "change_me",
            "change-me",
            "your",
            "todo",
            "placeholder",
            "example",
            "dummy",
            "redacted",
        ]
        .iter()
        .any(|p| lower.contains(p))
        || matches!(lower.as_str(), "true" | "false" | "yes" | "no" | "none" | "null")
}

/// Well-known default passwords (images' documented defaults and the usual suspects).
pub(crate) fn is_default_password(value: &str) -> bool {
    const DEFAULTS: &[&str] = &[
        "postgres",
        "password",
        "admin",
        "root",
        "changeme",
        "changeit",
        "guest",
        "secret",
        "123456",
        "12345678",
        "mysql",
        "minioadmin",
        "pass",
        "letmein",
        "qwerty",
        "toor",
        "admin123",
        "password123",
        "passw0rd",
        "rabbitmq",
        "default",
    ];
    let lower = value.trim().to_ascii_lowercase();
    DEFAULTS.contains(&lower.as_str())
}
