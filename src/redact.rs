//! One mechanism that finds secret-looking values in any text stacklint shows or writes: source
//! snippets, the port map, graphs, generated docs blocks and diffs all pass through it, so a value
//! hidden in one output cannot show in another.
//!
//! What counts: the password of a URL (`scheme://user:password@host`), the value of a command-line
//! option named like a secret (`--password=…`, `password=…`, `--token …`, `-p…` of the MySQL
//! clients) and cloud access-key ids (`AKIA…`). References (`${VAR}`, `$(VAR)`) stay readable.

use std::borrow::Cow;
use std::ops::Range;

/// What a hidden value is replaced with.
pub const MASK: &str = "***";

/// Option and key names whose value is a secret (matched case-insensitively inside the name).
const SECRET_WORDS: &[&str] = &[
    "password",
    "passwd",
    "secret",
    "token",
    "apikey",
    "api_key",
    "api-key",
    "access_key",
    "access-key",
    "private_key",
    "private-key",
    "credential",
];

/// Byte ranges of the passwords in `scheme://user:password@host` URLs anywhere in `text`.
pub fn url_passwords(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = text.get(from..).and_then(|t| t.find("://")) {
        let auth_start = from + i + 3;
        let rest = text.get(auth_start..).unwrap_or("");
        let auth_len = rest
            .find(|c: char| c == '/' || c == '?' || c == '#' || c.is_whitespace() || c == '"' || c == '\'')
            .unwrap_or(rest.len());
        let auth = rest.get(..auth_len).unwrap_or("");
        if let Some(at) = auth.rfind('@') {
            if let Some(colon) = auth.get(..at).and_then(|a| a.find(':')) {
                // `${DB_PASSWORD}` is a reference, not a secret: leave it readable.
                if colon + 1 < at && !auth.get(colon + 1..at).unwrap_or("").starts_with('$') {
                    out.push(auth_start + colon + 1..auth_start + at);
                }
            }
        }
        from = auth_start;
    }
    out
}

/// Byte ranges of the passwords in `user:password@host` written without a scheme (an upstream or
/// target once its `scheme://` is cut off).
pub fn bare_userinfo(text: &str) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut token_start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if b.is_ascii_whitespace() || matches!(b, b'"' | b'\'' | b'(' | b',' | b'=' | b'[' | b'`') {
            token_start = i + 1;
        } else if b == b'@' {
            let token = bytes.get(token_start..i).unwrap_or(&[]);
            if !token.contains(&b'/') && !token.contains(&b'@') {
                if let Some(colon) = token.iter().position(|&c| c == b':') {
                    let (start, end) = (token_start + colon + 1, i);
                    if start < end
                        && bytes.get(start) != Some(&b'$')
                        && bytes.get(i + 1).is_some_and(u8::is_ascii_alphanumeric)
                    {
                        out.push(start..end);
                    }
                }
            }
        }
    }
    out
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.'
}

/// Ends a value: whitespace, quotes and the separators of YAML flow lists and JSON.
fn ends_value(b: u8) -> bool {
    b.is_ascii_whitespace() || matches!(b, b'"' | b'\'' | b',' | b']' | b'}' | b'`' | b'&' | b';')
}

/// The value starting at `at` (up to a terminator), unless it is empty or a reference.
fn value_at(bytes: &[u8], at: usize) -> Option<Range<usize>> {
    let end = bytes
        .get(at..)?
        .iter()
        .position(|&b| ends_value(b))
        .map_or(bytes.len(), |n| at + n);
    (end > at && bytes.get(at) != Some(&b'$')).then_some(at..end)
}

/// Values of secret-named options and assignments: `--password=x`, `password=x`, `--token x`,
/// `--token", "x"` (a YAML or JSON argument list), and the MySQL clients' `-px`.
pub fn argument_secrets(text: &str) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    let lower = text.to_ascii_lowercase();
    let mut out = Vec::new();
    // Each word is looked at once, from its first byte: linear in the text.
    let mut i = 0;
    while i < bytes.len() {
        if !is_word_byte(bytes[i]) || (i > 0 && is_word_byte(bytes[i - 1])) {
            i += 1;
            continue;
        }
        let end = bytes[i..]
            .iter()
            .position(|&b| !is_word_byte(b))
            .map_or(bytes.len(), |n| i + n);
        let word = lower.get(i..end).unwrap_or("");
        let name = word.trim_start_matches('-');
        let dashes = word.len() - name.len();
        if SECRET_WORDS.iter().any(|w| name.contains(w)) {
            match bytes.get(end) {
                Some(b'=') => out.extend(value_at(bytes, end + 1)),
                // `--token value` and `"--token", "value"`: the next word is the value.
                _ if dashes == 2 => {
                    let mut j = end;
                    while j < bytes.len() && matches!(bytes[j], b' ' | b'\t' | b'"' | b'\'' | b',') {
                        j += 1;
                    }
                    if j > end && !bytes.get(j).is_some_and(|&b| b == b'-' || b == b'\n') {
                        out.extend(value_at(bytes, j));
                    }
                }
                _ => {}
            }
        } else if dashes == 1 && name.starts_with('p') && name.len() > 1 && mysql_line(&lower, i) {
            out.push(i + 2..end);
        }
        i = end.max(i + 1);
    }
    out
}

