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

/// Byte ranges of the passwords in `scheme://user:password@host` URLs anywhere in `text`.
pub(crate) fn url_passwords(text: &str) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = text[from..].find("://") {
        let auth_start = from + i + 3;
        let rest = &text[auth_start..];
        let auth_len = rest
            .find(|c: char| c == '/' || c == '?' || c == '#' || c.is_whitespace() || c == '"' || c == '\'')
            .unwrap_or(rest.len());
        let auth = &rest[..auth_len];
        if let Some(at) = auth.rfind('@') {
            if let Some(colon) = auth[..at].find(':') {
                // `${DB_PASSWORD}` is a reference, not a secret: leave it readable.
                if colon + 1 < at && !auth[colon + 1..at].starts_with('$') {
                    out.push(auth_start + colon + 1..auth_start + at);
                }
            }
        }
        from = auth_start;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_passwords_are_found() {
        let text = "url: postgres://u:p\u{e4}ss@db:5432/x and http://host:80/ and redis://:pw@r:6379\n";
        let found: Vec<&str> = url_passwords(text).into_iter().map(|r| &text[r]).collect();
        assert_eq!(found, vec!["p\u{e4}ss", "pw"]);
        assert!(url_passwords("postgres://app:${DB_PASSWORD}@db/app").is_empty());
    }
}
