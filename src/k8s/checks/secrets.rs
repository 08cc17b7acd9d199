//! What counts as a secret-bearing env var and as a placeholder value, shared by
//! `plaintext-secret` and `default-credentials`.

use crate::model::{contains_ignore_ascii_case, ends_with_ignore_ascii_case as ends_with_ci};

/// `*_PASSWORD`, `*_TOKEN`, `*_SECRET`, `*_KEY`, `*PASSWD` (and `PASSWORD` itself), in any case.
/// Asked of every environment variable by several rules: compared in place, without an
/// upper-cased copy of each name.
pub(crate) fn is_secret_name(name: &str) -> bool {
    // Asked of every variable name the repository sets: the rare secret-like ending first.
    let secret_like = name.eq_ignore_ascii_case("PASSWORD")
        || ["_PASSWORD", "_TOKEN", "_SECRET", "_KEY", "PASSWD"]
            .iter()
            .any(|s| ends_with_ci(name, s));
    secret_like && !contains_ignore_ascii_case(name, "PUBLIC")
}

/// Names that hold a password (for the default-credentials list), in any case.
pub(crate) fn is_password_name(name: &str) -> bool {
    contains_ignore_ascii_case(name, "PASSWORD")
        || contains_ignore_ascii_case(name, "PASSWD")
        || ends_with_ci(name, "_PASS")
        || name.eq_ignore_ascii_case("PASS")
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_and_password_names_in_any_case() {
        for name in [
            "PASSWORD",
            "password",
            "DB_PASSWORD",
            "db_Password",
            "API_TOKEN",
            "jwt_secret",
            "Aws_Key",
            "MYSQL_ROOT_PASSWD",
        ] {
            assert!(is_secret_name(name), "{name}");
        }
        for name in [
            "PUBLIC_KEY",
            "stripe_public_key",
            "KEYS",
            "TOKEN_URL",
            "PASS",
            "",
            "é_KEYÉ",
            "_KE",
        ] {
            assert!(!is_secret_name(name), "{name}");
        }
        for name in ["PASS", "pass", "REDIS_PASS", "x_password_file", "passwd"] {
            assert!(is_password_name(name), "{name}");
        }
        for name in ["PASSPORT", "BYPASS_CACHE", "USER", "é"] {
            assert!(!is_password_name(name), "{name}");
        }
    }
}
