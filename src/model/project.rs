//! Compose projects: which files Compose merges together, and the merge itself.
//!
//! A base (`compose.y(a)ml` / `docker-compose.y(a)ml`) runs with its `*.override.y(a)ml`; each
//! `docker-compose.<env>.y(a)ml` beside a base is an alternative overlay, evaluated as its own
//! project `base+<env>`, unless it shares no service with the base and runs without it (then it
//! is a project of its own, see `is_alternative`); explicit `projects:` in the config win. Each file is interpolated with the
//! project's `.env`, `extends` and `include` are resolved, then the files are merged with the
//! Compose specification's rules at the YAML-tree level. Merged nodes keep the spans of the file
//! where each value was written, so every finding still points at the right line.

use super::interpolate::{interpolate, Interpolated, Lookup};
use crate::compose::{read::Reader, ComposeModel};
use crate::diagnostic::Diagnostic;
use crate::source::{FileId, Span};
use crate::yaml::{Node, NodeKind};
use foldhash::HashMap;
use std::collections::BTreeMap;

/// A compose project as Compose would run it.
#[derive(Debug)]
pub struct Project {
    /// `dir/compose.yaml`, or `dir/docker-compose.yml+prod` for an alternative overlay.
    pub name: String,
    /// Folder of the first file, relative to the root (`""` for the root).
    pub dir: String,
    pub files: Vec<FileId>,
    pub model: ComposeModel,
    /// Variables from the project's `.env` (values as written).
    pub env: BTreeMap<String, String>,
    /// The `.env` file used, if any.
    pub env_file: Option<FileId>,
    /// Variables referenced without a default and not defined anywhere known.
    pub undefined_vars: Vec<(String, Span)>,
    /// What the Dockerfile and image say of each service, in the order of `model.services`; filled
    /// once the whole stack is read (see `Stack::effective_image` and `Stack::listen_ports`).
    pub facts: Vec<ServiceFacts>,
}

/// Facts about a service that need the Dockerfile: several rules and the doc scopes ask for them,
/// so they are worked out once per service instead of once per question.
#[derive(Clone, Debug, Default)]
pub struct ServiceFacts {
    pub image: Option<String>,
    pub listen: std::collections::BTreeSet<u16>,
    /// The folded words a doc may use for the service (see `crate::docs::service_keys`).
    pub doc_keys: Vec<String>,
    /// Whether its `ports` hold a value that could not be resolved (`crate::docs::ports_uncertain`):
    /// asked for every service of a doc's scope, and it walks the project's YAML.
    pub ports_uncertain: bool,
    /// The Dockerfile it builds from, resolved (see `Stack::built_dockerfile`).
    pub built: Option<super::stack::BuiltDockerfile>,
    /// The command its container runs (see `Stack::run_command`).
    pub command: Vec<super::stack::Word>,
    /// The addresses that command binds (`Stack::command_binds`): `command` indices for spans.
    pub binds: Vec<super::listen::Bind>,
}

impl Project {
    /// The cached facts of `service`, if it is one of this project's services (found by address:
    /// rules hold references into `model.services`).
    pub fn facts_of(&self, service: &crate::compose::Service) -> Option<&ServiceFacts> {
        self.facts.get(super::position_in(&self.model.services, service)?)
    }
}

/// The variables of one `.env` file, in order, with the file they came from.
pub type EnvVars = (FileId, Vec<(String, String)>);

/// What project building needs from the rest of the stack.
pub struct ComposeInputs<'a> {
    /// Every compose-like YAML document by relative path.
    pub docs: &'a HashMap<String, (FileId, &'a Node)>,
    /// Parsed `.env` files by relative path: variables in order.
    pub env_files: &'a HashMap<String, EnvVars>,
}

/// The folder part of a relative path (`""` at the root).
pub fn dir_of(rel: &str) -> &str {
    rel.rsplit_once('/').map_or("", |(d, _)| d)
}

