//! `.stacklint.yaml`: found at the checked root or above it inside the repository, parsed by our YAML layer, validated
//! against `schemas/config.schema.json` (ours), and resolved into [`Config`]. Errors point into the
//! config file with line and column and suggest the nearest valid name.

use crate::diagnostic::Severity;
use crate::source::{FileId, SourceFile};
use crate::yaml::{parse_yaml, Node, YamlLimits};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub const CONFIG_NAMES: &[&str] = &[".stacklint.yaml", ".stacklint.yml"];
const SCHEMA: &str = include_str!("../schemas/config.schema.json");
pub const DEFAULT_MAX_FILE_SIZE: u64 = 5 * 1024 * 1024;

/// Severity override for one rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleLevel {
    Off,
    On(Severity),
}

#[derive(Clone, Debug, Default)]
pub struct IgnoreEntry {
    pub rule: String,
    pub paths: Vec<String>,
    pub reason: Option<String>,
    /// Byte range of the entry in the config text (for `unused-suppression`).
    pub range: std::ops::Range<usize>,
}

#[derive(Clone, Debug, Default)]
pub struct ProjectSpec {
    pub name: String,
    pub files: Vec<String>,
    pub env_file: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub struct Config {
    /// Where the config was found, if anywhere.
    pub path: Option<PathBuf>,
    /// The config text as read (to point at unused `ignore` entries without reading it again).
    pub text: Option<String>,
    pub include: Vec<String>,
    pub exclude: Vec<String>,
    pub rules: BTreeMap<String, RuleLevel>,
    pub ignore: Vec<IgnoreEntry>,
    pub projects: Vec<ProjectSpec>,
    pub k8s_namespace: Option<String>,
    pub k8s_known_objects: Vec<String>,
    /// `kubernetes.schemas`: CRD or JSON schema files and folders (relative to the root), each with
    /// the byte range of its entry in the config text.
    pub k8s_schemas: Vec<(String, std::ops::Range<usize>)>,
    /// `kubernetes.version`: the minor version of the targeted Kubernetes 1.x, and the byte range of
    /// the value in the config text.
    pub k8s_version: Option<(u32, std::ops::Range<usize>)>,
    pub max_file_size: Option<u64>,
    /// Port registry files (relative to the root), besides those found by name.
    pub registry: Vec<String>,
    /// Machines shared by compose projects and systemd units.
    pub hosts: Vec<HostSpec>,
    /// `docs:` globs: the Markdown files whose claims are checked (default: every `*.md` outside
    /// vendored folders).
    pub docs: Vec<String>,
    /// `inactive:` globs: files and folders set aside as copies (see `crate::activity`).
    pub inactive: Vec<String>,
    /// `live:` globs: files and folders kept live whatever their path says.
    pub live: Vec<String>,
}

/// One `hosts` entry: compose projects and systemd units that run on one machine.
#[derive(Clone, Debug, Default)]
pub struct HostSpec {
    pub name: String,
    pub projects: Vec<String>,
    pub units: Vec<String>,
}

impl Config {
    pub fn max_file_size(&self) -> u64 {
        self.max_file_size.unwrap_or(DEFAULT_MAX_FILE_SIZE)
    }
}

/// A config error, already rendered as `path:line:col: message`.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

/// Finds `.stacklint.yaml` in `start` or a folder above it, up to the repository root (the folder
/// holding `.git`, or `start` itself outside a repository): a config above the repository belongs
/// to someone else. A config that is a symlink leading out of the repository root is refused.
pub fn find(start: &Path) -> Result<Option<PathBuf>, ConfigError> {
    let top = crate::safe_path::repository_root(start);
    let repo = crate::safe_path::Root::new(&top);
    let Ok(start) = start.canonicalize() else {
        return Ok(None);
    };
    let mut dir = if start.is_dir() {
        Some(start.as_path())
    } else {
        start.parent()
    };
    while let Some(d) = dir {
        for name in CONFIG_NAMES {
            let p = d.join(name);
            if p.symlink_metadata().is_err() {
                continue;
            }
            // Something by that name is the config, whatever it is: a FIFO or a symlink out of the
            // repository is an error, never a reason to look further up.
            return match p.canonicalize().map(|c| repo.inside(c)) {
                Ok(Err(why)) => Err(ConfigError(format!("{}: config refused: {why}", p.display()))),
                _ => Ok(Some(p)),
            };
        }
        if d == top.as_path() {
            break;
        }
        dir = d.parent();
    }
    Ok(None)
}

/// Configs are small; anything larger is not one.
const MAX_CONFIG_SIZE: u64 = 1024 * 1024;

pub fn load(path: &Path) -> Result<Config, ConfigError> {
    let text = crate::safe_path::read_text(path, MAX_CONFIG_SIZE)
        .map_err(|e| ConfigError(format!("{}: cannot read config: {e}", path.display())))?;
    let mut cfg = parse(&path.display().to_string(), &text)?;
    cfg.path = Some(path.to_path_buf());
    cfg.text = Some(text);
    Ok(cfg)
}

/// Parses and validates config text; `name` is used in error messages.
pub fn parse(name: &str, text: &str) -> Result<Config, ConfigError> {
    let file = SourceFile::new(FileId(0), name.to_owned(), text.to_owned());
    let at = |span: crate::source::Span, msg: String| {
        let lc = file.line_col(span.start as usize);
        ConfigError(format!("{name}:{}:{}: {msg}", lc.line, lc.column))
    };
    let stream = parse_yaml(FileId(0), text, YamlLimits::default());
    if let Some(d) = stream.diagnostics.first() {
        return Err(at(d.primary.span, d.message.clone()));
    }
    let Some(root) = stream.documents.first() else {
        return Ok(Config::default());
    };
    if root.is_null() {
        return Ok(Config::default());
    }
    // YAML reads an unquoted `1.20` as the number 1.2: say so before the schema's type error.
    if let Some(v) = root.get("kubernetes").and_then(|k| k.get("version")) {
        if v.style() == Some(crate::yaml::ScalarStyle::Plain) && v.as_str().is_some_and(|t| t.parse::<f64>().is_ok()) {
            let t = v.as_str().unwrap_or_default();
            return Err(at(
                v.span,
                format!("`kubernetes.version` must be a string: write `\"{t}\"` (YAML reads {t} as a number)"),
            ));
        }
    }
    validate(root, &at)?;
    let mut cfg = Config::default();
    let strings = |n: Option<&Node>| -> Vec<String> {
        n.and_then(Node::as_seq)
            .unwrap_or(&[])
            .iter()
            .filter_map(|i| i.as_text().map(str::to_owned))
            .collect()
    };
    cfg.include = strings(root.get("include"));
    cfg.exclude = strings(root.get("exclude"));
    cfg.docs = strings(root.get("docs"));
    cfg.inactive = strings(root.get("inactive"));
    cfg.live = strings(root.get("live"));
    for (id, key, level) in root
        .get("rules")
        .map(|r| r.entries().collect::<Vec<_>>())
        .unwrap_or_default()
    {
        if crate::rules::find(id).is_none() {
            let hint = crate::rules::suggest(id)
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_default();
            return Err(at(key.span, format!("unknown rule id `{id}` in `rules`{hint}")));
        }
        let lvl = match level.as_text() {
            Some("off") => RuleLevel::Off,
            Some(s) => RuleLevel::On(Severity::parse(s).unwrap_or(Severity::Warning)),
            None => RuleLevel::Off,
        };
        cfg.rules.insert(id.to_owned(), lvl);
    }
    for item in root.get("ignore").and_then(Node::as_seq).unwrap_or(&[]) {
        let rule = item.get("rule").and_then(Node::as_text).unwrap_or("").to_owned();
        if rule != "*" && crate::rules::find(&rule).is_none() {
            let span = item.get("rule").map_or(item.span, |n| n.span);
            let hint = crate::rules::suggest(&rule)
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_default();
            return Err(at(span, format!("unknown rule id `{rule}` in `ignore`{hint}")));
        }
        cfg.ignore.push(IgnoreEntry {
            rule,
            paths: strings(item.get("paths")),
            reason: item.get("reason").and_then(Node::as_text).map(str::to_owned),
            range: item.get("rule").map_or(item.span, |n| n.span).range(),
        });
    }
    for item in root.get("projects").and_then(Node::as_seq).unwrap_or(&[]) {
        cfg.projects.push(ProjectSpec {
            name: item.get("name").and_then(Node::as_text).unwrap_or("").to_owned(),
            files: strings(item.get("files")),
            env_file: item.get("env_file").and_then(Node::as_text).map(str::to_owned),
        });
    }
    if let Some(k) = root.get("kubernetes") {
        cfg.k8s_namespace = k.get("namespace").and_then(Node::as_text).map(str::to_owned);
        cfg.k8s_known_objects = strings(k.get("known_objects"));
        for item in k.get("schemas").and_then(Node::as_seq).unwrap_or(&[]) {
            if let Some(t) = item.as_text() {
                cfg.k8s_schemas.push((t.to_owned(), item.span.range()));
            }
        }
        if let Some(v) = k.get("version") {
            let text = v.as_str().unwrap_or("");
            let Some(minor) = parse_k8s_version(text) else {
                return Err(at(
                    v.span,
                    format!(
                        "invalid `kubernetes.version` `{text}`: expected a Kubernetes 1.x release such as \"1.30\""
                    ),
                ));
            };
            cfg.k8s_version = Some((minor, v.span.range()));
        }
    }
    cfg.registry = strings(root.get("registry"));
    for item in root.get("hosts").and_then(Node::as_seq).unwrap_or(&[]) {
        cfg.hosts.push(HostSpec {
            name: item.get("name").and_then(Node::as_text).unwrap_or("").to_owned(),
            projects: strings(item.get("projects")),
            units: strings(item.get("units")),
        });
    }
    cfg.max_file_size = root
        .get("max_file_size")
        .and_then(Node::as_int)
        .and_then(|n| u64::try_from(n).ok());
    Ok(cfg)
}

pub use crate::yaml::{node_at, to_json};

/// The minor version of a Kubernetes release written `1.N` (also `v1.N` and `1.N.P`).
pub fn parse_k8s_version(text: &str) -> Option<u32> {
    let t = text.trim();
    let t = t.strip_prefix('v').unwrap_or(t);
    let rest = t.strip_prefix("1.")?;
    let (minor, patch) = match rest.split_once('.') {
        Some((m, p)) => (m, Some(p)),
        None => (rest, None),
    };
    let all_digits = |s: &str| !s.is_empty() && s.len() <= 4 && s.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(minor) || patch.is_some_and(|p| !all_digits(p)) {
        return None;
    }
    minor.parse().ok()
}

fn validate(root: &Node, at: &dyn Fn(crate::source::Span, String) -> ConfigError) -> Result<(), ConfigError> {
    let schema: serde_json::Value =
        serde_json::from_str(SCHEMA).map_err(|e| ConfigError(format!("internal: config schema is not JSON: {e}")))?;
    let validator = jsonschema::validator_for(&schema)
        .map_err(|e| ConfigError(format!("internal: config schema is invalid: {e}")))?;
    let instance = to_json(root);
    let Some(err) = validator.iter_errors(&instance).next() else {
        return Ok(());
    };
    let pointer = err.instance_path().to_string();
    let parent = node_at(root, &pointer);
    if let jsonschema::error::ValidationErrorKind::AdditionalProperties { unexpected } = err.kind() {
        if let Some(key) = unexpected.first() {
            let span = parent.entry(key).map_or(parent.span, |(k, _)| k.span);
            let allowed = allowed_keys(&schema, &pointer);
            let hint = crate::suggest::nearest(key, allowed.iter().map(String::as_str))
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_default();
            let place = if pointer.is_empty() {
                "the config".to_owned()
            } else {
                format!("`{}`", pointer.trim_start_matches('/').replace('/', "."))
            };
            return Err(at(span, format!("unknown key `{key}` in {place}{hint}")));
        }
    }
    Err(at(parent.span, format!("invalid config: {err}")))
}

/// Property names the schema allows at a JSON pointer into the instance.
fn allowed_keys(schema: &serde_json::Value, pointer: &str) -> Vec<String> {
    let mut cur = schema;
    for seg in pointer.split('/').skip(1) {
        cur = if seg.parse::<usize>().is_ok() {
            cur.get("items").unwrap_or(cur)
        } else {
            cur.get("properties").and_then(|p| p.get(seg)).unwrap_or(cur)
        };
    }
    cur.get("properties")
        .and_then(|p| p.as_object())
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_key_points_at_it_and_suggests() {
        let err = parse(".stacklint.yaml", "include: []\nexlude: [a]\n")
            .err()
            .map(|e| e.0)
            .unwrap_or_default();
        assert_eq!(
            err,
            ".stacklint.yaml:2:1: unknown key `exlude` in the config; did you mean `exclude`?"
        );
    }

    #[test]
    fn unknown_rule_id_suggests() {
        let err = parse("c.yaml", "rules:\n  port-clsh: off\n")
            .err()
            .map(|e| e.0)
            .unwrap_or_default();
        assert_eq!(
            err,
            "c.yaml:2:3: unknown rule id `port-clsh` in `rules`; did you mean `port-clash`?"
        );
    }

    #[test]
    fn valid_config() {
        let cfg = parse(
            "c.yaml",
            "exclude: [vendor]\nrules:\n  unpinned-image: off\n  port-clash: warning\nignore:\n  - rule: port-clash\n    paths: [legacy/**]\n    reason: old\n",
        );
        let cfg = match cfg {
            Ok(c) => c,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(cfg.rules.get("unpinned-image"), Some(&RuleLevel::Off));
        assert_eq!(cfg.ignore.len(), 1);
    }

    #[test]
    fn kubernetes_version_is_parsed_or_rejected_at_the_value() {
        let cfg = parse("c.yaml", "kubernetes:\n  version: \"1.21\"\n");
        assert_eq!(cfg.ok().and_then(|c| c.k8s_version).map(|v| v.0), Some(21));
        assert_eq!(parse_k8s_version("v1.30.2"), Some(30));
        assert_eq!(parse_k8s_version("2.1"), None);
        let err = parse("c.yaml", "kubernetes:\n  version: latest\n")
            .err()
            .map(|e| e.0)
            .unwrap_or_default();
        assert!(
            err.starts_with("c.yaml:2:12: invalid `kubernetes.version` `latest`"),
            "{err}"
        );
    }

    #[test]
    fn wrong_value_is_an_error() {
        assert!(parse("c.yaml", "rules:\n  port-clash: loud\n").is_err());
    }
}