/// Whether the line holding `at` runs a MySQL or MariaDB client (where `-pSECRET` is a password).
fn mysql_line(lower: &str, at: usize) -> bool {
    let start = lower.get(..at).and_then(|t| t.rfind('\n')).map_or(0, |n| n + 1);
    let line = lower.get(start..at).unwrap_or("");
    ["mysql", "mariadb", "mysqladmin", "mysqldump"]
        .iter()
        .any(|t| line.contains(t))
}

/// AWS access-key ids (`AKIA` or `ASIA` and sixteen upper-case letters or digits).
pub fn access_key_ids(text: &str) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = memchr::memmem::find(bytes.get(from..).unwrap_or(&[]), b"IA").map(|n| from + n) {
        if let Some(start) = i.checked_sub(2) {
            let end = start + 20;
            let ok = matches!(bytes.get(start..i + 2), Some(b"AKIA" | b"ASIA"))
                && bytes
                    .get(i + 2..end)
                    .is_some_and(|t| t.iter().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()))
                && !bytes.get(end).is_some_and(u8::is_ascii_alphanumeric)
                && !start
                    .checked_sub(1)
                    .and_then(|p| bytes.get(p))
                    .is_some_and(u8::is_ascii_alphanumeric);
            if ok {
                out.push(start..end);
            }
        }
        from = i + 1;
    }
    out
}

/// Every secret-looking range in `text`, sorted, merged where they overlap.
pub fn secret_ranges(text: &str) -> Vec<Range<usize>> {
    let mut all = url_passwords(text);
    all.extend(bare_userinfo(text));
    all.extend(argument_secrets(text));
    all.extend(access_key_ids(text));
    all.sort_by_key(|r| (r.start, r.end));
    let mut merged: Vec<Range<usize>> = Vec::with_capacity(all.len());
    for r in all {
        match merged.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => merged.push(r),
        }
    }
    merged
}

/// `text` with every secret-looking value replaced by [`MASK`].
pub fn redact(text: &str) -> Cow<'_, str> {
    let ranges = secret_ranges(text);
    if ranges.is_empty() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for r in ranges {
        if let (Some(before), true) = (text.get(at..r.start), text.is_char_boundary(r.end)) {
            out.push_str(before);
            out.push_str(MASK);
            at = r.end;
        }
    }
    out.push_str(text.get(at..).unwrap_or(""));
    Cow::Owned(out)
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

    #[test]
    fn arguments_keys_and_urls_are_masked() {
        let cases = [
            (
                r#"command: ["postgres", "-c", "password=S1", "--token=S2"]"#,
                r#"command: ["postgres", "-c", "password=***", "--token=***"]"#,
            ),
            (r#"args: ["--password=S3"]"#, r#"args: ["--password=***"]"#),
            (
                r#"args: ["--token", "S4", "--v"]"#,
                r#"args: ["--token", "***", "--v"]"#,
            ),
            ("run --api-key S5 --x", "run --api-key *** --x"),
            ("mysql -uroot -pS6 db", "mysql -uroot -p*** db"),
            ("AWS_ACCESS_KEY_ID: AKIAABCDEFGHIJKLMNOP", "AWS_ACCESS_KEY_ID: ***"),
            ("proxy_pass http://u:S7@db:5432;", "proxy_pass http://u:***@db:5432;"),
            ("routes-to u:S9@db:5432 x", "routes-to u:***@db:5432 x"),
            (
                "git@github.com:a/b and ${U}:${P}@h",
                "git@github.com:a/b and ${U}:${P}@h",
            ),
            (
                "--password=${DB_PASSWORD} -p 8080:80",
                "--password=${DB_PASSWORD} -p 8080:80",
            ),
            ("--token\n--next", "--token\n--next"),
        ];
        for (input, want) in cases {
            assert_eq!(redact(input), want, "{input}");
        }
    }
}
