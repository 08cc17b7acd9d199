//! Custom resources checked against their schemas: `openAPIV3Schema` of CustomResourceDefinitions
//! (those of the repository, and those listed in `kubernetes.schemas`) and JSON schema files such as
//! kubeconform's `openapi2jsonschema` output (`<kind>_<version>.json`, lowercased, optionally under a
//! folder named after the group, or carrying `x-kubernetes-group-version-kind`).
//!
//! Strictness follows the API server's pruning: an object schema that declares `properties` and
//! neither `additionalProperties` nor `x-kubernetes-preserve-unknown-fields` is closed, because the
//! server drops unknown fields there silently. Validators are compiled on first use (a repository
//! may carry hundreds of CRDs and use a few).

use super::RULE;
use crate::diagnostic::{Diagnostic, Severity};
use crate::source::{FileId, SourceMap, Span};
use crate::yaml::{node_at, to_json, Node};
use foldhash::HashMap;
use serde_json::{Map, Value};
use std::sync::OnceLock;

/// Schema nesting beyond which object schemas are left open (and the walk stops).
const MAX_SCHEMA_DEPTH: usize = 128;
/// Findings per object: a wrong schema or a pasted blob must not flood the report.
const MAX_ERRORS_PER_OBJECT: usize = 20;

struct Entry {
    /// `group/version` and kind, for messages.
    api_version: String,
    kind: String,
    schema: Value,
    /// Where the schema was written (the CRD's `openAPIV3Schema` or the schema file).
    origin: Span,
    validator: OnceLock<Result<jsonschema::Validator, String>>,
}

/// (group the file's folder names, if any; index of the entry).
type FileMatch = (Option<String>, usize);

/// Whether a manifest document is a CustomResourceDefinition.
pub(crate) fn is_crd(doc: &Node) -> bool {
    doc.get("kind").and_then(Node::as_text) == Some("CustomResourceDefinition")
}

/// The schemas of custom resources, by (group, version, kind) and by file name.
#[derive(Default)]
pub(crate) struct CustomSchemas {
    entries: Vec<Entry>,
    by_gvk: HashMap<(String, String, String), usize>,
    /// (lowercased kind, version) → (group the file's folder names, if any; entry).
    by_file: HashMap<(String, String), Vec<FileMatch>>,
}

impl std::fmt::Debug for CustomSchemas {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CustomSchemas({} schemas)", self.entries.len())
    }
}

