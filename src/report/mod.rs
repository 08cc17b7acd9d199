//! Renderers. Each takes the finished [`crate::Report`] and writes one format; none of them sees a
//! secret's value, because rules never put one in a message.

pub mod concise;
pub mod human;
pub mod json;

use crate::source::{LineCol, SourceMap, Span};

/// Line/column of both ends of a span.
pub fn position(sources: &SourceMap, span: Span) -> (String, LineCol, LineCol) {
    match sources.get(span.file) {
        Some(f) => (
            f.path.clone(),
            f.line_col(span.start as usize),
            f.line_col(span.end as usize),
        ),
        None => (
            String::new(),
            LineCol { line: 1, column: 1 },
            LineCol { line: 1, column: 1 },
        ),
    }
}
