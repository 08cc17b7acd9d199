//! A serde `Deserializer` over our spanned YAML tree, so k8s-openapi's own `Deserialize` impls check
//! a manifest's structure without any schema file.
//!
//! Why not go through `serde_json::Value` with `serde_ignored`: deserializing straight from the
//! [`Node`] lets us (1) record, at each `deserialize_struct`, the field names the k8s-openapi type
//! itself declares, so unknown keys are found with the type's real sibling fields for "did you
//! mean" (nothing hand-maintained), and the KEY node's span; (2) remember the span of the innermost
//! node where a type error arose. `serde_path_to_error` wraps this deserializer for the error path.
//!
//! Scalars are typed as YAML 1.2 core *where YAML 1.1 (what Kubernetes reads) agrees*: decimal
//! integers and floats, `true`/`false`, nulls; everything else (`yes`, `0x1f`, `.inf`, quoted text)
//! is a string. Kubernetes accepts `null` for any field (zero value), so null is accepted for
//! strings, numbers, booleans, maps and sequences too. Where the two YAML versions disagree we stay
//! silent rather than guess.

use crate::source::Span;
use crate::yaml::{Node, NodeKind, ScalarStyle};
use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};
use std::cell::{Cell, RefCell};
use std::fmt;

/// A key the target type does not declare.
#[derive(Debug)]
pub(crate) struct UnknownKey {
    pub key: String,
    pub key_span: Span,
    pub type_name: &'static str,
    pub fields: &'static [&'static str],
}

/// What the deserializer observed while k8s-openapi read the tree.
#[derive(Default)]
pub(crate) struct Trace {
    pub unknown: RefCell<Vec<UnknownKey>>,
    pub error_span: Cell<Option<Span>>,
    /// How many sequences and mappings the reading is inside now.
    depth: Cell<usize>,
    /// Set when the reading went deeper than [`MAX_DEPTH`] and stopped there.
    pub too_deep: Cell<bool>,
}

/// Real manifests nest well under this; it keeps serde's recursion (through the k8s-openapi
/// visitors) far from any stack limit. Counted while reading, rather than by a walk of the whole
/// document beforehand, which cost a quarter of the schema check.
pub(crate) const MAX_DEPTH: usize = 64;

impl Trace {
    /// Reads one nested value one level deeper, or stops the reading at [`MAX_DEPTH`].
    fn descend<T>(&self, read: impl FnOnce() -> Result<T, DeError>) -> Result<T, DeError> {
        let depth = self.depth.get();
        if depth >= MAX_DEPTH {
            self.too_deep.set(true);
            return Err(DeError(UNSUPPORTED.to_owned()));
        }
        self.depth.set(depth + 1);
        let r = read();
        self.depth.set(depth);
        r
    }
}

#[derive(Debug)]
pub(crate) struct DeError(pub String);

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DeError {}

impl de::Error for DeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        DeError(msg.to_string())
    }
}

/// Marker for shapes this deserializer does not model; such errors are dropped, never reported.
pub(crate) const UNSUPPORTED: &str = "stacklint: unsupported shape";

pub(super) enum Scalar<'a> {
    Null,
    Bool(bool),
    Int(i64),
    UInt(u64),
    Float(f64),
    Str(&'a str),
}

