//! Markdown docs as claims about the stack: what they say (see [`claims`]), which part of the stack
//! a doc talks about ([`Scope`]), and which service a word of the doc means ([`Scope::resolve`]).
//! The drift rules (`doc-port-drift`, `doc-count-drift`, `doc-dead-reference`) and the docs side of
//! `phantom-service` are joins between these claims and the model.

pub(crate) mod claims;
pub(crate) mod dead_reference;
pub mod generate;

use crate::compose::Service;
use crate::k8s::model::Object;
use crate::model::project::Project;
use crate::model::Stack;
use crate::source::{FileId, Span};
use claims::Claims;
use foldhash::{HashMap, HashSet};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

/// One Markdown file and its claims, read once when the stack is built.
#[derive(Debug)]
pub struct MdDoc {
    pub file: FileId,
    pub path: String,
    /// Changelogs, reports and dated notes: they describe the past, so counts are not checked.
    pub historical: bool,
    pub(crate) claims: Claims,
}

impl MdDoc {
    pub(crate) fn span(&self, r: &std::ops::Range<usize>) -> Span {
        Span::new(self.file, r.start, r.end)
    }

    /// The doc's folder, relative to the root (`""` for the root).
    pub(crate) fn dir(&self) -> &str {
        crate::model::project::dir_of(&self.path)
    }
}

/// Folders whose docs belong to someone else (vendored code, dependencies).
fn vendored(path: &str) -> bool {
    path.split('/').any(|c| {
        matches!(
            c,
            "vendor" | "third_party" | "third-party" | "node_modules" | ".venv" | "venv" | "site-packages" | "external"
        )
    })
}

/// Whether a doc describes the past: changelogs, reports, dated session notes, archives.
pub(crate) fn looks_historical(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    let name = lower.rsplit('/').next().unwrap_or(&lower);
    if [
        "changelog",
        "history",
        "report",
        "release",
        "news",
        "postmortem",
        "incident",
    ]
    .iter()
    .any(|w| name.contains(w))
    {
        return true;
    }
    if lower
        .split('/')
        .any(|c| matches!(c, "archive" | "archives" | "sessions" | "history" | "reports"))
    {
        return true;
    }
    crate::activity::dated_name(name)
}

/// Reads the Markdown files in scope: every `*.md` outside vendored folders, or only those matching
/// the config's `docs:` globs when given.
pub(crate) fn read_docs(stack: &Stack, globs: &[String]) -> Vec<MdDoc> {
    let set = if globs.is_empty() {
        None
    } else {
        let mut b = globset::GlobSetBuilder::new();
        for g in globs {
            if let Ok(glob) = globset::GlobBuilder::new(g).literal_separator(false).build() {
                b.add(glob);
            }
        }
        b.build().ok()
    };
    stack
        .texts
        .par_iter()
        .filter(|(_, k)| *k == crate::discover::FileKind::Markdown)
        .filter(|(id, _)| !stack.is_inactive(*id))
        .filter_map(|(id, _)| stack.sources.get(*id))
        .filter(|src| match &set {
            Some(s) => s.is_match(&src.path),
            None => !vendored(&src.path),
        })
        .map(|src| MdDoc {
            file: src.id,
            path: src.path.clone(),
            historical: looks_historical(&src.path),
            claims: claims::extract(&src.text),
        })
        .collect()
}

/// A thing a doc word may name.
#[derive(Clone, Copy)]
pub(crate) enum Target<'a> {
    Compose(&'a Project, &'a Service),
    K8s(&'a Object),
}

impl Target<'_> {
    pub(crate) fn name(&self) -> &str {
        match self {
            Target::Compose(_, s) => &s.name.value,
            Target::K8s(o) => &o.name.value,
        }
    }
}

