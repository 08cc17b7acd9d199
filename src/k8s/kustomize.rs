//! Kustomize renderings: which objects each top-level kustomization produces, with its `namespace`,
//! `namePrefix`/`nameSuffix`, `commonLabels`/`labels` and `images` applied. Patches are not applied:
//! objects a patch targets are marked `patched` so that rules asserting an absence stay silent on
//! them (the patch may add the missing port, probe or label).

use super::model::*;
use super::paths;
use super::read::{expand_list, is_cluster_scoped, read_object};
use crate::source::{FileId, SourceMap};
use crate::yaml::Node;
use foldhash::{HashMap, HashSet};
use std::collections::BTreeMap;

/// The fields whose entries are files or kustomization folders a rendering includes.
const RESOURCE_FIELDS: [&str; 3] = ["resources", "bases", "components"];

/// Kustomizations nest only a few levels deep in practice; this bounds hostile cycles and chains.
const MAX_DEPTH: usize = 32;

/// The result of rendering one kustomization.
#[derive(Default)]
pub(crate) struct Rendered {
    pub objects: Vec<Object>,
    /// False when a resource could not be read (remote, missing, or not a manifest we were given).
    pub complete: bool,
}

pub(crate) struct Inputs<'a> {
    pub files: HashMap<String, (FileId, &'a [Node])>,
    /// Kustomization by directory.
    pub kustomizations: HashMap<String, (FileId, &'a Node)>,
}

impl<'a> Inputs<'a> {
    pub(crate) fn new(
        manifests: &[(FileId, &'a [Node])],
        kustomizations: &[(FileId, &'a Node)],
        sources: &SourceMap,
    ) -> Self {
        let files = manifests
            .iter()
            .map(|&(id, docs)| (sources.path(id).to_owned(), (id, docs)))
            .collect();
        let kustomizations = kustomizations
            .iter()
            .map(|&(id, node)| (paths::parent(sources.path(id)).to_owned(), (id, node)))
            .collect();
        Inputs { files, kustomizations }
    }
}

enum Resolved<'a> {
    File(FileId, &'a [Node]),
    Kustomization(String),
    Unreadable,
}

fn entries(k: &Node, field: &str) -> Vec<String> {
    k.get(field)
        .and_then(Node::as_seq)
        .unwrap_or(&[])
        .iter()
        .filter_map(|n| n.as_text().map(str::to_owned))
        .collect()
}

impl<'a> Inputs<'a> {
    fn resolve(&self, dir: &str, rel: &str) -> Resolved<'a> {
        if paths::is_remote(rel) {
            return Resolved::Unreadable;
        }
        let Some(path) = paths::join(dir, rel) else {
            return Resolved::Unreadable;
        };
        if let Some(&(id, docs)) = self.files.get(&path) {
            return Resolved::File(id, docs);
        }
        if self.kustomizations.contains_key(&path) {
            return Resolved::Kustomization(path);
        }
        Resolved::Unreadable
    }

    /// Files and kustomizations each kustomization includes, and the files used as patches.
    pub(crate) fn references(&self) -> (HashSet<FileId>, HashSet<String>, HashSet<FileId>) {
        let mut files = HashSet::default();
        let mut kusts = HashSet::default();
        let mut patch_files = HashSet::default();
        for (dir, (_, k)) in &self.kustomizations {
            for rel in RESOURCE_FIELDS.iter().flat_map(|f| entries(k, f)) {
                match self.resolve(dir, &rel) {
                    Resolved::File(id, _) => {
                        files.insert(id);
                    }
                    Resolved::Kustomization(d) => {
                        kusts.insert(d);
                    }
                    Resolved::Unreadable => {}
                }
            }
            for rel in patch_paths(k) {
                if let Resolved::File(id, _) = self.resolve(dir, &rel) {
                    patch_files.insert(id);
                }
            }
        }
        (files, kusts, patch_files)
    }

    /// Renders the kustomization in `dir`.
    pub(crate) fn render(&self, dir: &str, default_ns: &str, stack: &mut Vec<String>) -> Rendered {
        let mut out = Rendered {
            objects: Vec::new(),
            complete: true,
        };
        let Some(&(_, k)) = self.kustomizations.get(dir) else {
            out.complete = false;
            return out;
        };
        if stack.len() >= MAX_DEPTH || stack.iter().any(|d| d == dir) {
            out.complete = false;
            return out;
        }
        stack.push(dir.to_owned());
        let mut images = Vec::new();
        for field in RESOURCE_FIELDS {
            for rel in entries(k, field) {
                match self.resolve(dir, &rel) {
                    Resolved::File(_, docs) => {
                        for doc in docs {
                            for item in expand_list(doc) {
                                if let Some(o) = read_object(item, default_ns) {
                                    out.objects.push(o);
                                }
                            }
                        }
                    }
                    Resolved::Kustomization(child) => {
                        let r = self.render(&child, default_ns, stack);
                        out.complete &= r.complete;
                        out.objects.extend(r.objects);
                        if field == "components" {
                            // A component's transformers act on its parent's whole set.
                            if let Some(&(_, c)) = self.kustomizations.get(&child) {
                                images.extend(read_images(c));
                            }
                        }
                    }
                    Resolved::Unreadable => out.complete = false,
                }
            }
        }
        stack.pop();
        generators(k, &mut out, default_ns);
        mark_patched(self, dir, k, &mut out);
        images.extend(read_images(k));
        apply_transforms(k, &images, &mut out.objects);
        out
    }
}

/// Every repository path the kustomization at `path` may read: its resources, bases and
/// components (files or folders) and its patch files. Known before any other file is parsed, so
/// that the parse step keeps the trees of these files for the renderings (see
/// `model::stack::load_all`); the same fields as [`Inputs::references`] and [`Inputs::render`].
pub(crate) fn referenced_paths(path: &str, k: &Node) -> Vec<String> {
    let dir = paths::parent(path);
    RESOURCE_FIELDS
        .iter()
        .flat_map(|f| entries(k, f))
        .chain(patch_paths(k))
        .filter(|rel| !paths::is_remote(rel))
        .filter_map(|rel| paths::join(dir, &rel))
        .collect()
}

/// Paths of patch files named by a kustomization (all patch fields kustomize knows).
fn patch_paths(k: &Node) -> Vec<String> {
    let mut out = entries(k, "patchesStrategicMerge");
    for field in ["patches", "patchesJson6902"] {
        for p in k.get(field).and_then(Node::as_seq).unwrap_or(&[]) {
            if let Some(path) = p.get("path").and_then(Node::as_text) {
                out.push(path.to_owned());
            }
        }
    }
    out
}

/// Marks the objects a patch may change. A patch whose target cannot be determined marks all.
fn mark_patched(inputs: &Inputs<'_>, dir: &str, k: &Node, out: &mut Rendered) {
    let mut targets: Vec<(Option<String>, Option<String>)> = Vec::new();
    let mut all = k.get("replacements").is_some();
    for rel in entries(k, "patchesStrategicMerge") {
        match inputs.resolve(dir, &rel) {
            Resolved::File(_, docs) => targets.extend(docs.iter().map(kind_name)),
            _ => all = true,
        }
    }
    for field in ["patches", "patchesJson6902"] {
        for p in k.get(field).and_then(Node::as_seq).unwrap_or(&[]) {
            if let Some(t) = p.get("target") {
                let name = t.get("name").and_then(Node::as_text);
                // Regex targets: treat as "any name".
                let name = name.filter(|n| n.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.'));
                targets.push((
                    t.get("kind").and_then(Node::as_text).map(str::to_owned),
                    name.map(str::to_owned),
                ));
            } else if let Some(rel) = p.get("path").and_then(Node::as_text) {
                match inputs.resolve(dir, rel) {
                    Resolved::File(_, docs) => targets.extend(docs.iter().map(kind_name)),
                    _ => all = true,
                }
            } else {
                all = true;
            }
        }
    }
    for o in &mut out.objects {
        let hit = all
            || targets.iter().any(|(kind, name)| {
                kind.as_deref().is_none_or(|kd| kd == o.kind) && name.as_deref().is_none_or(|n| n == o.written_name)
            });
        if hit {
            o.patched = true;
        }
    }
}

fn kind_name(doc: &Node) -> (Option<String>, Option<String>) {
    (
        doc.get("kind").and_then(Node::as_text).map(str::to_owned),
        doc.get("metadata")
            .and_then(|m| m.get("name"))
            .and_then(Node::as_text)
            .map(str::to_owned),
    )
}

/// `configMapGenerator` and `secretGenerator` produce ConfigMaps and Secrets with known keys.
fn generators(k: &Node, out: &mut Rendered, default_ns: &str) {
    for (field, kind) in [("configMapGenerator", "ConfigMap"), ("secretGenerator", "Secret")] {
        for g in k.get(field).and_then(Node::as_seq).unwrap_or(&[]) {
            let Some(name_node) = g.get("name") else {
                continue;
            };
            let Some(name) = name_node.as_text() else {
                continue;
            };
            let behavior = g.get("behavior").and_then(Node::as_text).unwrap_or("create");
            let mut keys: Option<Vec<String>> = Some(Vec::new());
            for lit in entries(g, "literals") {
                if let (Some(list), Some((key, _))) = (keys.as_mut(), lit.split_once('=')) {
                    list.push(key.trim().to_owned());
                }
            }
            for f in entries(g, "files") {
                let key = f
                    .split_once('=')
                    .map_or_else(|| paths::base_name(&f).to_owned(), |(k, _)| k.to_owned());
                if let Some(list) = keys.as_mut() {
                    list.push(key);
                }
            }
            if g.get("envs").is_some() || g.get("env").is_some() {
                keys = None;
            }
            let existing = out
                .objects
                .iter_mut()
                .find(|o| o.kind == kind && o.written_name == name);
            if let Some(o) = existing {
                if behavior != "create" {
                    // Merged or replaced: the resulting key set is not worth modelling.
                    o.body = Body::Data(DataObject::default());
                }
                continue;
            }
            let ns = g.get("namespace").and_then(Node::as_text).unwrap_or(default_ns);
            out.objects.push(Object {
                kind: kind.to_owned(),
                name: Spanned::new(name.to_owned(), name_node.span),
                written_name: name.to_owned(),
                namespace: ns.to_owned(),
                namespace_explicit: g.get("namespace").is_some(),
                span: g.span,
                rendering: 0,
                patched: false,
                custom_outputs: Vec::new(),
                body: Body::Data(DataObject {
                    keys,
                    values: Vec::new(),
                }),
            });
        }
    }
}

struct ImageOverride {
    name: String,
    new_name: Option<String>,
    new_tag: Option<String>,
    digest: Option<String>,
}

fn read_images(k: &Node) -> Vec<ImageOverride> {
    let text = |n: &Node, f: &str| n.get(f).and_then(Node::as_text).map(str::to_owned);
    k.get("images")
        .and_then(Node::as_seq)
        .unwrap_or(&[])
        .iter()
        .filter_map(|i| {
            Some(ImageOverride {
                name: text(i, "name")?,
                new_name: text(i, "newName"),
                new_tag: text(i, "newTag"),
                digest: text(i, "digest"),
            })
        })
        .collect()
}

/// Image name without tag or digest.
pub(crate) fn image_repo(image: &str) -> &str {
    let no_digest = image.split_once('@').map_or(image, |(r, _)| r);
    match no_digest.rsplit_once(':') {
        Some((repo, tag)) if !tag.contains('/') => repo,
        _ => no_digest,
    }
}

fn override_image(image: &str, ov: &ImageOverride) -> String {
    let repo = ov.new_name.as_deref().unwrap_or(image_repo(image));
    if let Some(d) = &ov.digest {
        return format!("{repo}@{d}");
    }
    let rest = &image[image_repo(image).len()..];
    match &ov.new_tag {
        Some(t) => format!("{repo}:{t}"),
        None => format!("{repo}{rest}"),
    }
}

/// Labels a kustomization adds to pod templates: (templates, templates + selectors). Labels it adds
/// to metadata only are left out: no rule reads an object's own labels.
fn labels_to_add(k: &Node) -> (BTreeMap<String, String>, BTreeMap<String, String>) {
    let mut templates = BTreeMap::new();
    let mut selectors = BTreeMap::new();
    let pairs = |n: Option<&Node>| -> Vec<(String, String)> {
        n.map(|n| {
            n.entries()
                .filter_map(|(k, _, v)| Some((k.to_owned(), v.as_str()?.to_owned())))
                .collect()
        })
        .unwrap_or_default()
    };
    selectors.extend(pairs(k.get("commonLabels")));
    for l in k.get("labels").and_then(Node::as_seq).unwrap_or(&[]) {
        let p = pairs(l.get("pairs"));
        if l.get("includeSelectors").and_then(Node::as_bool) == Some(true) {
            selectors.extend(p);
        } else if l.get("includeTemplates").and_then(Node::as_bool) == Some(true) {
            templates.extend(p);
        }
    }
    (templates, selectors)
}

fn apply_transforms(k: &Node, images: &[ImageOverride], objects: &mut [Object]) {
    let text = |f: &str| k.get(f).and_then(Node::as_text);
    let namespace = text("namespace");
    let prefix = text("namePrefix").unwrap_or("");
    let suffix = text("nameSuffix").unwrap_or("");
    let (templates, selectors) = labels_to_add(k);
    for o in objects.iter_mut() {
        if let Some(ns) = namespace {
            if !is_cluster_scoped(&o.kind) {
                o.namespace = ns.to_owned();
                o.namespace_explicit = true;
            }
        }
        if !prefix.is_empty() || !suffix.is_empty() {
            o.name.value = format!("{prefix}{}{suffix}", o.name.value);
        }
        let sel_span = o.span;
        match &mut o.body {
            Body::Workload(w) => {
                for (k, v) in templates.iter().chain(&selectors) {
                    w.template_labels.insert(k.clone(), v.clone());
                }
                if let Some(sel) = w.selector.as_mut() {
                    add_selector_labels(sel, &selectors);
                }
                for c in w.pod.containers.iter_mut().chain(w.pod.init_containers.iter_mut()) {
                    if let Some(img) = c.image.as_mut() {
                        if let Some(ov) = images.iter().find(|ov| image_repo(&img.value) == ov.name) {
                            img.value = override_image(&img.value, ov);
                        }
                    }
                }
            }
            Body::Service(s) => {
                if let Some(sel) = s.selector.as_mut() {
                    add_selector_labels(sel, &selectors);
                } else if !selectors.is_empty() {
                    // kustomize adds commonLabels to a Service's selector even when it had none.
                    let mut sel = Selector {
                        span: sel_span,
                        ..Selector::default()
                    };
                    add_selector_labels(&mut sel, &selectors);
                    s.selector = Some(sel);
                }
            }
            _ => {}
        }
    }
}

fn add_selector_labels(sel: &mut Selector, labels: &BTreeMap<String, String>) {
    for (k, v) in labels {
        if let Some(entry) = sel.match_labels.iter_mut().find(|(key, _)| &key.value == k) {
            entry.1 = v.clone();
        } else {
            sel.match_labels.push((Spanned::new(k.clone(), sel.span), v.clone()));
        }
    }
}
