//! Kubernetes: manifests and kustomizations read into a [`Cluster`] of spanned objects that the
//! Kubernetes rules (and the Kubernetes side of shared rules, in [`checks`]) read.
//!
//! A repository may render the same base through several kustomizations (overlays). Each top-level
//! kustomization is one *rendering*; manifests no kustomization includes form rendering 0, taken as
//! written. An object reached through several renderings appears once per rendering (with that
//! rendering's namespace, name prefix and labels, but the same spans), so rules check it in each and
//! report each finding once ([`dedupe`]). Lookups that decide whether something *exists* search all
//! renderings: a miss is better than a false "does not exist".

pub(crate) mod checks;
pub(crate) mod dns;
pub(crate) mod kustomize;
pub(crate) mod model;
pub(crate) mod paths;
pub(crate) mod read;
pub(crate) mod schema;
pub(crate) mod selectors;

use crate::diagnostic::Diagnostic;
use crate::source::{FileId, SourceMap};
use crate::yaml::Node;
use foldhash::{HashMap, HashSet};
use model::{Object, Service, Workload};
use rayon::prelude::*;

/// What the Kubernetes checks need from the user's configuration.
#[derive(Clone, Debug)]
pub(crate) struct K8sConfig {
    /// Namespace of objects that name none (`kubectl`'s default context namespace).
    pub default_namespace: String,
    /// Objects that exist outside the repository, as (kind, name): references to them are fine.
    pub known_objects: Vec<(String, String)>,
    /// Files of `kubernetes.schemas` (CRDs or JSON schemas of custom resources), already read into
    /// the source map. The repository's own CRDs are used without being listed.
    pub schema_files: Vec<FileId>,
    /// Minor version of the targeted Kubernetes 1.x release (`kubernetes.version`).
    pub version: u32,
}

impl Default for K8sConfig {
    fn default() -> Self {
        K8sConfig {
            default_namespace: "default".to_owned(),
            known_objects: Vec::new(),
            schema_files: Vec::new(),
            version: schema::NEWEST_MINOR,
        }
    }
}

/// One way the repository's objects are applied: a top-level kustomization, or the loose manifests.
#[derive(Clone, Debug)]
pub(crate) struct Rendering {
    /// False when a resource could not be read (remote base, file we were not given): rules that
    /// assert something is missing stay silent for its objects.
    pub complete: bool,
}

/// Every Kubernetes object of the repository, per rendering.
#[derive(Clone, Debug, Default)]
pub struct Cluster {
    pub(crate) objects: Vec<Object>,
    pub(crate) renderings: Vec<Rendering>,
    pub(crate) known_objects: Vec<(String, String)>,
    /// Namespaces that exist: `Namespace` objects, objects' namespaces, the default namespace.
    pub(crate) namespaces: HashSet<String>,
    /// Lookup tables over `objects`, built on first use (rules query them once per reference;
    /// scanning every object each time made the cross-object rules quadratic).
    index: std::sync::OnceLock<Index>,
    /// Per object, for a Service with a selector: the workloads it selects (see
    /// [`Cluster::selected`]). Two rules ask for every Service; worked out once, in parallel, by
    /// [`Cluster::build_lookups`].
    selections: std::sync::OnceLock<Vec<Option<Vec<usize>>>>,
}

/// Indices of [`Cluster::objects`] (positions, ascending, so lookups keep the objects' order).
#[derive(Clone, Debug, Default)]
struct Index {
    /// (kind, name) → objects whose effective or written name is `name`.
    /// Nested rather than keyed by pairs, so that a lookup borrows its strings instead of copying
    /// them (rules look objects up tens of thousands of times on a monorepo).
    by_kind_name: Nested<Vec<usize>>,
    /// (namespace, name) of every custom-resource output.
    custom_outputs: Nested<()>,
    /// Namespaces holding a custom resource; `custom_anywhere`: one has no namespace.
    custom_namespaces: HashSet<String>,
    custom_anywhere: bool,
    /// Names of `Namespace` objects.
    defined_namespaces: HashSet<String>,
    /// Every workload.
    workloads: Vec<usize>,
    /// Namespaces (as stored) that hold a workload.
    workload_namespaces: HashSet<String>,
    /// (label, value) of pod templates → workloads.
    workloads_by_label: Nested<Vec<usize>>,
}