/// Products known under several names: an image of one of them answers to all.
const PRODUCTS: &[&[&str]] = &[
    &["postgres", "postgresql", "pg", "postgis", "timescaledb", "pgvector"],
    &["mysql"],
    &["mariadb"],
    &["mongo", "mongodb"],
    &["redis", "redisstack", "redisstackserver"],
    &["valkey"],
    &["rabbitmq", "rabbit"],
    &["elasticsearch", "elastic"],
    &["opensearch"],
    &["grafana"],
    &["prometheus"],
    &["ollama"],
    &["nginx"],
    &["traefik"],
    &["caddy"],
    &["kafka", "cpkafka"],
    &["zookeeper", "cpzookeeper"],
    &["minio"],
    &["qdrant"],
    &["chroma", "chromadb"],
    &["neo4j"],
    &["jaeger", "allinone"],
    &["loki"],
    &["consul"],
    &["vault"],
    &["kong"],
    &["keycloak"],
    &["memcached"],
    &["influxdb", "influx"],
    &["adminer"],
    &["pgadmin", "pgadmin4"],
    &["mailhog"],
    &["mailpit"],
    &["nats"],
    &["alertmanager"],
    &["nodeexporter"],
    &["cadvisor"],
];

/// Case and punctuation folded: `Postgre-SQL` → `postgresql`. ASCII text (nearly every name) is
/// folded byte by byte; the same result as the char path, which costs several times more and runs
/// for every service, container and image of a monorepo.
pub(crate) fn fold(s: &str) -> String {
    if s.is_ascii() {
        let mut out = String::with_capacity(s.len());
        out.extend(
            s.bytes()
                .filter(u8::is_ascii_alphanumeric)
                .map(|b| char::from(b.to_ascii_lowercase())),
        );
        return out;
    }
    fold_chars(s)
}

/// [`fold`] for any text, char by char.
fn fold_chars(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Words that only say what kind of thing a name is: `Redis cache`, `PostgreSQL database`.
const GENERIC: &[&str] = &[
    "db",
    "database",
    "cache",
    "server",
    "service",
    "broker",
    "queue",
    "ui",
    "dashboard",
    "container",
];

fn image_keys(image: &str, keys: &mut Vec<String>) {
    let name = fold(crate::model::images::image_name(image));
    if name.is_empty() {
        return;
    }
    match PRODUCTS.iter().find(|g| g.contains(&name.as_str())) {
        Some(g) => keys.extend(g.iter().map(|s| (*s).to_owned())),
        None => keys.push(name),
    }
}

/// The folded words a doc may use for a compose service: its name, container name, hostname and
/// the product its image (or the Dockerfile's base image, `image`) is.
pub(crate) fn service_keys(s: &crate::compose::Service, image: Option<&str>) -> Vec<String> {
    let mut keys = vec![fold(&s.name.value)];
    keys.extend(s.container_name.iter().map(|c| fold(&c.value)));
    keys.extend(s.hostname.iter().map(|c| fold(&c.value)));
    if let Some(i) = image.or_else(|| s.image.as_ref().map(|i| i.value.as_str())) {
        image_keys(i, &mut keys);
    }
    keys
}

/// The folded words a doc may use for a Kubernetes workload (its name, its containers' names and
/// image products) or Service (its name); `None` for other objects, which docs never name.
pub(crate) fn object_keys(o: &Object) -> Option<Vec<String>> {
    let mut keys = vec![fold(&o.name.value)];
    match &o.body {
        crate::k8s::model::Body::Workload(w) => {
            for c in &w.pod.containers {
                keys.push(fold(&c.name.value));
                if let Some(i) = &c.image {
                    image_keys(&i.value, &mut keys);
                }
            }
        }
        crate::k8s::model::Body::Service(_) => {}
        _ => return None,
    }
    Some(keys)
}

/// Where a doc word can point, by position in the stack's lists.
#[derive(Clone, Copy, Debug)]
enum TargetAt {
    /// (project, service) indices.
    Compose(usize, usize),
    /// Index into the cluster's objects.
    K8s(usize),
}

/// What one scope holds, by position in the stack's lists. Built once per folder (see
/// [`DocScopes`]) and shared by every doc rule (each used to build its own, with the same work).
#[derive(Debug, Default)]
pub(crate) struct ScopeData {
    /// The folder the scope covers (`""`: the whole repository).
    dir: String,
    projects: Vec<usize>,
    objects: Vec<usize>,
    /// Every thing a doc word can name in scope.
    targets: Vec<TargetAt>,
    /// Folded name → indices into `targets`, ascending (a word is looked up, never scanned for).
    index: HashMap<String, Vec<usize>>,
    /// [`Scope::published`], computed on first use.
    published: std::sync::OnceLock<Option<BTreeSet<u16>>>,
}

impl ScopeData {
    fn new<'s>(stack: &'s Stack, dir: String, projects: Vec<usize>, objects: Vec<usize>) -> ScopeData {
        let mut targets = Vec::new();
        // Keyed by the stack's own strings while filling; each distinct key is copied once at the end.
        let mut index: HashMap<&str, Vec<usize>> = HashMap::default();
        let mut add = |target: TargetAt, keys: &'s [String]| {
            let i = targets.len();
            targets.push(target);
            for k in keys {
                let at = index.entry(k.as_str()).or_default();
                if at.last() != Some(&i) {
                    at.push(i);
                }
            }
        };
        for &pi in &projects {
            let Some(p) = stack.projects.get(pi) else { continue };
            for (si, s) in p.model.services.iter().enumerate() {
                let keys = p.facts_of(s).map_or(&[][..], |f| f.doc_keys.as_slice());
                add(TargetAt::Compose(pi, si), keys);
            }
        }
        for &oi in &objects {
            if let Some(keys) = stack.object_doc_keys.get(oi).and_then(Option::as_deref) {
                add(TargetAt::K8s(oi), keys);
            }
        }
        ScopeData {
            dir,
            projects,
            objects,
            targets,
            index: index.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
            published: std::sync::OnceLock::new(),
        }
    }
}

