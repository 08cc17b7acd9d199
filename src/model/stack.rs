//! [`Stack`]: every file read once, parsed in parallel, and turned into the indexed model the rules
//! query. Building it is the only place that touches the file system (besides discovery); rules
//! never do I/O.

use super::project::{self, ComposeInputs, Project};
use crate::config::Config;
use crate::diagnostic::{Diagnostic, Severity};
use crate::discover::{FileKind, Found};
use crate::parse::{dockerfile, dotenv, nginx, prometheus, python, registry, systemd};
use crate::source::{FileId, SourceMap, Span};
use crate::yaml::{parse_yaml, Node, YamlLimits};

use foldhash::{HashMap, HashSet};
use rayon::prelude::*;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::Path;

/// A parsed Dockerfile.
#[derive(Debug)]
pub struct DockerfileDoc {
    pub file: FileId,
    pub doc: dockerfile::Dockerfile,
}

/// A parsed `.env`-style file.
#[derive(Debug)]
pub struct EnvDoc {
    pub file: FileId,
    pub doc: dotenv::EnvFile,
}

/// What a YAML file turned out to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum YamlRole {
    Compose,
    Kubernetes,
    Kustomization,
    /// A port registry (config-named, or named like one and of a shape that fits).
    Registry,
    /// A Prometheus configuration with `scrape_configs`.
    Prometheus,
    Other,
}

#[derive(Debug)]
pub struct YamlDoc {
    pub file: FileId,
    pub role: YamlRole,
    /// The parsed documents. Empty for a manifest whose objects and schema findings were read
    /// while it was parsed and whose tree nothing reads again (see [`Loaded::read_k8s`]).
    pub documents: Vec<Node>,
    /// A manifest's `stacklint.dev/ignore` annotations, read before its tree may be dropped.
    pub ignores: Vec<IgnoreAnnotation>,
}

/// A `stacklint.dev/ignore` annotation of a Kubernetes object (a top-level document).
#[derive(Debug)]
pub struct IgnoreAnnotation {
    /// The annotation's value.
    pub value: Span,
    /// The whole object it covers.
    pub object: Span,
    pub text: String,
}

/// The `stacklint.dev/ignore` annotations of every object of one manifest file.
fn ignore_annotations(documents: &[Node]) -> Vec<IgnoreAnnotation> {
    documents
        .iter()
        .filter_map(|object| {
            let value = object
                .get("metadata")
                .and_then(|m| m.get("annotations"))
                .and_then(|a| a.get("stacklint.dev/ignore"))?;
            Some(IgnoreAnnotation {
                value: value.span,
                object: object.span,
                text: value.as_text().unwrap_or("").to_owned(),
            })
        })
        .collect()
}

/// The whole checked repository.
#[derive(Debug, Default)]
pub struct Stack {
    pub sources: SourceMap,
    pub yaml: Vec<YamlDoc>,
    pub projects: Vec<Project>,
    pub dockerfiles: HashMap<String, DockerfileDoc>,
    pub env_files: HashMap<String, EnvDoc>,
    /// Every relative path of a file or folder that exists (for existence checks without I/O in rules).
    pub paths: HashSet<String>,
    /// Env files that services load, do not exist, and a `.gitignore` of their folder or a parent
    /// (up to the checked root) ignores: kept out of git on purpose, provided at deploy time.
    pub git_ignored: HashSet<String>,
    /// Findings made while reading and parsing.
    pub parse_diagnostics: Vec<Diagnostic>,
    /// Kubernetes objects, indexed (see `crate::k8s`).
    pub k8s: crate::k8s::Cluster,
    /// Shell scripts, Makefiles and Markdown files (kept as text in `sources`).
    pub texts: Vec<(FileId, FileKind)>,
    /// Port registries that could be read.
    pub registries: Vec<RegistryDoc>,
    /// Prometheus configurations.
    pub prometheus: Vec<(FileId, prometheus::PrometheusConfig)>,
    /// systemd units.
    pub units: Vec<UnitDoc>,
    /// Backends named by gateways (nginx upstreams and `proxy_pass`, Traefik file-provider URLs).
    pub gateways: Vec<GatewayBackend>,
    /// Every name a claim may use for a defined service (see [`super::names`]).
    pub names: super::names::Names,
    /// Markdown docs in scope (all outside vendored folders, or the config's `docs:` globs), with
    /// the claims they make.
    pub docs: Vec<crate::docs::MdDoc>,
    /// Config `hosts:`: compose projects and systemd units that share one machine.
    pub hosts: Vec<crate::config::HostSpec>,
    /// Python files with their module-level imports.
    pub python: Vec<PyFile>,
    /// The folded words a doc may use for each Kubernetes object, in the order of
    /// `k8s.objects()` (see `crate::docs::object_keys`): worked out once, not per doc rule.
    pub object_doc_keys: Vec<Option<Vec<String>>>,
    /// The scope of every doc (what it talks about), shared by the doc rules: see
    /// [`Stack::doc_scopes`].
    doc_scopes: std::sync::OnceLock<crate::docs::DocScopes>,
    /// Indices into `projects` by the files each project reads, and by its folder, so that a doc
    /// command or script naming a compose file finds its projects without scanning them all.
    projects_by_file: HashMap<FileId, Vec<usize>>,
    projects_by_dir: HashMap<String, Vec<usize>>,
    /// Files set aside (see [`crate::activity`]), with why, in id order.
    pub inactive: BTreeMap<FileId, crate::activity::Inactive>,
    /// `inactive`, as a flag per file id, for the look-ups rules and the report make.
    inactive_flags: Vec<bool>,
}

/// A Python file and the modules it imports at module level.
#[derive(Debug)]
pub struct PyFile {
    pub file: FileId,
    pub imports: Vec<python::PyImport>,
}

/// A port registry that could be read.
#[derive(Debug)]
pub struct RegistryDoc {
    pub file: FileId,
    pub entries: Vec<registry::RegistryEntry>,
}

/// A systemd unit file.
#[derive(Debug)]
pub struct UnitDoc {
    pub file: FileId,
    /// The file name (`billing.service`).
    pub name: String,
    pub unit: systemd::UnitFile,
}

impl UnitDoc {
    /// The unit name without `.service`.
    pub fn stem(&self) -> &str {
        self.name.strip_suffix(".service").unwrap_or(&self.name)
    }
}

/// A backend address written in a gateway config.
#[derive(Clone, Debug)]
pub struct GatewayBackend {
    /// `host[:port]`.
    pub address: String,
    pub span: Span,
    /// What wrote it, for messages (`nginx upstream \`app\``, `proxy_pass`, `Traefik service \`api\``).
    pub via: String,
}

enum Parsed {
    Yaml(Vec<Node>),
    Dockerfile(dockerfile::Dockerfile),
    Env(dotenv::EnvFile),
    Systemd(systemd::UnitFile),
    Python(Vec<python::PyImport>),
    Text,
    Unread,
}

struct Loaded {
    rel: String,
    kind: FileKind,
    text: String,
    parsed: Parsed,
    diags: Vec<Diagnostic>,
    /// What the parse step learnt of the file as a manifest (see [`Loaded::read_k8s`]).
    k8s: EarlyK8s,
}

/// A file as a Kubernetes manifest, as far as the parse step looked.
enum EarlyK8s {
    /// Not looked at: not a plain YAML file (`load_all` asks every plain YAML file).
    NotAsked,
    /// No document has `apiVersion` and `kind`.
    NotManifest,
    /// A manifest, with its objects and schema findings unless it holds a custom resource (see
    /// `k8s::read_file`), and its ignore annotations.
    Manifest(Option<crate::k8s::FileRead>, Vec<IgnoreAnnotation>),
}

/// How the parse step treats a manifest's tree once its objects are read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Trees {
    /// Drop it unless something reads it again: most of the memory of a Kubernetes monorepo is
    /// manifest trees, and the memory freed while it is still in the cache is reused for the next
    /// file instead of new pages.
    DropRead,
    /// Keep every tree (tests compare both ways).
    #[cfg_attr(not(test), allow(dead_code))]
    KeepAll,
}

