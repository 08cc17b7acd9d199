//! Parser for Dockerfiles, extracting what a compose/Kubernetes linter needs.
//!
//! It understands parser directives (`# syntax=`, `# escape=`, `# check=`),
//! a UTF-8 BOM, CRLF, case-insensitive instructions, comments, line
//! continuations (with `\` or the backtick chosen by `# escape=`; comment and
//! blank lines inside a continuation are skipped like BuildKit does),
//! heredocs (`RUN <<EOF`, `<<-EOF`, quoted delimiters, several per
//! instruction), exec form (a JSON string array, falling back to shell form
//! when it is not valid JSON, as Docker does) and multi-stage builds with
//! global `ARG`s. From each stage it extracts `FROM` (with global ARG defaults
//! substituted), `EXPOSE`, `HEALTHCHECK`, `CMD`, `ENTRYPOINT`, `USER`, `ARG`,
//! `ENV`, the `RUN` bodies and the packages installed by
//! `apt-get`/`apt`/`apk`/`yum`/`dnf`/`microdnf`. [`Dockerfile::effective`]
//! resolves what a target stage inherits through `FROM <earlier stage>`.
//!
//! It is hand-written because the `dockerfile-parser` crate fails on heredocs
//! and reports no positions. Here every reported value carries its byte range
//! in the original text (mapped back through continuations), problems are
//! collected as [`DfError`]s and parsing always goes on. The parser never
//! panics, uses no recursion except a depth-bounded one in variable
//! substitution, and runs in (near) linear time.

use foldhash::{HashMap, HashSet};
use std::ops::Range;

/// A parsed Dockerfile.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dockerfile {
    /// `ARG`s before the first `FROM`.
    pub global_args: Vec<Arg>,
    pub stages: Vec<Stage>,
    pub errors: Vec<DfError>,
}

/// An `ARG name[=default]` (one per name; `ARG a=1 b=2` gives two).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arg {
    pub name: String,
    pub default: Option<String>,
    pub range: Range<usize>,
}

/// One build stage, from its `FROM` to the next one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage {
    /// The `FROM` image as written.
    pub from: Spanned<String>,
    /// The `FROM` image with global ARG defaults substituted; `None` if a
    /// variable cannot be resolved.
    pub image: Option<String>,
    /// `AS name`, lowercased.
    pub name: Option<String>,
    /// `--platform=` value as written.
    pub platform: Option<String>,
    pub expose: Vec<ExposedPort>,
    /// The last `HEALTHCHECK` of the stage.
    pub healthcheck: Option<Healthcheck>,
    /// The last `CMD` of the stage.
    pub cmd: Option<CommandSpec>,
    /// The last `ENTRYPOINT` of the stage.
    pub entrypoint: Option<CommandSpec>,
    /// The last `USER` of the stage.
    pub user: Option<Spanned<String>>,
    /// Packages installed by `RUN` (apt-get/apt/apk/yum/dnf/microdnf), as
    /// written (version pins such as `curl=7.1` kept).
    pub installs: Vec<Spanned<String>>,
    /// `RUN` bodies (flags such as `--mount=` removed, heredoc bodies included).
    pub run: Vec<Spanned<String>>,
    pub args: Vec<Arg>,
    pub env: Vec<(Spanned<String>, Spanned<String>)>,
    pub range: Range<usize>,
}

/// A value with its byte range in the source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spanned<T> {
    pub value: T,
    pub range: Range<usize>,
}

/// One `EXPOSE` item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExposedPort {
    pub port: u16,
    /// End of a range such as `8000-8010`.
    pub end_port: Option<u16>,
    /// `"tcp"` (default), `"udp"` or `"sctp"`.
    pub protocol: String,
    pub range: Range<usize>,
}

/// A `HEALTHCHECK` instruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Healthcheck {
    /// `HEALTHCHECK NONE`
    None { range: Range<usize> },
    /// `HEALTHCHECK [options] CMD ...`
    Cmd { command: CommandSpec, range: Range<usize> },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommandForm {
    Exec,
    Shell,
}

/// A `CMD`, `ENTRYPOINT` or `HEALTHCHECK CMD` command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandSpec {
    pub form: CommandForm,
    /// Exec form: the JSON array items. Shell form: the stage's `SHELL`
    /// (default `["/bin/sh", "-c"]`) followed by the text.
    pub args: Vec<String>,
    /// The instruction body as written (continuations joined, trimmed).
    pub text: String,
    pub range: Range<usize>,
}

/// A problem found while parsing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DfError {
    pub range: Range<usize>,
    pub message: String,
}

/// What a target stage ends up with after following its `FROM <stage>` chain.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Effective {
    /// The external image at the root of the `FROM` chain (ARGs substituted).
    pub base_image: Option<String>,
    /// Accumulated over the chain (Docker keeps inherited exposed ports).
    pub expose: Vec<ExposedPort>,
    pub healthcheck: Option<Healthcheck>,
    pub cmd: Option<CommandSpec>,
    pub entrypoint: Option<CommandSpec>,
    /// Accumulated over the chain.
    pub installs: Vec<String>,
    pub user: Option<String>,
}

impl Dockerfile {
    /// The stage named `target` (case-insensitive), or the last stage.
    pub fn stage(&self, target: Option<&str>) -> Option<&Stage> {
        self.stage_index(target).and_then(|i| self.stages.get(i))
    }

    fn stage_index(&self, target: Option<&str>) -> Option<usize> {
        match target {
            None => self.stages.len().checked_sub(1),
            Some(t) => self
                .stages
                .iter()
                .position(|s| s.name.as_deref().is_some_and(|n| n.eq_ignore_ascii_case(t))),
        }
    }

    /// Resolve the target stage (or the last one) through `FROM <earlier
    /// stage>` references: later stages override CMD/ENTRYPOINT/HEALTHCHECK/
    /// USER, exposed ports and installs accumulate. Setting ENTRYPOINT in a
    /// stage without CMD resets the inherited CMD, as Docker does.
    pub fn effective(&self, target: Option<&str>) -> Effective {
        let Some(mut idx) = self.stage_index(target) else {
            return Effective::default();
        };
        // name -> indices (ascending) of the stages with that name
        let mut by_name: HashMap<&str, Vec<usize>> = HashMap::default();
        for (i, s) in self.stages.iter().enumerate() {
            if let Some(n) = s.name.as_deref() {
                by_name.entry(n).or_default().push(i);
            }
        }
        let mut chain = vec![idx];
        for _ in 0..self.stages.len() {
            let Some(st) = self.stages.get(idx) else {
                break;
            };
            let from = st.image.as_deref().unwrap_or(&st.from.value).to_ascii_lowercase();
            // the latest stage with that name strictly before `idx`
            let parent = by_name.get(from.as_str()).and_then(|v| {
                let k = v.partition_point(|&j| j < idx);
                k.checked_sub(1).and_then(|k| v.get(k)).copied()
            });
            match parent {
                Some(j) => {
                    chain.push(j);
                    idx = j;
                }
                None => break,
            }
        }
        chain.reverse();
        let mut eff = Effective::default();
        for (n, &i) in chain.iter().enumerate() {
            let Some(st) = self.stages.get(i) else {
                continue;
            };
            if n == 0 {
                eff.base_image = st.image.clone();
            }
            eff.expose.extend(st.expose.iter().cloned());
            if st.healthcheck.is_some() {
                eff.healthcheck = st.healthcheck.clone();
            }
            if st.entrypoint.is_some() {
                eff.entrypoint = st.entrypoint.clone();
                if st.cmd.is_none() {
                    eff.cmd = None;
                }
            }
            if st.cmd.is_some() {
                eff.cmd = st.cmd.clone();
            }
            if let Some(u) = &st.user {
                eff.user = Some(u.value.clone());
            }
            eff.installs.extend(st.installs.iter().map(|p| p.value.clone()));
        }
        eff
    }
}

// ---------------------------------------------------------------------------
// Logical lines
// ---------------------------------------------------------------------------

/// A logical instruction: its joined text and how to map offsets back.
struct Logical {
    text: String,
    /// (offset in `text`, offset in source) for each contiguous piece.
    segs: Vec<(usize, usize)>,
    range: Range<usize>,
}

impl Logical {
    fn map(&self, off: usize) -> usize {
        let i = self.segs.partition_point(|&(t, _)| t <= off);
        match i.checked_sub(1).and_then(|i| self.segs.get(i)) {
            Some(&(t, s)) => s + (off - t),
            None => self.range.start,
        }
    }