/// The scopes of the repository's docs, each computed once: docs of one folder, and docs whose
/// folders fall back to the same ancestor (every doc of a `docs/` folder beside the stacks), share
/// one. Without it each doc would rebuild the whole repository's scope: docs x services work on a
/// monorepo.
#[derive(Debug, Default)]
pub(crate) struct DocScopes {
    /// Folders holding a compose project or a manifest, with all their ancestors (`""` included).
    occupied: HashSet<String>,
    by_dir: HashMap<String, ScopeData>,
    /// The whole repository.
    all: ScopeData,
    /// For a folder no doc is in (no rule asks for one).
    empty: ScopeData,
}

/// The indices filed under `dir` or any folder below it, ascending.
fn filed_under(map: &BTreeMap<&str, Vec<usize>>, dir: &str) -> Vec<usize> {
    let mut out: Vec<usize> = if dir.is_empty() {
        map.values().flatten().copied().collect()
    } else {
        let below = format!("{dir}/");
        // `0` is the character after `/`: the range holds exactly the keys starting with `dir/`.
        let end = format!("{dir}0");
        map.get(dir)
            .into_iter()
            .chain(
                map.range::<str, _>((
                    std::ops::Bound::Included(below.as_str()),
                    std::ops::Bound::Excluded(end.as_str()),
                ))
                .map(|(_, v)| v),
            )
            .flatten()
            .copied()
            .collect()
    };
    out.sort_unstable();
    out.dedup();
    out
}

/// The deepest folder at or above `doc_dir` that holds a project or manifest.
fn scope_dir<'d>(occupied: &HashSet<String>, doc_dir: &'d str) -> &'d str {
    let mut dir = doc_dir;
    while !dir.is_empty() && !occupied.contains(dir) {
        dir = crate::model::project::dir_of(dir);
    }
    dir
}

