//! Security rules, and what they share: every environment value the repository sets (compose
//! `environment` and committed env files), and the tables of credential-like names and defaults.
//! Values are read here to decide; they never leave this module in a message, label, help or
//! subject, and findings mark their span with `redact` so snippets mask them.

pub(crate) mod default_credentials;
pub(crate) mod plaintext_secret;

use crate::compose::model::is_unknown;
use crate::model::ends_with_ignore_ascii_case as ends_with_ci;
use crate::model::interpolate::{has_interpolation, interpolate, Lookup};
use crate::model::stack::is_env_template;
use crate::model::Stack;
use crate::source::Span;
use std::collections::HashMap;

/// One `NAME=value` the repository sets.
pub(crate) struct EnvValue<'a> {
    pub name: &'a str,
    pub name_span: Span,
    pub value_span: Span,
    /// The services that set it, for compose `environment` (several when they inherit the line
    /// from one anchor or `extends`); empty in an env file.
    pub services: Vec<&'a str>,
    /// For a compose value interpolated from the project's `.env`: those variables and their
    /// values. That `.env` is read itself, so a rule that fires on one of them reports it there
    /// and stays silent here (one finding per secret, at the place that holds it).
    pub via: Vec<(&'a str, &'a str)>,
}

/// Every literal environment value `keep(name, value)` accepts: compose `environment` entries
/// (after interpolation, skipping values still unknown, and values that only repeat a variable of
/// the project's `.env`, which is read itself), then every committed env file except templates
/// (`.env.example`, ...). `keep` is asked first, so that only the few values a rule may report
/// have their interpolated variables looked up.
pub(crate) fn env_values<'a>(stack: &'a Stack, keep: &dyn Fn(&str, &str) -> bool) -> Vec<EnvValue<'a>> {
    let mut out: Vec<EnvValue> = Vec::new();
    let mut at: HashMap<(Span, Span), usize> = HashMap::new();
    for project in &stack.projects {
        for s in &project.model.services {
            for e in &s.environment {
                let Some(v) = &e.value else { continue };
                if v.value.is_empty() || !keep(&e.name.value, &v.value) || is_unknown(&v.value) {
                    continue;
                }
                let raw = stack.sources.get(v.span.file).map_or("", |f| f.slice(v.span));
                let mut via = Vec::new();
                if has_interpolation(raw) {
                    let none = |_: &str| -> Option<Lookup> { None };
                    for r in interpolate(raw, &none).vars {
                        if let Some((k, val)) = project.env.get_key_value(&r.name) {
                            via.push((k.as_str(), val.as_str()));
                        }
                    }
                }
                let place = (e.name.span, v.span);
                match at.get(&place) {
                    // One line, one finding: services that share it through an anchor
                    // (`<<: *common`) or `extends`, and one service seen in several projects.
                    Some(&i) => {
                        let known: &mut EnvValue = &mut out[i];
                        if !known.services.contains(&s.name.value.as_str()) {
                            known.services.push(&s.name.value);
                        }
                        known.via.extend(via);
                    }
                    None => {
                        at.insert(place, out.len());
                        out.push(EnvValue {
                            name: &e.name.value,
                            name_span: e.name.span,
                            value_span: v.span,
                            services: vec![&s.name.value],
                            via,
                        });
                    }
                }
            }
        }
    }
    let mut files: Vec<(&String, &crate::model::stack::EnvDoc)> = stack.env_files.iter().collect();
    files.sort_by(|a, b| a.0.cmp(b.0));
    for (path, doc) in files {
        if is_env_template(path) {
            continue;
        }
        for en in &doc.doc.entries {
            if en.value.is_empty() || !keep(&en.key, &en.value) || has_interpolation(&en.value) {
                continue;
            }
            out.push(EnvValue {
                name: &en.key,
                name_span: Span::new(doc.file, en.key_range.start, en.key_range.end),
                value_span: Span::new(doc.file, en.value_range.start, en.value_range.end),
                services: Vec::new(),
                via: Vec::new(),
            });
        }
    }
    out
}