/// Joins a relative folder and a path written in a file, normalising `.` and `..`.
/// Returns `None` for absolute paths or paths that climb out of the root.
pub fn join(dir: &str, path: &str) -> Option<String> {
    if path.starts_with('/') || path.starts_with('~') || path.contains("://") {
        return None;
    }
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for seg in path.split(['/', '\\']) {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

fn file_name(rel: &str) -> &str {
    rel.rsplit('/').next().unwrap_or(rel)
}

fn is_base_name(name: &str) -> bool {
    matches!(
        name,
        "compose.yaml" | "compose.yml" | "docker-compose.yaml" | "docker-compose.yml"
    )
}

/// `docker-compose.prod.yml` → `Some(("docker-compose", "prod"))`.
fn overlay_parts(name: &str) -> Option<(&str, &str)> {
    let stem = name.strip_suffix(".yml").or_else(|| name.strip_suffix(".yaml"))?;
    let (base, env) = stem.split_once('.')?;
    if (base == "compose" || base == "docker-compose") && !env.is_empty() {
        Some((base, env))
    } else {
        None
    }
}

/// Whether the files `a` and `b` are a base and an alternative overlay of it in one folder
/// (`docker-compose.yml` and `docker-compose.center-deep.yml`): whether merged (`base+env`) or
/// run alone, they describe one stack in two ways, never two stacks running side by side.
pub fn base_and_alternative(a: &str, b: &str) -> bool {
    if dir_of(a) != dir_of(b) {
        return false;
    }
    let pair = |base: &str, alt: &str| {
        let base = file_name(base);
        is_base_name(base)
            && overlay_parts(file_name(alt))
                .is_some_and(|(stem, env)| env != "override" && base.split('.').next() == Some(stem))
    };
    pair(a, b) || pair(b, a)
}

/// Whether a compose document could run on its own: some service has an image or a build.
pub fn is_runnable(doc: &Node) -> bool {
    doc.get("services")
        .map(|s| {
            s.entries()
                .any(|(_, _, b)| b.get("image").is_some() || b.get("build").is_some() || b.get("extends").is_some())
        })
        .unwrap_or(false)
}

/// The service keys a compose document defines.
fn service_names(doc: &Node) -> impl Iterator<Item = &str> {
    doc.get("services")
        .into_iter()
        .flat_map(|s| s.entries().map(|(name, _, _)| name))
}

/// The services a compose service names as ones it needs (`depends_on`, `links`, `extends` in the
/// same file, `network_mode: service:x`, `volumes_from`), as written.
fn needed_services(service: &Node) -> Vec<&str> {
    let mut out = Vec::new();
    if let Some(d) = service.get("depends_on") {
        match d.as_seq() {
            Some(items) => out.extend(items.iter().filter_map(Node::as_text)),
            None => out.extend(d.entries().map(|(name, _, _)| name)),
        }
    }
    for l in service.get("links").and_then(Node::as_seq).unwrap_or_default() {
        out.extend(l.as_text().map(|t| t.split(':').next().unwrap_or(t)));
    }
    if let Some(e) = service.get("extends") {
        match e.as_text() {
            Some(t) => out.push(t),
            None if e.get("file").is_none() => out.extend(e.get("service").and_then(Node::as_text)),
            None => {}
        }
    }
    if let Some(t) = service.get("network_mode").and_then(Node::as_text) {
        out.extend(t.strip_prefix("service:"));
    }
    for v in service.get("volumes_from").and_then(Node::as_seq).unwrap_or_default() {
        if let Some(t) = v.as_text().filter(|t| !t.starts_with("container:")) {
            let t = t.strip_prefix("service:").unwrap_or(t);
            out.push(t.split(':').next().unwrap_or(t));
        }
    }
    out
}

/// Whether `overlay`, named as an overlay of `base`, is rather an alternative to it: a file that
/// runs on its own (some service has an image or a build) and adjusts none of the base's services
/// (they share no service name), which some script or doc runs alone, or none runs with the base
/// while none of its services needs one of the base's. `docker-compose.center-deep.yml` beside
/// `docker-compose.yml`, started with `-f docker-compose.center-deep.yml`, is such a file;
/// `docker-compose.prod.yml` that changes the base's `api`, or a `docker-compose.monitoring.yml`
/// whose exporter depends on the base's `db`, is an overlay.
fn is_alternative(base: &str, overlay: &str, docs: &HashMap<String, (FileId, &Node)>, runs: &[Vec<String>]) -> bool {
    let (Some((_, base_doc)), Some((_, doc))) = (docs.get(base), docs.get(overlay)) else {
        return false;
    };
    if !is_runnable(doc) {
        return false;
    }
    let base_names: foldhash::HashSet<&str> = service_names(base_doc).collect();
    if service_names(doc).any(|n| base_names.contains(n)) {
        return false;
    }
    let with_base = |r: &Vec<String>| r.iter().any(|f| f == base);
    let naming = || runs.iter().filter(|r| r.iter().any(|f| f == overlay));
    if naming().any(|r| !with_base(r)) {
        return true;
    }
    let needs_base = doc
        .get("services")
        .into_iter()
        .flat_map(|s| s.entries())
        .any(|(_, _, body)| needed_services(body).iter().any(|n| base_names.contains(n)));
    !needs_base && !naming().any(with_base)
}

/// Groups compose files into projects: returns (name, files in merge order). `runs` are the file
/// lists of the `docker compose -f ...` invocations found in scripts and docs.
pub fn group(
    compose_paths: &[String],
    docs: &HashMap<String, (FileId, &Node)>,
    explicit: &[(String, Vec<String>)],
    runs: &[Vec<String>],
) -> Vec<(String, Vec<String>)> {
    let mut projects: Vec<(String, Vec<String>)> = Vec::new();
    let mut used: foldhash::HashSet<&str> = foldhash::HashSet::default();
    for (name, files) in explicit {
        projects.push((name.clone(), files.clone()));
        for f in files {
            if let Some(p) = compose_paths.iter().find(|p| *p == f) {
                used.insert(p.as_str());
            }
        }
    }
    let mut by_dir: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for p in compose_paths {
        if !used.contains(p.as_str()) {
            by_dir.entry(dir_of(p)).or_default().push(p);
        }
    }
    for (_dir, files) in by_dir {
        let bases: Vec<&str> = files.iter().copied().filter(|f| is_base_name(file_name(f))).collect();
        let mut claimed: foldhash::HashSet<&str> = bases.iter().copied().collect();
        for base in &bases {
            let base_stem = file_name(base).split('.').next().unwrap_or("");
            let overrides: Vec<&str> = files
                .iter()
                .copied()
                .filter(|f| overlay_parts(file_name(f)) == Some((base_stem, "override")))
                .collect();
            let mut main = vec![(*base).to_owned()];
            main.extend(overrides.iter().map(|s| (*s).to_owned()));
            claimed.extend(overrides.iter().copied());
            projects.push(((*base).to_owned(), main));
            for f in &files {
                if let Some((stem, env)) = overlay_parts(file_name(f)) {
                    if stem == base_stem && env != "override" {
                        claimed.insert(f);
                        if is_alternative(base, f, docs, runs) {
                            projects.push(((*f).to_owned(), vec![(*f).to_owned()]));
                        } else {
                            projects.push((format!("{base}+{env}"), vec![(*base).to_owned(), (*f).to_owned()]));
                        }
                    }
                }
            }
        }
        // Overlays whose base has another stem (`compose.yaml` + `docker-compose.dev.yml`) still
        // belong to the folder's base when there is exactly one.
        for f in &files {
            if claimed.contains(f) {
                continue;
            }
            let runnable = docs.get(*f).is_some_and(|(_, d)| is_runnable(d));
            if let (Some((_, env)), [base]) = (overlay_parts(file_name(f)), bases.as_slice()) {
                if env != "override" && !runnable {
                    projects.push((format!("{base}+{env}"), vec![(*base).to_owned(), (*f).to_owned()]));
                    continue;
                }
            }
            if runnable {
                projects.push(((*f).to_owned(), vec![(*f).to_owned()]));
            }
        }
    }
    projects
}

/// Service-level keys whose sequences are replaced, not appended, by an override.
const REPLACE_SEQ: &[&str] = &["command", "entrypoint", "test", "profiles"];
/// Keys whose list form `KEY=VALUE` merges by key.
pub(crate) const KEYED_LISTS: &[&str] = &[
    "environment",
    "labels",
    "annotations",
    "extra_hosts",
    "sysctls",
    "build_args",
    "args",
];
/// Keys whose list form names entries that merge by name.
pub(crate) const NAMED_LISTS: &[&str] = &["depends_on", "networks"];

/// Merges `over` into `base` following the Compose specification.
pub fn merge(base: &mut Node, over: &Node, key: &str, depth: usize) {
    if depth > 64 {
        return;
    }
    if over.tag.as_deref() == Some("!override") || !base.is_map() && !matches!(base.kind, NodeKind::Seq(_)) {
        *base = strip_tag(over);
        return;
    }
    if KEYED_LISTS.contains(&key) || NAMED_LISTS.contains(&key) {
        let keyed = KEYED_LISTS.contains(&key);
        if let (Some(b), Some(o)) = (as_keyed_map(base, keyed), as_keyed_map(over, keyed)) {
            *base = b;
            merge_maps(base, &o, depth);
            return;
        }
    }
    match (&mut base.kind, &over.kind) {
        (NodeKind::Map(_), NodeKind::Map(_)) => merge_maps(base, over, depth),
        (NodeKind::Seq(items), NodeKind::Seq(more)) if !REPLACE_SEQ.contains(&key) => {
            for m in more {
                let dup = m.as_str().is_some() && items.iter().any(|i| i.as_str() == m.as_str());
                if !dup {
                    items.push(m.clone());
                }
            }
        }
        _ => *base = strip_tag(over),
    }
}

pub(crate) fn strip_tag(n: &Node) -> Node {
    let mut n = n.clone();
    if matches!(n.tag.as_deref(), Some("!override")) {
        n.tag = None;
    }
    n
}

/// What merging an overlay's value into one key of a mapping does (the Compose rules).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum KeyMerge {
    /// `!reset` on a key the base has: the key goes.
    Remove,
    /// The base value is null: the overlay's value (tag stripped) takes its place.
    Replace,
    /// Both set: the values merge ([`merge`]).
    Merge,
    /// A key the base lacks: added at the end, tag stripped.
    Add,
    /// A null overlay, or `!reset` of a key the base lacks: nothing changes.
    Keep,
}

/// The rule of [`merge_maps`] for one key, shared with the layered merge (`super::layered`).
pub(crate) fn key_merge(base: Option<&Node>, over: &Node) -> KeyMerge {
    let reset = over.tag.as_deref() == Some("!reset");
    match base {
        Some(_) if reset => KeyMerge::Remove,
        None if reset => KeyMerge::Keep,
        Some(b) if b.is_null() => KeyMerge::Replace,
        Some(_) if over.is_null() => KeyMerge::Keep,
        Some(_) => KeyMerge::Merge,
        None => KeyMerge::Add,
    }
}

fn merge_maps(base: &mut Node, over: &Node, depth: usize) {
    let NodeKind::Map(over_entries) = &over.kind else {
        return;
    };
    let NodeKind::Map(entries) = &mut base.kind else {
        return;
    };
    for (ok, ov) in over_entries {
        let Some(k) = ok.as_str() else { continue };
        let pos = entries.iter().position(|(bk, _)| bk.as_str() == Some(k));
        let slot = pos.and_then(|i| entries.get(i)).map(|(_, bv)| bv);
        match (key_merge(slot, ov), pos) {
            (KeyMerge::Remove, Some(i)) => {
                entries.remove(i);
            }
            (KeyMerge::Replace, Some(i)) => {
                if let Some((_, bv)) = entries.get_mut(i) {
                    *bv = strip_tag(ov);
                }
            }
            (KeyMerge::Merge, Some(i)) => {
                if let Some((_, bv)) = entries.get_mut(i) {
                    merge(bv, ov, k, depth + 1);
                }
            }
            (KeyMerge::Add, _) => entries.push((ok.clone(), strip_tag(ov))),
            _ => {}
        }
    }
}

/// A list like `["A=1", "B"]` (or `[a, b]` for named lists) as a mapping; maps are returned as they are.
fn as_keyed_map(n: &Node, keyed: bool) -> Option<Node> {
    match &n.kind {
        NodeKind::Map(_) => Some(n.clone()),
        NodeKind::Seq(items) => {
            let mut entries = Vec::new();
            for i in items {
                let text = i.as_str()?;
                let (k, v) = if keyed {
                    match text.split_once('=') {
                        Some((k, v)) => (k, Some(v)),
                        None => (text, None),
                    }
                } else {
                    (text, None)
                };
                let key = Node::scalar(k, i.span.sub(0..k.len()));
                let value = match v {
                    Some(v) => {
                        let sp = if i.span.range().len() == text.len() {
                            i.span.sub(k.len() + 1..text.len())
                        } else {
                            i.span
                        };
                        let mut node = Node::scalar(v, sp);
                        node.kind = NodeKind::Scalar(v.to_owned(), crate::yaml::ScalarStyle::DoubleQuoted);
                        node
                    }
                    None => Node::scalar("", i.span),
                };
                entries.push((key, value));
            }
            Some(Node {
                kind: NodeKind::Map(entries),
                span: n.span,
                tag: None,
                via_alias: None,
            })
        }
        NodeKind::Scalar(..) => None,
    }
}

/// Deepest level [`interpolate_tree`] reads: a `$` below it is left as written.
pub(crate) const MAX_INTERPOLATION_DEPTH: usize = 300;

/// Interpolates every scalar value of a tree. Values that cannot be resolved keep their text (which
/// still holds `${...}`, so typed readers treat them as unknown). Returns variables referenced
/// without a default that the environment does not define.
pub fn interpolate_tree(
    node: &mut Node,
    env: &BTreeMap<String, String>,
    undefined: &mut Vec<(String, Span)>,
    depth: usize,
) {
    if depth > MAX_INTERPOLATION_DEPTH {
        return;
    }
    match &mut node.kind {
        NodeKind::Scalar(text, _) => {
            if !text.contains('$') {
                return;
            }
            let lookup = |name: &str| -> Option<Lookup> {
                Some(match env.get(name) {
                    Some(v) => Lookup::Set(v.clone()),
                    None => Lookup::Unset,
                })
            };
            let result = interpolate(text, &lookup);
            let mut missing = false;
            for v in &result.vars {
                if !v.has_default && !env.contains_key(&v.name) {
                    missing = true;
                    undefined.push((v.name.clone(), node.span));
                }
            }
            if result.error.is_none() && !missing {
                if let Interpolated::Known(value) = result.value {
                    *text = value;
                }
            }
        }
        NodeKind::Seq(items) => {
            for i in items {
                interpolate_tree(i, env, undefined, depth + 1);
            }
        }
        NodeKind::Map(entries) => {
            for (_, v) in entries {
                interpolate_tree(v, env, undefined, depth + 1);
            }
        }
    }
}

/// Builds one project: interpolate each file, resolve `extends` and `include`, merge, read.
pub fn build(
    name: String,
    files: &[String],
    env_path: Option<&str>,
    inputs: &ComposeInputs<'_>,
) -> (Option<Project>, Vec<Diagnostic>) {
    build_with(name, files, env_path, inputs, true)
}

/// [`build`], where `layered` says whether plain projects may merge without copying (tests
/// compare both ways).
fn build_with(
    name: String,
    files: &[String],
    env_path: Option<&str>,
    inputs: &ComposeInputs<'_>,
    layered: bool,
) -> (Option<Project>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let Some(first) = files.first() else {
        return (None, diags);
    };
    let dir = dir_of(first).to_owned();
    let env_rel = env_path.map_or_else(|| join(&dir, ".env").unwrap_or_default(), str::to_owned);
    let (env_file, env) = match inputs.env_files.get(&env_rel) {
        Some((id, vars)) => (Some(*id), vars.iter().cloned().collect::<BTreeMap<_, _>>()),
        None => (None, BTreeMap::new()),
    };
    let mut undefined = Vec::new();
    // Plain projects merge without copying their files' trees (see `super::layered`).
    let found: Vec<(FileId, &Node)> = files.iter().filter_map(|f| inputs.docs.get(f).copied()).collect();
    let trees: Vec<&Node> = found.iter().map(|(_, d)| *d).collect();
    let plain = if layered {
        super::layered::merge_files(&trees, &env, &mut undefined)
    } else {
        None
    };
    let mut reader = Reader::new();
    let model = match plain {
        Some(layered) => reader.read_merged(&layered.root, &layered.services),
        None => {
            let mut merged: Option<Node> = None;
            for f in files {
                let Some((_, doc)) = inputs.docs.get(f) else { continue };
                let mut doc = (*doc).clone();
                interpolate_tree(&mut doc, &env, &mut undefined, 0);
                resolve_includes(&mut doc, f, inputs, &env, &mut undefined, 0);
                resolve_extends(&mut doc, f, inputs, &env, &mut diags);
                match &mut merged {
                    None => merged = Some(doc),
                    Some(m) => merge(m, &doc, "", 0),
                }
            }
            let Some(root) = merged else {
                return (None, diags);
            };
            reader.read(&root)
        }
    };
    diags.extend(reader.diagnostics);
    (
        Some(Project {
            name,
            dir,
            files: found.iter().map(|(id, _)| *id).collect(),
            model,
            env,
            env_file,
            undefined_vars: undefined,
            facts: Vec::new(),
        }),
        diags,
    )
}

/// Adds the services of `include:`d files (their own values win nowhere: Compose rejects conflicts,
/// so a name already defined is kept as it is).
fn resolve_includes(
    doc: &mut Node,
    path: &str,
    inputs: &ComposeInputs<'_>,
    env: &BTreeMap<String, String>,
    undefined: &mut Vec<(String, Span)>,
    depth: usize,
) {
    if depth > 8 {
        return;
    }
    let Some(includes) = doc.get("include").and_then(Node::as_seq).map(<[Node]>::to_vec) else {
        return;
    };
    let dir = dir_of(path).to_owned();
    for inc in includes {
        let paths: Vec<String> = if let Some(p) = inc.as_text() {
            vec![p.to_owned()]
        } else if let Some(p) = inc.get("path") {
            match p.as_seq() {
                Some(items) => items.iter().filter_map(|i| i.as_text().map(str::to_owned)).collect(),
                None => p.as_text().map(str::to_owned).into_iter().collect(),
            }
        } else {
            Vec::new()
        };
        for p in paths {
            let Some(rel) = join(&dir, &p) else { continue };
            let Some((_, inc_doc)) = inputs.docs.get(&rel) else {
                continue;
            };
            let mut inc_doc = (*inc_doc).clone();
            interpolate_tree(&mut inc_doc, env, undefined, 0);
            resolve_includes(&mut inc_doc, &rel, inputs, env, undefined, depth + 1);
            let mut empty = Vec::new();
            resolve_extends(&mut inc_doc, &rel, inputs, env, &mut empty);
            let Some(NodeKind::Map(inc_services)) = inc_doc.get("services").map(|s| s.kind.clone()) else {
                continue;
            };
            add_services(doc, inc_services);
        }
    }
}

fn add_services(doc: &mut Node, more: Vec<(Node, Node)>) {
    let NodeKind::Map(entries) = &mut doc.kind else { return };
    let idx = match entries.iter().position(|(k, _)| k.as_str() == Some("services")) {
        Some(i) => i,
        None => {
            let span = doc.span;
            entries.push((
                Node::scalar("services", span),
                Node {
                    kind: NodeKind::Map(Vec::new()),
                    span,
                    tag: None,
                    via_alias: None,
                },
            ));
            entries.len() - 1
        }
    };
    let Some((_, services)) = entries.get_mut(idx) else {
        return;
    };
    if services.is_null() {
        services.kind = NodeKind::Map(Vec::new());
    }
    let NodeKind::Map(svc) = &mut services.kind else { return };
    for (k, v) in more {
        if !svc.iter().any(|(sk, _)| sk.as_str() == k.as_str()) {
            svc.push((k, v));
        }
    }
}

/// Resolves `extends` in every service of `doc` (same file or `file:`), bounded and cycle-safe.
fn resolve_extends(
    doc: &mut Node,
    path: &str,
    inputs: &ComposeInputs<'_>,
    env: &BTreeMap<String, String>,
    diags: &mut Vec<Diagnostic>,
) {
    // Most files use no `extends`: then nothing changes, and the services need no copy.
    let Some(services) = doc
        .get("services")
        .filter(|s| s.is_map() && s.entries().any(|(_, _, v)| v.get("extends").is_some()))
        .cloned()
    else {
        return;
    };
    let names: Vec<String> = services.entries().map(|(n, _, _)| n.to_owned()).collect();
    let mut resolved: Vec<(String, Node)> = Vec::new();
    for name in names {
        let mut chain: Vec<(String, String)> = vec![(path.to_owned(), name.clone())];
        if let Some(node) = extended(&services, path, &name, inputs, env, &mut chain, diags) {
            resolved.push((name, node));
        }
    }
    let Some(NodeKind::Map(entries)) = doc_services_mut(doc).map(|s| &mut s.kind) else {
        return;
    };
    for (name, node) in resolved {
        if let Some((_, v)) = entries.iter_mut().find(|(k, _)| k.as_str() == Some(name.as_str())) {
            *v = node;
        }
    }
}

fn doc_services_mut(doc: &mut Node) -> Option<&mut Node> {
    let NodeKind::Map(entries) = &mut doc.kind else {
        return None;
    };
    entries
        .iter_mut()
        .find(|(k, _)| k.as_str() == Some("services"))
        .map(|(_, v)| v)
}

/// The service `name` of `services` (in file `path`) with its `extends` chain applied, or `None`
/// when it does not extend anything.
fn extended(
    services: &Node,
    path: &str,
    name: &str,
    inputs: &ComposeInputs<'_>,
    env: &BTreeMap<String, String>,
    chain: &mut Vec<(String, String)>,
    diags: &mut Vec<Diagnostic>,
) -> Option<Node> {
    let svc = services.get(name)?;
    let ext = svc.get("extends")?;
    let (target, file) = match ext.as_text() {
        Some(t) => (t.to_owned(), None),
        None => (
            ext.get("service")?.as_text()?.to_owned(),
            ext.get("file").and_then(Node::as_text).map(str::to_owned),
        ),
    };
    let target_path = match &file {
        Some(f) => join(dir_of(path), f)?,
        None => path.to_owned(),
    };
    if chain.iter().any(|(p, n)| *p == target_path && *n == target) || chain.len() > 10 {
        diags.push(
            Diagnostic::new(
                "undefined-service",
                ext.span,
                format!("`extends` of service `{name}` forms a cycle through `{target}`"),
            )
            .label("this extends chain loops")
            .subject(format!("extends cycle {name}")),
        );
        return None;
    }
    chain.push((target_path.clone(), target.clone()));
    let (base_services, base_owned);
    if file.is_some() {
        let (_, d) = inputs.docs.get(&target_path)?;
        let mut d = (*d).clone();
        interpolate_tree(&mut d, env, &mut Vec::new(), 0);
        base_owned = d.get("services")?.clone();
        base_services = &base_owned;
    } else {
        base_services = services;
    }
    let base = base_services.get(&target)?;
    let mut base =
        extended(base_services, &target_path, &target, inputs, env, chain, diags).unwrap_or_else(|| base.clone());
    // Compose never inherits these from the extended service.
    if let NodeKind::Map(entries) = &mut base.kind {
        entries.retain(|(k, _)| !matches!(k.as_str(), Some("depends_on" | "links" | "volumes_from" | "extends")));
    }
    let mut own = svc.clone();
    if let NodeKind::Map(entries) = &mut own.kind {
        entries.retain(|(k, _)| k.as_str() != Some("extends"));
    }
    merge(&mut base, &own, "", 0);
    Some(base)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins() {
        assert_eq!(join("a/b", "../c/.env").as_deref(), Some("a/c/.env"));
        assert_eq!(join("", "./x").as_deref(), Some("x"));
        assert_eq!(join("", "../x"), None);
        assert_eq!(join("a", "/opt/x"), None);
    }

    /// Which `docker-compose.<name>.yml` beside a base are overlays of it and which are
    /// alternatives (projects of their own).
    #[test]
    fn alternatives_by_content_and_runs() {
        let files = [
            (
                "docker-compose.yml",
                "services:\n  api: {image: api:1}\n  db: {image: pg:16}\n",
            ),
            // Adjusts `api`: an overlay.
            ("docker-compose.prod.yml", "services:\n  api: {restart: always}\n"),
            // Shares nothing, needs nothing, run by no script: an alternative.
            ("docker-compose.lite.yml", "services:\n  lite: {image: lite:1}\n"),
            // Needs the base's `db` and is run by no script: an overlay.
            (
                "docker-compose.metrics.yml",
                "services:\n  exporter: {image: exp:1, depends_on: [db]}\n",
            ),
            // Needs `db` too, but a script runs it alone: an alternative.
            (
                "docker-compose.demo.yml",
                "services:\n  demo: {image: demo:1, depends_on: [db]}\n",
            ),
            // Shares nothing, but a script runs it with the base: an overlay.
            ("docker-compose.tools.yml", "services:\n  tools: {image: tools:1}\n"),
        ];
        let parsed: Vec<crate::yaml::YamlStream> = files
            .iter()
            .enumerate()
            .map(|(i, (_, text))| {
                let id = FileId(u32::try_from(i).unwrap_or(0));
                crate::yaml::parse_yaml(id, text, crate::yaml::YamlLimits::default())
            })
            .collect();
        let mut docs: HashMap<String, (FileId, &Node)> = HashMap::default();
        for (i, ((path, _), stream)) in files.iter().zip(&parsed).enumerate() {
            if let Some(doc) = stream.documents.first() {
                docs.insert((*path).to_owned(), (FileId(u32::try_from(i).unwrap_or(0)), doc));
            }
        }
        let paths: Vec<String> = files.iter().map(|(p, _)| (*p).to_owned()).collect();
        let runs = vec![
            vec!["docker-compose.demo.yml".to_owned()],
            vec!["docker-compose.yml".to_owned(), "docker-compose.tools.yml".to_owned()],
        ];
        let names: Vec<String> = group(&paths, &docs, &[], &runs).into_iter().map(|(n, _)| n).collect();
        assert_eq!(
            names,
            [
                "docker-compose.yml",
                "docker-compose.yml+prod",
                "docker-compose.lite.yml",
                "docker-compose.yml+metrics",
                "docker-compose.demo.yml",
                "docker-compose.yml+tools",
            ]
        );
        assert!(base_and_alternative(
            "a/docker-compose.yml",
            "a/docker-compose.lite.yml"
        ));
        assert!(!base_and_alternative(
            "a/docker-compose.yml",
            "b/docker-compose.lite.yml"
        ));
        assert!(!base_and_alternative(
            "docker-compose.yml",
            "docker-compose.override.yml"
        ));
    }

    #[test]
    fn overlay_names() {
        assert_eq!(
            overlay_parts("docker-compose.prod.yml"),
            Some(("docker-compose", "prod"))
        );
        assert_eq!(overlay_parts("compose.override.yaml"), Some(("compose", "override")));
        assert_eq!(overlay_parts("docker-compose.yml"), None);
    }

    /// The project `files` (path, text) with `.env` text `env`, built with and without the
    /// layered merge: (model, undefined variables, diagnostics) each way, and whether the layered
    /// merge took the project.
    fn both_ways(files: &[(&str, &str)], env: &str) -> (String, String, bool) {
        let parsed: Vec<(String, crate::yaml::YamlStream)> = files
            .iter()
            .enumerate()
            .map(|(i, (path, text))| {
                let id = FileId(u32::try_from(i).unwrap_or(0));
                (
                    (*path).to_owned(),
                    crate::yaml::parse_yaml(id, text, crate::yaml::YamlLimits::default()),
                )
            })
            .collect();
        let mut docs: HashMap<String, (FileId, &Node)> = HashMap::default();
        for (i, (path, stream)) in parsed.iter().enumerate() {
            if let Some(doc) = stream.documents.first() {
                docs.insert(path.clone(), (FileId(u32::try_from(i).unwrap_or(0)), doc));
            }
        }
        let vars: Vec<(String, String)> = env
            .lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        let mut env_files: HashMap<String, EnvVars> = HashMap::default();
        env_files.insert(".env".to_owned(), (FileId(99), vars));
        let inputs = ComposeInputs {
            docs: &docs,
            env_files: &env_files,
        };
        let names: Vec<String> = files.iter().map(|(p, _)| (*p).to_owned()).collect();
        let show = |(project, diags): (Option<Project>, Vec<Diagnostic>)| {
            let project = project.map(|p| (format!("{:?}", p.model), p.undefined_vars, p.files));
            format!("{project:#?}\n{diags:#?}")
        };
        let trees: Vec<&Node> = names.iter().filter_map(|n| docs.get(n).map(|(_, d)| *d)).collect();
        let taken = super::super::layered::merge_files(&trees, &BTreeMap::new(), &mut Vec::new()).is_some();
        let full = show(build_with("p".to_owned(), &names, None, &inputs, false));
        let layered = show(build_with("p".to_owned(), &names, None, &inputs, true));
        (full, layered, taken)
    }

    const BASE: &str = "\
x-common: &common
  restart: unless-stopped
networks:
  net: {name: \"${NET:-backend}\"}
services:
  api:
    <<: *common
    image: \"registry/api:${TAG}\"
    command: [\"serve\", \"--port\", \"8000\"]
    environment:
      LOG: ${LOG:-info}
      DB: postgres://db:5432/app
      SECRET: ${MISSING}
    ports: [\"8000:8000\"]
    depends_on: [db]
    labels: [\"a=1\", \"b=2\"]
    healthcheck:
      test: [\"CMD\", \"curl\", \"-f\", \"http://localhost:8000\"]
    expose: ~
    networks: [net]
  db:
    image: postgres:16
    volumes: [\"./data:/var/lib/postgresql/data\"]
    hostname: database
  cache:
    image: redis:7
    container_name: ${PROJECT}-cache
volumes:
  data: {}
";

    const OVERRIDE: &str = "\
services:
  api:
    command: [\"serve\", \"--reload\"]
    environment:
      - LOG=debug
      - EXTRA=${EXTRA_MISSING}
    ports: [\"9000:8000\"]
    depends_on:
      cache: {condition: service_started}
    labels: {b: \"3\", c: \"4\"}
    healthcheck: !reset null
    expose: [\"8000\"]
    restart: ~
  db:
    image: !override postgres:17
    volumes: !override [\"db:/data\"]
  worker:
    image: \"worker:${TAG:-latest}\"
    depends_on: [api]
networks:
  extra: {}
";

    const THIRD: &str = "\
services:
  api:
    healthcheck:
      test: [\"CMD\", \"true\"]
    environment:
      THIRD: \"${LOG}\"
  cache: {image: \"redis:${REDIS:-8}\"}
";

    #[test]
    fn layered_merge_reads_as_the_full_merge() {
        let env = "TAG=1.2\nLOG=warn\nPROJECT=shop\n";
        for files in [
            vec![("docker-compose.yml", BASE)],
            vec![("docker-compose.yml", BASE), ("docker-compose.override.yml", OVERRIDE)],
            vec![
                ("docker-compose.yml", BASE),
                ("docker-compose.override.yml", OVERRIDE),
                ("docker-compose.third.yml", THIRD),
            ],
            vec![("docker-compose.override.yml", OVERRIDE), ("docker-compose.yml", BASE)],
            vec![
                ("docker-compose.third.yml", THIRD),
                ("docker-compose.yml", BASE),
                ("docker-compose.third.yml", THIRD),
            ],
        ] {
            let (full, layered, taken) = both_ways(&files, env);
            assert!(taken, "the layered merge must take these plain files");
            assert_eq!(
                full,
                layered,
                "files {:?}",
                files.iter().map(|f| f.0).collect::<Vec<_>>()
            );
        }
    }

    #[test]
    fn other_projects_take_the_full_merge() {
        let env = "TAG=1\n";
        for other in [
            "include: [other.yml]\nservices: {a: {image: x}}\n",
            "services:\n  a: {image: x}\n  b: {extends: a}\n",
            "services:\n  a: !override {image: x}\n",
            "services:\n  a:\n",
            "services: !reset {}\n",
            "services:\n  environment: {image: x}\n",
            "- not a mapping\n",
        ] {
            let files = [("docker-compose.yml", BASE), ("docker-compose.override.yml", other)];
            let (full, layered, taken) = both_ways(&files, env);
            assert!(!taken, "{other}");
            assert_eq!(full, layered, "{other}");
        }
    }
}