impl DocScopes {
    /// The scope of every doc of `stack` (needs its projects' facts and the objects' doc keys),
    /// and of the whole repository. With `parallel`, the folders' scopes are built on the thread
    /// pool: only when no rule is running (see below).
    pub(crate) fn build(stack: &Stack, parallel: bool) -> DocScopes {
        // A project is filed under its folder and under every folder it builds from: a root
        // `docker-compose.modules.yml` that builds `modules/x/` runs what the docs in
        // `modules/x/` describe. Files set aside are in no scope.
        let build_dirs: Vec<Vec<String>> = stack
            .projects
            .iter()
            .map(|p| {
                let mut dirs: Vec<String> = p
                    .model
                    .services
                    .iter()
                    .filter_map(|s| stack.build_paths(s))
                    .map(|b| b.context)
                    .filter(|c| !c.is_empty() && *c != p.dir)
                    .collect();
                dirs.sort_unstable();
                dirs.dedup();
                dirs
            })
            .collect();
        let mut projects_by_dir: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (i, p) in stack.projects.iter().enumerate() {
            if stack.project_inactive(p) {
                continue;
            }
            projects_by_dir.entry(p.dir.as_str()).or_default().push(i);
            for d in build_dirs.get(i).into_iter().flatten() {
                let at = projects_by_dir.entry(d.as_str()).or_default();
                if !at.contains(&i) {
                    at.push(i);
                }
            }
        }
        let mut objects_by_dir: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (i, o) in stack.k8s.objects().iter().enumerate() {
            if stack.is_inactive(o.span.file) {
                continue;
            }
            let dir = crate::model::project::dir_of(stack.sources.path(o.span.file));
            objects_by_dir.entry(dir).or_default().push(i);
        }
        let mut occupied = HashSet::default();
        occupied.insert(String::new());
        for d in projects_by_dir.keys().chain(objects_by_dir.keys()) {
            let mut dir = *d;
            while !dir.is_empty() && occupied.insert(dir.to_owned()) {
                dir = crate::model::project::dir_of(dir);
            }
        }
        let mut dirs: Vec<&str> = stack.docs.iter().map(|d| scope_dir(&occupied, d.dir())).collect();
        dirs.sort_unstable();
        dirs.dedup();
        let scope = |dir: &str| {
            ScopeData::new(
                stack,
                dir.to_owned(),
                filed_under(&projects_by_dir, dir),
                filed_under(&objects_by_dir, dir),
            )
        };
        // Serial when built on first use from inside the parallel rules (see `Stack::doc_scopes`):
        // there a nested parallel loop could run another doc rule on this thread and wait for this
        // very build. The model build makes them before any rule runs, in parallel.
        let mut by_dir: HashMap<String, ScopeData> = if parallel {
            use rayon::prelude::*;
            dirs.par_iter().map(|d| ((*d).to_owned(), scope(d))).collect()
        } else {
            dirs.iter().map(|d| ((*d).to_owned(), scope(d))).collect()
        };
        // The root scope is the whole repository: built once more only when no doc has it.
        let all = by_dir.remove("").unwrap_or_else(|| scope(""));
        DocScopes {
            occupied,
            by_dir,
            all,
            empty: ScopeData::default(),
        }
    }
}

/// The part of the stack a doc talks about: the compose projects and Kubernetes objects under the
/// deepest folder (the doc's own, or one above it) that holds any. A view of shared [`ScopeData`].
#[derive(Clone, Copy)]
pub(crate) struct Scope<'a> {
    stack: &'a Stack,
    data: &'a ScopeData,
}