    /// Map a range of `text` to a source range.
    fn map_range(&self, r: Range<usize>) -> Range<usize> {
        let start = self.map(r.start);
        if r.end > r.start {
            let end = self.map(r.end - 1) + 1;
            start..end.max(start)
        } else {
            start..start
        }
    }

    fn push(&mut self, s: &str, src_off: usize) {
        self.segs.push((self.text.len(), src_off));
        self.text.push_str(s);
    }
}

fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'\x0b' | b'\x0c')
}

/// Lines as (start, end) with the `\n` and a trailing `\r` excluded.
fn split_lines(text: &str, from: usize) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut lines = Vec::new();
    let mut start = from;
    let mut i = from;
    while i <= bytes.len() {
        if i == bytes.len() || bytes.get(i) == Some(&b'\n') {
            let mut end = i;
            if end > start && bytes.get(end - 1) == Some(&b'\r') {
                end -= 1;
            }
            if i < bytes.len() || start < i {
                lines.push((start, end));
            }
            start = i + 1;
        }
        i += 1;
    }
    lines
}

/// Parse a `# key=value` parser directive.
fn directive(line: &str) -> Option<(String, String)> {
    let rest = line.trim().strip_prefix('#')?;
    let (k, v) = rest.split_once('=')?;
    let k = k.trim().to_ascii_lowercase();
    if matches!(k.as_str(), "syntax" | "escape" | "check") {
        Some((k, v.trim().to_string()))
    } else {
        None
    }
}

struct HeredocMarker {
    delim: String,
    strip_tabs: bool,
}

/// Find heredoc markers (`<<EOF`, `<<-EOF`, `<<"EOF"`, `<<'EOF'`) in a line.
fn find_heredocs(s: &str) -> Vec<HeredocMarker> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut quote: Option<u8> = None;
    let mut i = 0;
    while i < b.len() {
        let c = b.get(i).copied().unwrap_or(0);
        if let Some(q) = quote {
            if c == q {
                quote = None;
            }
            i += 1;
            continue;
        }
        if c == b'"' || c == b'\'' {
            quote = Some(c);
            i += 1;
            continue;
        }
        if c == b'<' && b.get(i + 1) == Some(&b'<') {
            if b.get(i + 2) == Some(&b'<') {
                i += 3;
                continue;
            }
            let mut j = i;
            while j > 0 && b.get(j - 1).is_some_and(|x| x.is_ascii_digit()) {
                j -= 1;
            }
            let prefix_ok = j == 0 || b.get(j - 1).is_some_and(|&x| is_ws(x));
            let mut k = i + 2;
            let strip_tabs = b.get(k) == Some(&b'-');
            if strip_tabs {
                k += 1;
            }
            let q = match b.get(k) {
                Some(&x) if x == b'"' || x == b'\'' => {
                    k += 1;
                    Some(x)
                }
                _ => None,
            };
            let ns = k;
            while b
                .get(k)
                .is_some_and(|&x| x.is_ascii_alphanumeric() || matches!(x, b'_' | b'-' | b'.'))
            {
                k += 1;
            }
            let name = s.get(ns..k).unwrap_or("");
            let mut ok = prefix_ok && !name.is_empty();
            if let Some(q) = q {
                if b.get(k) == Some(&q) {
                    k += 1;
                } else {
                    ok = false;
                }
            }
            let suffix_ok = match b.get(k) {
                None => true,
                Some(&x) => is_ws(x) || matches!(x, b';' | b'&' | b'|' | b'>' | b')'),
            };
            if ok && suffix_ok {
                out.push(HeredocMarker {
                    delim: name.to_string(),
                    strip_tabs,
                });
                i = k;
                continue;
            }
            i += 2;
            continue;
        }
        i += 1;
    }
    out
}

// ---------------------------------------------------------------------------
// Words
// ---------------------------------------------------------------------------

/// A shell-like word: raw range in the logical text and unquoted value.
struct Word {
    start: usize,
    end: usize,
    value: String,
}

/// Split `s` (which starts at `base` in the logical text) into words,
/// honouring quotes and the escape character.
fn split_words(s: &str, base: usize, escape: char) -> Vec<Word> {
    let mut out = Vec::new();
    let mut it = s.char_indices().peekable();
    let mut cur: Option<Word> = None;
    let mut quote: Option<char> = None;
    while let Some((i, c)) = it.next() {
        if quote.is_none() && c.is_whitespace() {
            if let Some(w) = cur.take() {
                out.push(w);
            }
            continue;
        }
        let w = cur.get_or_insert_with(|| Word {
            start: base + i,
            end: base + i,
            value: String::new(),
        });
        w.end = base + i + c.len_utf8();
        match quote {
            Some('\'') => {
                if c == '\'' {
                    quote = None;
                } else {
                    w.value.push(c);
                }
            }
            Some(q) => {
                if c == q {
                    quote = None;
                } else if c == escape {
                    match it.peek().copied() {
                        Some((j, n)) if n == '"' || n == escape || n == '$' => {
                            w.value.push(n);
                            w.end = base + j + n.len_utf8();
                            it.next();
                        }
                        _ => w.value.push(c),
                    }
                } else {
                    w.value.push(c);
                }
            }
            None => {
                if c == '"' || c == '\'' {
                    quote = Some(c);
                } else if c == escape {
                    if let Some((j, n)) = it.next() {
                        w.value.push(n);
                        w.end = base + j + n.len_utf8();
                    }
                } else {
                    w.value.push(c);
                }
            }
        }
    }
    if let Some(w) = cur.take() {
        out.push(w);
    }
    out
}

/// Plain whitespace tokens of `s` as (start, end) offsets relative to `s`.
fn ws_tokens(s: &str) -> Vec<(usize, usize)> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        while b.get(i).is_some_and(|&x| is_ws(x)) {
            i += 1;
        }
        let st = i;
        while b.get(i).is_some_and(|&x| !is_ws(x)) {
            i += 1;
        }
        if i > st {
            out.push((st, i));
        }
    }
    out
}

// ---------------------------------------------------------------------------
// JSON string array
// ---------------------------------------------------------------------------

/// Parse a JSON array of strings; `None` if it is anything else.
pub fn parse_json_string_array(s: &str) -> Option<Vec<String>> {
    let mut it = s.chars().peekable();
    let skip_ws = |it: &mut std::iter::Peekable<std::str::Chars>| {
        while it.peek().is_some_and(|c| matches!(c, ' ' | '\t' | '\n' | '\r')) {
            it.next();
        }
    };
    skip_ws(&mut it);
    if it.next()? != '[' {
        return None;
    }
    let mut out = Vec::new();
    skip_ws(&mut it);
    if it.peek() == Some(&']') {
        it.next();
    } else {
        loop {
            skip_ws(&mut it);
            if it.next()? != '"' {
                return None;
            }
            out.push(json_string_body(&mut it)?);
            skip_ws(&mut it);
            match it.next()? {
                ',' => continue,
                ']' => break,
                _ => return None,
            }
        }
    }
    skip_ws(&mut it);
    if it.next().is_some() {
        return None;
    }
    Some(out)
}

fn hex4(it: &mut std::iter::Peekable<std::str::Chars>) -> Option<u32> {
    let mut v = 0u32;
    for _ in 0..4 {
        v = v * 16 + it.next()?.to_digit(16)?;
    }
    Some(v)
}

/// Read a JSON string after its opening quote, up to and including the
/// closing quote.
fn json_string_body(it: &mut std::iter::Peekable<std::str::Chars>) -> Option<String> {
    let mut s = String::new();
    loop {
        let c = it.next()?;
        match c {
            '"' => return Some(s),
            '\\' => match it.next()? {
                '"' => s.push('"'),
                '\\' => s.push('\\'),
                '/' => s.push('/'),
                'b' => s.push('\u{8}'),
                'f' => s.push('\u{c}'),
                'n' => s.push('\n'),
                'r' => s.push('\r'),
                't' => s.push('\t'),
                'u' => {
                    let hi = hex4(it)?;
                    let cp = if (0xD800..0xDC00).contains(&hi) {
                        if it.next()? != '\\' || it.next()? != 'u' {
                            return None;
                        }
                        let lo = hex4(it)?;
                        if !(0xDC00..0xE000).contains(&lo) {
                            return None;
                        }
                        0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                    } else {
                        hi
                    };
                    s.push(char::from_u32(cp)?);
                }
                _ => return None,
            },
            c if (c as u32) < 0x20 => return None,
            c => s.push(c),
        }
    }
}

