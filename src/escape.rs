//! Escaping per output format. Names and paths come from the checked repository: a service named
//! with terminal escapes must not retitle the CI log or recolour it, and one named with a newline
//! and an HTML comment must not end a generated Markdown block or inject into a graph.

use std::borrow::Cow;

/// Control characters (C0 but newline and tab, DEL, C1) that a terminal may act on.
fn is_control(c: char) -> bool {
    c.is_control() && c != '\n' && c != '\t'
}

fn escaped_into(out: &mut String, c: char) {
    out.push_str(&c.escape_unicode().to_string());
}

/// `text` with every control character a terminal acts on (ESC, BEL, C1, carriage return…)
/// written as a visible `\u{1b}` escape. Newlines and tabs stay: they are the report's layout.
pub fn visible(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_control) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_control(c) {
            escaped_into(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A one-line value: [`visible`], and newlines and tabs escaped too (a name never spans lines).
pub fn one_line(text: &str) -> Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c.is_control() {
            escaped_into(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `text` on one line, with the characters `special` names replaced by what it gives.
fn replaced(text: &str, special: impl Fn(char) -> Option<&'static str>) -> String {
    let mut out = String::with_capacity(text.len());
    for c in one_line(text).chars() {
        match special(c) {
            Some(s) => out.push_str(s),
            None => out.push(c),
        }
    }
    out
}

/// A Markdown table cell: one line, `|` escaped, and `<`, `>` and `&` as HTML entities, so a cell
/// can hold neither HTML nor a `<!-- stacklint:… -->` marker.
pub fn markdown_cell(text: &str) -> String {
    replaced(text, |c| match c {
        '|' => Some("\\|"),
        '<' => Some("&lt;"),
        '>' => Some("&gt;"),
        '&' => Some("&amp;"),
        _ => None,
    })
}

/// A Mermaid label inside `["…"]` or `|…|`: one line, quotes and angle brackets as Mermaid's
/// entity codes (`#quot;`), the edge delimiter `|` too.
pub fn mermaid_label(text: &str) -> String {
    replaced(text, |c| match c {
        '"' => Some("#quot;"),
        '<' => Some("#lt;"),
        '>' => Some("#gt;"),
        '|' => Some("#124;"),
        _ => None,
    })
}

/// A DOT string inside `"…"`: one line, backslashes and quotes escaped.
pub fn dot_label(text: &str) -> String {
    replaced(text, |c| match c {
        '"' => Some("\\\""),
        '\\' => Some("\\\\"),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(visible("a\u{1b}]0;t\u{7}b\nc"), "a\\u{1b}]0;t\\u{7}b\nc");
        assert_eq!(visible("plain"), "plain");
        assert_eq!(one_line("x\ny"), "x\\u{a}y");
        assert_eq!(
            markdown_cell("x\n<!-- /stacklint:services -->|"),
            "x\\u{a}&lt;!-- /stacklint:services --&gt;\\|"
        );
        assert_eq!(mermaid_label("a\"]\n<script>"), "a#quot;]\\u{a}#lt;script#gt;");
        assert_eq!(dot_label("a\"\\\nb"), "a\\\"\\\\\\\\u{a}b");
    }
}
