//! The spanned YAML layer: the one place in stacklint that knows the YAML library.
//!
//! serde_yaml keeps no positions for values and is archived, so it cannot drive a linter. This module
//! builds a small tree ([`Node`]) from saphyr-parser's pull events, with a byte [`Span`] for every key
//! and scalar. It resolves anchors, aliases and merge keys (`<<: *a`, `<<: [*a, *b]`) under a
//! per-file expansion budget, bounds nesting depth, reports duplicate keys with both positions, and
//! keeps every scalar as its source text plus its style so that typed readers decide what it means
//! (`2122:22` stays a port mapping, never the YAML 1.1 base-60 number 127342).

mod build;
mod json;
mod node;

pub use build::{parse_yaml, YamlLimits, YamlStream};
pub use json::{node_at, to_json};
pub use node::{Node, NodeKind, ScalarStyle};