/// "service `a`", "services `a` and `b`", "services `a`, `b` and `c`", "services `a`, `b` and 3
/// more": who sets a value.
pub(crate) fn who(services: &[&str]) -> String {
    match services {
        [] => String::new(),
        [one] => format!("service `{one}`"),
        [a, b] => format!("services `{a}` and `{b}`"),
        [a, b, c] => format!("services `{a}`, `{b}` and `{c}`"),
        [a, b, rest @ ..] => format!("services `{a}`, `{b}` and {} more", rest.len()),
    }
}

/// Defaults shipped in official image docs and tutorials (MySQL and MariaDB images' examples).
const MYSQL_DEFAULTS: &[&str] = &[
    "root",
    "password",
    "mysql",
    "example",
    "secret",
    "changeme",
    "my-secret-pw",
];

/// Variables of well-known images with the defaults their docs and quick starts use.
const KNOWN_DEFAULTS: &[(&str, &[&str])] = &[
    // postgres image: the superuser is `postgres`, and every tutorial sets the same password.
    ("POSTGRES_PASSWORD", &["postgres", "mysecretpassword"]),
    ("MYSQL_ROOT_PASSWORD", MYSQL_DEFAULTS),
    ("MYSQL_PASSWORD", MYSQL_DEFAULTS),
    // Docker's WordPress quick start: somewordpress / wordpress.
    ("MYSQL_ROOT_PASSWORD", &["somewordpress"]),
    ("MYSQL_PASSWORD", &["wordpress"]),
    ("WORDPRESS_DB_PASSWORD", &["wordpress"]),
    // The SQL Server image's documented example.
    ("MSSQL_SA_PASSWORD", &["yourstrong(!)password"]),
    ("SA_PASSWORD", &["yourstrong(!)password"]),
    ("MARIADB_ROOT_PASSWORD", MYSQL_DEFAULTS),
    ("MARIADB_PASSWORD", MYSQL_DEFAULTS),
    // RabbitMQ's built-in account is guest/guest.
    ("RABBITMQ_DEFAULT_PASS", &["guest"]),
    // Grafana's first login is admin/admin.
    ("GF_SECURITY_ADMIN_PASSWORD", &["admin"]),
    // MinIO's documented default is minioadmin/minioadmin (older images: MINIO_SECRET_KEY).
    ("MINIO_ROOT_PASSWORD", &["minioadmin"]),
    ("MINIO_SECRET_KEY", &["minioadmin"]),
    ("MONGO_INITDB_ROOT_PASSWORD", &["root", "password", "example", "mongo"]),
    // Elasticsearch's historical default for `elastic`.
    ("ELASTIC_PASSWORD", &["changeme"]),
];

/// Values that are a default (or a guess away from one) for any password-like variable.
const GENERIC_DEFAULTS: &[&str] = &[
    "password", "admin", "changeme", "secret", "123456", "root", "example", "test",
];

/// How every name [`is_default_credential`] can accept ends: the names of [`KNOWN_DEFAULTS`] and
/// the password-like names of [`is_password_name`].
const DEFAULT_NAME_ENDINGS: &[&str] = &["PASSWORD", "PASS", "PASSWD", "KEY"];

fn is_password_name(name: &str) -> bool {
    name.eq_ignore_ascii_case("PASSWORD") || ["_PASSWORD", "_PASS", "PASSWD"].iter().any(|s| ends_with_ci(name, s))
}

/// Whether `value` is a well-known default for the credential `name` (case-insensitive value).
/// Asked of every environment value the repository sets, so it copies nothing: the names in
/// [`KNOWN_DEFAULTS`] are upper case and every default is lower case.
pub(crate) fn is_default_credential(name: &str, value: &str) -> bool {
    // Every name of either table ends so (a test keeps it true): most variables stop here.
    if !DEFAULT_NAME_ENDINGS.iter().any(|e| ends_with_ci(name, e)) {
        return false;
    }
    let v = value.trim();
    let is = |defaults: &[&str]| defaults.iter().any(|d| d.eq_ignore_ascii_case(v));
    let known = KNOWN_DEFAULTS
        .iter()
        .any(|(n, vals)| n.eq_ignore_ascii_case(name) && is(vals));
    known || is_password_name(name) && is(GENERIC_DEFAULTS)
}