/// A map keyed by two strings, looked up by `&str` pairs without allocating.
type Nested<V> = HashMap<String, HashMap<String, V>>;

/// [`Nested`] while the index is built: keyed by the objects' own strings, so that a key repeated
/// by thousands of objects (a kind, a label name) is copied once, by [`owned`], not per object.
type Borrowed<'a, V> = HashMap<&'a str, HashMap<&'a str, V>>;

/// The value at `(a, b)`, created empty if absent.
fn nested_entry<'m, 'a, V: Default>(map: &'m mut Borrowed<'a, V>, a: &'a str, b: &'a str) -> &'m mut V {
    map.entry(a).or_default().entry(b).or_default()
}

fn owned<V>(map: Borrowed<'_, V>) -> Nested<V> {
    map.into_iter()
        .map(|(a, inner)| {
            (
                a.to_owned(),
                inner.into_iter().map(|(b, v)| (b.to_owned(), v)).collect(),
            )
        })
        .collect()
}

fn nested_get<'m, V>(map: &'m Nested<V>, a: &str, b: &str) -> Option<&'m V> {
    map.get(a).and_then(|inner| inner.get(b))
}

impl Index {
    fn new(objects: &[Object]) -> Index {
        let mut ix = Index::default();
        let mut by_kind_name: Borrowed<Vec<usize>> = HashMap::default();
        let mut custom_outputs: Borrowed<()> = HashMap::default();
        let mut workloads_by_label: Borrowed<Vec<usize>> = HashMap::default();
        for (i, o) in objects.iter().enumerate() {
            nested_entry(&mut by_kind_name, &o.kind, &o.name.value).push(i);
            if o.written_name != o.name.value {
                nested_entry(&mut by_kind_name, &o.kind, &o.written_name).push(i);
            }
            if !o.custom_outputs.is_empty() {
                if o.namespace.is_empty() {
                    ix.custom_anywhere = true;
                }
                ix.custom_namespaces.insert(o.namespace.clone());
                for n in &o.custom_outputs {
                    nested_entry(&mut custom_outputs, &o.namespace, n);
                }
            }
            if o.kind == "Namespace" {
                ix.defined_namespaces.insert(o.name.value.clone());
            }
            if let Some(w) = o.workload() {
                if !ix.workload_namespaces.contains(&o.namespace) {
                    ix.workload_namespaces.insert(o.namespace.clone());
                }
                ix.workloads.push(i);
                for (k, v) in &w.template_labels {
                    nested_entry(&mut workloads_by_label, k, v).push(i);
                }
            }
        }
        ix.by_kind_name = owned(by_kind_name);
        ix.custom_outputs = owned(custom_outputs);
        ix.workloads_by_label = owned(workloads_by_label);
        ix
    }
}

/// A manifest file's objects and `k8s-schema` findings, worked out right after the file is parsed
/// (see [`read_file`]).
#[derive(Debug)]
pub(crate) struct FileRead {
    schema: Vec<Diagnostic>,
    objects: Vec<Object>,
    /// Whether a document is a CustomResourceDefinition (the only files the CRD scan reads).
    defines_crds: bool,
}

impl FileRead {
    /// Whether `build_cluster` reads the file's tree again: the CRD scan reads files that define
    /// CRDs (the other early-read files need their tree no more).
    pub(crate) fn defines_crds(&self) -> bool {
        self.defines_crds
    }
}

