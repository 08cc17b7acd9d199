//! Renderers. Each takes the finished [`crate::Report`] and writes one format. Rules never put a
//! secret's value in a message; the human renderer, the one format that shows source text, masks
//! secret values in its snippets with [`redact`].

pub mod baseline;
pub mod checkstyle;
pub mod concise;
pub mod github;
pub mod gitlab;
pub mod human;
pub mod json;
pub mod junit;
pub mod rdjson;
pub mod sarif;

/// Where the tool is documented (SARIF `tool.driver.informationUri`).
pub const INFORMATION_URI: &str = "https://github.com/stacklint/stacklint";

use crate::source::{LineCol, SourceMap, Span};

/// Line/column of both ends of a span.
pub fn position(sources: &SourceMap, span: Span) -> (String, LineCol, LineCol) {
    match sources.get(span.file) {
        Some(f) => (
            // File names are the repository's: never raw control characters in any format.
            crate::escape::one_line(&f.path).into_owned(),
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
