//! Test helpers: build a cluster from in-memory files.

use super::{build_cluster, read_file, Cluster, K8sConfig};
use crate::diagnostic::Diagnostic;
use crate::source::{FileId, SourceMap};
use crate::yaml::{parse_yaml, Node, YamlLimits};

pub(crate) struct Built {
    pub cluster: Cluster,
    pub schema: Vec<Diagnostic>,
    pub sources: SourceMap,
}

/// `files`: (path, text). Files named `kustomization.y(a)ml` are kustomizations.
pub(crate) fn build(files: &[(&str, &str)], config: &K8sConfig) -> Built {
    build_with(files, config, false)
}

/// As [`build`]; with `early`, each manifest is first read alone by `read_file`, as the parallel
/// parse of `stacklint check` does.
pub(crate) fn build_with(files: &[(&str, &str)], config: &K8sConfig, early: bool) -> Built {
    let mut sources = SourceMap::default();
    let mut parsed: Vec<(FileId, Vec<Node>, bool)> = Vec::new();
    for (path, text) in files {
        let id = sources.add((*path).to_owned(), (*text).to_owned());
        let stream = parse_yaml(id, text, YamlLimits::default());
        let is_kust = path.ends_with("kustomization.yaml") || path.ends_with("kustomization.yml");
        parsed.push((id, stream.documents, is_kust));
    }
    let manifests: Vec<(FileId, &[Node])> = parsed
        .iter()
        .filter(|(_, _, k)| !k)
        .map(|(id, docs, _)| (*id, docs.as_slice()))
        .collect();
    let kusts: Vec<(FileId, &Node)> = parsed
        .iter()
        .filter(|(_, _, k)| *k)
        .filter_map(|(id, docs, _)| Some((*id, docs.first()?)))
        .collect();
    let read = manifests
        .iter()
        .map(|(_, docs)| {
            early
                .then(|| read_file(docs, config.version, &config.default_namespace))
                .flatten()
        })
        .collect();
    let (cluster, schema) = build_cluster(&manifests, read, &kusts, &sources, config);
    Built {
        cluster,
        schema,
        sources,
    }
}

/// Findings as `path:line rule` strings (sorted), for compact assertions.
pub(crate) fn lines(b: &Built, diags: &[Diagnostic]) -> Vec<String> {
    let mut out: Vec<String> = diags
        .iter()
        .map(|d| {
            let f = b.sources.get(d.primary.span.file);
            let line = f.map_or(0, |f| f.line_col(d.primary.span.start as usize).line);
            format!("{}:{} {}", f.map_or("", |f| f.path.as_str()), line, d.rule)
        })
        .collect();
    out.sort();
    out
}
