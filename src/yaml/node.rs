//! The spanned tree produced by [`super::parse_yaml`].

use crate::source::Span;

/// How a scalar was written; typed readers use it (a quoted `"8080"` is never a number to YAML).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScalarStyle {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

#[derive(Clone, Debug, PartialEq)]
pub enum NodeKind {
    /// Source text (after YAML unescaping) and its style.
    Scalar(String, ScalarStyle),
    Seq(Vec<Node>),
    /// Ordered entries; merge keys already resolved, duplicates already reported (last one kept).
    Map(Vec<(Node, Node)>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub kind: NodeKind,
    pub span: Span,
    /// A local tag such as `!reset` or `!override`, or a core tag such as `!!str`.
    pub tag: Option<Box<str>>,
    /// Set when this node was copied in through an alias or a merge key: the span of that alias, so
    /// a rule can say "defined here, merged there".
    pub via_alias: Option<Span>,
}

impl Node {
    pub fn scalar(text: impl Into<String>, span: Span) -> Node {
        Node {
            kind: NodeKind::Scalar(text.into(), ScalarStyle::Plain),
            span,
            tag: None,
            via_alias: None,
        }
    }

    /// The scalar text, for any scalar (including null-looking ones).
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::Scalar(s, _) => Some(s),
            _ => None,
        }
    }

    pub fn style(&self) -> Option<ScalarStyle> {
        match &self.kind {
            NodeKind::Scalar(_, st) => Some(*st),
            _ => None,
        }
    }

    /// The scalar text unless the scalar is a YAML null.
    pub fn as_text(&self) -> Option<&str> {
        if self.is_null() {
            None
        } else {
            self.as_str()
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(&self.kind, NodeKind::Scalar(s, ScalarStyle::Plain)
            if matches!(s.as_str(), "" | "~" | "null" | "Null" | "NULL"))
            && self.tag.as_deref().is_none_or(|t| t == "!!null")
    }

    /// YAML 1.2 core booleans (plain scalars only).
    pub fn as_bool(&self) -> Option<bool> {
        match &self.kind {
            NodeKind::Scalar(s, ScalarStyle::Plain) => match s.as_str() {
                "true" | "True" | "TRUE" => Some(true),
                "false" | "False" | "FALSE" => Some(false),
                _ => None,
            },
            _ => None,
        }
    }

    /// A YAML 1.2 core integer written as a plain scalar (decimal only; `0o`/`0x` are rare in our inputs).
    pub fn as_int(&self) -> Option<i64> {
        match &self.kind {
            NodeKind::Scalar(s, ScalarStyle::Plain) => s.parse::<i64>().ok(),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&[(Node, Node)]> {
        match &self.kind {
            NodeKind::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.kind {
            NodeKind::Seq(s) => Some(s),
            _ => None,
        }
    }

    pub fn is_map(&self) -> bool {
        matches!(self.kind, NodeKind::Map(_))
    }

    /// Value of a key in a mapping (keys compared as scalar text).
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|(_, v)| v)
    }

    /// Key node and value of a key in a mapping.
    pub fn entry(&self, key: &str) -> Option<(&Node, &Node)> {
        self.as_map()?
            .iter()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(k, v)| (k, v))
    }

    /// Entries with scalar keys, as `(key text, key node, value)`.
    pub fn entries(&self) -> impl Iterator<Item = (&str, &Node, &Node)> + Clone {
        self.as_map()
            .unwrap_or(&[])
            .iter()
            .filter_map(|(k, v)| Some((k.as_str()?, k, v)))
    }

    /// What this node is, for "expected X, found Y" messages.
    pub fn type_name(&self) -> &'static str {
        match &self.kind {
            NodeKind::Map(_) => "a mapping",
            NodeKind::Seq(_) => "a sequence",
            NodeKind::Scalar(..) if self.is_null() => "null",
            NodeKind::Scalar(_, ScalarStyle::Plain) if self.as_bool().is_some() => "a boolean",
            NodeKind::Scalar(_, ScalarStyle::Plain) if self.as_str().is_some_and(is_number) => "a number",
            NodeKind::Scalar(..) => "a string",
        }
    }

    /// Number of nodes in this subtree (depth is bounded by the parser, so recursion is bounded).
    pub fn size(&self) -> usize {
        match &self.kind {
            NodeKind::Scalar(..) => 1,
            NodeKind::Seq(items) => 1 + items.iter().map(Node::size).sum::<usize>(),
            NodeKind::Map(entries) => 1 + entries.iter().map(|(k, v)| k.size() + v.size()).sum::<usize>(),
        }
    }
}

fn is_number(s: &str) -> bool {
    !s.is_empty() && (s.parse::<i64>().is_ok() || s.parse::<f64>().is_ok())
}