// ---------------------------------------------------------------------------
// Variable substitution (FROM / EXPOSE)
// ---------------------------------------------------------------------------

const MAX_SUBST_DEPTH: usize = 8;

/// Substitute `$VAR`, `${VAR}`, `${VAR:-d}`, `${VAR-d}`, `${VAR:+a}`,
/// `${VAR+a}`, `${VAR:?e}`. `vars` maps names to `Some(value)` when set,
/// `None` when declared without a value. Unset/undeclared plain references
/// make the result `None` (unresolvable).
fn substitute(s: &str, vars: &HashMap<String, Option<String>>, depth: usize) -> Option<String> {
    if depth > MAX_SUBST_DEPTH {
        return None;
    }
    let b = s.as_bytes();
    let mut out = String::new();
    let mut lit = 0;
    let mut i = 0;
    let name_end = |mut k: usize| {
        if b.get(k).is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_') {
            while b.get(k).is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_') {
                k += 1;
            }
        }
        k
    };
    while i < b.len() {
        if b.get(i) != Some(&b'$') {
            i += 1;
            continue;
        }
        out.push_str(s.get(lit..i)?);
        match b.get(i + 1) {
            Some(b'{') => {
                let ns = i + 2;
                let ne = name_end(ns);
                if ne == ns {
                    return None;
                }
                let name = s.get(ns..ne)?;
                let val = vars.get(name).cloned().flatten();
                if b.get(ne) == Some(&b'}') {
                    out.push_str(&val?);
                    i = ne + 1;
                } else {
                    let colon = b.get(ne) == Some(&b':');
                    let op_at = if colon { ne + 1 } else { ne };
                    let op = *b.get(op_at)?;
                    // find the matching `}`
                    let ws = op_at + 1;
                    let mut k = ws;
                    let mut level = 0usize;
                    loop {
                        match b.get(k)? {
                            b'$' if b.get(k + 1) == Some(&b'{') => {
                                level += 1;
                                k += 1;
                            }
                            b'}' if level == 0 => break,
                            b'}' => level -= 1,
                            _ => {}
                        }
                        k += 1;
                    }
                    let word = s.get(ws..k)?;
                    let set = match &val {
                        Some(v) => !(colon && v.is_empty()),
                        None => false,
                    };
                    let r = match op {
                        b'-' if set => val?,
                        b'-' => substitute(word, vars, depth + 1)?,
                        b'+' if set => substitute(word, vars, depth + 1)?,
                        b'+' => String::new(),
                        b'?' if set => val?,
                        _ => return None,
                    };
                    out.push_str(&r);
                    i = k + 1;
                }
            }
            Some(_) => {
                let ne = name_end(i + 1);
                if ne == i + 1 {
                    out.push('$');
                    i += 1;
                } else {
                    let name = s.get(i + 1..ne)?;
                    out.push_str(&vars.get(name).cloned().flatten()?);
                    i = ne;
                }
            }
            None => {
                out.push('$');
                i += 1;
            }
        }
        lit = i;
    }
    out.push_str(s.get(lit..)?);
    Some(out)
}

// ---------------------------------------------------------------------------
// Package installs
// ---------------------------------------------------------------------------

/// Tokens of a shell text: words (raw range + unquoted value) and command
/// separators.
enum ShTok {
    Word(Word),
    Sep,
}

fn shell_tokens(s: &str) -> Vec<ShTok> {
    let mut out = Vec::new();
    let mut it = s.char_indices().peekable();
    let mut cur: Option<Word> = None;
    let mut quote: Option<char> = None;
    while let Some((i, c)) = it.next() {
        if let Some(q) = quote {
            if let Some(w) = cur.as_mut() {
                w.end = i + c.len_utf8();
                if c == q {
                    quote = None;
                } else if c == '\\' && q == '"' {
                    if let Some((j, n)) = it.next() {
                        w.value.push(n);
                        w.end = j + n.len_utf8();
                    }
                } else {
                    w.value.push(c);
                }
            }
            continue;
        }
        let is_sep = matches!(c, ';' | '&' | '|' | '\n' | '(' | ')');
        if c.is_whitespace() || is_sep {
            if let Some(w) = cur.take() {
                out.push(ShTok::Word(w));
            }
            if is_sep {
                out.push(ShTok::Sep);
            }
            continue;
        }
        if c == '#' && cur.is_none() {
            // comment up to end of line
            while it.peek().is_some_and(|&(_, n)| n != '\n') {
                it.next();
            }
            continue;
        }
        if c == '\\' {
            match it.peek().copied() {
                Some((_, '\n')) | Some((_, '\r')) => {
                    it.next();
                    if let Some(w) = cur.take() {
                        out.push(ShTok::Word(w));
                    }
                    continue;
                }
                _ => {}
            }
        }
        let w = cur.get_or_insert_with(|| Word {
            start: i,
            end: i,
            value: String::new(),
        });
        w.end = i + c.len_utf8();
        if c == '"' || c == '\'' {
            quote = Some(c);
        } else if c == '\\' {
            if let Some((j, n)) = it.next() {
                w.value.push(n);
                w.end = j + n.len_utf8();
            }
        } else {
            w.value.push(c);
        }
    }
    if let Some(w) = cur.take() {
        out.push(ShTok::Word(w));
    }
    out
}

/// Options (of the package managers we know) that take a separate value.
fn option_takes_value(manager: &str, opt: &str) -> bool {
    if opt.contains('=') {
        return false;
    }
    match manager {
        "apt-get" | "apt" => matches!(
            opt,
            "-o" | "-t" | "-c" | "--option" | "--target-release" | "--config-file"
        ),
        "apk" => matches!(
            opt,
            "-t" | "--virtual"
                | "-X"
                | "--repository"
                | "-p"
                | "--root"
                | "--arch"
                | "--cache-dir"
                | "--repositories-file"
                | "--keys-dir"
        ),
        _ => matches!(
            opt,
            "-c" | "--config"
                | "--setopt"
                | "--installroot"
                | "--releasever"
                | "--enablerepo"
                | "--disablerepo"
                | "-x"
                | "--exclude"
                | "--repo"
                | "--repoid"
        ),
    }
}

/// Find packages installed in a shell text. Returns (package, range in `s`).
fn find_installs(s: &str) -> Vec<(String, Range<usize>)> {
    let toks = shell_tokens(s);
    let mut out = Vec::new();
    let mut cmd: Vec<&Word> = Vec::new();
    let mut flush = |cmd: &mut Vec<&Word>| {
        installs_in_command(s, cmd, &mut out);
        cmd.clear();
    };
    for t in &toks {
        match t {
            ShTok::Sep => flush(&mut cmd),
            ShTok::Word(w) => cmd.push(w),
        }
    }
    flush(&mut cmd);
    out
}

/// Clean a word for exec-form JSON leftovers: trims `[`, `]`, `,`, quotes.
fn clean_word(s: &str, w: &Word) -> Option<(String, Range<usize>)> {
    let trim: &[char] = &['[', ']', ',', '"', '\''];
    let value = w.value.trim_matches(trim).to_string();
    if value.is_empty() {
        return None;
    }
    let raw = s.get(w.start..w.end).unwrap_or("");
    let lead = raw.len() - raw.trim_start_matches(trim).len();
    let tail = raw.len() - raw.trim_end_matches(trim).len();
    let start = w.start + lead;
    let end = w.end.saturating_sub(tail).max(start);
    Some((value, start..end))
}

