//! Parser for Docker Compose `.env` files (dotenv syntax).
//!
//! Supported syntax: `KEY=value`, `export KEY=value`, blank lines, `#`
//! comment lines, inline ` #comment` after an unquoted value (a `#` preceded
//! by whitespace), `KEY=` (empty value), single-quoted values (literal),
//! double-quoted values with the escapes `\n` `\r` `\t` `\"` `\\` (any other
//! `\X` becomes `X`, except `\$` which is kept as written for a later
//! interpolation pass), quoted values spanning several lines, a bare `KEY`
//! (skipped: in Compose it inherits from the shell), whitespace around `=`,
//! CRLF line endings and a leading UTF-8 BOM.
//!
//! Values are **not** interpolated: `$VAR` is kept as written.
//!
//! It is hand-written because the candidate crates did not fit a linter:
//! `dotenvy` substitutes variables from the real process environment and
//! reports no positions. Here every key and value carries its byte range in
//! the input, malformed lines produce an [`EnvError`] and parsing continues
//! with the next line. The parser never panics and runs in linear time.

use std::ops::Range;

/// Result of [`parse_dotenv`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EnvFile {
    pub entries: Vec<EnvEntry>,
    pub errors: Vec<EnvError>,
}

/// One `KEY=value` assignment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvEntry {
    /// The key as written.
    pub key: String,
    pub key_range: Range<usize>,
    /// The value after quote removal / escape processing.
    pub value: String,
    /// Range of the value text in the source (inside the quotes for quoted
    /// values; without the inline comment and trailing blanks otherwise).
    pub value_range: Range<usize>,
    /// `Some('"')` or `Some('\'')` for quoted values.
    pub quote: Option<char>,
}

/// A malformed line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvError {
    pub range: Range<usize>,
    pub message: String,
}

fn is_blank(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\x0b' | b'\x0c')
}

fn is_key_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '.' | '-')
}

/// End of the line starting at `pos` (index of the `\n` or text length).
fn line_end(bytes: &[u8], pos: usize) -> usize {
    let mut i = pos;
    while i < bytes.len() && bytes.get(i) != Some(&b'\n') {
        i += 1;
    }
    i
}

/// `end` with a trailing `\r` removed.
fn strip_cr(bytes: &[u8], start: usize, end: usize) -> usize {
    if end > start && bytes.get(end - 1) == Some(&b'\r') {
        end - 1
    } else {
        end
    }
}

fn skip_blanks(bytes: &[u8], mut pos: usize, end: usize) -> usize {
    while pos < end && bytes.get(pos).is_some_and(|&b| is_blank(b)) {
        pos += 1;
    }
    pos
}

fn trim_end_blanks(bytes: &[u8], start: usize, mut end: usize) -> usize {
    while end > start && bytes.get(end - 1).is_some_and(|&b| is_blank(b)) {
        end -= 1;
    }
    end
}

