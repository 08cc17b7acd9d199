//! Renderers. Each takes the finished [`crate::Report`] and writes one format. Rules never put a
//! secret's value in a message; the human renderer, the one format that shows source text, masks
//! secret values in its snippets with [`redact`].

pub mod baseline;
pub mod concise;
pub mod github;
pub mod gitlab;
pub mod human;
pub mod json;
pub mod junit;
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

/// `text` (file `file`) with secret values masked for display: the bytes of every span in
/// `secrets` (sorted) that falls in this file, and the password of `scheme://user:password@host`
/// URLs. Each masked character becomes as many `*` as it has bytes, so offsets, lines and the
/// UTF-8 validity of the text are unchanged. `None` when there is nothing to mask.
pub fn redact(text: &str, file: crate::source::FileId, secrets: &[Span]) -> Option<String> {
    let mut ranges: Vec<std::ops::Range<usize>> = Vec::new();
    let first = secrets.partition_point(|s| s.file < file);
    for s in secrets[first..].iter().take_while(|s| s.file == file) {
        ranges.push(s.start as usize..s.end as usize);
    }
    ranges.extend(url_passwords(text));
    if ranges.is_empty() {
        return None;
    }
    let mut bytes = text.as_bytes().to_vec();
    for r in ranges {
        let start = crate::source::floor_char_boundary(text, r.start.min(text.len()));
        let end = r.end.min(text.len());
        for (i, c) in text.get(start..end).unwrap_or("").char_indices() {
            if c != '\n' && c != '\r' {
                let at = start + i;
                bytes[at..at + c.len_utf8()].fill(b'*');
            }
        }
    }
    // Only whole characters were replaced by ASCII, so the bytes are still UTF-8.
    String::from_utf8(bytes).ok()
}

/// Byte ranges of the passwords in `scheme://user:password@host` URLs anywhere in `text`.
fn url_passwords(text: &str) -> Vec<std::ops::Range<usize>> {
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
                if colon + 1 < at {
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
    use crate::source::FileId;

    #[test]
    fn redact_masks_spans_and_url_passwords_keeping_offsets() {
        let text = "A_PASSWORD: h\u{e9}llo\nurl: postgres://u:p\u{e4}ss@db:5432/x and http://host:80/\n";
        let start = text.find("h\u{e9}llo").expect("present");
        let secrets = [Span::new(FileId(1), start, start + "h\u{e9}llo".len())];
        let masked = redact(text, FileId(1), &secrets).expect("something to mask");
        assert_eq!(masked.len(), text.len());
        assert_eq!(
            masked,
            "A_PASSWORD: ******\nurl: postgres://u:*****@db:5432/x and http://host:80/\n"
        );
        assert_eq!(redact("nothing: here\n", FileId(0), &secrets), None);
    }
}