impl Loaded {
    /// Reads a manifest's objects and checks its schema while its tree is still in the cache (see
    /// `k8s::read_file`). The same test as [`Stack::from_loaded`] makes a file a manifest: a
    /// plain YAML file with a document that has `apiVersion` and `kind`.
    ///
    /// The tree is then dropped (with [`Trees::DropRead`]) unless something reads it later: a
    /// kustomization includes or patches the file (`kustomized`), it holds a custom resource
    /// (checked once the repository's CRDs are known) or defines CRDs, or it is a file that
    /// rules read as plain YAML ([`read_as_plain_yaml`]).
    fn read_k8s(&mut self, version: u32, default_ns: &str, kustomized: &HashSet<String>, trees: Trees) {
        if self.kind != FileKind::Yaml {
            return;
        }
        let Parsed::Yaml(documents) = &mut self.parsed else {
            return;
        };
        if !documents.iter().any(looks_like_k8s) {
            self.k8s = EarlyK8s::NotManifest;
            return;
        }
        let read = crate::k8s::read_file(documents, version, default_ns);
        let ignores = ignore_annotations(documents);
        let read_again = read.as_ref().is_none_or(crate::k8s::FileRead::defines_crds)
            || kustomized.contains(&self.rel)
            || read_as_plain_yaml(&self.rel, documents);
        if trees == Trees::DropRead && !read_again {
            *documents = Vec::new();
        }
        self.k8s = EarlyK8s::Manifest(read, ignores);
    }
}

/// Whether rules read this YAML file's tree whatever its role: GitHub workflows (commands in
/// `run` steps) and Prometheus rule files (top-level `groups`, where `prometheus::rule_exprs`
/// looks when a config's `rule_files` names the file). A manifest shaped like one keeps its tree.
fn read_as_plain_yaml(rel: &str, documents: &[Node]) -> bool {
    crate::scripts::dead_reference::is_workflow(rel) || documents.iter().any(|d| d.get("groups").is_some())
}

/// The id of the `i`-th discovered file (ids follow the discovery order).
fn file_id(i: usize) -> FileId {
    FileId(u32::try_from(i).unwrap_or(u32::MAX))
}

/// Loads every file (`load_one`, in parallel) and reads each manifest right after parsing it.
/// Kustomizations are loaded first: the files they include or patch keep their trees for the
/// renderings (see [`Loaded::read_k8s`]). Returned in the order of `files`.
fn load_all(
    files: &[Found],
    load_one: impl Fn(FileId, &Found) -> Loaded + Sync,
    config: &Config,
    trees: Trees,
) -> Vec<Loaded> {
    let (version, default_ns) = (k8s_version(config), k8s_namespace(config));
    let is_kustomization = |f: &Found| f.kind == FileKind::Kustomization;
    let kustomizations: Vec<(usize, Loaded)> = files
        .par_iter()
        .enumerate()
        .filter(|(_, f)| is_kustomization(f))
        .map(|(i, f)| (i, load_one(file_id(i), f)))
        .collect();
    let kustomized: HashSet<String> = kustomizations
        .iter()
        .filter_map(|(_, l)| match &l.parsed {
            Parsed::Yaml(documents) => documents
                .first()
                .map(|k| crate::k8s::kustomize::referenced_paths(&l.rel, k)),
            _ => None,
        })
        .flatten()
        .collect();
    let mut loaded: Vec<Option<Loaded>> = files
        .par_iter()
        .enumerate()
        .map(|(i, f)| {
            (!is_kustomization(f)).then(|| {
                let mut l = load_one(file_id(i), f);
                l.read_k8s(version, &default_ns, &kustomized, trees);
                l
            })
        })
        .collect();
    for (i, l) in kustomizations {
        if let Some(slot) = loaded.get_mut(i) {
            *slot = Some(l);
        }
    }
    loaded.into_iter().flatten().collect()
}

fn load(id: FileId, found: &Found, max_size: u64) -> Loaded {
    let mut diags = Vec::new();
    let span = Span::file_start(id);
    let unread = |diags: Vec<Diagnostic>| Loaded {
        rel: found.rel.clone(),
        kind: found.kind,
        text: String::new(),
        parsed: Parsed::Unread,
        diags,
        k8s: EarlyK8s::NotAsked,
    };
    match std::fs::metadata(&found.path) {
        Ok(m) if m.len() > max_size => {
            diags.push(
                Diagnostic::new(
                    "unreadable-file",
                    span,
                    format!("file is {} bytes, over the {max_size}-byte limit; not checked", m.len()),
                )
                .severity(Severity::Info)
                .label("skipped")
                .help("raise `max_file_size` in .stacklint.yaml if this file should be checked")
                .subject("too large"),
            );
            return unread(diags);
        }
        Ok(_) => {}
        Err(e) => {
            diags.push(
                Diagnostic::new("unreadable-file", span, format!("cannot read file: {e}"))
                    .label("skipped")
                    .subject("io"),
            );
            return unread(diags);
        }
    }
    let bytes = match std::fs::read(&found.path) {
        Ok(b) => b,
        Err(e) => {
            diags.push(
                Diagnostic::new("unreadable-file", span, format!("cannot read file: {e}"))
                    .label("skipped")
                    .subject("io"),
            );
            return unread(diags);
        }
    };
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let offset = text
                .char_indices()
                .nth(at.min(text.len()))
                .map_or(0, |_| crate::source::floor_char_boundary(&text, at));
            diags.push(
                Diagnostic::new(
                    "unreadable-file",
                    Span::new(id, offset, offset),
                    format!("file is not valid UTF-8 (first invalid byte at offset {at}); not checked"),
                )
                .label("invalid byte here")
                .help("save the file as UTF-8")
                .subject("utf8"),
            );
            return Loaded {
                rel: found.rel.clone(),
                kind: found.kind,
                text,
                parsed: Parsed::Unread,
                diags,
                k8s: EarlyK8s::NotAsked,
            };
        }
    };
    parse_text(id, found.rel.clone(), found.kind, text, diags)
}

/// Parses one file's text (the part of [`load`] after reading).
fn parse_text(id: FileId, rel: String, kind: FileKind, text: String, mut diags: Vec<Diagnostic>) -> Loaded {
    let parsed = match kind {
        FileKind::Compose | FileKind::Kustomization | FileKind::Yaml => {
            let in_chart = rel.contains("/templates/") || rel.starts_with("templates/");
            let stream = parse_yaml(id, &text, YamlLimits::default());
            let templated = text.contains("{{")
                && (in_chart
                    || !stream.diagnostics.is_empty()
                    || stream.documents.iter().any(|d| has_template_key(d, 0)));
            if templated {
                Parsed::Text
            } else {
                diags.extend(stream.diagnostics);
                Parsed::Yaml(stream.documents)
            }
        }
        FileKind::Dockerfile => Parsed::Dockerfile(dockerfile::parse_dockerfile(&text)),
        FileKind::Env => Parsed::Env(dotenv::parse_dotenv(&text)),
        FileKind::Systemd => Parsed::Systemd(systemd::parse(id, &text)),
        FileKind::Python => Parsed::Python(python::imports(&text)),
        FileKind::Markdown | FileKind::Script | FileKind::Conf | FileKind::PyDeps => Parsed::Text,
    };
    Loaded {
        rel,
        kind,
        text,
        parsed,
        diags,
        k8s: EarlyK8s::NotAsked,
    }
}

/// An unquoted `{{name}}` placeholder parses as a flow mapping used as a mapping key (YAML's
/// "complex key"), which no compose file or manifest ever contains: the file is a template.
/// Quoted (`'{{.Names}}'`), inside a block scalar, or GitHub's `${{ … }}` in a string, it is text.
fn has_template_key(node: &Node, depth: usize) -> bool {
    if depth > 300 {
        return false;
    }
    match &node.kind {
        crate::yaml::NodeKind::Map(entries) => entries
            .iter()
            .any(|(k, v)| k.is_map() || k.as_seq().is_some() || has_template_key(v, depth + 1)),
        crate::yaml::NodeKind::Seq(items) => items.iter().any(|i| has_template_key(i, depth + 1)),
        crate::yaml::NodeKind::Scalar(..) => false,
    }
}

/// A document that looks like a compose file: `services:` whose entries are container-like maps.
fn looks_like_compose(doc: &Node) -> bool {
    doc.get("services").is_some_and(|s| {
        s.is_map()
            && s.entries().any(|(_, _, b)| {
                ["image", "build", "ports", "environment", "command", "depends_on"]
                    .iter()
                    .any(|k| b.get(k).is_some())
            })
    }) && doc.get("apiVersion").is_none()
}

fn looks_like_k8s(doc: &Node) -> bool {
    doc.get("apiVersion").and_then(Node::as_text).is_some() && doc.get("kind").and_then(Node::as_text).is_some()
}

/// Minor version of the targeted Kubernetes 1.x release: `kubernetes.version`, at most the newest
/// whose types are compiled in.
fn k8s_version(config: &Config) -> u32 {
    let newest = crate::k8s::schema::NEWEST_MINOR;
    config
        .k8s_version
        .as_ref()
        .map_or(newest, |(minor, _)| (*minor).min(newest))
}

