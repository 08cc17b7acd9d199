//! Merging a compose project's files without copying their trees.
//!
//! [`super::project::build`] copies every file's tree, interpolates the copy and merges the copies
//! into one tree for the reader: on a monorepo that copying was a third of the time spent on
//! compose projects. Most of a service is written once and holds no `${VAR}`, so here each
//! service is kept as a list of its keys whose values are read straight from the parsed files;
//! only a value with a `$` in it, or a key that several files set, is copied (then interpolated
//! and merged by the same functions the full merge uses). The services' order, the keys' order,
//! which values win and the order in which undefined variables are met are those of the full
//! merge; tests in `super::project` build projects both ways (overrides with `!reset`,
//! `!override`, null values, keyed and named lists, a third file, undefined variables) and compare.
//!
//! Only plain projects take this way (every root and every service a mapping without tags, no
//! `include`, no `extends`, no service named like a mergeable list): [`merge_files`] returns `None`
//! for anything else, before it has interpolated anything, and the full merge runs instead.

use super::project::{
    interpolate_tree, key_merge, merge, strip_tag, KeyMerge, KEYED_LISTS, MAX_INTERPOLATION_DEPTH, NAMED_LISTS,
};
use crate::source::Span;
use crate::yaml::{Node, NodeKind};
use std::borrow::Cow;
use std::collections::BTreeMap;

/// A value of the merged tree: as written in one file, or a changed copy.
type Value<'a> = Cow<'a, Node>;

/// What `strip_tag` makes of a value, copying a borrowed one only when it has a tag to strip.
fn stripped(v: Value<'_>) -> Value<'_> {
    let overrides = |n: &Node| n.tag.as_deref() == Some("!override");
    match v {
        Cow::Borrowed(n) if overrides(n) => Cow::Owned(strip_tag(n)),
        Cow::Owned(mut n) if overrides(&n) => {
            n.tag = None;
            Cow::Owned(n)
        }
        v => v,
    }
}

/// One service of the merged tree: its key (from the first file that defines it) and its keys.
pub struct Service<'a> {
    pub name: &'a str,
    pub key: &'a Node,
    entries: Vec<(&'a str, &'a Node, Value<'a>)>,
}

impl Service<'_> {
    /// `(key, key node, value)` in the merged order, as [`Node::entries`] gives them.
    pub fn entries(&self) -> impl Iterator<Item = (&str, &Node, &Node)> + Clone {
        self.entries.iter().map(|(k, kn, v)| (*k, *kn, &**v))
    }
}

/// The merged project: the root without its services (merged by the full merge: it is small),
/// and the services.
pub struct Merged<'a> {
    pub root: Node,
    pub services: Vec<Service<'a>>,
}

fn is_plain_map(n: &Node) -> bool {
    n.is_map() && n.tag.is_none()
}

/// Whether the files can be merged here (see the module documentation).
fn plain(docs: &[&Node]) -> bool {
    docs.iter().all(|doc| {
        is_plain_map(doc)
            && doc.as_map().unwrap_or(&[]).iter().all(|(k, v)| match k.as_str() {
                None | Some("include") => false,
                Some("services") => is_plain_map(v) && v.as_map().unwrap_or(&[]).iter().all(plain_service),
                Some(_) => true,
            })
    })
}

/// A service the layered merge takes: named like no mergeable list, a mapping without tags, with
/// scalar keys and no `extends`.
fn plain_service((name, body): &(Node, Node)) -> bool {
    let mergeable_name = |n: &str| KEYED_LISTS.contains(&n) || NAMED_LISTS.contains(&n);
    name.as_str().is_some_and(|n| !mergeable_name(n))
        && is_plain_map(body)
        && body
            .as_map()
            .unwrap_or(&[])
            .iter()
            .all(|(k, _)| k.as_str().is_some_and(|k| k != "extends"))
}

/// Whether interpolation would read a `$` in the values of `node` (keys are never interpolated).
fn has_dollar(node: &Node, depth: usize) -> bool {
    if depth > MAX_INTERPOLATION_DEPTH {
        return false;
    }
    match &node.kind {
        NodeKind::Scalar(text, _) => text.contains('$'),
        NodeKind::Seq(items) => items.iter().any(|i| has_dollar(i, depth + 1)),
        NodeKind::Map(entries) => entries.iter().any(|(_, v)| has_dollar(v, depth + 1)),
    }
}