fn is_decimal_int(s: &str) -> bool {
    let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`: a float to both YAML 1.1 (go-yaml) and 1.2.
fn is_decimal_float(s: &str) -> bool {
    let body = s.strip_prefix(['-', '+']).unwrap_or(s);
    let (mantissa, exp) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let (int, frac) = match mantissa.split_once('.') {
        Some((a, b)) => (a, Some(b)),
        None => (mantissa, None),
    };
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match frac {
        Some(f) => digits(int) && digits(f) && !(int.is_empty() && f.is_empty()),
        None => !int.is_empty() && digits(int),
    };
    let exp_ok = exp.is_none_or(is_decimal_int);
    mantissa_ok && exp_ok
}

pub(super) fn classify(node: &Node) -> Scalar<'_> {
    let NodeKind::Scalar(text, style) = &node.kind else {
        return Scalar::Str("");
    };
    if *style != ScalarStyle::Plain || node.tag.as_deref() == Some("!!str") {
        return Scalar::Str(text);
    }
    if node.is_null() {
        return Scalar::Null;
    }
    match text.as_str() {
        "true" | "True" | "TRUE" => return Scalar::Bool(true),
        "false" | "False" | "FALSE" => return Scalar::Bool(false),
        _ => {}
    }
    if is_decimal_int(text) {
        if let Ok(i) = text.parse::<i64>() {
            return Scalar::Int(i);
        }
        if let Ok(u) = text.parse::<u64>() {
            return Scalar::UInt(u);
        }
    }
    if is_decimal_float(text) {
        if let Ok(f) = text.parse::<f64>() {
            return Scalar::Float(f);
        }
    }
    Scalar::Str(text)
}

#[derive(Clone, Copy)]
pub(crate) struct NodeDe<'a> {
    pub node: &'a Node,
    pub trace: &'a Trace,
}

impl<'a> NodeDe<'a> {
    /// Runs one deserialization step, remembering this node's span if the innermost error arose here.
    fn track<T>(self, r: Result<T, DeError>) -> Result<T, DeError> {
        if r.is_err() && self.trace.error_span.get().is_none() {
            self.trace.error_span.set(Some(self.node.span));
        }
        r
    }

    fn any<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        let r = match &self.node.kind {
            NodeKind::Seq(items) => visitor.visit_seq(SeqDe {
                items: items.iter(),
                trace: self.trace,
            }),
            NodeKind::Map(entries) => visitor.visit_map(MapDe {
                entries: entries.iter(),
                value: None,
                trace: self.trace,
            }),
            NodeKind::Scalar(..) => match classify(self.node) {
                Scalar::Null => visitor.visit_unit(),
                Scalar::Bool(b) => visitor.visit_bool(b),
                Scalar::Int(i) => visitor.visit_i64(i),
                Scalar::UInt(u) => visitor.visit_u64(u),
                Scalar::Float(f) => visitor.visit_f64(f),
                Scalar::Str(s) => visitor.visit_borrowed_str(s),
            },
        };
        self.track(r)
    }

    fn empty_map<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        let r = visitor.visit_map(MapDe {
            entries: [].iter(),
            value: None,
            trace: self.trace,
        });
        self.track(r)
    }
}

macro_rules! null_as {
    ($($method:ident => $visit:ident($zero:expr)),* $(,)?) => {
        $(
            fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
                if self.node.is_null() {
                    let r = visitor.$visit($zero);
                    self.track(r)
                } else {
                    self.any(visitor)
                }
            }
        )*
    };
}

impl<'de> de::Deserializer<'de> for NodeDe<'de> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.any(visitor)
    }

    null_as! {
        deserialize_bool => visit_bool(false),
        deserialize_i8 => visit_i64(0),
        deserialize_i16 => visit_i64(0),
        deserialize_i32 => visit_i64(0),
        deserialize_i64 => visit_i64(0),
        deserialize_u8 => visit_u64(0),
        deserialize_u16 => visit_u64(0),
        deserialize_u32 => visit_u64(0),
        deserialize_u64 => visit_u64(0),
        deserialize_f32 => visit_f64(0.0),
        deserialize_f64 => visit_f64(0.0),
        deserialize_str => visit_borrowed_str(""),
        deserialize_string => visit_borrowed_str(""),
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let r = if self.node.is_null() {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        };
        self.track(r)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _name: &'static str, visitor: V) -> Result<V::Value, DeError> {
        let r = visitor.visit_newtype_struct(self);
        self.track(r)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        if self.node.is_null() {
            let r = visitor.visit_seq(SeqDe {
                items: [].iter(),
                trace: self.trace,
            });
            return self.track(r);
        }
        self.any(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        if self.node.is_null() {
            return self.empty_map(visitor);
        }
        self.any(visitor)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        if self.node.is_null() {
            return self.empty_map(visitor);
        }
        if !fields.is_empty() {
            let mut unknown = self.trace.unknown.borrow_mut();
            for (k, _) in self.node.as_map().unwrap_or(&[]) {
                let key = k.as_str().unwrap_or("");
                if !fields.contains(&key) {
                    unknown.push(UnknownKey {
                        key: key.to_owned(),
                        key_span: k.span,
                        type_name: name,
                        fields,
                    });
                }
            }
        }
        self.any(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        match classify(self.node) {
            Scalar::Str(s) if !self.node.is_map() && self.node.as_seq().is_none() => {
                let d: de::value::StrDeserializer<'_, DeError> = s.into_deserializer();
                visitor.visit_enum(d)
            }
            _ => Err(DeError(UNSUPPORTED.to_owned())),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        i128 u128 char bytes byte_buf unit unit_struct tuple tuple_struct identifier
    }
}

struct SeqDe<'a> {
    items: std::slice::Iter<'a, Node>,
    trace: &'a Trace,
}

impl<'a> de::SeqAccess<'a> for SeqDe<'a> {
    type Error = DeError;

    fn next_element_seed<T: DeserializeSeed<'a>>(&mut self, seed: T) -> Result<Option<T::Value>, DeError> {
        match self.items.next() {
            Some(node) => {
                let trace = self.trace;
                trace.descend(|| seed.deserialize(NodeDe { node, trace })).map(Some)
            }
            None => Ok(None),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

struct MapDe<'a> {
    entries: std::slice::Iter<'a, (Node, Node)>,
    value: Option<&'a Node>,
    trace: &'a Trace,
}

impl<'a> de::MapAccess<'a> for MapDe<'a> {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'a>>(&mut self, seed: K) -> Result<Option<K::Value>, DeError> {
        match self.entries.next() {
            Some((k, v)) => {
                self.value = Some(v);
                let key = k.as_str().unwrap_or("");
                let d: de::value::BorrowedStrDeserializer<'a, DeError> = de::value::BorrowedStrDeserializer::new(key);
                seed.deserialize(d).map(Some)
            }
            None => Ok(None),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'a>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        match self.value.take() {
            Some(node) => {
                let trace = self.trace;
                trace.descend(|| seed.deserialize(NodeDe { node, trace }))
            }
            None => Err(DeError(UNSUPPORTED.to_owned())),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_agree_with_both_yaml_versions() {
        for ok in ["1.5", "-0.5", ".5", "1e3", "1.", "+2.0E-3"] {
            assert!(is_decimal_float(ok), "{ok}");
        }
        for no in ["1.2.3", "e3", ".", "1e", "0x1f", "abc", ""] {
            assert!(!is_decimal_float(no), "{no}");
        }
    }
}