impl CustomSchemas {
    /// Collects the schema files of the config (already in `sources`), then the CRDs among the
    /// repository's manifests; the first schema for a (group, version, kind) wins. Files that cannot
    /// be parsed give a warning each.
    pub(crate) fn collect(
        files: &[FileId],
        manifests: &[(FileId, &[Node])],
        sources: &SourceMap,
    ) -> (CustomSchemas, Vec<Diagnostic>) {
        let mut out = CustomSchemas::default();
        let mut diags = Vec::new();
        for &id in files {
            let Some(file) = sources.get(id) else { continue };
            let path = file.path.as_str();
            let start = Span::file_start(id);
            if path.to_ascii_lowercase().ends_with(".json") {
                match serde_json::from_str::<Value>(&file.text) {
                    Ok(v) => out.add_document(v, start, path),
                    Err(e) => diags.push(unreadable(start, path, &format!("not valid JSON: {e}"))),
                }
                continue;
            }
            let stream = crate::yaml::parse_yaml(id, &file.text, crate::yaml::YamlLimits::default());
            if let Some(d) = stream.diagnostics.first() {
                diags.push(unreadable(d.primary.span, path, &d.message));
                continue;
            }
            for doc in &stream.documents {
                let origin = doc.get("spec").map_or(doc.span, |s| s.span);
                out.add_document(to_json(doc), origin, path);
            }
        }
        for &(_, docs) in manifests {
            for doc in docs {
                for item in super::super::read::expand_list(doc) {
                    if is_crd(item) {
                        let origin = item.get("spec").map_or(item.span, |s| s.span);
                        out.add_crd(&to_json(item), origin);
                    }
                }
            }
        }
        (out, diags)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn add_document(&mut self, doc: Value, origin: Span, path: &str) {
        if doc.get("kind").and_then(Value::as_str) == Some("CustomResourceDefinition") {
            self.add_crd(&doc, origin);
            return;
        }
        if !doc.is_object() {
            return;
        }
        let mut gvks = Vec::new();
        match doc.get("x-kubernetes-group-version-kind") {
            Some(Value::Array(items)) => gvks.extend(items.iter().filter_map(gvk_of)),
            Some(v @ Value::Object(_)) => gvks.extend(gvk_of(v)),
            _ => {}
        }
        let mut segments = path.rsplit('/');
        let file_name = segments.next().unwrap_or(path);
        let folder_group = segments.next().filter(|d| d.contains('.')).map(str::to_owned);
        let stem = file_name
            .rsplit_once('.')
            .map_or(file_name, |(s, _)| s)
            .to_ascii_lowercase();
        let by_name = stem.rsplit_once('_').map(|(k, v)| (k.to_owned(), v.to_owned()));
        if gvks.is_empty() && by_name.is_none() {
            return;
        }
        let (api_version, kind) = match (gvks.first(), &by_name) {
            (Some((g, v, k)), _) => (join_gv(g, v), k.clone()),
            (None, Some((k, v))) => (v.clone(), k.clone()),
            (None, None) => return,
        };
        let index = self.push(api_version, kind, prepare(&doc), origin);
        for key in gvks {
            self.by_gvk.entry(key).or_insert(index);
        }
        if let Some(key) = by_name {
            self.by_file.entry(key).or_default().push((folder_group, index));
        }
    }

    fn add_crd(&mut self, crd: &Value, origin: Span) {
        let spec = crd.get("spec");
        let field = |v: Option<&Value>, k: &str| v.and_then(|v| v.get(k)).and_then(Value::as_str).map(str::to_owned);
        let (Some(group), Some(kind)) = (field(spec, "group"), field(spec.and_then(|s| s.get("names")), "kind")) else {
            return;
        };
        // apiextensions.k8s.io/v1beta1 kept one schema for every version in `spec.validation`.
        let shared = spec
            .and_then(|s| s.get("validation"))
            .and_then(|v| v.get("openAPIV3Schema"));
        let mut versions: Vec<(String, &Value)> = Vec::new();
        for v in spec
            .and_then(|s| s.get("versions"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let Some(name) = v.get("name").and_then(Value::as_str) else {
                continue;
            };
            let schema = v.get("schema").and_then(|s| s.get("openAPIV3Schema")).or(shared);
            if let Some(schema) = schema {
                versions.push((name.to_owned(), schema));
            }
        }
        if let (Some(name), Some(schema)) = (field(spec, "version"), shared) {
            versions.push((name, schema));
        }
        for (version, schema) in versions {
            let key = (group.clone(), version.clone(), kind.clone());
            if self.by_gvk.contains_key(&key) {
                continue;
            }
            let index = self.push(join_gv(&group, &version), kind.clone(), prepare(schema), origin);
            self.by_gvk.insert(key, index);
        }
    }

    fn push(&mut self, api_version: String, kind: String, schema: Value, origin: Span) -> usize {
        self.entries.push(Entry {
            api_version,
            kind,
            schema,
            origin,
            validator: OnceLock::new(),
        });
        self.entries.len() - 1
    }

    fn find(&self, group: &str, version: &str, kind: &str) -> Option<&Entry> {
        if let Some(&i) = self
            .by_gvk
            .get(&(group.to_owned(), version.to_owned(), kind.to_owned()))
        {
            return self.entries.get(i);
        }
        let candidates = self
            .by_file
            .get(&(kind.to_ascii_lowercase(), version.to_ascii_lowercase()))?;
        let (_, i) = candidates
            .iter()
            .find(|(g, _)| g.as_deref() == Some(group))
            .or_else(|| candidates.iter().find(|(g, _)| g.is_none()))?;
        self.entries.get(*i)
    }

    /// Validates a custom resource against its schema, if one is known.
    pub(crate) fn check(&self, doc: &Node, group: &str, version: &str, kind: &str, out: &mut Vec<Diagnostic>) {
        let Some(entry) = self.find(group, version, kind) else {
            return;
        };
        let validator = entry.validator.get_or_init(|| {
            jsonschema::options()
                .with_draft(jsonschema::Draft::Draft4)
                .should_validate_formats(false)
                .build(&entry.schema)
                .map_err(|e| e.to_string())
        });
        let Ok(validator) = validator else { return };
        let mut instance = to_json(doc);
        if let Some(map) = instance.as_object_mut() {
            for k in ["apiVersion", "kind", "metadata"] {
                map.remove(k);
            }
        }
        let mut seen = foldhash::HashSet::default();
        for err in validator.iter_errors(&instance).take(MAX_ERRORS_PER_OBJECT) {
            let pointer = err.instance_path().to_string();
            let at = node_at(doc, &pointer);
            let place = dotted(&pointer);
            if let jsonschema::error::ValidationErrorKind::AdditionalProperties { unexpected } = err.kind() {
                let schema_path = err.schema_path().to_string();
                let allowed = allowed_keys(&entry.schema, &schema_path);
                for key in unexpected {
                    let span = at.entry(key).map_or(at.span, |(k, _)| k.span);
                    if !seen.insert((span, key.clone())) {
                        continue;
                    }
                    let mut message = format!("unknown field `{key}` in `{place}` of `{kind}`");
                    if let Some(s) = crate::suggest::nearest(key, allowed.iter().map(String::as_str)) {
                        message.push_str(&format!(", did you mean `{s}`?"));
                    }
                    out.push(
                        Diagnostic::new(RULE, span, message)
                            .label("not in the schema: the API server drops it silently")
                            .help(format!("valid fields of `{place}`: {}", allowed.join(", ")))
                            .subject(format!("{kind} unknown field {pointer}/{key}")),
                    );
                }
                continue;
            }
            let av = join_gv(group, version);
            if let jsonschema::error::ValidationErrorKind::Required { property } = err.kind() {
                let field = property.as_str().unwrap_or_default();
                let span = key_span(doc, &pointer).unwrap_or(at.span);
                if !seen.insert((span, field.to_owned())) {
                    continue;
                }
                out.push(
                    Diagnostic::new(
                        RULE,
                        span,
                        format!("missing required field `{field}` in `{place}` of `{kind}`"),
                    )
                    .label("required by the schema")
                    .help(format!("add `{field}`: the schema of `{kind}` (`{av}`) requires it"))
                    .subject(format!("{kind} missing {pointer}/{field}")),
                );
                continue;
            }
            let detail = truncate(&err.to_string(), 160);
            if !seen.insert((at.span, detail.clone())) {
                continue;
            }
            out.push(
                Diagnostic::new(
                    RULE,
                    at.span,
                    format!("invalid value at `{place}` of `{kind}`: {detail}"),
                )
                .label("does not match the schema")
                .help(format!(
                    "use the type and values the schema of `{kind}` (`{av}`) allows"
                ))
                .subject(format!("{kind} invalid {pointer}")),
            );
        }
    }

    /// A warning for every schema that was needed but could not be compiled.
    pub(crate) fn compile_failures(&self) -> Vec<Diagnostic> {
        self.entries
            .iter()
            .filter_map(|e| {
                let Some(Err(why)) = e.validator.get() else { return None };
                Some(
                    Diagnostic::new(
                        RULE,
                        e.origin,
                        format!(
                            "the schema of `{}` (`{}`) is not a valid JSON schema: {}",
                            e.kind,
                            e.api_version,
                            truncate(why, 200)
                        ),
                    )
                    .severity(Severity::Warning)
                    .label("schema not used")
                    .help("fix the schema; until then its custom resources are not checked")
                    .subject(format!("schema {} {}", e.api_version, e.kind)),
                )
            })
            .collect()
    }
}

/// The span of the key whose value `pointer` names (`kind` for the whole object): a missing field
/// is reported at the object that lacks it, on one line.
fn key_span(doc: &Node, pointer: &str) -> Option<Span> {
    let Some((parent, last)) = pointer.rsplit_once('/') else {
        return doc.entry("kind").map(|(k, _)| k.span);
    };
    let last = last.replace("~1", "/").replace("~0", "~");
    node_at(doc, parent).entry(&last).map(|(k, _)| k.span)
}

fn unreadable(span: Span, path: &str, why: &str) -> Diagnostic {
    Diagnostic::new(
        RULE,
        span,
        format!("schema file `{path}` cannot be read: {}", truncate(why, 200)),
    )
    .severity(Severity::Warning)
    .label("schema file not used")
    .help("fix the file or remove it from `kubernetes.schemas`; its custom resources are not checked")
    .subject(format!("schema file {path}"))
}

fn gvk_of(v: &Value) -> Option<(String, String, String)> {
    let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
    Some((s("group").unwrap_or_default(), s("version")?, s("kind")?))
}

fn join_gv(group: &str, version: &str) -> String {
    if group.is_empty() {
        version.to_owned()
    } else {
        format!("{group}/{version}")
    }
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_owned();
    }
    let mut t: String = s.chars().take(max).collect();
    t.push('…');
    t
}

/// `/spec/dnsNames/0` → `spec.dnsNames[0]`; the root is `the object`.
fn dotted(pointer: &str) -> String {
    let mut out = String::new();
    for seg in pointer.split('/').skip(1) {
        let seg = seg.replace("~1", "/").replace("~0", "~");
        if seg.parse::<usize>().is_ok() {
            out.push_str(&format!("[{seg}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&seg);
        }
    }
    if out.is_empty() {
        "the object".to_owned()
    } else {
        out
    }
}

/// Property names of the schema holding the keyword at `schema_path` (`…/additionalProperties`).
fn allowed_keys(schema: &Value, schema_path: &str) -> Vec<String> {
    let parent = schema_path.rsplit_once('/').map_or("", |(p, _)| p);
    let mut keys: Vec<String> = schema
        .pointer(parent)
        .and_then(|s| s.get("properties"))
        .and_then(Value::as_object)
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default();
    keys.sort();
    keys
}

/// The schema as validated: `$schema` dropped (always draft 4, which OpenAPI v3 schemas follow),
/// object schemas closed as the API server's pruning closes them, `nullable` honoured, and the
/// top-level `apiVersion`/`kind`/`metadata` left to the built-in checks.
fn prepare(schema: &Value) -> Value {
    let mut s = schema.clone();
    if let Some(map) = s.as_object_mut() {
        map.remove("$schema");
        map.remove("id");
        map.remove("$id");
        if let Some(Value::Array(req)) = map.get_mut("required") {
            req.retain(|r| !matches!(r.as_str(), Some("apiVersion" | "kind" | "metadata")));
        }
        if let Some(Value::Object(props)) = map.get_mut("properties") {
            for k in ["apiVersion", "kind", "metadata"] {
                props.remove(k);
            }
        }
    }
    close(&mut s, 0);
    s
}

fn close(schema: &mut Value, depth: usize) {
    if depth > MAX_SCHEMA_DEPTH {
        return;
    }
    let Value::Object(map) = schema else { return };
    if map.get("nullable") == Some(&Value::Bool(true)) {
        if let Some(Value::String(t)) = map.get("type") {
            let t = t.clone();
            map.insert(
                "type".to_owned(),
                Value::Array(vec![Value::String(t), Value::from("null")]),
            );
        }
    }
    let flag = |m: &Map<String, Value>, k: &str| m.get(k) == Some(&Value::Bool(true));
    let open = flag(map, "x-kubernetes-preserve-unknown-fields")
        || flag(map, "x-kubernetes-embedded-resource")
        || map.contains_key("additionalProperties")
        || map.contains_key("patternProperties")
        || map.contains_key("$ref")
        || junctions_add_properties(map);
    if !open && map.get("properties").is_some_and(Value::is_object) {
        map.insert("additionalProperties".to_owned(), Value::Bool(false));
    }
    for key in ["properties", "patternProperties", "definitions", "$defs"] {
        if let Some(Value::Object(children)) = map.get_mut(key) {
            for child in children.values_mut() {
                close(child, depth + 1);
            }
        }
    }
    match map.get_mut("items") {
        Some(Value::Array(items)) => items.iter_mut().for_each(|i| close(i, depth + 1)),
        Some(item @ Value::Object(_)) => close(item, depth + 1),
        _ => {}
    }
    if let Some(extra @ Value::Object(_)) = map.get_mut("additionalProperties") {
        close(extra, depth + 1);
    }
}

/// Whether `allOf`/`anyOf`/`oneOf` branches declare properties (or refer elsewhere) that the
/// schema itself does not: closing it would reject what those branches allow.
fn junctions_add_properties(map: &Map<String, Value>) -> bool {
    let own = map.get("properties").and_then(Value::as_object);
    ["allOf", "anyOf", "oneOf"]
        .iter()
        .filter_map(|k| map.get(*k).and_then(Value::as_array))
        .flatten()
        .any(|branch| {
            branch.get("$ref").is_some()
                || branch
                    .get("properties")
                    .and_then(Value::as_object)
                    .is_some_and(|p| p.keys().any(|k| !own.is_some_and(|o| o.contains_key(k))))
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{parse_yaml, YamlLimits};

    const CRD: &str = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: widgets.example.com}\nspec:\n  group: example.com\n  names: {kind: Widget, plural: widgets}\n  scope: Namespaced\n  versions:\n    - name: v1\n      served: true\n      storage: true\n      schema:\n        openAPIV3Schema:\n          type: object\n          properties:\n            spec:\n              type: object\n              required: [size]\n              properties:\n                size: {type: integer}\n                color: {type: string, nullable: true}\n                extra: {type: object, x-kubernetes-preserve-unknown-fields: true}\n";

    fn run(cr: &str) -> Vec<Diagnostic> {
        let mut sources = SourceMap::default();
        let crd_id = sources.add("crd.yaml".into(), CRD.into());
        let crd = parse_yaml(crd_id, CRD, YamlLimits::default());
        let manifests = [(crd_id, crd.documents.as_slice())];
        let (schemas, diags) = CustomSchemas::collect(&[], &manifests, &sources);
        assert!(diags.is_empty());
        let cr_doc = parse_yaml(FileId(1), cr, YamlLimits::default());
        let mut out = Vec::new();
        for d in &cr_doc.documents {
            schemas.check(d, "example.com", "v1", "Widget", &mut out);
        }
        out
    }

    #[test]
    fn crd_closes_objects_and_types_values() {
        let ok = "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, labels: {a: b}}\nspec:\n  size: 3\n  color: null\n  extra: {anything: [1]}\n";
        assert!(run(ok).is_empty(), "{:#?}", run(ok));
        let bad =
            "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec:\n  size: three\n  colour: red\n";
        let out = run(bad);
        assert_eq!(out.len(), 2, "{out:#?}");
        let unknown = out.iter().find(|d| d.message.contains("unknown field"));
        assert!(
            unknown.is_some_and(|d| d
                .message
                .contains("`colour` in `spec` of `Widget`, did you mean `color`?")),
            "{out:#?}"
        );
        let typed = out.iter().find(|d| d.message.contains("invalid value"));
        assert!(typed.is_some_and(|d| d.primary.span.start as usize == bad.find("three").unwrap_or(0)));
    }

    #[test]
    fn schema_paths_and_pointers() {
        assert_eq!(dotted("/spec/dnsNames/0"), "spec.dnsNames[0]");
        assert_eq!(dotted(""), "the object");
        let mut s = serde_json::json!({"properties": {"a": {"type": "object", "properties": {"b": {}}}}, "anyOf": [{"properties": {"z": {}}}]});
        close(&mut s, 0);
        assert!(s.get("additionalProperties").is_none());
        assert_eq!(
            s.pointer("/properties/a/additionalProperties"),
            Some(&Value::Bool(false))
        );
    }
}