/// A service key's value as the full merge holds it after interpolating its file: the value itself
/// when interpolation changes nothing, else an interpolated copy. `depth` is the value's level.
fn interpolated<'a>(
    v: &'a Node,
    depth: usize,
    env: &BTreeMap<String, String>,
    undefined: &mut Vec<(String, Span)>,
) -> Value<'a> {
    if has_dollar(v, depth) {
        let mut copy = v.clone();
        interpolate_tree(&mut copy, env, undefined, depth);
        Cow::Owned(copy)
    } else {
        Cow::Borrowed(v)
    }
}

/// Merges the files `docs` (in order) of one project, or `None` when they are not plain.
/// Undefined variables are appended to `undefined` in the order the full merge meets them.
pub fn merge_files<'a>(
    docs: &[&'a Node],
    env: &BTreeMap<String, String>,
    undefined: &mut Vec<(String, Span)>,
) -> Option<Merged<'a>> {
    if docs.is_empty() || !plain(docs) {
        return None;
    }
    let mut root: Option<Node> = None;
    let mut services: Vec<Service<'a>> = Vec::new();
    let mut by_name: foldhash::HashMap<&'a str, usize> = foldhash::HashMap::default();
    for doc in docs {
        let mut skeleton = Vec::new();
        for (k, v) in doc.as_map().unwrap_or(&[]) {
            if k.as_str() != Some("services") {
                let mut value = v.clone();
                interpolate_tree(&mut value, env, undefined, 1);
                skeleton.push((k.clone(), value));
                continue;
            }
            // The services stay out of the skeleton: an empty mapping holds their place.
            skeleton.push((
                k.clone(),
                Node {
                    kind: NodeKind::Map(Vec::new()),
                    span: v.span,
                    tag: None,
                    via_alias: v.via_alias,
                },
            ));
            for (name_node, body) in v.as_map().unwrap_or(&[]) {
                let name = name_node.as_str().unwrap_or_default();
                let entries = body.as_map().unwrap_or(&[]);
                let Some(&slot) = by_name.get(name) else {
                    // First defined here: the body as written (interpolated), as the full merge
                    // takes a base file's service or adds an overlay's new one.
                    let entries = entries
                        .iter()
                        .map(|(bk, bv)| (bk.as_str().unwrap_or_default(), bk, interpolated(bv, 3, env, undefined)))
                        .collect();
                    by_name.insert(name, services.len());
                    services.push(Service {
                        name,
                        key: name_node,
                        entries,
                    });
                    continue;
                };
                let Some(service) = services.get_mut(slot) else {
                    continue;
                };
                for (ok, ov) in entries {
                    let k = ok.as_str().unwrap_or_default();
                    let over = interpolated(ov, 3, env, undefined);
                    merge_key(&mut service.entries, k, ok, over);
                }
            }
        }
        let skeleton = Node {
            kind: NodeKind::Map(skeleton),
            span: doc.span,
            tag: None,
            via_alias: doc.via_alias,
        };
        match &mut root {
            None => root = Some(skeleton),
            Some(r) => merge(r, &skeleton, "", 0),
        }
    }
    Some(Merged { root: root?, services })
}

/// One key of an overlay's service merged into the service, by the rule `merge_maps` applies to
/// each key of a service ([`key_merge`]).
fn merge_key<'a>(entries: &mut Vec<(&'a str, &'a Node, Value<'a>)>, k: &'a str, ok: &'a Node, over: Value<'a>) {
    let pos = entries.iter().position(|(bk, _, _)| *bk == k);
    let base = pos.and_then(|i| entries.get(i)).map(|(_, _, v)| &**v);
    match (key_merge(base, &over), pos) {
        (KeyMerge::Remove, Some(i)) => {
            entries.remove(i);
        }
        (KeyMerge::Replace, Some(i)) => {
            if let Some((_, _, base)) = entries.get_mut(i) {
                *base = stripped(over);
            }
        }
        (KeyMerge::Merge, Some(i)) => {
            if let Some((_, _, base)) = entries.get_mut(i) {
                merge(base.to_mut(), &over, k, 3);
            }
        }
        (KeyMerge::Add, _) => entries.push((k, ok, stripped(over))),
        _ => {}
    }
}
