//! Documents of one shape check alike: a manifest's schema findings depend on its keys, its
//! nesting and the kind of each scalar, and on a scalar's text only where k8s-openapi parses it
//! (timestamps, base64). A monorepo holds thousands of manifests stamped from a few templates, so
//! a shape that checked clean once is not deserialized again (deserializing into k8s-openapi's
//! types was the largest cost of reading manifests).
//!
//! The shape is a 128-bit hash of what [`super::de::NodeDe`] lets the types see: each map's keys in
//! order (as the deserializer reads them), each sequence's length, and per scalar whether it is
//! null, its kind ([`classify`]), for an integer whether it fits 32 bits (k8s-openapi's `i32`
//! fields and `IntOrString` check the range), and for a string whether it parses as a
//! `ByteString` and as a timestamp (`Time`, `MicroTime`), with those types' own parsers. Only
//! clean results are remembered, so a shape that ever gives a finding is checked every time.

use super::de::{classify, Scalar, MAX_DEPTH};
use crate::yaml::{Node, NodeKind};
use serde::Deserialize;
use std::hash::{BuildHasher, Hasher};
use std::sync::{LazyLock, RwLock};

/// Shapes remembered at most (a long-running fuzzer or test process must not grow without bound).
const MAX_REMEMBERED: usize = 1 << 16;

static CLEAN: LazyLock<RwLock<foldhash::HashSet<u128>>> = LazyLock::new(Default::default);

thread_local! {
    /// The shape buffer of this thread, kept between documents.
    static BUFFER: std::cell::Cell<Vec<u8>> = const { std::cell::Cell::new(Vec::new()) };
}

/// The shape written out as bytes, hashed once at the end with two independent 64-bit hashes.
/// Writing bytes and hashing the whole buffer costs about half of feeding two hashers item by item
/// (measured: the hashers were 40% of the walk). The encoding is prefix-free (tags, lengths in
/// LEB128, texts after their length), so two shapes hash alike only if their bytes are equal.
struct Shape {
    bytes: Vec<u8>,
}

impl Shape {
    /// With the buffer this thread used last (taken back by [`Shape::done`]): a fresh buffer per
    /// document took mimalloc's slow path each time.
    fn new() -> Shape {
        let mut bytes = BUFFER.take();
        bytes.clear();
        Shape { bytes }
    }

    /// Gives the buffer back to this thread; a huge one is let go.
    fn done(self) {
        if self.bytes.capacity() <= 1 << 20 {
            BUFFER.set(self.bytes);
        }
    }

    fn byte(&mut self, x: u8) {
        self.bytes.push(x);
    }

    fn len(&mut self, n: usize) {
        let mut n = n as u64;
        while n >= 0x80 {
            self.bytes.push((n as u8) | 0x80);
            n >>= 7;
        }
        self.bytes.push(n as u8);
    }

    fn text(&mut self, s: &str) {
        self.len(s.len());
        self.bytes.extend_from_slice(s.as_bytes());
    }

    fn finish(&self) -> u128 {
        let hash = |seed: u64| {
            let mut h = foldhash::fast::FixedState::with_seed(seed).build_hasher();
            h.write_usize(self.bytes.len());
            h.write(&self.bytes);
            h.finish()
        };
        (u128::from(hash(0x5eed_0001)) << 64) | u128::from(hash(0x5eed_0002))
    }
}

/// Whether `s` decodes as k8s-openapi's `ByteString` (standard base64, padded). Text outside the
/// alphabet, or of a length no padded encoding has, cannot: decoded only otherwise.
fn is_byte_string(s: &str) -> bool {
    let alphabet = || {
        s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
    };
    s.len() % 4 == 0
        && alphabet()
        && k8s_openapi::ByteString::deserialize(serde::de::value::StrDeserializer::<serde::de::value::Error>::new(s))
            .is_ok()
}

/// Whether `s` parses as the timestamp inside k8s-openapi's `Time` and `MicroTime`. Timestamps
/// start with a year (digits, or a sign for extended years): parsed only then.
fn is_timestamp(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_digit() || c == '+' || c == '-')
        && k8s_openapi::jiff::Timestamp::deserialize(serde::de::value::StrDeserializer::<serde::de::value::Error>::new(
            s,
        ))
        .is_ok()
}

fn feed(node: &Node, h: &mut Shape, depth: usize) -> bool {
    if depth > MAX_DEPTH + 1 {
        return false;
    }
    match &node.kind {
        NodeKind::Map(entries) => {
            h.byte(b'M');
            h.len(entries.len());
            for (k, v) in entries {
                h.text(k.as_str().unwrap_or(""));
                if !feed(v, h, depth + 1) {
                    return false;
                }
            }
        }
        NodeKind::Seq(items) => {
            h.byte(b'S');
            h.len(items.len());
            for i in items {
                if !feed(i, h, depth + 1) {
                    return false;
                }
            }
        }
        NodeKind::Scalar(..) => {
            h.byte(if node.is_null() { b'n' } else { b'v' });
            match classify(node) {
                Scalar::Null => h.byte(b'0'),
                Scalar::Bool(_) => h.byte(b'b'),
                Scalar::Int(i) => h.byte(if i32::try_from(i).is_ok() { b'i' } else { b'I' }),
                Scalar::UInt(_) => h.byte(b'u'),
                Scalar::Float(_) => h.byte(b'f'),
                Scalar::Str(s) => {
                    h.byte(b's');
                    h.byte(u8::from(is_byte_string(s)) | (u8::from(is_timestamp(s)) << 1));
                }
            }
        }
    }
    true
}

/// The shape of `doc` checked as `api_version` `kind`; `None` when too deep to
/// be read to the end (such documents are not remembered).
pub(super) fn of(doc: &Node, api_version: &str, kind: &str) -> Option<u128> {
    let mut h = Shape::new();
    h.text(api_version);
    h.text(kind);
    let shape = feed(doc, &mut h, 0).then(|| h.finish());
    h.done();
    shape
}

/// Whether a document of this shape already checked clean.
pub(super) fn known_clean(shape: u128) -> bool {
    CLEAN.read().is_ok_and(|set| set.contains(&shape))
}

/// Remembers that a document of this shape checked clean.
pub(super) fn remember_clean(shape: u128) {
    if let Ok(mut set) = CLEAN.write() {
        if set.len() < MAX_REMEMBERED {
            set.insert(shape);
        }
    }
}
