//! The spanned tree as JSON, for JSON Schema validation, and back: a JSON pointer from a validator's
//! error to the node (and so the span) it names. Shared by the config and the CRD schema checks.

use super::{Node, NodeKind, ScalarStyle};

/// Deeper than this, values become `null`: the YAML layer already bounds depth (256 by default);
/// this keeps the conversion's recursion bounded on any tree.
const MAX_DEPTH: usize = 512;

/// Converts a node to JSON with YAML 1.2 core typing of plain scalars (quoted ones stay strings).
pub fn to_json(node: &Node) -> serde_json::Value {
    to_json_at(node, 0)
}

fn to_json_at(node: &Node, depth: usize) -> serde_json::Value {
    use serde_json::Value;
    if depth > MAX_DEPTH {
        return Value::Null;
    }
    match &node.kind {
        NodeKind::Map(entries) => Value::Object(
            entries
                .iter()
                .map(|(k, v)| (k.as_str().unwrap_or("").to_owned(), to_json_at(v, depth + 1)))
                .collect(),
        ),
        NodeKind::Seq(items) => Value::Array(items.iter().map(|i| to_json_at(i, depth + 1)).collect()),
        NodeKind::Scalar(s, style) => {
            if *style != ScalarStyle::Plain {
                return Value::String(s.clone());
            }
            if node.is_null() {
                return Value::Null;
            }
            if let Some(b) = node.as_bool() {
                return Value::Bool(b);
            }
            if let Ok(i) = s.parse::<i64>() {
                return Value::from(i);
            }
            if let Some(f) = s.parse::<f64>().ok().filter(|f| f.is_finite()) {
                if s.chars().any(|c| c.is_ascii_digit()) {
                    return Value::from(f);
                }
            }
            Value::String(s.clone())
        }
    }
}

/// The node a JSON pointer (`/a/0/b`) names, or the deepest node on the way that exists.
pub fn node_at<'a>(root: &'a Node, pointer: &str) -> &'a Node {
    let mut cur = root;
    for seg in pointer.split('/').skip(1) {
        let seg = seg.replace("~1", "/").replace("~0", "~");
        let next = match &cur.kind {
            NodeKind::Map(_) => cur.get(&seg),
            NodeKind::Seq(items) => seg.parse::<usize>().ok().and_then(|i| items.get(i)),
            NodeKind::Scalar(..) => None,
        };
        match next {
            Some(n) => cur = n,
            None => break,
        }
    }
    cur
}