/// Parse the text of a `.env` file.
pub fn parse_dotenv(text: &str) -> EnvFile {
    let bytes = text.as_bytes();
    let mut out = EnvFile::default();
    // Start offset of a failed (unterminated) scan per quote kind ['"', '\''].
    // A later scan starting after it cannot succeed either, so skipping it
    // keeps the parser linear on files full of unterminated quotes.
    let mut no_close = [usize::MAX; 2];
    let mut pos = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let sub = |r: Range<usize>| text.get(r).unwrap_or("");

    while pos < bytes.len() {
        let raw_end = line_end(bytes, pos);
        let next_line = raw_end + 1;
        let end = strip_cr(bytes, pos, raw_end);
        let start = skip_blanks(bytes, pos, end);
        if start >= end || bytes.get(start) == Some(&b'#') {
            pos = next_line;
            continue;
        }
        let line_range = start..trim_end_blanks(bytes, start, end);

        // optional `export ` prefix
        let mut key_start = start;
        if sub(start..start + 6) == "export" && bytes.get(start + 6).is_some_and(|&b| is_blank(b)) {
            key_start = skip_blanks(bytes, start + 6, end);
        }

        let eq = (key_start..end).find(|&i| bytes.get(i) == Some(&b'='));
        let Some(eq) = eq else {
            // bare `KEY` (inherited from the shell): skipped unless garbage
            let k = sub(key_start..line_range.end);
            if !k.chars().all(is_key_char) {
                out.errors.push(EnvError {
                    range: line_range,
                    message: format!("invalid line {k:?}: expected KEY=VALUE"),
                });
            }
            pos = next_line;
            continue;
        };
        let key_end = trim_end_blanks(bytes, key_start, eq);
        let key = sub(key_start..key_end);
        if key.is_empty() {
            out.errors.push(EnvError {
                range: line_range,
                message: "missing variable name before '='".to_string(),
            });
            pos = next_line;
            continue;
        }
        if let Some(bad) = key.chars().find(|&c| !is_key_char(c)) {
            out.errors.push(EnvError {
                range: key_start..key_end,
                message: format!("unexpected character {bad:?} in variable name {key:?}"),
            });
            pos = next_line;
            continue;
        }

        let vstart = skip_blanks(bytes, eq + 1, end);
        let quote = match bytes.get(vstart) {
            Some(b'"') if vstart < end => Some('"'),
            Some(b'\'') if vstart < end => Some('\''),
            _ => None,
        };
        let Some(q) = quote else {
            // unquoted: up to end of line or a `#` preceded by whitespace
            let mut vend = end;
            let mut i = vstart;
            while i < end {
                if bytes.get(i) == Some(&b'#') && i > 0 && bytes.get(i - 1).is_some_and(|&b| is_blank(b)) {
                    vend = i;
                    break;
                }
                i += 1;
            }
            let vend = trim_end_blanks(bytes, vstart, vend);
            out.entries.push(EnvEntry {
                key: key.to_string(),
                key_range: key_start..key_end,
                value: sub(vstart..vend).to_string(),
                value_range: vstart..vend,
                quote: None,
            });
            pos = next_line;
            continue;
        };

        // quoted value, may span lines
        let inner_start = vstart + 1;
        let qi = usize::from(q == '\'');
        let mut i = inner_start;
        let mut close = None;
        let scan_end = if inner_start > no_close[qi] { 0 } else { bytes.len() };
        while i < scan_end {
            match bytes.get(i) {
                Some(b'\\') if q == '"' => i += 2,
                Some(&b) if b == q as u8 => {
                    close = Some(i);
                    break;
                }
                _ => i += 1,
            }
        }
        let Some(close) = close else {
            no_close[qi] = no_close[qi].min(inner_start);
            out.errors.push(EnvError {
                range: vstart..end,
                message: format!("unterminated quoted value for {key:?}"),
            });
            pos = next_line;
            continue;
        };
        let raw = sub(inner_start..close);
        let value = if q == '"' {
            unescape_double(raw)
        } else {
            raw.replace("\r\n", "\n")
        };
        out.entries.push(EnvEntry {
            key: key.to_string(),
            key_range: key_start..key_end,
            value,
            value_range: inner_start..close,
            quote: Some(q),
        });
        // rest of the line after the closing quote: blanks and/or comment
        let after = close + 1;
        let raw_end = line_end(bytes, after);
        let end = strip_cr(bytes, after, raw_end);
        let rest = skip_blanks(bytes, after, end);
        if rest < end && bytes.get(rest) != Some(&b'#') {
            let rend = trim_end_blanks(bytes, rest, end);
            out.errors.push(EnvError {
                range: rest..rend,
                message: format!(
                    "unexpected characters {:?} after closing quote of {key:?}",
                    sub(rest..rend)
                ),
            });
        }
        pos = raw_end + 1;
    }
    out
}