/// Checks and reads one manifest file alone, as [`build_cluster`] would. Called by the parallel
/// parse right after the file's tree is built, while that tree is still in the processor's cache:
/// reading it again later, cold, after every other file was parsed, cost about as much as the
/// work itself. `None` when a document is a custom resource (its check needs the repository's
/// CRDs, known only once every file is read): `build_cluster` then does the file itself.
pub(crate) fn read_file(docs: &[Node], version: u32, default_ns: &str) -> Option<FileRead> {
    if docs
        .iter()
        .flat_map(read::expand_list)
        .any(schema::needs_custom_schemas)
    {
        return None;
    }
    let custom = schema::crd::CustomSchemas::default();
    let cx = schema::Context {
        version,
        custom: &custom,
    };
    Some(check_and_read(docs, &cx, default_ns, true))
}

/// Checks every document of a manifest file (a `List` item counts as one) and, with
/// `read_objects`, reads its objects: the one loop of both [`read_file`] and [`build_cluster`].
fn check_and_read(docs: &[Node], cx: &schema::Context<'_>, default_ns: &str, read_objects: bool) -> FileRead {
    let mut read = FileRead {
        schema: Vec::new(),
        objects: Vec::new(),
        defines_crds: false,
    };
    for doc in docs {
        for item in read::expand_list(doc) {
            schema::check_document(item, cx, &mut read.schema);
            if read_objects {
                read.objects.extend(read::read_object(item, default_ns));
            }
            read.defines_crds |= schema::crd::is_crd(item);
        }
    }
    read
}

/// Reads manifests and kustomizations into a [`Cluster`]. The diagnostics returned are the
/// `k8s-schema` findings (structure of each built-in object, removed API versions), computed once
/// per document whatever the number of renderings. `early` holds, in the order of `manifests`, what
/// [`read_file`] found while the files were parsed (`None`: not read early).
pub(crate) fn build_cluster(
    manifests: &[(FileId, &[Node])],
    mut early: Vec<Option<FileRead>>,
    kustomizations: &[(FileId, &Node)],
    sources: &SourceMap,
    config: &K8sConfig,
) -> (Cluster, Vec<Diagnostic>) {
    let inputs = kustomize::Inputs::new(manifests, kustomizations, sources);
    let (included, included_kusts, patch_files) = inputs.references();
    let default_ns = config.default_namespace.as_str();
    let mut cluster = Cluster {
        renderings: vec![Rendering { complete: true }],
        known_objects: config.known_objects.clone(),
        ..Cluster::default()
    };
    early.resize_with(manifests.len(), || None);
    // Files read early say whether they define CRDs: the others are not walked again for them.
    let crd_files: Vec<(FileId, &[Node])> = manifests
        .iter()
        .zip(&early)
        .filter(|(_, read)| read.as_ref().is_none_or(|r| r.defines_crds))
        .map(|(m, _)| *m)
        .collect();
    let (custom, mut diagnostics) = schema::crd::CustomSchemas::collect(&config.schema_files, &crd_files, sources);
    let cx = schema::Context {
        version: config.version,
        custom: &custom,
    };
    // The strict schema check is the costliest step: run it, and the reading of the objects, on
    // every file in parallel, keeping the documents' order in the diagnostics and the objects.
    // Patch files are partial objects (and may hold `$patch` directives): not checked alone.
    // Files a kustomization includes are read by its rendering instead.
    let checked: Vec<(Vec<Diagnostic>, Vec<Object>)> = manifests
        .par_iter()
        .zip(early)
        .filter(|((id, _), _)| !patch_files.contains(id))
        .map(|(&(id, docs), early)| {
            let read_objects = !included.contains(&id);
            let read = early.unwrap_or_else(|| check_and_read(docs, &cx, default_ns, read_objects));
            (read.schema, if read_objects { read.objects } else { Vec::new() })
        })
        .collect();
    // Sized once: objects are large, and growing the vector by doubling copied them all again.
    cluster
        .objects
        .reserve_exact(checked.iter().map(|(_, objects)| objects.len()).sum());
    for (diags, objects) in checked {
        diagnostics.extend(diags);
        cluster.objects.extend(objects);
    }
    diagnostics.extend(custom.compile_failures());
    let mut roots: Vec<(&String, FileId)> = inputs
        .kustomizations
        .iter()
        .filter(|(dir, _)| !included_kusts.contains(*dir))
        .map(|(dir, (id, _))| (dir, *id))
        .collect();
    roots.sort();
    for (dir, _) in roots {
        let rendered = inputs.render(dir, default_ns, &mut Vec::new());
        let index = cluster.renderings.len();
        cluster.renderings.push(Rendering {
            complete: rendered.complete,
        });
        cluster.objects.extend(rendered.objects.into_iter().map(|mut o| {
            o.rendering = index;
            o
        }));
    }
    cluster.namespaces.insert(default_ns.to_owned());
    for o in &cluster.objects {
        let ns = if o.kind == "Namespace" {
            &o.name.value
        } else {
            &o.namespace
        };
        // Thousands of objects share a few namespaces: copy a name only the first time.
        if !ns.is_empty() && !cluster.namespaces.contains(ns) {
            cluster.namespaces.insert(ns.clone());
        }
    }
    (cluster, diagnostics)
}