/// Namespace of manifests that name none: `kubernetes.namespace`, else `default`.
fn k8s_namespace(config: &Config) -> String {
    config.k8s_namespace.clone().unwrap_or_else(|| "default".to_owned())
}

/// The parse floor: reads and parses `files` in parallel exactly as [`Stack::build`] does, and
/// builds nothing else. Returns (files, bytes read, parse diagnostics). For the benchmark only
/// (`stacklint __parse-floor`), to compare a full check with the cost of reading its inputs.
///
/// Every parsed file is collected and held to the end, as the check held them all before it
/// dropped manifest trees once read (see [`Loaded::read_k8s`]). With `streaming`, each file's
/// parsed form is dropped as soon as it is built (only its text is kept, as the check keeps
/// every text): a stricter floor than any check can reach, reported beside the first.
#[doc(hidden)]
pub fn parse_only(files: &[Found], config: &Config, streaming: bool) -> (usize, usize, usize) {
    let max = config.max_file_size();
    let loaded: Vec<Loaded> = files
        .par_iter()
        .enumerate()
        .map(|(i, f)| {
            let mut l = load(file_id(i), f, max);
            if streaming {
                l.parsed = Parsed::Unread;
            }
            l
        })
        .collect();
    let counts = (
        loaded.len(),
        loaded.iter().map(|l| l.text.len()).sum(),
        loaded.iter().map(|l| l.diags.len()).sum(),
    );
    crate::drop_in_background(loaded); // as `check` frees its model
    counts
}

impl Stack {
    /// Reads and parses `files` (already discovered under `root`) in parallel and builds the model.
    pub fn build(root: &Path, files: &[Found], config: &Config) -> Stack {
        let t = std::time::Instant::now();
        let max = config.max_file_size();
        let loaded = load_all(files, |id, f| load(id, f, max), config, Trees::DropRead);
        crate::phase_done("read, parse and read manifests", t);
        Stack::from_loaded(Some(root), files, loaded, config)
    }

    /// Builds the model from in-memory files `(relative path, text)`, classified by name as
    /// discovery would; nothing is read from disk. For fuzzing and tests: manifests are read right
    /// after parsing, as [`Stack::build`] does (the cluster's own reading of whole files is tested
    /// in `k8s::tests`).
    #[doc(hidden)]
    pub fn from_memory(files: &[(String, String)], config: &Config) -> Stack {
        Stack::from_memory_with(files, config, Trees::DropRead)
    }

    fn from_memory_with(files: &[(String, String)], config: &Config, trees: Trees) -> Stack {
        let mut found: Vec<Found> = files
            .iter()
            .filter_map(|(rel, _)| {
                crate::discover::classify(rel).map(|kind| Found {
                    rel: rel.clone(),
                    path: rel.into(),
                    kind,
                })
            })
            .collect();
        found.sort_by(|a, b| a.rel.cmp(&b.rel));
        found.dedup_by(|a, b| a.rel == b.rel);
        let load_one = |id: FileId, f: &Found| {
            let text = files
                .iter()
                .find(|(rel, _)| *rel == f.rel)
                .map(|(_, t)| t.clone())
                .unwrap_or_default();
            parse_text(id, f.rel.clone(), f.kind, text, Vec::new())
        };
        let loaded = load_all(&found, load_one, config, trees);
        Stack::from_loaded(None, &found, loaded, config)
    }

    fn from_loaded(root: Option<&Path>, files: &[Found], loaded: Vec<Loaded>, config: &Config) -> Stack {
        let t = std::time::Instant::now();
        let mut stack = Stack::default();
        let mut templates: Vec<(FileId, String)> = Vec::new();
        let mut conf_files: Vec<FileId> = Vec::new();
        let mut k8s_read: HashMap<FileId, crate::k8s::FileRead> = HashMap::default();
        // The set of existing paths needs only the file list: built beside the filing of the
        // parsed files, which is serial (it moves each into the stack).
        let (paths, ()) = rayon::join(
            || existing_paths(files),
            || {
                for l in loaded {
                    let id = stack.sources.add(l.rel.clone(), l.text);
                    stack.parse_diagnostics.extend(l.diags);
                    match l.parsed {
                        Parsed::Yaml(documents) => {
                            let role = match l.kind {
                                FileKind::Compose => YamlRole::Compose,
                                FileKind::Kustomization => YamlRole::Kustomization,
                                _ if matches!(l.k8s, EarlyK8s::Manifest(..)) => YamlRole::Kubernetes,
                                _ if documents.first().is_some_and(looks_like_compose) => YamlRole::Compose,
                                _ if is_registry_path(&l.rel, config) => YamlRole::Registry,
                                _ if prometheus::named_like_prometheus(&l.rel)
                                    && documents.first().is_some_and(|d| d.get("scrape_configs").is_some()) =>
                                {
                                    YamlRole::Prometheus
                                }
                                _ => YamlRole::Other,
                            };
                            // A manifest (and only a manifest) has the Kubernetes role.
                            let ignores = match l.k8s {
                                EarlyK8s::Manifest(read, ignores) => {
                                    if let Some(read) = read {
                                        k8s_read.insert(id, read);
                                    }
                                    ignores
                                }
                                _ => Vec::new(),
                            };
                            stack.yaml.push(YamlDoc {
                                file: id,
                                role,
                                documents,
                                ignores,
                            });
                        }
                        Parsed::Text
                            if matches!(l.kind, FileKind::Compose | FileKind::Kustomization | FileKind::Yaml) =>
                        {
                            templates.push((id, l.rel))
                        }
                        Parsed::Text if l.kind == FileKind::Conf => conf_files.push(id),
                        Parsed::Text => stack.texts.push((id, l.kind)),
                        Parsed::Systemd(unit) => {
                            let name = l.rel.rsplit('/').next().unwrap_or(&l.rel).to_owned();
                            stack.units.push(UnitDoc { file: id, name, unit });
                        }
                        Parsed::Python(imports) => stack.python.push(PyFile { file: id, imports }),
                        Parsed::Dockerfile(doc) => {
                            stack.dockerfiles.insert(l.rel, DockerfileDoc { file: id, doc });
                        }
                        Parsed::Env(doc) => {
                            stack.env_files.insert(l.rel, EnvDoc { file: id, doc });
                        }
                        _ => {}
                    }
                }
            },
        );
        stack.report_templates(&templates);
        stack.paths = paths;
        stack.set_inactive(config);
        crate::phase_done("model files", t);
        let t = std::time::Instant::now();
        // Compose projects, the Kubernetes cluster, the docs and the claim files (registries,
        // Prometheus, gateways) need nothing of each other: built side by side, so that the serial
        // parts of one overlap the others.
        let k8s_config = stack.k8s_config(root, config);
        let (((projects, compose_diags), ((cluster, k8s_diags), keys)), (docs, claims)) = rayon::join(
            || {
                rayon::join(
                    || stack.compose_projects(config),
                    || {
                        let built = stack.cluster(&k8s_config, k8s_read);
                        // Every check looks objects up: the index is built here, beside the heavier
                        // compose projects, rather than by the first rule that asks while others wait.
                        built.0.build_lookups();
                        let keys = built.0.objects().par_iter().map(crate::docs::object_keys).collect();
                        (built, keys)
                    },
                )
            },
            || {
                rayon::join(
                    || crate::docs::read_docs(&stack, &config.docs),
                    || stack.claim_files(&conf_files),
                )
            },
        );
        stack.parse_diagnostics.extend(compose_diags);
        stack.parse_diagnostics.extend(k8s_diags);
        stack.parse_diagnostics.extend(claims.diagnostics);
        (stack.registries, stack.prometheus, stack.gateways) = (claims.registries, claims.prometheus, claims.gateways);
        stack.set_projects(projects);
        stack.k8s = cluster;
        stack.object_doc_keys = keys;
        stack.docs = docs;
        crate::phase_done("compose projects, kubernetes cluster, docs and claim files", t);
        let t = std::time::Instant::now();
        // The name index, the doc scopes (which every doc rule asks for) and the look-up of
        // referenced paths read the model and not each other: built side by side.
        let (names, ((), found)) = rayon::join(
            || super::names::Names::build(&stack, config),
            || {
                rayon::join(
                    || {
                        // Before any rule runs, so built in parallel (see `DocScopes::build`).
                        let scopes = crate::docs::DocScopes::build(&stack, true);
                        let _ = stack.doc_scopes.set(scopes);
                    },
                    || root.map(|root| stack.referenced_existing(root)).unwrap_or_default(),
                )
            },
        );
        stack.names = names;
        stack.paths.extend(found);
        stack.git_ignored = root.map(|root| stack.ignored_env_files(root)).unwrap_or_default();
        crate::phase_done("names, doc scopes and referenced paths", t);
        stack.hosts = config.hosts.clone();
        stack
    }