/// Escape processing for double-quoted values.
fn unescape_double(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('n') => out.push('\n'),
                Some('r') => out.push('\r'),
                Some('t') => out.push('\t'),
                Some('$') => out.push_str("\\$"),
                Some(other) => out.push(other),
                None => out.push('\\'),
            },
            '\r' if chars.peek() == Some(&'\n') => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kv(f: &EnvFile) -> Vec<(&str, &str)> {
        f.entries.iter().map(|e| (e.key.as_str(), e.value.as_str())).collect()
    }

    #[test]
    fn basic() {
        let f = parse_dotenv("A=1\nB=two words\n\n# comment\n  # indented comment\nC=3");
        assert_eq!(kv(&f), [("A", "1"), ("B", "two words"), ("C", "3")]);
        assert!(f.errors.is_empty());
    }

    #[test]
    fn ranges() {
        let t = "FOO=bar\n  export  BAZ = qux  # c\nQ=\"in side\"\nS='x'";
        let f = parse_dotenv(t);
        assert!(f.errors.is_empty(), "{:?}", f.errors);
        for e in &f.entries {
            assert_eq!(&t[e.key_range.clone()], e.key);
        }
        let vals: Vec<_> = f.entries.iter().map(|e| &t[e.value_range.clone()]).collect();
        assert_eq!(vals, ["bar", "qux", "in side", "x"]);
        assert_eq!(f.entries[1].key, "BAZ");
        assert_eq!(f.entries[2].quote, Some('"'));
        assert_eq!(f.entries[3].quote, Some('\''));
        assert_eq!(f.entries[0].quote, None);
    }

    #[test]
    fn empty_values() {
        let f = parse_dotenv("A=\nB=  \nC=\"\"\nD=''\nE= # only comment");
        assert_eq!(kv(&f), [("A", ""), ("B", ""), ("C", ""), ("D", ""), ("E", "")]);
        assert_eq!(f.entries[0].value_range, 2..2);
        assert!(f.errors.is_empty());
    }

    #[test]
    fn inline_comments() {
        let f = parse_dotenv("A=x #c\nB=x#notcomment\nC=#hash\nD=x\t# tab comment\nE=\"q\" # c\nF='q'#c");
        assert_eq!(
            kv(&f),
            [
                ("A", "x"),
                ("B", "x#notcomment"),
                ("C", "#hash"),
                ("D", "x"),
                ("E", "q"),
                ("F", "q")
            ]
        );
        assert!(f.errors.is_empty());
    }

    #[test]
    fn export_prefix() {
        let f = parse_dotenv("export A=1\nexport\tB=2\nexportC=3\nexport=4\nexport D");
        assert_eq!(kv(&f), [("A", "1"), ("B", "2"), ("exportC", "3"), ("export", "4")]);
        assert!(f.errors.is_empty());
    }

    #[test]
    fn whitespace_around_eq() {
        let f = parse_dotenv("A = 1\nB\t=\t2 \n  C=3");
        assert_eq!(kv(&f), [("A", "1"), ("B", "2"), ("C", "3")]);
    }

    #[test]
    fn single_quotes_literal() {
        let f = parse_dotenv(r#"A='a\nb $X "q"'"#);
        assert_eq!(kv(&f), [("A", r#"a\nb $X "q""#)]);
    }

    #[test]
    fn double_quote_escapes() {
        let f = parse_dotenv(r#"A="l1\nl2\tt \"q\" back\\slash \$X \x""#);
        assert_eq!(kv(&f), [("A", "l1\nl2\tt \"q\" back\\slash \\$X x")]);
        assert!(f.errors.is_empty());
    }

    #[test]
    fn multiline_values() {
        let t = "A=\"line1\nline2\"\nB='x\ny'\nC=after";
        let f = parse_dotenv(t);
        assert_eq!(kv(&f), [("A", "line1\nline2"), ("B", "x\ny"), ("C", "after")]);
        assert_eq!(&t[f.entries[0].value_range.clone()], "line1\nline2");
        let f = parse_dotenv("A=\"a\r\nb\"\r\nB=2\r\n");
        assert_eq!(kv(&f), [("A", "a\nb"), ("B", "2")]);
    }

    #[test]
    fn crlf_and_bom() {
        let t = "\u{feff}A=1\r\nB=\"2\"\r\n# c\r\nC=x #c\r\n";
        let f = parse_dotenv(t);
        assert_eq!(kv(&f), [("A", "1"), ("B", "2"), ("C", "x")]);
        assert_eq!(f.entries[0].key_range, 3..4);
        assert!(f.errors.is_empty());
    }

    #[test]
    fn bare_key_skipped() {
        let f = parse_dotenv("JUST_KEY\nA=1\n  OTHER  \n");
        assert_eq!(kv(&f), [("A", "1")]);
        assert!(f.errors.is_empty());
    }

    #[test]
    fn malformed_lines_continue() {
        let t = "=foo\nA=1\nBAD KEY=2\nB=2\nC=\"unterminated\nD=4\nthis is garbage\nE='x' junk\nF=6";
        let f = parse_dotenv(t);
        assert_eq!(kv(&f), [("A", "1"), ("B", "2"), ("D", "4"), ("E", "x"), ("F", "6")]);
        assert_eq!(f.errors.len(), 5, "{:?}", f.errors);
        assert_eq!(&t[f.errors[0].range.clone()], "=foo");
        assert_eq!(&t[f.errors[1].range.clone()], "BAD KEY");
        assert_eq!(&t[f.errors[2].range.clone()], "\"unterminated");
        assert_eq!(&t[f.errors[3].range.clone()], "this is garbage");
        assert_eq!(&t[f.errors[4].range.clone()], "junk");
    }

    #[test]
    fn keys_kept_as_written() {
        let f = parse_dotenv("lower_case=1\nMixed.Case-x=2\nÜNÏ=3");
        assert_eq!(kv(&f), [("lower_case", "1"), ("Mixed.Case-x", "2"), ("ÜNÏ", "3")]);
    }

    #[test]
    fn no_interpolation() {
        let f = parse_dotenv("A=$HOME\nB=\"${X:-y}\"");
        assert_eq!(kv(&f), [("A", "$HOME"), ("B", "${X:-y}")]);
    }

    #[test]
    fn unicode_values() {
        let t = "A=héllo wörld #c\nB=\"日本\\n語\"\nC='€'";
        let f = parse_dotenv(t);
        assert_eq!(kv(&f), [("A", "héllo wörld"), ("B", "日本\n語"), ("C", "€")]);
        for e in &f.entries {
            assert!(t.get(e.value_range.clone()).is_some());
        }
    }

    #[test]
    fn value_with_equals() {
        let f = parse_dotenv("URL=postgres://u:p@h/db?a=b");
        assert_eq!(kv(&f), [("URL", "postgres://u:p@h/db?a=b")]);
    }

    #[test]
    fn trailing_backslash_in_double_quotes() {
        let f = parse_dotenv("A=\"x\\");
        assert!(f.entries.is_empty());
        assert_eq!(f.errors.len(), 1);
        let f = parse_dotenv("A=\"x\\\"\"");
        assert_eq!(kv(&f), [("A", "x\"")]);
    }

    #[test]
    fn many_unterminated_quotes_is_fast() {
        // odd number of quotes: the last opening ones never close
        let t = "A=\"x\n".repeat(20_001) + &"B='y\n".repeat(20_001);
        let start = std::time::Instant::now();
        let f = parse_dotenv(&t);
        assert_eq!(f.entries.len(), 20_000);
        assert_eq!(f.errors.len(), 20_002);
        assert!(start.elapsed().as_secs() < 5);
        // a later closing quote still pairs with the first opening one only
        let f = parse_dotenv("A=\"x\nB=\"y\"\nC=1");
        assert_eq!(kv(&f), [("A", "x\nB="), ("C", "1")]);
        assert_eq!(f.errors.len(), 1);
    }

    #[test]
    fn never_panics() {
        let samples = [
            "",
            "\u{feff}",
            "=",
            "\"",
            "'",
            "A=\"",
            "A='",
            "A=\"\\",
            "export",
            "export ",
            "\r",
            "\r\n",
            "#",
            "A=\u{1F600}\"",
            "A= \"é",
            "\u{feff}=\u{feff}",
            "A=\"é\\é\"",
            "ä=ö #ü\r\n'",
        ];
        for s in samples {
            let _ = parse_dotenv(s);
            for i in 0..=s.len() {
                if let Some(p) = s.get(..i) {
                    let f = parse_dotenv(p);
                    for e in &f.entries {
                        assert!(p.get(e.key_range.clone()).is_some());
                        assert!(p.get(e.value_range.clone()).is_some());
                    }
                    for e in &f.errors {
                        assert!(p.get(e.range.clone()).is_some());
                    }
                }
            }
        }
    }

    /// Deterministic pseudo-random inputs built from syntax-relevant pieces.
    fn fuzz_inputs(pieces: &[&str], n: usize) -> Vec<String> {
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            let mut s = String::new();
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let len = (x % 24) as usize;
            for _ in 0..len {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                if let Some(p) = pieces.get((x % pieces.len() as u64) as usize) {
                    s.push_str(p);
                }
            }
            out.push(s);
        }
        out
    }

    #[test]
    fn fuzz_no_panic() {
        let pieces = [
            "A", "=", "\"", "'", "\\", "#", " ", "\n", "\r\n", "export ", "é", "\u{feff}", "x", "\t",
        ];
        for s in fuzz_inputs(&pieces, 20_000) {
            let f = parse_dotenv(&s);
            for e in &f.entries {
                assert!(s.get(e.key_range.clone()).is_some(), "{s:?}");
                assert!(s.get(e.value_range.clone()).is_some(), "{s:?}");
            }
            for e in &f.errors {
                assert!(s.get(e.range.clone()).is_some(), "{s:?}");
            }
        }
    }
}