impl<'a> Scope<'a> {
    /// The scope of a doc in `doc_dir`: the compose projects and Kubernetes objects under the
    /// deepest folder (the doc's own, or one above it) that holds any.
    pub(crate) fn of(stack: &'a Stack, doc_dir: &str) -> Scope<'a> {
        let scopes = stack.doc_scopes();
        let dir = scope_dir(&scopes.occupied, doc_dir);
        let data = match scopes.by_dir.get(dir) {
            Some(d) => d,
            None if dir.is_empty() => &scopes.all,
            None => &scopes.empty,
        };
        Scope { stack, data }
    }

    /// The whole repository.
    pub(crate) fn all(stack: &'a Stack) -> Scope<'a> {
        Scope {
            stack,
            data: &stack.doc_scopes().all,
        }
    }

    /// The folder the scope covers (`""`: the whole repository).
    pub(crate) fn dir(&self) -> &'a str {
        &self.data.dir
    }

    pub(crate) fn projects(&self) -> impl Iterator<Item = &'a Project> + 'a {
        let stack = self.stack;
        self.data.projects.iter().filter_map(move |i| stack.projects.get(*i))
    }

    pub(crate) fn objects(&self) -> impl Iterator<Item = &'a Object> + 'a {
        let objects = self.stack.k8s.objects();
        self.data.objects.iter().filter_map(move |i| objects.get(*i))
    }

    pub(crate) fn has_projects(&self) -> bool {
        !self.data.projects.is_empty()
    }

    pub(crate) fn has_objects(&self) -> bool {
        !self.data.objects.is_empty()
    }

    fn target(&self, at: TargetAt) -> Option<Target<'a>> {
        match at {
            TargetAt::Compose(pi, si) => {
                let p = self.stack.projects.get(pi)?;
                Some(Target::Compose(p, p.model.services.get(si)?))
            }
            TargetAt::K8s(oi) => self.stack.k8s.objects().get(oi).map(Target::K8s),
        }
    }

    /// What a doc word names: services, containers, Kubernetes Services and workloads whose name,
    /// container name, hostname or image product matches, case and punctuation folded. Empty when
    /// nothing matches (callers stay silent or, for phantoms, judge further).
    pub(crate) fn resolve(&self, word: &str) -> Vec<Target<'a>> {
        self.matches(word)
            .iter()
            .filter_map(|i| self.data.targets.get(*i).and_then(|at| self.target(*at)))
            .collect()
    }

    /// Whether a doc word names anything in scope ([`Scope::resolve`] without building the list).
    pub(crate) fn knows(&self, word: &str) -> bool {
        !self.matches(word).is_empty()
    }

    /// Indices of the targets `word` names: its folded form, else its first word when the rest is
    /// generic (`Postgres database` → `postgres`).
    fn matches(&self, word: &str) -> &'a [usize] {
        let mut candidates = vec![fold(word)];
        let parts: Vec<&str> = word.split_whitespace().collect();
        if parts.len() > 1
            && parts[1..]
                .iter()
                .all(|w| GENERIC.contains(&w.to_ascii_lowercase().as_str()))
        {
            candidates.push(fold(parts[0]));
        }
        let index = &self.data.index;
        candidates
            .iter()
            .filter(|c| !c.is_empty())
            .filter_map(|c| index.get(c.as_str()))
            .find(|found| !found.is_empty())
            .map_or(&[], Vec::as_slice)
    }

    /// Host ports that something in scope publishes: compose host ports and NodePorts. `None` when
    /// a published port is unknown (an unresolved variable), so "nothing publishes it" cannot be
    /// said.
    pub(crate) fn published(&self) -> Option<&'a BTreeSet<u16>> {
        self.data.published.get_or_init(|| self.compute_published()).as_ref()
    }

    fn compute_published(&self) -> Option<BTreeSet<u16>> {
        let stack = self.stack;
        let mut set = BTreeSet::new();
        for p in self.projects() {
            for s in &p.model.services {
                if service_ports_uncertain(stack, p, s) {
                    return None;
                }
                if s.network_mode.as_ref().is_some_and(|m| m.value == "host") {
                    return None;
                }
                for m in &s.ports {
                    if let Some(r) = m.published {
                        set.extend((r.start..=r.end).take(4096));
                    }
                }
            }
        }
        // A Service port is reachable with `kubectl port-forward`, a NodePort on every node.
        for o in self.objects() {
            if let Some(svc) = o.service() {
                for port in &svc.ports {
                    if let Some(np) = port.node_port.as_ref().and_then(|n| u16::try_from(n.value).ok()) {
                        set.insert(np);
                    }
                    set.extend(u16::try_from(port.port.value).ok());
                }
            }
        }
        // systemd units run on a host of the stack: what they bind is published there.
        for u in stack.units.iter().filter(|u| !stack.is_inactive(u.file)) {
            set.extend(crate::model::units::unit_ports(&u.unit));
        }
        Some(set)
    }
}