/// Name endings that mark a secret.
const SECRET_SUFFIXES: &[&str] = &["_PASSWORD", "_PASS", "PASSWD", "_TOKEN", "_SECRET", "_KEY"];
/// Exact names that are secrets.
const SECRET_NAMES: &[&str] = &["PASSWORD", "SECRET", "TOKEN", "APIKEY"];
/// Name endings that look like secrets but are not: public halves and identifiers of key pairs,
/// browser-side keys by design, and the usual non-cryptographic "keys".
const NOT_SECRET_SUFFIXES: &[&str] = &[
    "PUBLIC_KEY",
    "_PUB_KEY",
    "PUBLISHABLE_KEY",
    "_SITE_KEY",
    "_SITEKEY",
    "_PRIMARY_KEY",
    "_PARTITION_KEY",
    "_SORT_KEY",
    "_CACHE_KEY",
    "_ROUTING_KEY",
    "_KEY_ID",
    "_FILE",
];

/// Whether a variable name says it holds a secret (`*_PASSWORD`, `*_TOKEN`, `*_SECRET`, `*_KEY`, ...;
/// not `*_PASSWORD_FILE`, `AWS_ACCESS_KEY_ID` or `*_PUBLIC_KEY`).
pub(crate) fn is_secret_name(name: &str) -> bool {
    // Asked of every variable the repository sets: the rare secret-like names first.
    let secret_like = SECRET_NAMES.iter().any(|n| n.eq_ignore_ascii_case(name))
        || SECRET_SUFFIXES.iter().any(|s| ends_with_ci(name, s));
    secret_like && !NOT_SECRET_SUFFIXES.iter().any(|s| ends_with_ci(name, s))
}

/// A value that stands for a secret without being one: `<token>`, `xxx`, `your-key-here`, `...`,
/// a path to a key file, a flag, or too short (under 4 characters) to be a credential.
pub(crate) fn is_placeholder(value: &str) -> bool {
    let v = value.trim().to_ascii_lowercase();
    v.chars().count() < 4
        || v.starts_with('<') && v.ends_with('>')
        || v.chars().all(|c| matches!(c, 'x' | '*' | '.' | '-' | '_' | '#'))
        || v.starts_with("your")
        || [
            "_here",
            "-here",
            "replace",
            "placeholder",
            "change_me",
            "change-me",
            "dummy",
            "todo",
            "fixme",
        ]
        .iter()
        .any(|p| v.contains(p))
        || ["/", "./", "../", "~/"].iter().any(|p| v.starts_with(p))
        || ["true", "false", "none", "null"].contains(&v.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`is_default_credential`] compares without copying, which is right only while the tables
    /// keep their case: names upper case, defaults lower case.
    #[test]
    fn tables_keep_the_case_the_comparisons_rely_on() {
        for (name, defaults) in KNOWN_DEFAULTS {
            assert_eq!(*name, name.to_ascii_uppercase());
            for d in defaults.iter().chain(GENERIC_DEFAULTS) {
                assert_eq!(*d, d.to_ascii_lowercase());
            }
        }
    }

    /// The early return of [`is_default_credential`] must let every name of the tables through.
    #[test]
    fn default_name_endings_cover_the_tables() {
        let covered = |n: &str| DEFAULT_NAME_ENDINGS.iter().any(|e| ends_with_ci(n, e));
        for (name, _) in KNOWN_DEFAULTS {
            assert!(covered(name), "{name}");
        }
        for name in ["PASSWORD", "DB_PASSWORD", "X_PASS", "DBPASSWD", "db_pass"] {
            assert!(is_password_name(name), "{name}");
            assert!(covered(name), "{name}");
        }
    }

    #[test]
    fn names_and_defaults_match_in_any_case() {
        assert!(is_default_credential("postgres_password", " Postgres "));
        assert!(is_default_credential("DB_PASS", "ADMIN"));
        assert!(!is_default_credential("DB_USER", "admin"));
        assert!(!is_default_credential("POSTGRES_PASSWORD", "s3cr3t-Value"));
        assert!(is_secret_name("api_token"));
        assert!(is_secret_name("ApiKey"));
        assert!(!is_secret_name("stripe_publishable_key"));
        assert!(!is_secret_name("DB_PASSWORD_FILE"));
        assert!(!is_secret_name("LOG_LEVEL"));
    }
}