impl Cluster {
    pub(crate) fn objects(&self) -> &[Object] {
        &self.objects
    }

    pub(crate) fn workloads(&self) -> impl Iterator<Item = (&Object, &Workload)> {
        self.objects.iter().filter_map(|o| o.workload().map(|w| (o, w)))
    }

    /// Every NodePort: (Service name, port, nodePort), deduplicated across renderings.
    pub(crate) fn node_ports(&self) -> Vec<(String, i64, u16)> {
        let mut out: Vec<(String, i64, u16)> = self
            .services()
            .flat_map(|(o, s)| {
                s.ports.iter().filter_map(move |p| {
                    let np = p
                        .node_port
                        .as_ref()
                        .and_then(|n| u16::try_from(n.value).ok())
                        .filter(|n| *n != 0)?;
                    Some((o.name.value.clone(), p.port.value, np))
                })
            })
            .collect();
        out.sort();
        out.dedup();
        out
    }

    pub(crate) fn services(&self) -> impl Iterator<Item = (&Object, &Service)> {
        self.objects.iter().filter_map(|o| o.service().map(|s| (o, s)))
    }

    /// Whether the object's rendering could be read entirely.
    pub(crate) fn complete(&self, o: &Object) -> bool {
        self.renderings.get(o.rendering).is_some_and(|r| r.complete)
    }