    /// Sets files aside by their path and the config's globs (see [`crate::activity`]); a compose
    /// file that a live script or doc runs with `-f` stays live.
    fn set_inactive(&mut self, config: &Config) {
        let activity = crate::activity::Activity::new(&config.live, &config.inactive);
        let mut inactive: BTreeMap<FileId, crate::activity::Inactive> = self
            .sources
            .files()
            .iter()
            .filter_map(|f| activity.classify(&f.path).map(|why| (f.id, why)))
            .collect();
        if inactive.is_empty() {
            return;
        }
        let run: Vec<String> = self
            .texts
            .iter()
            .filter(|(id, kind)| matches!(kind, FileKind::Script | FileKind::Markdown) && !inactive.contains_key(id))
            .filter_map(|(id, _)| self.sources.get(*id))
            .flat_map(|src| {
                super::invocations::compose_files_named(&src.path, &src.text, &|p| self.sources.by_path(p).is_some())
            })
            .collect();
        for path in run {
            if let Some(src) = self.sources.by_path(&path) {
                if inactive
                    .get(&src.id)
                    .is_some_and(|w| *w != crate::activity::Inactive::Config)
                {
                    inactive.remove(&src.id);
                }
            }
        }
        let mut flags = vec![false; self.sources.len()];
        for id in inactive.keys() {
            if let Some(f) = flags.get_mut(id.0 as usize) {
                *f = true;
            }
        }
        self.inactive = inactive;
        self.inactive_flags = flags;
    }

    /// Whether `file` is set aside (see [`crate::activity`]).
    pub fn is_inactive(&self, file: FileId) -> bool {
        self.inactive_flags.get(file.0 as usize).copied().unwrap_or(false)
    }

    /// Whether `d` may be reported: a finding that touches a file set aside is kept only for the
    /// rules that judge a file's own content ([`crate::activity::checked_when_inactive`]).
    pub fn may_report(&self, d: &Diagnostic) -> bool {
        if self.inactive.is_empty() || crate::activity::checked_when_inactive(d.rule) {
            return true;
        }
        !std::iter::once(&d.primary)
            .chain(&d.related)
            .any(|l| self.is_inactive(l.span.file))
    }

    /// Whether every file of `project` is set aside.
    pub fn project_inactive(&self, project: &Project) -> bool {
        !project.files.is_empty() && project.files.iter().all(|f| self.is_inactive(*f))
    }

    /// Registries, Prometheus configs and gateway configs: the files that make claims about services.
    fn claim_files(&self, conf_files: &[FileId]) -> ClaimFiles {
        let mut out = ClaimFiles::default();
        for y in &self.yaml {
            let Some(doc) = y.documents.first() else { continue };
            match y.role {
                YamlRole::Registry => match registry::read(doc) {
                    registry::Registry::Entries(entries) => out.registries.push(RegistryDoc { file: y.file, entries }),
                    registry::Registry::Unread(span, why) => out.diagnostics.push(
                        Diagnostic::new(
                            "registry-drift",
                            span,
                            format!("port registry not understood: {why}; it was not compared with the stack"),
                        )
                        .severity(Severity::Info)
                        .label("unexpected shape here")
                        .help("write entries as `ports: [{service, port}]` (schemas/port-registry.schema.json)")
                        .subject("unread registry"),
                    ),
                },
                YamlRole::Prometheus => {
                    if let Some(cfg) = prometheus::read(doc) {
                        out.prometheus.push((y.file, cfg));
                    }
                }
                YamlRole::Other => out.gateways.extend(traefik_backends(doc)),
                _ => {}
            }
        }
        for id in conf_files {
            let Some(src) = self.sources.get(*id) else { continue };
            if !nginx::looks_like_nginx(&src.text) {
                continue;
            }
            let cfg = nginx::parse(&src.text);
            for b in cfg.backends {
                if b.directive != "server" && cfg.upstream_names.contains(&b.address) {
                    continue; // `proxy_pass http://app` names an upstream block, read separately
                }
                let via = match &b.block {
                    Some(u) => format!("nginx upstream `{u}`"),
                    None => format!("nginx `{}`", b.directive),
                };
                out.gateways.push(GatewayBackend {
                    address: b.address,
                    span: Span::new(*id, b.range.start, b.range.end),
                    via,
                });
            }
        }
        out
    }

    /// One info per folder of unrendered templates (a chart), not one per file.
    fn report_templates(&mut self, templates: &[(FileId, String)]) {
        let mut by_dir: std::collections::BTreeMap<&str, Vec<FileId>> = std::collections::BTreeMap::new();
        for (id, rel) in templates {
            by_dir.entry(project::dir_of(rel)).or_default().push(*id);
        }
        for (dir, ids) in by_dir {
            let Some(first) = ids.first() else { continue };
            let where_ = if dir.is_empty() {
                "the root folder".to_owned()
            } else {
                format!("`{dir}`")
            };
            self.parse_diagnostics.push(
                Diagnostic::new(
                    "template-skipped",
                    Span::file_start(*first),
                    format!(
                        "{} templated YAML file(s) in {where_} are not rendered and were not checked",
                        ids.len()
                    ),
                )
                .label("template syntax `{{ }}`")
                .help("render the chart (e.g. `helm template`) into the repository to have it checked")
                .subject(format!("templates in {dir}")),
            );
        }
    }

    /// Builds the compose projects (each in parallel) with the diagnostics they raise.
    fn compose_projects(&self, config: &Config) -> (Vec<Project>, Vec<Diagnostic>) {
        let mut docs: HashMap<String, (FileId, &Node)> = HashMap::default();
        let mut compose_paths = Vec::new();
        for y in &self.yaml {
            if y.role == YamlRole::Compose {
                if let Some(doc) = y.documents.first() {
                    let path = self.sources.path(y.file).to_owned();
                    docs.insert(path.clone(), (y.file, doc));
                    compose_paths.push(path);
                }
            }
        }
        let env_vars: HashMap<String, project::EnvVars> = self
            .env_files
            .iter()
            .map(|(p, e)| {
                (
                    p.clone(),
                    (
                        e.file,
                        e.doc
                            .entries
                            .iter()
                            .map(|en| (en.key.clone(), en.value.clone()))
                            .collect(),
                    ),
                )
            })
            .collect();
        let explicit: Vec<(String, Vec<String>)> = config
            .projects
            .iter()
            .map(|p| (p.name.clone(), p.files.clone()))
            .collect();
        // Files set aside are grouped among themselves: a copy never joins a live project.
        let (set_aside, live): (Vec<String>, Vec<String>) = compose_paths
            .into_iter()
            .partition(|p| self.sources.by_path(p).is_some_and(|f| self.is_inactive(f.id)));
        // `docker compose -f ...` invocations in scripts and docs, scanned in parallel (hundreds
        // of docs) and kept in the texts' order: they tell which overlays run without their base,
        // and each set of two or more files is a project too, unless already formed.
        let runs: Vec<Vec<String>> = self
            .texts
            .par_iter()
            .filter(|(id, kind)| matches!(kind, FileKind::Script | FileKind::Markdown) && !self.is_inactive(*id))
            .filter_map(|(id, _)| self.sources.get(*id))
            .map(|src| super::invocations::compose_file_runs(&src.path, &src.text, &|p| docs.contains_key(p)))
            .collect::<Vec<_>>()
            .into_iter()
            .flatten()
            .collect();
        let mut groups = project::group(&live, &docs, &explicit, &runs);
        groups.extend(project::group(&set_aside, &docs, &[], &runs));
        let mut formed: HashSet<Vec<String>> = groups.iter().map(|(_, g)| g.clone()).collect();
        for files in runs.into_iter().filter(|files| files.len() >= 2) {
            if formed.insert(files.clone()) {
                groups.push((files.join(" + "), files));
            }
        }
        let inputs = ComposeInputs {
            docs: &docs,
            env_files: &env_vars,
        };
        let built: Vec<(Option<Project>, Vec<Diagnostic>)> = groups
            .par_iter()
            .map(|(name, files)| {
                let env = config
                    .projects
                    .iter()
                    .find(|p| &p.name == name)
                    .and_then(|p| p.env_file.as_deref());
                // The services' facts need only the project and the files: worked out while the
                // project's model is still in the cache.
                let (project, diags) = project::build(name.clone(), files, env, &inputs);
                let project = project.map(|mut p| {
                    p.facts = self.service_facts(&p);
                    p
                });
                (project, diags)
            })
            .collect();
        let mut projects = Vec::new();
        let mut diags = Vec::new();
        for (p, d) in built {
            diags.extend(d);
            projects.extend(p);
        }
        (projects, diags)
    }