/// Host ports a target publishes (compose `ports` host sides, Kubernetes NodePorts), and every port
/// that may rightly be called its port (container, Service and target ports).
pub(crate) fn target_ports(stack: &Stack, t: &Target<'_>) -> (BTreeSet<u16>, BTreeSet<u16>, bool) {
    let mut published = BTreeSet::new();
    let mut other = BTreeSet::new();
    let mut uncertain = false;
    match t {
        Target::Compose(p, s) => {
            uncertain = service_ports_uncertain(stack, p, s);
            for m in &s.ports {
                if let Some(r) = m.published {
                    published.extend((r.start..=r.end).take(4096));
                }
                other.extend((m.target.start..=m.target.end).take(4096));
            }
            other.extend(stack.listen_ports(p, s).iter());
        }
        Target::K8s(o) => match &o.body {
            crate::k8s::model::Body::Service(svc) => {
                for port in &svc.ports {
                    if let Some(np) = port.node_port.as_ref().and_then(|n| u16::try_from(n.value).ok()) {
                        published.insert(np);
                    }
                    other.extend(u16::try_from(port.port.value).ok());
                    match port.target_port.as_ref().map(|t| &t.value) {
                        Some(crate::k8s::model::PortRef::Number(n)) => other.extend(u16::try_from(*n).ok()),
                        Some(_) => uncertain = true,
                        None => {}
                    }
                }
            }
            crate::k8s::model::Body::Workload(w) => {
                for c in &w.pod.containers {
                    for cp in &c.ports {
                        other.extend(cp.number.and_then(|n| u16::try_from(n).ok()));
                        if let Some(h) = &cp.host_port {
                            published.extend(u16::try_from(h.value).ok());
                        }
                    }
                }
            }
            _ => {}
        },
    }
    (published, other, uncertain)
}

/// [`ports_uncertain`], from the service's cached facts when it has them.
fn service_ports_uncertain(stack: &Stack, p: &Project, s: &Service) -> bool {
    p.facts_of(s)
        .map_or_else(|| ports_uncertain(stack, p, s), |f| f.ports_uncertain)
}

/// Whether a service's `ports` hold a value stacklint could not resolve (dropped from the model).
pub(crate) fn ports_uncertain(stack: &Stack, p: &Project, s: &Service) -> bool {
    p.files.iter().any(|f| {
        stack
            .yaml_of(*f)
            .into_iter()
            .filter_map(|y| y.documents.first())
            .filter_map(|d| d.get("services").and_then(|ss| ss.get(&s.name.value)))
            .filter_map(|svc| svc.get("ports").and_then(|p| p.as_seq()))
            .flatten()
            .any(|item| match item.as_text() {
                Some(t) => t.contains('$'),
                None => item
                    .entries()
                    .any(|(_, _, v)| v.as_text().is_some_and(|t| t.contains('$'))),
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn historical_names() {
        assert!(looks_historical("CHANGELOG.md"));
        assert!(looks_historical("docs/SYSTEM_REPORT_FINAL.md"));
        assert!(looks_historical("notes/session-2025-08-07.md"));
        assert!(looks_historical("notes/20250807_fix.md"));
        assert!(!looks_historical("README.md"));
        assert!(!looks_historical("docs/ports-2.md"));
        assert_eq!(fold("Postgre-SQL"), "postgresql");
    }

    /// The ASCII path folds as the char path does: every ASCII byte, alone and in words.
    #[test]
    fn ascii_fold_matches_char_fold() {
        let by_chars = fold_chars;
        for b in 0u8..128 {
            let s = format!("a{}Z9", char::from(b));
            assert_eq!(fold(&s), by_chars(&s), "byte {b}");
        }
        assert_eq!(fold("Redis_Stack-Server 7"), "redisstackserver7");
        assert_eq!(fold("Ünïcode-DB"), by_chars("Ünïcode-DB"));
        assert_eq!(fold("Ünïcode-DB"), "ünïcodedb");
    }
}