fn installs_in_command(s: &str, cmd: &[&Word], out: &mut Vec<(String, Range<usize>)>) {
    let words: Vec<(String, Range<usize>)> = cmd.iter().filter_map(|w| clean_word(s, w)).collect();
    let mut i = 0;
    // skip prefixes
    while let Some((w, _)) = words.get(i) {
        let is_assign = w
            .split_once('=')
            .is_some_and(|(k, _)| !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
        if is_assign
            || w.starts_with('-')
            || matches!(
                w.as_str(),
                "sudo" | "env" | "command" | "exec" | "then" | "do" | "else" | "{" | "!" | "time" | "nice" | "nohup"
            )
        {
            i += 1;
        } else {
            break;
        }
    }
    let Some((first, _)) = words.get(i) else {
        return;
    };
    let manager = first.rsplit('/').next().unwrap_or(first).to_string();
    if !matches!(manager.as_str(), "apt-get" | "apt" | "apk" | "yum" | "dnf" | "microdnf") {
        return;
    }
    i += 1;
    // find the subcommand
    let sub = loop {
        let Some((w, _)) = words.get(i) else {
            return;
        };
        i += 1;
        if w.starts_with('-') {
            if option_takes_value(&manager, w) {
                i += 1;
            }
            continue;
        }
        break w.as_str();
    };
    let is_install = match manager.as_str() {
        "apk" => sub == "add",
        _ => sub == "install",
    };
    if !is_install {
        return;
    }
    while let Some((w, r)) = words.get(i) {
        i += 1;
        if w.starts_with('-') {
            if option_takes_value(&manager, w) {
                i += 1;
            }
            continue;
        }
        let redirect = w.trim_start_matches(|c: char| c.is_ascii_digit());
        if redirect.starts_with('>') || redirect.starts_with('<') {
            if matches!(redirect, ">" | ">>" | "<" | ">&" | "&>") {
                i += 1;
            }
            continue;
        }
        out.push((w.clone(), r.clone()));
    }
}

// ---------------------------------------------------------------------------
// Parser
// ---------------------------------------------------------------------------

struct StageState {
    stage: Stage,
    vars: HashMap<String, Option<String>>,
    shell: Vec<String>,
}

fn default_shell() -> Vec<String> {
    vec!["/bin/sh".to_string(), "-c".to_string()]
}

fn command_spec(text: &str, range: Range<usize>, shell: &[String]) -> CommandSpec {
    match parse_json_string_array(text) {
        Some(args) => CommandSpec {
            form: CommandForm::Exec,
            args,
            text: text.to_string(),
            range,
        },
        None => {
            let mut args = shell.to_vec();
            args.push(text.to_string());
            CommandSpec {
                form: CommandForm::Shell,
                args,
                text: text.to_string(),
                range,
            }
        }
    }
}

const KNOWN: &[&str] = &[
    "from",
    "arg",
    "run",
    "cmd",
    "entrypoint",
    "expose",
    "healthcheck",
    "user",
    "env",
    "shell",
    "onbuild",
    "workdir",
    "copy",
    "add",
    "label",
    "volume",
    "stopsignal",
    "maintainer",
];

/// Parse a Dockerfile.
pub fn parse_dockerfile(text: &str) -> Dockerfile {
    let bytes = text.as_bytes();
    let sub = |r: Range<usize>| text.get(r).unwrap_or("");
    let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let lines = split_lines(text, bom);
    let mut df = Dockerfile::default();
    let mut escape = '\\';

    // parser directives
    let mut li = 0;
    while let Some(&(s, e)) = lines.get(li) {
        let Some((k, v)) = directive(sub(s..e)) else {
            break;
        };
        if k == "escape" {
            match v.as_str() {
                "\\" => escape = '\\',
                "`" => escape = '`',
                _ => df.errors.push(DfError {
                    range: s..e,
                    message: format!("invalid escape directive {v:?}: must be \\ or `"),
                }),
            }
        }
        li += 1;
    }
    let esc_byte = escape as u8;

    let mut global: HashMap<String, Option<String>> = HashMap::default();
    let mut cur: Option<StageState> = None;
    let mut stage_names: HashSet<String> = HashSet::default();

    while let Some(&(s, e)) = lines.get(li) {
        let t = sub(s..e).trim_start();
        if t.is_empty() || t.starts_with('#') {
            li += 1;
            continue;
        }
        // assemble the logical line
        let mut lg = Logical {
            text: String::new(),
            segs: Vec::new(),
            range: s..e,
        };
        while let Some(&(s, e)) = lines.get(li) {
            li += 1;
            let mut te = e;
            while te > s && bytes.get(te - 1).is_some_and(|&b| b == b' ' || b == b'\t') {
                te -= 1;
            }
            let cont = te > s && bytes.get(te - 1) == Some(&esc_byte);
            lg.push(sub(s..if cont { te - 1 } else { e }), s);
            lg.range.end = e;
            if !cont {
                break;
            }
            while let Some(&(s, e)) = lines.get(li) {
                let t = sub(s..e).trim_start();
                if t.is_empty() || t.starts_with('#') {
                    li += 1;
                } else {
                    break;
                }
            }
        }

        // keyword
        let kb = lg.text.as_bytes();
        let mut ks = 0;
        while kb.get(ks).is_some_and(|&b| is_ws(b)) {
            ks += 1;
        }
        let mut ke = ks;
        while kb.get(ke).is_some_and(|&b| !is_ws(b)) {
            ke += 1;
        }
        let keyword = lg.text.get(ks..ke).unwrap_or("").to_ascii_lowercase();
        let mut bs = ke;
        while kb.get(bs).is_some_and(|&b| is_ws(b)) {
            bs += 1;
        }

        // heredocs
        if matches!(keyword.as_str(), "run" | "copy" | "add") {
            let markers = find_heredocs(lg.text.get(bs..).unwrap_or(""));
            for m in markers {
                let mut found = false;
                while let Some(&(s, e)) = lines.get(li) {
                    li += 1;
                    lg.text.push('\n');
                    lg.push(sub(s..e), s);
                    lg.range.end = e;
                    let l = sub(s..e);
                    let l = if m.strip_tabs { l.trim_start_matches('\t') } else { l };
                    if l == m.delim {
                        found = true;
                        break;
                    }
                }
                if !found {
                    df.errors.push(DfError {
                        range: lg.range.clone(),
                        message: format!("unterminated heredoc: missing {:?} line", m.delim),
                    });
                }
            }
        }

        let be = lg.text.trim_end().len().max(bs);
        let body = lg.text.get(bs..be).unwrap_or("").to_string();
        let body_range = lg.map_range(bs..be);
        let irange = lg.range.clone();

        if keyword == "from" {
            if let Some(st) = cur.take() {
                df.stages.push(st.stage);
            }
            let words = split_words(&body, bs, escape);
            let mut platform = None;
            let mut rest = Vec::new();
            for w in &words {
                if rest.is_empty() && w.value.starts_with("--") {
                    if let Some(p) = w.value.strip_prefix("--platform=") {
                        platform = Some(p.to_string());
                    }
                } else {
                    rest.push(w);
                }
            }
            let (from, name) = match rest.as_slice() {
                [img] => (Some(*img), None),
                [img, as_kw, name] if as_kw.value.eq_ignore_ascii_case("as") => {
                    (Some(*img), Some(name.value.to_ascii_lowercase()))
                }
                [] => {
                    df.errors.push(DfError {
                        range: irange.clone(),
                        message: "FROM requires an image".to_string(),
                    });
                    (None, None)
                }
                [img, ..] => {
                    df.errors.push(DfError {
                        range: irange.clone(),
                        message: "FROM requires either one or three arguments (image [AS name])".to_string(),
                    });
                    (Some(*img), None)
                }
            };
            if let Some(n) = &name {
                if !stage_names.insert(n.clone()) {
                    df.errors.push(DfError {
                        range: irange.clone(),
                        message: format!("duplicate stage name {n:?}"),
                    });
                }
            }
            let from = match from {
                Some(w) => Spanned {
                    value: w.value.clone(),
                    range: lg.map_range(w.start..w.end),
                },
                None => Spanned {
                    value: String::new(),
                    range: body_range.clone(),
                },
            };
            let image = if from.value.is_empty() {
                None
            } else {
                substitute(&from.value, &global, 0)
            };
            cur = Some(StageState {
                stage: Stage {
                    from,
                    image,
                    name,
                    platform,
                    expose: Vec::new(),
                    healthcheck: None,
                    cmd: None,
                    entrypoint: None,
                    user: None,
                    installs: Vec::new(),
                    run: Vec::new(),
                    args: Vec::new(),
                    env: Vec::new(),
                    range: irange.clone(),
                },
                vars: HashMap::default(),
                shell: default_shell(),
            });
            continue;
        }

        if keyword == "arg" {
            let words = split_words(&body, bs, escape);
            if words.is_empty() {
                df.errors.push(DfError {
                    range: irange.clone(),
                    message: "ARG requires a name".to_string(),
                });
            }
            for w in words {
                let (name, default) = match w.value.split_once('=') {
                    Some((n, d)) => (n.to_string(), Some(d.to_string())),
                    None => (w.value.clone(), None),
                };
                let range = lg.map_range(w.start..w.end);
                if name.is_empty() {
                    df.errors.push(DfError {
                        range,
                        message: "ARG requires a name".to_string(),
                    });
                    continue;
                }
                let arg = Arg {
                    name: name.clone(),
                    default: default.clone(),
                    range,
                };
                match cur.as_mut() {
                    None => {
                        global.insert(name, default);
                        df.global_args.push(arg);
                    }
                    Some(st) => {
                        let v = default.or_else(|| global.get(&name).cloned().flatten());
                        st.vars.insert(name, v);
                        st.stage.args.push(arg);
                    }
                }
            }
            if let Some(st) = cur.as_mut() {
                st.stage.range.end = irange.end;
            }
            continue;
        }

        let Some(st) = cur.as_mut() else {
            let message = if KNOWN.contains(&keyword.as_str()) {
                format!("{} instruction before the first FROM", keyword.to_ascii_uppercase())
            } else {
                format!("unknown instruction {:?}", lg.text.get(ks..ke).unwrap_or(""))
            };
            df.errors.push(DfError { range: irange, message });
            continue;
        };
        st.stage.range.end = irange.end;

        match keyword.as_str() {
            "run" => {
                // skip leading --flags
                let mut off = bs;
                for (a, b) in ws_tokens(&body) {
                    if body.get(a..b).is_some_and(|t| t.starts_with("--")) {
                        off = bs + b;
                    } else {
                        break;
                    }
                }
                let mut rs = off;
                while lg.text.as_bytes().get(rs).is_some_and(|&b| is_ws(b)) {
                    rs += 1;
                }
                let rs = rs.min(be);
                let run_text = lg.text.get(rs..be).unwrap_or("").to_string();
                for (pkg, r) in find_installs(&run_text) {
                    st.stage.installs.push(Spanned {
                        value: pkg,
                        range: lg.map_range(rs + r.start..rs + r.end),
                    });
                }
                st.stage.run.push(Spanned {
                    value: run_text,
                    range: lg.map_range(rs..be),
                });
            }
            "cmd" => st.stage.cmd = Some(command_spec(&body, body_range, &st.shell)),
            "entrypoint" => st.stage.entrypoint = Some(command_spec(&body, body_range, &st.shell)),
            "shell" => match parse_json_string_array(&body) {
                Some(a) if !a.is_empty() => st.shell = a,
                _ => df.errors.push(DfError {
                    range: irange,
                    message: "SHELL requires a non-empty JSON array of strings".to_string(),
                }),
            },
            "user" => {
                if body.is_empty() {
                    df.errors.push(DfError {
                        range: irange,
                        message: "USER requires an argument".to_string(),
                    });
                } else {
                    st.stage.user = Some(Spanned {
                        value: body,
                        range: body_range,
                    });
                }
            }
            "expose" => {
                for w in split_words(&body, bs, escape) {
                    let range = lg.map_range(w.start..w.end);
                    let value = if w.value.contains('$') {
                        match substitute(&w.value, &st.vars, 0) {
                            Some(v) => v,
                            None => continue,
                        }
                    } else {
                        w.value.clone()
                    };
                    for item in value.split_whitespace() {
                        match parse_port(item) {
                            Ok((port, end_port, protocol)) => st.stage.expose.push(ExposedPort {
                                port,
                                end_port,
                                protocol,
                                range: range.clone(),
                            }),
                            Err(message) => df.errors.push(DfError {
                                range: range.clone(),
                                message,
                            }),
                        }
                    }
                }
            }
            "healthcheck" => {
                let toks = ws_tokens(&body);
                let word = |i: usize| toks.get(i).and_then(|&(a, b)| body.get(a..b));
                if word(0).is_some_and(|w| w.eq_ignore_ascii_case("none")) {
                    st.stage.healthcheck = Some(Healthcheck::None { range: irange });
                } else {
                    let mut i = 0;
                    while word(i).is_some_and(|w| w.starts_with("--")) {
                        i += 1;
                    }
                    match (word(i), toks.get(i)) {
                        (Some(w), Some(&(_, b))) if w.eq_ignore_ascii_case("cmd") => {
                            let cb = body.as_bytes();
                            let mut cs = b;
                            while cb.get(cs).is_some_and(|&x| is_ws(x)) {
                                cs += 1;
                            }
                            let ctext = body.get(cs..).unwrap_or("");
                            if ctext.is_empty() {
                                df.errors.push(DfError {
                                    range: irange,
                                    message: "HEALTHCHECK CMD requires a command".to_string(),
                                });
                            } else {
                                let crange = lg.map_range(bs + cs..be);
                                st.stage.healthcheck = Some(Healthcheck::Cmd {
                                    command: command_spec(ctext, crange, &st.shell),
                                    range: irange,
                                });
                            }
                        }
                        _ => df.errors.push(DfError {
                            range: irange,
                            message: "HEALTHCHECK requires NONE or [OPTIONS] CMD command".to_string(),
                        }),
                    }
                }
            }
            "env" => {
                let words = split_words(&body, bs, escape);
                let legacy = words.first().is_some_and(|w| !w.value.contains('='));
                if legacy {
                    // `ENV key value with spaces`
                    if let Some(w) = words.first() {
                        let mut vs = w.end;
                        while lg.text.as_bytes().get(vs).is_some_and(|&b| is_ws(b)) {
                            vs += 1;
                        }
                        let vs = vs.min(be);
                        let value = lg.text.get(vs..be).unwrap_or("").to_string();
                        if value.is_empty() {
                            df.errors.push(DfError {
                                range: irange.clone(),
                                message: "ENV requires a value".to_string(),
                            });
                        }
                        st.vars.insert(w.value.clone(), Some(value.clone()));
                        st.stage.env.push((
                            Spanned {
                                value: w.value.clone(),
                                range: lg.map_range(w.start..w.end),
                            },
                            Spanned {
                                value,
                                range: lg.map_range(vs..be),
                            },
                        ));
                    }
                } else {
                    if words.is_empty() {
                        df.errors.push(DfError {
                            range: irange.clone(),
                            message: "ENV requires a name".to_string(),
                        });
                    }
                    for w in &words {
                        let raw = lg.text.get(w.start..w.end).unwrap_or("");
                        match (w.value.split_once('='), raw.find('=')) {
                            (Some((k, v)), Some(eq)) if !k.is_empty() => {
                                st.vars.insert(k.to_string(), Some(v.to_string()));
                                st.stage.env.push((
                                    Spanned {
                                        value: k.to_string(),
                                        range: lg.map_range(w.start..w.start + eq),
                                    },
                                    Spanned {
                                        value: v.to_string(),
                                        range: lg.map_range(w.start + eq + 1..w.end),
                                    },
                                ));
                            }
                            _ => df.errors.push(DfError {
                                range: lg.map_range(w.start..w.end),
                                message: format!("ENV expects NAME=VALUE, got {raw:?}"),
                            }),
                        }
                    }
                }
            }
            "onbuild" | "workdir" | "copy" | "add" | "label" | "volume" | "stopsignal" | "maintainer" => {}
            _ => df.errors.push(DfError {
                range: irange,
                message: format!("unknown instruction {:?}", lg.text.get(ks..ke).unwrap_or("")),
            }),
        }
    }
    if let Some(st) = cur.take() {
        df.stages.push(st.stage);
    }
    if df.stages.is_empty() {
        let end = text.len();
        df.errors.push(DfError {
            range: end..end,
            message: "no FROM instruction".to_string(),
        });
    }
    df
}

/// Parse `port[-end][/proto]`.
fn parse_port(s: &str) -> Result<(u16, Option<u16>, String), String> {
    let (ports, proto) = match s.split_once('/') {
        Some((p, proto)) => (p, proto.to_ascii_lowercase()),
        None => (s, "tcp".to_string()),
    };
    if !matches!(proto.as_str(), "tcp" | "udp" | "sctp") {
        return Err(format!("invalid protocol {proto:?} in EXPOSE {s:?}"));
    }
    let num = |p: &str| -> Result<u16, String> {
        if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("invalid port {s:?} in EXPOSE"));
        }
        p.parse::<u16>()
            .map_err(|_| format!("port out of range {s:?} in EXPOSE"))
    };
    match ports.split_once('-') {
        Some((a, b)) => {
            let a = num(a)?;
            let b = num(b)?;
            if b < a {
                return Err(format!("invalid port range {s:?} in EXPOSE"));
            }
            Ok((a, Some(b), proto))
        }
        None => Ok((num(ports)?, None, proto)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Dockerfile {
        parse_dockerfile(s)
    }

    fn installs(st: &Stage) -> Vec<&str> {
        st.installs.iter().map(|s| s.value.as_str()).collect()
    }

    #[test]
    fn simple() {
        let t = "FROM alpine:3.19\nRUN apk add --no-cache curl\nEXPOSE 8080\nUSER app\nCMD [\"./run\", \"--port\", \"8080\"]\n";
        let d = p(t);
        assert!(d.errors.is_empty(), "{:?}", d.errors);
        assert_eq!(d.stages.len(), 1);
        let s = &d.stages[0];
        assert_eq!(s.from.value, "alpine:3.19");
        assert_eq!(&t[s.from.range.clone()], "alpine:3.19");
        assert_eq!(s.image.as_deref(), Some("alpine:3.19"));
        assert_eq!(installs(s), ["curl"]);
        assert_eq!(&t[s.installs[0].range.clone()], "curl");
        assert_eq!(s.expose[0].port, 8080);
        assert_eq!(s.expose[0].protocol, "tcp");
        assert_eq!(&t[s.expose[0].range.clone()], "8080");
        assert_eq!(s.user.as_ref().unwrap().value, "app");
        assert_eq!(&t[s.user.as_ref().unwrap().range.clone()], "app");
        let cmd = s.cmd.as_ref().unwrap();
        assert_eq!(cmd.form, CommandForm::Exec);
        assert_eq!(cmd.args, ["./run", "--port", "8080"]);
        assert_eq!(&t[cmd.range.clone()], cmd.text);
        assert_eq!(s.range, 0..t.len() - 1);
        assert_eq!(s.run[0].value, "apk add --no-cache curl");
    }

    #[test]
    fn case_insensitive_and_comments() {
        let d = p("# a comment\n\nfrom Debian AS Builder\n  # indented\nrun apt-get install -y make\ncmd make\n");
        assert!(d.errors.is_empty(), "{:?}", d.errors);
        let s = &d.stages[0];
        assert_eq!(s.name.as_deref(), Some("builder"));
        assert_eq!(s.from.value, "Debian");
        assert_eq!(installs(s), ["make"]);
        let c = s.cmd.as_ref().unwrap();
        assert_eq!(c.form, CommandForm::Shell);
        assert_eq!(c.args, ["/bin/sh", "-c", "make"]);
    }

    #[test]
    fn continuations_and_ranges() {
        let t = "FROM debian\nRUN apt-get update && \\\n    apt-get install -y \\\n  # a comment inside\n\n      curl \\\n      ca-certificates=2023 \\\n   && rm -rf /var/lib/apt/lists/*\n";
        let d = p(t);
        assert!(d.errors.is_empty(), "{:?}", d.errors);
        let s = &d.stages[0];
        assert_eq!(installs(s), ["curl", "ca-certificates=2023"]);
        for i in &s.installs {
            assert_eq!(&t[i.range.clone()], i.value);
        }
        assert!(s.run[0].value.contains("rm -rf"));
        assert!(!s.run[0].value.contains('\\'));
        assert!(t[s.run[0].range.clone()].starts_with("apt-get update"));
        assert!(t[s.run[0].range.clone()].ends_with("lists/*"));
    }

    #[test]
    fn escape_directive_backtick() {
        let t = "# escape=`\nFROM mcr.microsoft.com/windows\nRUN dir c:\\ `\n    && echo hi\nWORKDIR c:\\app\n";
        let d = p(t);
        assert!(d.errors.is_empty(), "{:?}", d.errors);
        assert_eq!(d.stages[0].run[0].value, "dir c:\\     && echo hi");
    }

    #[test]
    fn directive_only_at_top() {
        // escape directive after an instruction is a plain comment
        let d = p("FROM x\n# escape=`\nRUN a `\nCMD b\n");
        let s = &d.stages[0];
        assert_eq!(s.run.len(), 1);
        assert!(s.cmd.is_some());
        let d = p("# syntax=docker/dockerfile:1\n# escape=`\nFROM x\nRUN a `\n b\n");
        assert_eq!(d.stages[0].run[0].value, "a  b");
        let d = p("# escape=x\nFROM a\n");
        assert_eq!(d.errors.len(), 1);
    }

    #[test]
    fn bom_and_crlf() {
        let t = "\u{feff}FROM alpine\r\nRUN apk add \\\r\n  git\r\nEXPOSE 80/udp\r\n";
        let d = p(t);
        assert!(d.errors.is_empty(), "{:?}", d.errors);
        let s = &d.stages[0];
        assert_eq!(s.from.value, "alpine");
        assert_eq!(s.from.range, 8..14);
        assert_eq!(installs(s), ["git"]);
        assert_eq!(&t[s.installs[0].range.clone()], "git");
        assert_eq!(s.expose[0].protocol, "udp");
    }

    #[test]
    fn heredocs() {
        let t = "FROM debian\nRUN <<EOF\napt-get update\napt-get install -y nginx\nEOF\nRUN <<-'SCRIPT' bash\n\tapk add jq\n\tSCRIPT\nCOPY <<EOF /etc/conf\nFROM not-a-stage\nEOF\nCMD [\"nginx\"]\n";
        let d = p(t);
        assert!(d.errors.is_empty(), "{:?}", d.errors);
        assert_eq!(d.stages.len(), 1);
        let s = &d.stages[0];
        assert_eq!(installs(s), ["nginx", "jq"]);
        assert_eq!(&t[s.installs[0].range.clone()], "nginx");
        assert_eq!(&t[s.installs[1].range.clone()], "jq");
        assert!(s.run[0].value.contains("apt-get install -y nginx"));
        assert!(s.cmd.is_some());
    }

    #[test]
    fn multiple_heredocs_and_unterminated() {
        let d = p("FROM a\nRUN <<A cat && <<\"B\" sh\none\nA\napt-get install -y x\nB\nUSER u\n");
        assert!(d.errors.is_empty(), "{:?}", d.errors);
        assert_eq!(installs(&d.stages[0]), ["x"]);
        assert_eq!(d.stages[0].user.as_ref().unwrap().value, "u");
        // shell line continuations inside a heredoc body
        let d = p("FROM a\nRUN <<EOF\napt-get install -y \\\n  curl \\\n  git\nEOF\n");
        assert!(d.errors.is_empty(), "{:?}", d.errors);
        assert_eq!(installs(&d.stages[0]), ["curl", "git"]);
        let d = p("FROM a\nRUN <<EOF\necho hi\n");
        assert_eq!(d.errors.len(), 1);
        assert!(d.errors[0].message.contains("heredoc"));
        // not heredocs
        let d = p("FROM a\nRUN echo $((1<<2)) \"<<EOF\"\nUSER x\n");
        assert!(d.errors.is_empty(), "{:?}", d.errors);
        assert!(d.stages[0].user.is_some());
    }

    #[test]
    fn exec_form_json() {
        let d = p("FROM a\nENTRYPOINT [\"a\\\"b\", \"c\\\\d\", \"\\n\\t\", \"\\u00e9\\ud83d\\ude00\"]\nCMD [ ]\n");
        let s = &d.stages[0];
        let e = s.entrypoint.as_ref().unwrap();
        assert_eq!(e.form, CommandForm::Exec);
        assert_eq!(e.args, ["a\"b", "c\\d", "\n\t", "é😀"]);
        let c = s.cmd.as_ref().unwrap();
        assert_eq!(c.form, CommandForm::Exec);
        assert!(c.args.is_empty());
    }

    #[test]
    fn invalid_json_is_shell_form() {
        for body in [
            "[\"a\", b]",
            "['a']",
            "[\"a\",]",
            "[\"a\"] x",
            "[1]",
            "[\"\\x\"]",
            "[\"a\"",
        ] {
            let d = p(&format!("FROM a\nCMD {body}\n"));
            let c = d.stages[0].cmd.as_ref().unwrap();
            assert_eq!(c.form, CommandForm::Shell, "{body}");
            assert_eq!(c.args, ["/bin/sh", "-c", body]);
            assert_eq!(c.text, body);
        }
    }

    #[test]
    fn json_reader() {
        assert_eq!(parse_json_string_array("[]"), Some(vec![]));
        assert_eq!(
            parse_json_string_array(" [ \"a\" , \"b\" ] "),
            Some(vec!["a".into(), "b".into()])
        );
        assert_eq!(parse_json_string_array("[\"\\/\"]"), Some(vec!["/".into()]));
        assert_eq!(parse_json_string_array("[\"\\ud800\"]"), None);
        assert_eq!(parse_json_string_array("[\"\\u12\"]"), None);
        assert_eq!(parse_json_string_array("[\"a\nb\"]"), None);
        assert_eq!(parse_json_string_array(""), None);
        assert_eq!(parse_json_string_array("[,]"), None);
        assert_eq!(parse_json_string_array("[\"a\"]]"), None);
    }

    #[test]
    fn shell_instruction_changes_shell_form() {
        let d = p("FROM a\nSHELL [\"bash\", \"-eo\", \"pipefail\", \"-c\"]\nCMD echo hi\n");
        let c = d.stages[0].cmd.as_ref().unwrap();
        assert_eq!(c.args, ["bash", "-eo", "pipefail", "-c", "echo hi"]);
        let d = p("FROM a\nSHELL bash\n");
        assert_eq!(d.errors.len(), 1);
    }

    #[test]
    fn from_platform_and_args() {
        let t = "ARG BASE=python\nARG TAG=3.12\nARG UNSET\nFROM --platform=$BUILDPLATFORM ${BASE}:${TAG}-slim AS build\nFROM $BASE:${NOPE:-latest}\nFROM ${UNSET}\nFROM ${UNSET:-alpine}\nFROM ${BASE:+x}${NOPE:+y}\n";
        let d = p(t);
        assert!(d.errors.is_empty(), "{:?}", d.errors);
        assert_eq!(d.global_args.len(), 3);
        assert_eq!(d.global_args[0].name, "BASE");
        assert_eq!(d.global_args[0].default.as_deref(), Some("python"));
        assert_eq!(d.global_args[2].default, None);
        assert_eq!(&t[d.global_args[1].range.clone()], "TAG=3.12");
        let s = &d.stages;
        assert_eq!(s[0].platform.as_deref(), Some("$BUILDPLATFORM"));
        assert_eq!(s[0].from.value, "${BASE}:${TAG}-slim");
        assert_eq!(s[0].image.as_deref(), Some("python:3.12-slim"));
        assert_eq!(s[0].name.as_deref(), Some("build"));
        assert_eq!(s[1].image.as_deref(), Some("python:latest"));
        assert_eq!(s[2].image, None);
        assert_eq!(s[3].image.as_deref(), Some("alpine"));
        assert_eq!(s[4].image.as_deref(), Some("x"));
    }

    #[test]
    fn from_errors() {
        let d = p("FROM\nFROM a b\nFROM a AS b c\n");
        assert_eq!(d.errors.len(), 3, "{:?}", d.errors);
        assert_eq!(d.stages.len(), 3);
        let d = p("FROM a AS x\nFROM b AS X\n");
        assert_eq!(d.errors.len(), 1);
    }

    #[test]
    fn stage_args_and_env() {
        let t = "ARG V=1\nFROM a\nARG V\nARG P=9000\nENV A=1 B=\"two words\" C=$V\nENV LEGACY some value\nEXPOSE $P ${V} $NOPE 7000-7010/UDP\n";
        let d = p(t);
        assert!(d.errors.is_empty(), "{:?}", d.errors);
        let s = &d.stages[0];
        assert_eq!(s.args.len(), 2);
        assert_eq!(s.args[0].default, None);
        let env: Vec<_> = s
            .env
            .iter()
            .map(|(k, v)| (k.value.as_str(), v.value.as_str()))
            .collect();
        assert_eq!(
            env,
            [("A", "1"), ("B", "two words"), ("C", "$V"), ("LEGACY", "some value")]
        );
        assert_eq!(&t[s.env[1].0.range.clone()], "B");
        assert_eq!(&t[s.env[1].1.range.clone()], "\"two words\"");
        assert_eq!(&t[s.env[3].1.range.clone()], "some value");
        let ports: Vec<_> = s
            .expose
            .iter()
            .map(|e| (e.port, e.end_port, e.protocol.as_str()))
            .collect();
        assert_eq!(
            ports,
            [(9000, None, "tcp"), (1, None, "tcp"), (7000, Some(7010), "udp")]
        );
        assert_eq!(&t[s.expose[0].range.clone()], "$P");
    }

    #[test]
    fn expose_errors() {
        let d = p("FROM a\nEXPOSE 80/foo abc 70000 90-80 -1 443/tcp\n");
        assert_eq!(d.errors.len(), 5, "{:?}", d.errors);
        assert_eq!(d.stages[0].expose.len(), 1);
    }

    #[test]
    fn healthcheck() {
        let t = "FROM a\nHEALTHCHECK --interval=30s --timeout=3s \\\n  CMD curl -f http://localhost/ || exit 1\nFROM b\nHEALTHCHECK NONE\nFROM c\nhealthcheck cmd [\"/bin/check\"]\nFROM d\nHEALTHCHECK --interval=5s\n";
        let d = p(t);
        match d.stages[0].healthcheck.as_ref().unwrap() {
            Healthcheck::Cmd { command, .. } => {
                assert_eq!(command.form, CommandForm::Shell);
                assert_eq!(command.text, "curl -f http://localhost/ || exit 1");
                assert_eq!(&t[command.range.clone()], command.text);
            }
            h => panic!("{h:?}"),
        }
        assert!(matches!(d.stages[1].healthcheck, Some(Healthcheck::None { .. })));
        match d.stages[2].healthcheck.as_ref().unwrap() {
            Healthcheck::Cmd { command, .. } => assert_eq!(command.args, ["/bin/check"]),
            h => panic!("{h:?}"),
        }
        assert!(d.stages[3].healthcheck.is_none());
        assert_eq!(d.errors.len(), 1);
    }

    #[test]
    fn unknown_and_before_from() {
        let d = p("RUN echo\nARG X\nFROM a\nFOO bar\nRUN echo ok\n");
        assert_eq!(d.errors.len(), 2, "{:?}", d.errors);
        assert!(d.errors[0].message.contains("before the first FROM"));
        assert!(d.errors[1].message.contains("FOO"));
        assert_eq!(d.stages[0].run.len(), 1);
        let d = p("");
        assert_eq!(d.errors.len(), 1);
        assert!(d.stages.is_empty());
    }

    #[test]
    fn accepted_instructions() {
        let d = p("FROM a\nONBUILD RUN x\nWORKDIR /app\nCOPY . .\nADD x y\nLABEL a=b\nVOLUME /data\nSTOPSIGNAL SIGTERM\nMAINTAINER me\n");
        assert!(d.errors.is_empty(), "{:?}", d.errors);
        assert!(d.stages[0].run.is_empty());
    }

    #[test]
    fn install_detection_variants() {
        let cases: &[(&str, &[&str])] = &[
            ("apt-get -y install --no-install-recommends a b", &["a", "b"]),
            ("DEBIAN_FRONTEND=noninteractive apt-get install -y a", &["a"]),
            ("sudo apt install a", &["a"]),
            ("/usr/bin/apt-get install -o Dpkg::Options::=--force-confold a", &["a"]),
            ("apk --no-cache add a", &["a"]),
            (
                "apk add --virtual .build-deps gcc musl-dev && apk del .build-deps",
                &["gcc", "musl-dev"],
            ),
            ("yum install -y httpd && yum clean all", &["httpd"]),
            ("dnf -y install python3 --setopt install_weak_deps=False", &["python3"]),
            ("microdnf install shadow-utils; microdnf clean all", &["shadow-utils"]),
            ("apt-get update | tee log", &[]),
            ("pip install flask", &[]),
            ("apt-get install -y 'a' \"b\" > /dev/null 2>&1", &["a", "b"]),
            ("if true; then apt-get install -y a; fi", &["a"]),
            ("[\"apt-get\", \"install\", \"-y\", \"curl\"]", &["curl"]),
            ("apt-get install -y $PKGS # comment a b", &["$PKGS"]),
            ("apk add a \\\n  b", &["a", "b"]),
        ];
        for (run, want) in cases {
            let t = format!("FROM x\nRUN {run}\n");
            let d = p(&t);
            let got = installs(&d.stages[0]);
            assert_eq!(&got, want, "{run}");
            for i in &d.stages[0].installs {
                assert!(t[i.range.clone()].contains(i.value.as_str()), "{run}");
            }
        }
    }

    #[test]
    fn run_flags_stripped() {
        let d = p("FROM a\nRUN --mount=type=cache,target=/var/cache/apt --network=none apt-get install -y x\n");
        assert_eq!(d.stages[0].run[0].value, "apt-get install -y x");
        assert_eq!(installs(&d.stages[0]), ["x"]);
    }

    #[test]
    fn stage_lookup_and_effective() {
        let t = "ARG BASE=node:20\nFROM $BASE AS base\nRUN apk add tini\nEXPOSE 3000\nHEALTHCHECK CMD wget -q localhost\nCMD [\"node\"]\nUSER node\nFROM base AS dev\nRUN apk add git\nENTRYPOINT [\"tini\", \"--\"]\nFROM Base AS prod\nCMD [\"node\", \"server.js\"]\nEXPOSE 9229\nFROM golang AS tool\n";
        let d = p(t);
        assert!(d.errors.is_empty(), "{:?}", d.errors);
        assert_eq!(d.stage(None).unwrap().name.as_deref(), Some("tool"));
        assert_eq!(d.stage(Some("DEV")).unwrap().name.as_deref(), Some("dev"));
        assert!(d.stage(Some("nope")).is_none());

        let dev = d.effective(Some("dev"));
        assert_eq!(dev.base_image.as_deref(), Some("node:20"));
        assert_eq!(dev.installs, ["tini", "git"]);
        assert!(dev.cmd.is_none(), "ENTRYPOINT resets inherited CMD");
        assert_eq!(dev.entrypoint.unwrap().args, ["tini", "--"]);
        assert_eq!(dev.user.as_deref(), Some("node"));
        assert!(dev.healthcheck.is_some());
        assert_eq!(dev.expose.len(), 1);

        let prod = d.effective(Some("prod"));
        assert_eq!(prod.cmd.unwrap().args, ["node", "server.js"]);
        assert_eq!(prod.expose.iter().map(|e| e.port).collect::<Vec<_>>(), [3000, 9229]);
        assert_eq!(prod.installs, ["tini"]);

        let tool = d.effective(None);
        assert_eq!(tool.base_image.as_deref(), Some("golang"));
        assert!(tool.cmd.is_none());
        assert!(d.effective(Some("missing")).base_image.is_none());
    }

    #[test]
    fn effective_self_reference_terminates() {
        let d = p("FROM a AS a\nCMD x\nFROM a AS b\nFROM b AS b2\n");
        let e = d.effective(Some("a"));
        assert_eq!(e.base_image.as_deref(), Some("a"));
        let e = d.effective(None);
        assert_eq!(e.base_image.as_deref(), Some("a"));
        assert!(e.cmd.is_some());
        let d = p("FROM b AS a\nFROM a AS b\n");
        assert_eq!(d.effective(None).base_image.as_deref(), Some("b"));
    }

    #[test]
    fn substitution() {
        let mut v = HashMap::default();
        v.insert("A".to_string(), Some("a".to_string()));
        v.insert("E".to_string(), Some(String::new()));
        v.insert("U".to_string(), None);
        let s = |x: &str| substitute(x, &v, 0);
        assert_eq!(s("$A-${A}"), Some("a-a".into()));
        assert_eq!(s("${E:-d}"), Some("d".into()));
        assert_eq!(s("${E-d}"), Some("".into()));
        assert_eq!(s("${U-${A}}"), Some("a".into()));
        assert_eq!(s("${U:?x}"), None);
        assert_eq!(s("${A:?x}"), Some("a".into()));
        assert_eq!(s("$U"), None);
        assert_eq!(s("${A"), None);
        assert_eq!(s("${"), None);
        assert_eq!(s("5$ $"), Some("5$ $".into()));
        assert_eq!(s("é$Aé"), Some("éaé".into()));
        let deep = "${U:-".repeat(50) + "x" + &"}".repeat(50);
        assert_eq!(s(&deep), None);
    }

    #[test]
    fn large_inputs_are_fast() {
        let mut t = String::new();
        for i in 0..5000 {
            t.push_str(&format!("FROM s{} AS s{}\nRUN apk add p{i}\n", i.max(1) - 1, i));
        }
        t.push_str(&"RUN echo \\\n".repeat(20_000));
        t.push_str("RUN <<EOF\n");
        t.push_str(&"line\n".repeat(20_000));
        let start = std::time::Instant::now();
        let d = parse_dockerfile(&t);
        let e = d.effective(None);
        assert_eq!(d.stages.len(), 5000);
        assert_eq!(e.installs.len(), 5000);
        assert_eq!(e.base_image.as_deref(), Some("s0"));
        assert!(start.elapsed().as_secs() < 5);
    }

    #[test]
    fn never_panics() {
        let samples = [
            "FROM",
            "FROM a\nRUN <<",
            "FROM a\nRUN <<-",
            "FROM a\nRUN <<\"",
            "\\",
            "`",
            "# escape=`\n`",
            "FROM a\nRUN \\",
            "FROM a\nCMD [\"\\u",
            "FROM a\nENV =",
            "FROM a\nENV \"",
            "FROM a\nEXPOSE ${",
            "FROM ${A:-",
            "FROM a\nHEALTHCHECK",
            "FROM a\nHEALTHCHECK CMD",
            "\u{feff}",
            "\r\n\r\n",
            "FROM é\nRUN apk add é\\\n\u{1F600}",
            "FROM a\nRUN apt-get install -o",
            "FROM a\nARG =\nARG",
            "FROM a\nEXPOSE 1-\nEXPOSE -\nEXPOSE /",
        ];
        for s in samples {
            for i in 0..=s.len() {
                if let Some(prefix) = s.get(..i) {
                    let d = parse_dockerfile(prefix);
                    let _ = d.effective(None);
                    for st in &d.stages {
                        assert!(prefix.get(st.range.clone()).is_some(), "{prefix:?}");
                        assert!(prefix.get(st.from.range.clone()).is_some(), "{prefix:?}");
                        for x in &st.installs {
                            assert!(prefix.get(x.range.clone()).is_some(), "{prefix:?}");
                        }
                        for x in &st.run {
                            assert!(prefix.get(x.range.clone()).is_some(), "{prefix:?}");
                        }
                    }
                    for e in &d.errors {
                        assert!(e.range.end <= prefix.len(), "{prefix:?}");
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
            "FROM ",
            "RUN ",
            "CMD ",
            "EXPOSE ",
            "ENV ",
            "ARG ",
            "HEALTHCHECK ",
            "USER ",
            "AS ",
            "apk add ",
            "apt-get install ",
            "<<EOF",
            "<<-",
            "EOF",
            "\\",
            "`",
            "\n",
            "\r\n",
            "# escape=`\n",
            "#",
            "[",
            "]",
            "\"",
            "'",
            ",",
            "$",
            "${",
            "}",
            ":-",
            "=",
            "80",
            "-",
            "/udp",
            " ",
            "é",
            "\u{feff}",
            "--platform=x ",
            "CMD",
            "NONE",
            "a",
        ];
        for s in fuzz_inputs(&pieces, 20_000) {
            let d = parse_dockerfile(&s);
            let _ = d.effective(None);
            let ok = |r: &Range<usize>| s.get(r.clone()).is_some();
            for st in &d.stages {
                assert!(ok(&st.range) && ok(&st.from.range), "{s:?}");
                assert!(st.installs.iter().all(|x| ok(&x.range)), "{s:?}");
                assert!(st.run.iter().all(|x| ok(&x.range)), "{s:?}");
                assert!(st.expose.iter().all(|x| ok(&x.range)), "{s:?}");
                assert!(st.args.iter().all(|x| ok(&x.range)), "{s:?}");
                assert!(st.env.iter().all(|(k, v)| ok(&k.range) && ok(&v.range)), "{s:?}");
                assert!(st.user.iter().all(|x| ok(&x.range)), "{s:?}");
                assert!(st.cmd.iter().all(|x| ok(&x.range)), "{s:?}");
                assert!(st.entrypoint.iter().all(|x| ok(&x.range)), "{s:?}");
            }
            assert!(d.global_args.iter().all(|x| ok(&x.range)), "{s:?}");
            assert!(d.errors.iter().all(|x| ok(&x.range)), "{s:?}");
        }
    }
}