    /// Keeps the built projects and indexes them by file and folder.
    fn set_projects(&mut self, projects: Vec<Project>) {
        self.projects = projects;
        for (i, p) in self.projects.iter().enumerate() {
            for f in &p.files {
                let at = self.projects_by_file.entry(*f).or_default();
                if at.last() != Some(&i) {
                    at.push(i);
                }
            }
            self.projects_by_dir.entry(p.dir.clone()).or_default().push(i);
        }
    }

    /// The compose projects that read `file`, in project order.
    pub fn projects_reading(&self, file: FileId) -> impl Iterator<Item = &Project> {
        self.projects_by_file
            .get(&file)
            .into_iter()
            .flatten()
            .filter_map(|i| self.projects.get(*i))
    }

    /// The compose projects whose first file is in folder `dir`, in project order.
    pub fn projects_in(&self, dir: &str) -> impl Iterator<Item = &Project> {
        self.projects_by_dir
            .get(dir)
            .into_iter()
            .flatten()
            .filter_map(|i| self.projects.get(*i))
    }

    /// The [`project::ServiceFacts`] of each service of `p`, worked out once (by
    /// `compose_projects`, right after building the project).
    fn service_facts(&self, p: &Project) -> Vec<project::ServiceFacts> {
        p.model.services.iter().map(|s| self.compute_facts(p, s)).collect()
    }

    /// What the Dockerfile and image say of `s`; the Dockerfile is resolved once for all of it.
    fn compute_facts(&self, p: &Project, s: &crate::compose::Service) -> project::ServiceFacts {
        let built = self.resolve_dockerfile(p, s);
        let image = self.compute_effective_image(s, built.as_ref());
        let command = self.run_command_with(s, built.as_ref());
        let (binds, bound_ports) =
            super::listen::command_binds(&command.iter().map(|w| w.text.as_str()).collect::<Vec<_>>());
        project::ServiceFacts {
            doc_keys: crate::docs::service_keys(s, image.as_deref()),
            listen: self.compute_listen_ports(s, built.as_ref(), bound_ports),
            binds,
            ports_uncertain: crate::docs::ports_uncertain(self, p, s),
            image,
            built,
            command,
        }
    }