    /// Objects of `kind` called `name` in `namespace`, as seen from an object of `rendering`: by
    /// effective name anywhere, or by the name as written within the same rendering (kustomize
    /// rewrites references to objects it renames).
    pub(crate) fn find<'a>(
        &'a self,
        kind: &'a str,
        namespace: &'a str,
        name: &'a str,
        rendering: usize,
    ) -> impl Iterator<Item = &'a Object> + 'a {
        let candidates = nested_get(&self.index().by_kind_name, kind, name).map_or(&[][..], Vec::as_slice);
        candidates.iter().map(|&i| &self.objects[i]).filter(move |o| {
            o.kind == kind
                && (o.namespace == namespace || o.namespace.is_empty() || !o.namespace_explicit)
                && (o.name.value == name || (o.rendering == rendering && o.written_name == name))
        })
    }

    fn index(&self) -> &Index {
        self.index.get_or_init(|| Index::new(&self.objects))
    }

    /// Builds the look-up index and the Services' selections now, rather than on first use.
    pub(crate) fn build_lookups(&self) {
        self.index();
        self.selections.get_or_init(|| {
            self.objects
                .par_iter()
                .map(|o| {
                    let sel = o.service()?.selector.as_ref()?;
                    self.selected_indices(&o.namespace, sel)
                })
                .collect()
        });
    }

    /// The workloads the Service `o` selects with `selector` (its own), as [`Cluster::selected`]:
    /// from the selections worked out with the index when there are any.
    pub(crate) fn selected_by_service<'a>(
        &'a self,
        o: &Object,
        selector: &model::Selector,
    ) -> Option<Vec<(&'a Object, &'a Workload)>> {
        let cached = self
            .selections
            .get()
            .zip(crate::model::position_in(&self.objects, o))
            .and_then(|(all, i)| all.get(i));
        match cached {
            Some(indices) => indices.as_ref().map(|v| self.workloads_at(v)),
            None => self.selected(&o.namespace, selector),
        }
    }

    fn workloads_at(&self, indices: &[usize]) -> Vec<(&Object, &Workload)> {
        indices
            .iter()
            .filter_map(|&i| {
                let o = self.objects.get(i)?;
                Some((o, o.workload()?))
            })
            .collect()
    }

    /// Whether some workload's namespace is exactly `namespace`.
    pub(crate) fn has_workloads_in(&self, namespace: &str) -> bool {
        self.index().workload_namespaces.contains(namespace)
    }

    /// Whether a `kind`/`name` may exist: in the repo, in the config's known objects, or as the
    /// output of a custom resource (SealedSecret, ExternalSecret, Certificate …) in that namespace.
    pub(crate) fn may_exist(&self, kind: &str, namespace: &str, name: &str, rendering: usize) -> bool {
        self.find(kind, namespace, name, rendering).next().is_some()
            || self.is_known(kind, name)
            || nested_get(&self.index().custom_outputs, namespace, name).is_some()
    }

    /// Whether the repository creates this namespace with a `Namespace` object.
    pub(crate) fn defines_namespace(&self, namespace: &str) -> bool {
        self.index().defined_namespaces.contains(namespace)
    }

    pub(crate) fn is_known(&self, kind: &str, name: &str) -> bool {
        self.known_objects
            .iter()
            .any(|(k, n)| k.eq_ignore_ascii_case(kind) && n == name)
    }

    /// Whether a namespace holds custom resources (an operator may create pods or Services there).
    pub(crate) fn has_custom_resources(&self, namespace: &str) -> bool {
        let ix = self.index();
        ix.custom_anywhere || ix.custom_namespaces.contains(namespace)
    }

    /// Workloads of `namespace` whose pod template labels satisfy `selector`; `None` if a selector
    /// operator is unknown.
    pub(crate) fn selected<'a>(
        &'a self,
        namespace: &str,
        selector: &model::Selector,
    ) -> Option<Vec<(&'a Object, &'a Workload)>> {
        self.selected_indices(namespace, selector)
            .map(|v| self.workloads_at(&v))
    }

    /// [`Cluster::selected`], as positions in `objects`.
    fn selected_indices(&self, namespace: &str, selector: &model::Selector) -> Option<Vec<usize>> {
        let ix = self.index();
        let same_ns = |i: &usize| {
            let o = &self.objects[*i];
            o.namespace == namespace || !o.namespace_explicit
        };
        // Without expressions (whose unknown operators must give `None` as soon as one workload
        // qualifies), a `matchLabels` pair narrows the candidates to the workloads that carry it.
        let candidates: Vec<usize> = match selector.match_labels.first() {
            Some((k, v)) if selector.match_expressions.is_empty() => nested_get(&ix.workloads_by_label, &k.value, v)
                .map_or(&[][..], Vec::as_slice)
                .iter()
                .copied()
                .filter(same_ns)
                .collect(),
            _ => ix.workloads.iter().copied().filter(same_ns).collect(),
        };
        let mut out = Vec::new();
        for i in candidates {
            let o = &self.objects[i];
            let Some(w) = o.workload() else { continue };
            if selectors::matches(selector, &w.template_labels)? {
                out.push(i);
            }
        }
        Some(out)
    }
}

/// Drops repeated findings (same rule, span and message) from `out[start..]`: an object rendered by
/// several kustomizations is checked in each rendering but reported once.
pub(crate) fn dedupe(out: &mut Vec<Diagnostic>, start: usize) {
    let mut seen = HashSet::default();
    let mut i = start;
    while i < out.len() {
        let d = &out[i];
        if seen.insert((d.rule, d.primary.span, d.message.clone())) {
            i += 1;
        } else {
            out.remove(i);
        }
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
pub(crate) mod testutil;