    /// The facts of `service`: cached with the project, or worked out now for a service that is
    /// not one of `project`'s own (every accessor below reads them from here).
    fn facts<'a>(&self, project: &'a Project, service: &crate::compose::Service) -> Cow<'a, project::ServiceFacts> {
        match project.facts_of(service) {
            Some(f) => Cow::Borrowed(f),
            None => Cow::Owned(self.compute_facts(project, service)),
        }
    }

    /// What the cluster is built with: schema files read into the source map, the targeted
    /// version (an info when it is newer than stacklint knows), namespaces and known objects.
    fn k8s_config(&mut self, root: Option<&Path>, config: &Config) -> crate::k8s::K8sConfig {
        let schema_files = self.read_schema_files(root, config);
        if let Some((minor, range)) = &config.k8s_version {
            if *minor > crate::k8s::schema::NEWEST_MINOR {
                let newest = crate::k8s::schema::NEWEST_MINOR;
                if let Some(span) = self.config_span(root, config, range) {
                    self.parse_diagnostics.push(
                        Diagnostic::new(
                            crate::k8s::schema::RULE,
                            span,
                            format!("`kubernetes.version` 1.{minor} is newer than the API types stacklint knows (1.{newest})"),
                        )
                        .severity(Severity::Info)
                        .label("targeted version")
                        .help(format!(
                            "built-in kinds are checked as Kubernetes 1.{newest}; APIs removed after it are not reported"
                        ))
                        .subject("kubernetes.version newer than known"),
                    );
                }
            }
        }
        crate::k8s::K8sConfig {
            default_namespace: k8s_namespace(config),
            known_objects: config
                .k8s_known_objects
                .iter()
                .filter_map(|o| o.split_once('/').map(|(k, n)| (k.to_owned(), n.to_owned())))
                .collect(),
            schema_files,
            version: k8s_version(config),
        }
    }

    /// The Kubernetes objects of every manifest and kustomization rendering, strictly checked.
    fn cluster(
        &self,
        k8s_config: &crate::k8s::K8sConfig,
        mut read: HashMap<FileId, crate::k8s::FileRead>,
    ) -> (crate::k8s::Cluster, Vec<Diagnostic>) {
        let manifests: Vec<(FileId, &[Node])> = self
            .yaml
            .iter()
            .filter(|y| y.role == YamlRole::Kubernetes)
            .map(|y| (y.file, y.documents.as_slice()))
            .collect();
        let early = manifests.iter().map(|(id, _)| read.remove(id)).collect();
        let kustomizations: Vec<(FileId, &Node)> = self
            .yaml
            .iter()
            .filter(|y| y.role == YamlRole::Kustomization)
            .filter_map(|y| y.documents.first().map(|d| (y.file, d)))
            .collect();
        crate::k8s::build_cluster(&manifests, early, &kustomizations, &self.sources, k8s_config)
    }

    /// The files of `kubernetes.schemas` (a file, or every `.json`/`.yaml`/`.yml` under a folder),
    /// read into the source map. An entry that names nothing gets a warning at the config entry.
    fn read_schema_files(&mut self, root: Option<&Path>, config: &Config) -> Vec<FileId> {
        /// Folders of schemas are shallow (kubeconform's catalog is `<group>/<file>`).
        const MAX_DEPTH: usize = 8;
        let is_schema = |p: &str| {
            let p = p.to_ascii_lowercase();
            p.ends_with(".json") || p.ends_with(".yaml") || p.ends_with(".yml")
        };
        /// More schema files than any catalog holds: a folder with more is not a schema folder.
        const MAX_FILES: usize = 20_000;
        let mut ids = Vec::new();
        let repo = root.map(crate::safe_path::Root::new);
        for (entry, range) in &config.k8s_schemas {
            let rel = entry.trim_start_matches("./").trim_end_matches('/').to_owned();
            let mut files: Vec<String> = Vec::new();
            // Every path the config names goes through the repository gate: an entry that is
            // absolute, climbs out with `..` or leads out through a symlink is refused and says so,
            // and nothing outside the root is ever read (its text would reach the report).
            let mut refused = None;
            match &repo {
                Some(repo) => match repo.resolve(&rel) {
                    Ok(p) if p.is_dir() => match repo.files_under(&rel, MAX_DEPTH, MAX_FILES) {
                        Ok(found) => files.extend(found.into_iter().filter(|r| is_schema(r))),
                        Err(why) => refused = Some(why),
                    },
                    Ok(_) => files.push(rel.clone()),
                    Err(crate::safe_path::Refused::Missing) => {}
                    Err(why) => refused = Some(why),
                },
                None => files.extend(
                    self.sources
                        .files()
                        .iter()
                        .map(|f| f.path.clone())
                        .filter(|p| *p == rel || (p.starts_with(&format!("{rel}/")) && is_schema(p))),
                ),
            }
            files.sort();
            let entry_warning = match (refused, files.is_empty()) {
                (Some(why), _) => Some((
                    format!("`kubernetes.schemas` entry `{entry}` is refused: {why}"),
                    "not read",
                    "name schema files or folders inside the repository, by a relative path",
                )),
                (None, true) => Some((
                    format!("`kubernetes.schemas` entry `{entry}` names no schema file"),
                    "no `.json`, `.yaml` or `.yml` file here",
                    "give a path relative to the repository root, of a schema file or a folder of them",
                )),
                (None, false) => None,
            };
            if let Some((message, label, help)) = entry_warning {
                if let Some(span) = self.config_span(root, config, range) {
                    self.parse_diagnostics.push(
                        Diagnostic::new(crate::k8s::schema::RULE, span, message)
                            .severity(Severity::Warning)
                            .label(label)
                            .help(help)
                            .subject(format!("kubernetes.schemas {entry}")),
                    );
                }
                continue;
            }
            for rel in files {
                if let Some(f) = self.sources.by_path(&rel) {
                    ids.push(f.id);
                    continue;
                }
                let Some(repo) = &repo else { continue };
                match repo.read_text(&rel, config.max_file_size()) {
                    Ok(text) => ids.push(self.sources.add(rel, text)),
                    Err(why) => {
                        if let Some(span) = self.config_span(root, config, range) {
                            self.parse_diagnostics.push(
                                Diagnostic::new(
                                    crate::k8s::schema::RULE,
                                    span,
                                    format!("schema file `{rel}` cannot be read: {why}"),
                                )
                                .severity(Severity::Warning)
                                .label("listed here")
                                .help("fix the file or the entry; its custom resources are not checked")
                                .subject(format!("schema file {rel}")),
                            );
                        }
                    }
                }
            }
        }
        ids.sort();
        ids.dedup();
        ids
    }

    /// A span in the config file (added to the source map on first use), for findings about it.
    fn config_span(&mut self, root: Option<&Path>, config: &Config, range: &std::ops::Range<usize>) -> Option<Span> {
        let (path, text) = (config.path.as_ref()?, config.text.as_ref()?);
        let rel = match root {
            Some(root) => {
                let abs_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
                if path.starts_with(&abs_root) {
                    crate::discover::relative(&abs_root, path)
                } else {
                    path.display().to_string()
                }
            }
            None => path.display().to_string(),
        };
        let file = match self.sources.by_path(&rel) {
            Some(f) => f.id,
            None => self.sources.add(rel, text.clone()),
        };
        Some(Span::new(file, range.start, range.end))
    }

    /// Paths that compose files, units and docs refer to (build contexts, Dockerfiles, env files)
    /// which exist but were not discovered: stated once here and added to the known paths, so
    /// rules can ask [`Stack::exists`] without I/O. Git-ignored files count: they exist where the
    /// stack runs only if someone created them, which the rules judge, not discovery.
    fn referenced_existing(&self, root: &Path) -> Vec<String> {
        // Thousands of services: their paths are worked out in parallel.
        let mut wanted: Vec<String> = self
            .projects
            .par_iter()
            .flat_map_iter(|p| &p.model.services)
            .flat_map_iter(|s| {
                let mut wanted = Vec::new();
                if let Some(b) = self.build_paths(s) {
                    wanted.push(b.context);
                    wanted.extend(b.dockerfile);
                    wanted.extend(b.lowercase_fallback);
                }
                for e in &s.env_files {
                    if let Some(rel) = self.env_file_path(e) {
                        // Templates (`web.env.example`) are not always discovered as env files.
                        wanted.extend(TEMPLATE_SUFFIXES.iter().map(|sfx| format!("{rel}{sfx}")));
                        wanted.push(rel);
                    }
                }
                wanted
            })
            .collect();
        for u in &self.units {
            let dir = project::dir_of(self.sources.path(u.file)).to_owned();
            for rel in super::units::repo_paths(&u.unit) {
                let first = rel.split('/').next().unwrap_or("").to_owned();
                wanted.extend(project::join(&dir, &rel));
                wanted.extend(project::join(&dir, &first));
                wanted.push(first);
                wanted.push(rel);
            }
        }
        wanted.par_extend(
            self.docs
                .par_iter()
                .flat_map_iter(crate::docs::dead_reference::referenced_paths),
        );
        wanted.par_sort_unstable();
        wanted.dedup();
        wanted
            .into_par_iter()
            .filter(|rel| !self.paths.contains(rel) && root.join(rel).exists())
            .collect()
    }

    /// The missing env files of services that a `.gitignore` ignores (see [`Stack::git_ignored`]).
    /// `.gitignore` files are not discovered (the walker obeys them), so each folder's is read from
    /// disk once; the innermost one that decides (ignore or `!` re-include) wins, as in git.
    fn ignored_env_files(&self, root: &Path) -> HashSet<String> {
        let mut missing: Vec<String> = self
            .projects
            .iter()
            .flat_map(|p| &p.model.services)
            .flat_map(|s| &s.env_files)
            .filter_map(|e| self.env_file_path(e))
            .filter(|rel| !self.exists(rel))
            .collect();
        missing.sort_unstable();
        missing.dedup();
        let repo = crate::safe_path::Root::new(root);
        let mut by_dir: HashMap<String, Option<ignore::gitignore::Gitignore>> = HashMap::default();
        let mut out = HashSet::default();
        for rel in missing {
            let mut dir = project::dir_of(&rel);
            loop {
                let gi = by_dir.entry(dir.to_owned()).or_insert_with(|| {
                    let rel = if dir.is_empty() {
                        ".gitignore".to_owned()
                    } else {
                        format!("{dir}/.gitignore")
                    };
                    let text = repo.read_text(&rel, crate::config::DEFAULT_MAX_FILE_SIZE).ok()?;
                    // Matched against `/<repository path>`, so that each folder's patterns apply
                    // relative to that folder whatever the checked root is written as.
                    let mut b = ignore::gitignore::GitignoreBuilder::new(format!("/{dir}"));
                    for line in text.lines() {
                        // A line that does not parse is skipped, as git skips it.
                        let _ = b.add_line(None, line);
                    }
                    b.build().ok()
                });
                let verdict = gi
                    .as_ref()
                    .map(|g| g.matched_path_or_any_parents(format!("/{rel}"), false));
                match verdict {
                    Some(m) if m.is_ignore() => {
                        out.insert(rel.clone());
                        break;
                    }
                    Some(m) if m.is_whitelist() => break,
                    _ => {}
                }
                if dir.is_empty() {
                    break;
                }
                dir = project::dir_of(dir);
            }
        }
        out
    }

    /// The folder relative paths written at `span` are resolved against: the folder of the file the
    /// value was written in (an `include`d or `extends`ed file resolves its own relative paths).
    pub fn base_dir(&self, span: Span) -> &str {
        project::dir_of(self.sources.path(span.file))
    }

    /// The repository paths a service's `build` needs, or `None` when they cannot be known
    /// statically (no build, an unresolved `${VAR}`, a remote git or URL context, an absolute path
    /// or one that climbs out of the checked root).
    pub fn build_paths(&self, service: &crate::compose::Service) -> Option<BuildPaths> {
        let b = service.build.as_ref()?;
        let ctx = &b.context.value;
        if crate::compose::model::is_unknown(ctx) || is_remote_context(ctx) {
            return None;
        }
        let context = project::join(self.base_dir(b.context.span), ctx)?;
        let (dockerfile, lowercase_fallback) = match &b.dockerfile {
            _ if b.inline => (None, None),
            Some(d) if crate::compose::model::is_unknown(&d.value) => (None, None),
            Some(d) => (project::join(&context, &d.value), None),
            None => (
                project::join(&context, "Dockerfile"),
                project::join(&context, "dockerfile"),
            ),
        };
        Some(BuildPaths {
            context,
            dockerfile,
            lowercase_fallback,
        })
    }

    /// The repository path of an `env_file` entry (`None` for unresolved, absolute or escaping paths).
    pub fn env_file_path(&self, e: &crate::compose::model::EnvFileRef) -> Option<String> {
        if crate::compose::model::is_unknown(&e.path.value) {
            return None;
        }
        project::join(self.base_dir(e.path.span), &e.path.value)
    }

    /// What of a service's `build` is missing from the repository, with the span to report at.
    pub fn missing_build(&self, service: &crate::compose::Service) -> Option<(Span, BuildGap)> {
        let b = service.build.as_ref()?;
        let paths = self.build_paths(service)?;
        if !self.exists(&paths.context) {
            return Some((b.context.span, BuildGap::Context(paths.context)));
        }
        let df = paths.dockerfile?;
        if self.exists(&df) || paths.lowercase_fallback.is_some_and(|l| self.exists(&l)) {
            return None;
        }
        let span = b.dockerfile.as_ref().map_or(b.context.span, |d| d.span);
        Some((span, BuildGap::Dockerfile(df)))
    }

    /// Whether an `env_file` entry exists (see [`EnvFileState`]).
    pub fn env_file_state(&self, e: &crate::compose::model::EnvFileRef) -> EnvFileState {
        let v = &e.path.value;
        if crate::compose::model::is_unknown(v) {
            return EnvFileState::Unknown;
        }
        if v.starts_with('/') || v.starts_with('~') {
            return EnvFileState::Absolute;
        }
        let Some(rel) = self.env_file_path(e) else {
            return EnvFileState::Unknown;
        };
        if self.exists(&rel) {
            return EnvFileState::Present;
        }
        let template = TEMPLATE_SUFFIXES
            .iter()
            .map(|sfx| format!("{rel}{sfx}"))
            .find(|t| self.exists(t));
        let ignored = self.git_ignored.contains(&rel);
        if template.is_some() || ignored {
            return EnvFileState::DeployTime {
                path: rel,
                template,
                ignored,
            };
        }
        EnvFileState::Missing { path: rel }
    }

    /// Whether a relative path (file or folder) exists in the checked tree.
    pub fn exists(&self, rel: &str) -> bool {
        self.paths.contains(rel.trim_end_matches('/'))
    }

    /// The scope of every doc: built with the model (see [`Stack::build`]), else by the first doc
    /// rule that asks, and shared with the rest.
    pub(crate) fn doc_scopes(&self) -> &crate::docs::DocScopes {
        self.doc_scopes
            .get_or_init(|| crate::docs::DocScopes::build(self, false))
    }

    /// The parsed YAML of `file`, if it is a YAML file. `yaml` is filled in file order, so this is a
    /// binary search, never a scan per question.
    pub fn yaml_of(&self, file: FileId) -> Option<&YamlDoc> {
        let i = self.yaml.binary_search_by_key(&file, |y| y.file).ok()?;
        self.yaml.get(i)
    }

    /// Compose documents (first document of each compose file).
    pub fn compose_docs(&self) -> impl Iterator<Item = (FileId, &Node)> {
        self.yaml
            .iter()
            .filter(|y| y.role == YamlRole::Compose)
            .filter_map(|y| y.documents.first().map(|d| (y.file, d)))
    }
}

/// The repository paths behind a service's `build` (see [`Stack::build_paths`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuildPaths {
    /// The context folder.
    pub context: String,
    /// The Dockerfile (`None` for `dockerfile_inline` or an unresolved name).
    pub dockerfile: Option<String>,
    /// With no `dockerfile:` key, the builder also accepts a lowercase `dockerfile`.
    pub lowercase_fallback: Option<String>,
}

/// What [`Stack::missing_build`] found missing (the repository path).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BuildGap {
    Context(String),
    Dockerfile(String),
}

/// Suffixes of committed templates of an env file (`.env.example` documents `.env`).
pub const TEMPLATE_SUFFIXES: &[&str] = &[".example", ".sample", ".template", ".dist"];

/// Whether an env file is a committed template (documentation), not values a stack runs with.
pub fn is_env_template(rel: &str) -> bool {
    TEMPLATE_SUFFIXES.iter().any(|s| rel.ends_with(s))
}

/// Whether an `env_file` entry exists where the stack runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EnvFileState {
    /// In the repository, or on disk beside it (a git-ignored file created on this machine).
    Present,
    /// The path holds an unresolved `${VAR}` or climbs out of the checked root.
    Unknown,
    /// An absolute path: outside the repository, cannot be checked.
    Absolute,
    /// Not in the repository, but meant to be created where the stack is deployed: a committed
    /// `template` (`<path>.example` or similar) sits beside it, or a `.gitignore` keeps it out of git.
    DeployTime {
        path: String,
        template: Option<String>,
        ignored: bool,
    },
    /// Not found, with no template and not git-ignored: a wrong path or a file never committed.
    Missing { path: String },
}

/// A build context Compose fetches instead of reading from the repository: a URL or a git remote.
pub fn is_remote_context(ctx: &str) -> bool {
    ctx.contains("://") || ctx.starts_with("git@") || ctx.starts_with("github.com/")
}

/// Whether `rel` is a port registry: listed under `registry:` in the config, or named like one.
fn is_registry_path(rel: &str, config: &Config) -> bool {
    config.registry.iter().any(|r| r.trim_start_matches("./") == rel) || registry::named_like_registry(rel)
}

/// Traefik file-provider backends: `http.services.<name>.loadBalancer.servers[].url`.
fn traefik_backends(doc: &Node) -> Vec<GatewayBackend> {
    let mut out = Vec::new();
    let Some(services) = doc.get("http").and_then(|h| h.get("services")) else {
        return out;
    };
    for (name, _, svc) in services.entries() {
        let servers = svc
            .get("loadBalancer")
            .and_then(|l| l.get("servers"))
            .and_then(Node::as_seq);
        for s in servers.unwrap_or(&[]) {
            let Some(url) = s.get("url") else { continue };
            let Some(text) = url.as_str() else { continue };
            for ep in super::endpoints::endpoints(text) {
                if !ep.explicit_port {
                    continue;
                }
                // Exact span only when the scalar is written plainly (no escapes to shift offsets).
                let exact = url.span.range().len() >= text.len();
                let span = if exact && url.style() == Some(crate::yaml::ScalarStyle::Plain) {
                    url.span.sub(ep.range.clone())
                } else {
                    url.span
                };
                out.push(GatewayBackend {
                    address: text[ep.range.clone()].to_owned(),
                    span,
                    via: format!("Traefik service `{name}`"),
                });
            }
        }
    }
    out
}

/// What the files that make claims about services say (see [`Stack::claim_files`]).
#[derive(Default)]
struct ClaimFiles {
    registries: Vec<RegistryDoc>,
    prometheus: Vec<(FileId, prometheus::PrometheusConfig)>,
    gateways: Vec<GatewayBackend>,
    diagnostics: Vec<Diagnostic>,
}

/// Paths that matter for existence checks: every discovered file, every folder above one, plus the
/// build contexts and env files named by compose files (checked once here, not in rules).
fn existing_paths(files: &[Found]) -> HashSet<String> {
    let mut set = HashSet::default();
    set.insert(String::new());
    for f in files {
        let mut p = f.rel.as_str();
        set.insert(p.to_owned());
        while let Some((d, _)) = p.rsplit_once('/') {
            if !set.insert(d.to_owned()) {
                break;
            }
            p = d;
        }
    }
    set
}

/// Where a service's healthcheck comes from (or why it has none).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HealthSource {
    /// An active `healthcheck` in compose.
    Compose,
    /// `disable: true` or `test: ["NONE"]` in compose.
    DisabledInCompose(Span),
    /// A `HEALTHCHECK CMD` in the service's Dockerfile.
    Dockerfile(FileId),
    /// `HEALTHCHECK NONE` in the Dockerfile.
    DisabledInDockerfile(FileId),
    /// The Dockerfile was read and has no `HEALTHCHECK`.
    NoneInDockerfile(FileId),
    /// No compose healthcheck, and a pulled image that may or may not define one.
    NoneForImage(String),
    /// Cannot tell (unreadable Dockerfile, unresolved image).
    Unknown,
}

impl Stack {
    /// The Dockerfile a service builds from, with its build target.
    pub fn dockerfile_for<'a>(
        &'a self,
        project: &Project,
        service: &'a crate::compose::Service,
    ) -> Option<(&'a DockerfileDoc, Option<&'a str>)> {
        let build = service.build.as_ref()?;
        if build.inline || crate::compose::model::is_unknown(&build.context.value) {
            return None;
        }
        let ctx = project::join(&project.dir, &build.context.value)?;
        let df = match &build.dockerfile {
            Some(d) => project::join(&ctx, &d.value)?,
            None => project::join(&ctx, "Dockerfile")?,
        };
        self.dockerfiles
            .get(&df)
            .map(|d| (d, build.target.as_ref().map(|t| t.value.as_str())))
    }

    /// Where `service`'s healthcheck comes from.
    pub fn health_of(&self, project: &Project, service: &crate::compose::Service) -> HealthSource {
        if let Some(h) = &service.healthcheck {
            if h.is_active() && h.test.is_some() {
                return HealthSource::Compose;
            }
            if !h.is_active() {
                return HealthSource::DisabledInCompose(h.span);
            }
        }
        if service.build.is_some() {
            return match self.built_dockerfile(project, service).as_deref() {
                // A Dockerfile without `FROM` (a placeholder) says nothing about health.
                Some(b) if b.placeholder => HealthSource::Unknown,
                Some(b) => match b.effective.healthcheck {
                    Some(dockerfile::Healthcheck::Cmd { .. }) => HealthSource::Dockerfile(b.file),
                    Some(dockerfile::Healthcheck::None { .. }) => HealthSource::DisabledInDockerfile(b.file),
                    None => HealthSource::NoneInDockerfile(b.file),
                },
                None => HealthSource::Unknown,
            };
        }
        match &service.image {
            Some(i) if !crate::compose::model::is_unknown(&i.value) => HealthSource::NoneForImage(i.value.clone()),
            _ => HealthSource::Unknown,
        }
    }
}

/// A service's Dockerfile as built: the file and the target stage after its `FROM` chain.
#[derive(Clone, Debug)]
pub struct BuiltDockerfile {
    pub file: FileId,
    pub effective: dockerfile::Effective,
    /// The file has no `FROM` at all (a placeholder): it says nothing about the container.
    pub placeholder: bool,
}

/// One word of the command a container runs, with where it was written.
#[derive(Clone, Debug)]
pub struct Word {
    pub text: String,
    pub span: Span,
}

/// Splits words that are themselves command lines (`sh -c "uvicorn …"`) into their words.
fn expand_words(words: Vec<Word>) -> Vec<Word> {
    let mut out = Vec::new();
    for w in words {
        if w.text.contains(char::is_whitespace) {
            for (sub, range) in crate::compose::read::split_words_at(&w.text) {
                let exact = w.span.range().len() == w.text.len();
                let span = if exact { w.span.sub(range) } else { w.span };
                out.push(Word { text: sub, span });
            }
        } else {
            out.push(w);
        }
    }
    out
}

impl Stack {
    fn dockerfile_words(&self, file: FileId, spec: &dockerfile::CommandSpec) -> Vec<Word> {
        let span = Span::new(file, spec.range.start, spec.range.end);
        spec.args.iter().map(|a| Word { text: a.clone(), span }).collect()
    }

    /// The addresses the command of `service` binds ([`super::listen::command_binds`]), with the
    /// index of the word that holds each (see [`Stack::run_command`]).
    pub fn command_binds<'a>(
        &self,
        project: &'a Project,
        service: &crate::compose::Service,
    ) -> Cow<'a, [super::listen::Bind]> {
        match self.facts(project, service) {
            Cow::Borrowed(f) => Cow::Borrowed(&f.binds),
            Cow::Owned(f) => Cow::Owned(f.binds),
        }
    }

    /// The command the container runs: entrypoint then command, compose overriding the Dockerfile
    /// (a compose `entrypoint` also drops the Dockerfile's `CMD`, as Docker does).
    pub fn run_command<'a>(&self, project: &'a Project, service: &crate::compose::Service) -> Cow<'a, [Word]> {
        match self.facts(project, service) {
            Cow::Borrowed(f) => Cow::Borrowed(&f.command),
            Cow::Owned(f) => Cow::Owned(f.command),
        }
    }

    /// The Dockerfile `service` is built from, with its effective stage; `None` when it builds
    /// nothing or its Dockerfile is not in the repository.
    pub fn built_dockerfile<'a>(
        &self,
        project: &'a Project,
        service: &crate::compose::Service,
    ) -> Option<Cow<'a, BuiltDockerfile>> {
        match self.facts(project, service) {
            Cow::Borrowed(f) => f.built.as_ref().map(Cow::Borrowed),
            Cow::Owned(f) => f.built.map(Cow::Owned),
        }
    }

    /// The Dockerfile `service` is built from, with its effective stage.
    fn resolve_dockerfile(&self, project: &Project, service: &crate::compose::Service) -> Option<BuiltDockerfile> {
        let (d, target) = self.dockerfile_for(project, service)?;
        Some(BuiltDockerfile {
            file: d.file,
            effective: d.doc.effective(target),
            placeholder: d.doc.stages.is_empty(),
        })
    }

    fn run_command_with(&self, service: &crate::compose::Service, built: Option<&BuiltDockerfile>) -> Vec<Word> {
        let compose = |c: &crate::compose::CommandLine| -> Vec<Word> {
            c.args
                .iter()
                .enumerate()
                .map(|(i, a)| Word {
                    text: a.clone(),
                    span: c.arg_span(i),
                })
                .collect()
        };
        let eff = built.map(|b| (b.file, &b.effective));
        let mut words = Vec::new();
        match (&service.entrypoint, &eff) {
            (Some(e), _) => words.extend(compose(e)),
            (None, Some((file, eff))) => {
                if let Some(ep) = &eff.entrypoint {
                    words.extend(self.dockerfile_words(*file, ep));
                }
            }
            _ => {}
        }
        match (&service.command, &eff) {
            (Some(c), _) => words.extend(compose(c)),
            (None, Some((file, eff))) if service.entrypoint.is_none() => {
                if let Some(cmd) = &eff.cmd {
                    words.extend(self.dockerfile_words(*file, cmd));
                }
            }
            _ => {}
        }
        expand_words(words)
    }

    /// The image the container runs: the compose `image` when nothing is built, else the root image
    /// of the Dockerfile's `FROM` chain. `None` when unknown.
    pub fn effective_image<'a>(&self, project: &'a Project, service: &crate::compose::Service) -> Option<Cow<'a, str>> {
        match self.facts(project, service) {
            Cow::Borrowed(f) => f.image.as_deref().map(Cow::Borrowed),
            Cow::Owned(f) => f.image.map(Cow::Owned),
        }
    }

    fn compute_effective_image(
        &self,
        service: &crate::compose::Service,
        built: Option<&BuiltDockerfile>,
    ) -> Option<String> {
        if service.build.is_some() {
            return built?
                .effective
                .base_image
                .clone()
                .filter(|i| !crate::compose::model::is_unknown(i));
        }
        service
            .image
            .as_ref()
            .map(|i| i.value.clone())
            .filter(|i| !crate::compose::model::is_unknown(i))
    }

    /// Ports the container listens on, as far as stacklint can tell: container ports of `ports`,
    /// `expose`, the Dockerfile's `EXPOSE`, server flags in its command, a `PORT` variable, and the
    /// default port of a well-known image.
    pub fn listen_ports<'a>(
        &self,
        project: &'a Project,
        service: &crate::compose::Service,
    ) -> Cow<'a, std::collections::BTreeSet<u16>> {
        match self.facts(project, service) {
            Cow::Borrowed(f) => Cow::Borrowed(&f.listen),
            Cow::Owned(f) => Cow::Owned(f.listen),
        }
    }

    fn compute_listen_ports(
        &self,
        service: &crate::compose::Service,
        built: Option<&BuiltDockerfile>,
        bound_ports: Vec<u16>,
    ) -> std::collections::BTreeSet<u16> {
        let mut set = std::collections::BTreeSet::new();
        for m in &service.ports {
            set.extend((m.target.start..=m.target.end).take(4096));
        }
        for e in &service.expose {
            set.extend((e.value.start..=e.value.end).take(4096));
        }
        if let Some(b) = built {
            for e in &b.effective.expose {
                set.extend((e.port..=e.end_port.unwrap_or(e.port)).take(4096));
            }
        }
        set.extend(bound_ports);
        if let Some(p) = service
            .env("PORT")
            .and_then(|e| e.value.as_ref())
            .and_then(|v| v.value.parse::<u16>().ok())
        {
            set.insert(p);
        }
        if let Some(image) = self.compute_effective_image(service, built) {
            set.extend(super::images::image_default_ports(&image));
        }
        set
    }

    /// Whether the container's ports are reachable by design: published, exposed, or declared.
    pub fn is_served(&self, project: &Project, service: &crate::compose::Service) -> bool {
        !service.ports.is_empty()
            || !service.expose.is_empty()
            || self
                .built_dockerfile(project, service)
                .is_some_and(|b| !b.effective.expose.is_empty())
    }
}

impl Stack {
    /// Where secret values are written: literal values of secret-named variables (`*_PASSWORD`,
    /// `*_TOKEN`, `*_SECRET`, `*_KEY`, …) in compose `environment`, `.env` files and Kubernetes
    /// container env. Renderers that show source text mask
    /// these bytes (see `report::redact`). References and placeholders (`${VAR}`) are left alone.
    pub fn secret_spans(&self) -> Vec<Span> {
        use crate::k8s::checks::secrets::{is_placeholder, is_secret_name};
        let mut out = Vec::new();
        let literal = |span: Span| {
            let text = self.sources.get(span.file).map_or("", |f| f.slice(span));
            !is_placeholder(text)
        };
        for p in &self.projects {
            for s in &p.model.services {
                for e in &s.environment {
                    if let Some(v) = e.value.as_ref().filter(|_| is_secret_name(&e.name.value)) {
                        if literal(v.span) {
                            out.push(v.span);
                        }
                    }
                }
            }
        }
        for e in self.env_files.values() {
            for en in e.doc.entries.iter().filter(|en| is_secret_name(&en.key)) {
                let span = Span::new(e.file, en.value_range.start, en.value_range.end);
                if literal(span) {
                    out.push(span);
                }
            }
        }
        for (_, w) in self.k8s.workloads() {
            for c in crate::k8s::checks::all_containers(w) {
                for e in c.env.iter().filter(|e| is_secret_name(&e.name.value)) {
                    if let Some(v) = e.value.as_ref().filter(|v| literal(v.span)) {
                        out.push(v.span);
                    }
                }
            }
        }
        out.sort_by_key(|s| (s.file, s.start, s.end));
        out.dedup();
        out
    }
}

#[cfg(test)]
mod tests;
