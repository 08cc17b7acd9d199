//! Docker Compose variable interpolation (`$VAR`, `${VAR}`, `${VAR:-default}`, ...).
//!
//! This implements the interpolation rules of the Compose specification
//! (as implemented by `compose-go`'s `template` package) for a *static*
//! linter: the caller tells us what it knows about each variable through a
//! lookup callback, and variables it knows nothing about (they may come from
//! the shell environment at `docker compose up` time) make the result
//! [`Interpolated::Unknown`] instead of being guessed.
//!
//! It is hand-written (rather than using a crate such as `dotenvy` or
//! `shellexpand`) because we need three things those crates do not give:
//! a three-valued lookup (set / unset / unknown), the byte range of every
//! variable reference for diagnostics, and never reading the real process
//! environment.
//!
//! Guarantees: never panics, runs in time linear in the input (nested
//! defaults are parsed in place, not re-scanned), and nesting is bounded by
//! [`MAX_DEPTH`].

use std::ops::Range;

/// Maximum nesting depth of `${...}` inside defaults/alternatives.
pub const MAX_DEPTH: usize = 16;

/// What the caller knows about a variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// The variable is set (possibly to the empty string).
    Set(String),
    /// The variable is known to be unset.
    Unset,
}

/// One variable reference found in the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VarRef {
    /// The variable name.
    pub name: String,
    /// Byte range of the whole `${...}` or `$VAR` in the input.
    pub range: Range<usize>,
    /// True for any of the `:-`, `-`, `:+`, `+`, `:?`, `?` forms, i.e. the
    /// reference is not a plain lookup.
    pub has_default: bool,
    /// The message of a `:?` / `?` form, as written in the input.
    pub required_error: Option<String>,
}

/// The interpolated value, when it can be decided statically.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Interpolated {
    Known(String),
    Unknown,
}

/// Result of [`interpolate`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interpolation {
    pub value: Interpolated,
    /// Every variable reference seen, in order of their start position
    /// (an outer reference comes before the references nested in its default).
    pub vars: Vec<VarRef>,
    /// A syntax error (unterminated `${`, invalid name, nesting too deep) or a
    /// `:?`/`?` reference whose variable is known to be unset/empty
    /// (message starts with `required variable`). When set, `value` is
    /// [`Interpolated::Unknown`].
    pub error: Option<(Range<usize>, String)>,
}

/// Interpolate `input` following Compose rules.
///
/// `lookup` returns `None` when the variable is not known at all (then the
/// result is [`Interpolated::Unknown`]), `Some(Lookup::Unset)` when it is
/// known to be unset and `Some(Lookup::Set(v))` when it is known to be `v`.
/// A plain `$VAR` / `${VAR}` of a known-unset variable expands to `""`
/// (Compose prints a warning and does the same).
pub fn interpolate(input: &str, lookup: &dyn Fn(&str) -> Option<Lookup>) -> Interpolation {
    let mut p = Parser {
        src: input,
        bytes: input.as_bytes(),
        lookup,
        vars: Vec::new(),
        error: None,
        stop: false,
    };
    let (value, _end) = p.template(0, false, 0);
    let value = match (value, &p.error) {
        (Some(v), None) => Interpolated::Known(v),
        _ => Interpolated::Unknown,
    };
    Interpolation {
        value,
        vars: p.vars,
        error: p.error,
    }
}

/// True if `s` contains a variable reference (`$NAME` or `${`), ignoring the
/// `$$` escape.
pub fn has_interpolation(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b.get(i) == Some(&b'$') {
            match b.get(i + 1) {
                Some(b'$') => {
                    i += 2;
                    continue;
                }
                Some(&c) if c == b'{' || is_name_start(c) => return true,
                _ => {}
            }
        }
        i += 1;
    }
    false
}

fn is_name_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_'
}

fn is_name_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    /// `:-` (colon = true) or `-`
    Default,
    /// `:?` or `?`
    Required,
    /// `:+` or `+`
    Alternative,
}

struct Parser<'a> {
    src: &'a str,
    bytes: &'a [u8],
    lookup: &'a dyn Fn(&str) -> Option<Lookup>,
    vars: Vec<VarRef>,
    error: Option<(Range<usize>, String)>,
    /// Set on a syntax error: parsing stops.
    stop: bool,
}

impl Parser<'_> {
    fn slice(&self, r: Range<usize>) -> &str {
        self.src.get(r).unwrap_or("")
    }

    fn syntax_error(&mut self, range: Range<usize>, msg: String) {
        if self.error.is_none() {
            self.error = Some((range, msg));
        }
        self.stop = true;
    }

    /// Parse a template starting at `pos`. When `nested`, stop at the first
    /// `}` that is not part of a nested `${...}` and return its position;
    /// otherwise run to the end. Returns the value (`None` = unknown) and the
    /// end position.
    fn template(&mut self, mut pos: usize, nested: bool, depth: usize) -> (Option<String>, usize) {
        let mut out = Some(String::new());
        let mut lit_start = pos;
        while pos < self.bytes.len() && !self.stop {
            let c = self.bytes.get(pos).copied().unwrap_or(0);
            if nested && c == b'}' {
                break;
            }
            if c != b'$' {
                pos += 1;
                continue;
            }
            // flush literal text before this `$`
            if let Some(o) = out.as_mut() {
                o.push_str(self.slice(lit_start..pos));
            }
            let next = self.bytes.get(pos + 1).copied();
            match next {
                Some(b'$') => {
                    if let Some(o) = out.as_mut() {
                        o.push('$');
                    }
                    pos += 2;
                }
                Some(n) if is_name_start(n) => {
                    let start = pos;
                    let mut end = pos + 1;
                    while self.bytes.get(end).is_some_and(|&b| is_name_char(b)) {
                        end += 1;
                    }
                    let name = self.slice(start + 1..end).to_string();
                    let v = match (self.lookup)(&name) {
                        Some(Lookup::Set(v)) => Some(v),
                        Some(Lookup::Unset) => Some(String::new()),
                        None => None,
                    };
                    self.vars.push(VarRef {
                        name,
                        range: start..end,
                        has_default: false,
                        required_error: None,
                    });
                    append(&mut out, v);
                    pos = end;
                }
                Some(b'{') => {
                    let (v, end) = self.braced(pos, depth);
                    append(&mut out, v);
                    pos = end;
                }
                _ => {
                    // `$` followed by a non-name character: literal
                    if let Some(o) = out.as_mut() {
                        o.push('$');
                    }
                    pos += 1;
                }
            }
            lit_start = pos;
        }
        if !self.stop {
            if let Some(o) = out.as_mut() {
                o.push_str(self.slice(lit_start..pos.min(self.bytes.len())));
            }
        }
        (out, pos)
    }

    /// Parse `${...}` starting at `start` (the `$`). Returns the value and the
    /// position after the closing `}`.
    fn braced(&mut self, start: usize, depth: usize) -> (Option<String>, usize) {
        let len = self.bytes.len();
        let name_start = start + 2;
        let mut pos = name_start;
        if self.bytes.get(pos).is_some_and(|&b| is_name_start(b)) {
            while self.bytes.get(pos).is_some_and(|&b| is_name_char(b)) {
                pos += 1;
            }
        }
        if pos == name_start {
            let end = self.find_close(start).unwrap_or(len);
            let msg = if self.bytes.get(pos).is_none() {
                "unterminated variable reference \"${\"".to_string()
            } else {
                format!(
                    "invalid interpolation format for {:?}: invalid variable name",
                    self.slice(start..end)
                )
            };
            self.syntax_error(start..end, msg);
            return (None, len);
        }
        let name = self.slice(name_start..pos).to_string();
        let index = self.vars.len();
        self.vars.push(VarRef {
            name: name.clone(),
            range: start..pos,
            has_default: false,
            required_error: None,
        });

        let (colon, op) = match self.bytes.get(pos).copied() {
            Some(b'}') => {
                let end = pos + 1;
                if let Some(v) = self.vars.get_mut(index) {
                    v.range = start..end;
                }
                let v = match (self.lookup)(&name) {
                    Some(Lookup::Set(v)) => Some(v),
                    Some(Lookup::Unset) => Some(String::new()),
                    None => None,
                };
                return (v, end);
            }
            None => {
                self.syntax_error(
                    start..len,
                    format!("unterminated variable reference {:?}", self.slice(start..len)),
                );
                return (None, len);
            }
            Some(b':') => match self.bytes.get(pos + 1).copied() {
                Some(b'-') => (true, Op::Default),
                Some(b'?') => (true, Op::Required),
                Some(b'+') => (true, Op::Alternative),
                _ => {
                    let end = self.find_close(start).unwrap_or(len);
                    let msg = format!("invalid interpolation format for {:?}", self.slice(start..end));
                    self.syntax_error(start..end, msg);
                    return (None, len);
                }
            },
            Some(b'-') => (false, Op::Default),
            Some(b'?') => (false, Op::Required),
            Some(b'+') => (false, Op::Alternative),
            Some(_) => {
                let end = self.find_close(start).unwrap_or(len);
                let msg = format!("invalid interpolation format for {:?}", self.slice(start..end));
                self.syntax_error(start..end, msg);
                return (None, len);
            }
        };
        let arg_start = pos + if colon { 2 } else { 1 };
        if depth + 1 > MAX_DEPTH {
            self.syntax_error(
                start..len,
                format!("interpolation nested deeper than {MAX_DEPTH} levels"),
            );
            return (None, len);
        }
        let (arg, arg_end) = self.template(arg_start, true, depth + 1);
        if self.stop {
            return (None, len);
        }
        if self.bytes.get(arg_end) != Some(&b'}') {
            self.syntax_error(
                start..len,
                format!("unterminated variable reference {:?}", self.slice(start..len)),
            );
            return (None, len);
        }
        let end = arg_end + 1;
        let arg_text = self.slice(arg_start..arg_end).to_string();
        if let Some(v) = self.vars.get_mut(index) {
            v.range = start..end;
            v.has_default = true;
            if op == Op::Required {
                v.required_error = Some(arg_text.clone());
            }
        }

        let looked = (self.lookup)(&name);
        let value = match looked {
            None => None,
            Some(l) => {
                // "effectively set" for this operator
                let set = match &l {
                    Lookup::Set(v) => !(colon && v.is_empty()),
                    Lookup::Unset => false,
                };
                let current = match l {
                    Lookup::Set(v) => v,
                    Lookup::Unset => String::new(),
                };
                match op {
                    Op::Default => {
                        if set {
                            Some(current)
                        } else {
                            arg
                        }
                    }
                    Op::Alternative => {
                        if set {
                            arg
                        } else {
                            Some(String::new())
                        }
                    }
                    Op::Required => {
                        if set {
                            Some(current)
                        } else {
                            if self.error.is_none() {
                                let msg = if arg_text.is_empty() {
                                    format!("required variable {name} is missing a value")
                                } else {
                                    format!(
                                        "required variable {name} is missing a value: {}",
                                        arg.as_deref().unwrap_or(&arg_text)
                                    )
                                };
                                self.error = Some((start..end, msg));
                            }
                            None
                        }
                    }
                }
            }
        };
        (value, end)
    }

    /// Position just after the `}` closing the `${` at `start`, counting
    /// nested `${`. Used only to size error ranges.
    fn find_close(&self, start: usize) -> Option<usize> {
        let mut depth = 0usize;
        let mut i = start;
        while i < self.bytes.len() {
            match self.bytes.get(i).copied() {
                Some(b'$') if self.bytes.get(i + 1) == Some(&b'{') => {
                    depth += 1;
                    i += 2;
                    continue;
                }
                Some(b'}') => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return Some(i + 1);
                    }
                }
                _ => {}
            }
            i += 1;
        }
        None
    }
}

fn append(out: &mut Option<String>, v: Option<String>) {
    match (out.as_mut(), v) {
        (Some(o), Some(v)) => o.push_str(&v),
        _ => *out = None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<Lookup> {
        match name {
            "A" => Some(Lookup::Set("a".into())),
            "B" => Some(Lookup::Set("b".into())),
            "EMPTY" => Some(Lookup::Set(String::new())),
            "UNSET" => Some(Lookup::Unset),
            "UNSET2" => Some(Lookup::Unset),
            _ => None,
        }
    }

    fn run(s: &str) -> Interpolation {
        interpolate(s, &env)
    }

    fn known(s: &str) -> String {
        match run(s).value {
            Interpolated::Known(v) => v,
            Interpolated::Unknown => panic!("unknown value for {s:?}: {:?}", run(s)),
        }
    }

    fn is_unknown(s: &str) -> bool {
        run(s).value == Interpolated::Unknown
    }

    #[test]
    fn plain_text() {
        assert_eq!(known("hello world"), "hello world");
        assert_eq!(known(""), "");
        assert!(run("abc").vars.is_empty());
    }

    #[test]
    fn simple_vars() {
        assert_eq!(known("$A"), "a");
        assert_eq!(known("${A}"), "a");
        assert_eq!(known("x$A-y${B}z"), "xa-ybz");
        assert_eq!(known("$UNSET"), "");
        assert_eq!(known("${EMPTY}"), "");
        assert!(is_unknown("$NOPE"));
        assert!(is_unknown("x ${NOPE} y"));
    }

    #[test]
    fn var_name_boundaries() {
        // name stops at the first non-name char
        assert_eq!(known("$A.b"), "a.b");
        let r = run("$A_1x");
        assert_eq!(r.vars[0].name, "A_1x");
        assert_eq!(r.vars[0].range, 0..5);
        assert!(is_unknown("$_"));
        // names cannot start with digit: `$1` is literal
        assert_eq!(known("$1"), "$1");
        assert!(run("$1").vars.is_empty());
    }

    #[test]
    fn dollar_escape_and_literal_dollar() {
        assert_eq!(known("$$"), "$");
        assert_eq!(known("$$A"), "$A");
        assert!(run("$$A").vars.is_empty());
        assert_eq!(known("$$$A"), "$a");
        assert_eq!(known("a $ b"), "a $ b");
        assert_eq!(known("cost: 5$"), "cost: 5$");
        assert_eq!(known("$-x"), "$-x");
        assert_eq!(known("$é"), "$é");
    }

    #[test]
    fn default_colon_dash() {
        assert_eq!(known("${A:-d}"), "a");
        assert_eq!(known("${UNSET:-d}"), "d");
        assert_eq!(known("${EMPTY:-d}"), "d");
        assert!(is_unknown("${NOPE:-d}"));
        assert_eq!(known("${UNSET:-}"), "");
    }

    #[test]
    fn default_dash() {
        assert_eq!(known("${A-d}"), "a");
        assert_eq!(known("${UNSET-d}"), "d");
        assert_eq!(known("${EMPTY-d}"), "");
        assert!(is_unknown("${NOPE-d}"));
    }

    #[test]
    fn alternative() {
        assert_eq!(known("${A:+alt}"), "alt");
        assert_eq!(known("${EMPTY:+alt}"), "");
        assert_eq!(known("${UNSET:+alt}"), "");
        assert_eq!(known("${A+alt}"), "alt");
        assert_eq!(known("${EMPTY+alt}"), "alt");
        assert_eq!(known("${UNSET+alt}"), "");
        assert!(is_unknown("${NOPE:+alt}"));
        assert!(is_unknown("${NOPE+alt}"));
    }

    #[test]
    fn required() {
        assert_eq!(known("${A:?need A}"), "a");
        assert_eq!(known("${EMPTY?need}"), "");
        let r = run("${EMPTY:?need it}");
        assert_eq!(r.value, Interpolated::Unknown);
        let (range, msg) = r.error.clone().unwrap();
        assert_eq!(range, 0..17);
        assert!(msg.contains("required variable EMPTY"), "{msg}");
        assert!(msg.contains("need it"));
        assert_eq!(r.vars[0].required_error.as_deref(), Some("need it"));
        assert!(r.vars[0].has_default);

        let r = run("${UNSET?}");
        assert!(r.error.unwrap().1.contains("UNSET is missing a value"));
        assert_eq!(r.vars[0].required_error.as_deref(), Some(""));

        let r = run("${NOPE:?x}");
        assert_eq!(r.value, Interpolated::Unknown);
        assert!(r.error.is_none());
    }

    #[test]
    fn nested_defaults() {
        assert_eq!(known("${UNSET:-${B:-x}}"), "b");
        assert_eq!(known("${UNSET:-${UNSET2:-x}}"), "x");
        assert_eq!(known("${A:-${NOPE}}"), "a");
        assert!(is_unknown("${UNSET:-${NOPE}}"));
        assert_eq!(known("${UNSET:-pre-${A}-post}"), "pre-a-post");
        let r = run("${UNSET:-${B:-x}}");
        let names: Vec<_> = r.vars.iter().map(|v| v.name.as_str()).collect();
        assert_eq!(names, ["UNSET", "B"]);
        assert_eq!(r.vars[0].range, 0..17);
        assert_eq!(r.vars[1].range, 9..16);
        assert!(r.vars[1].has_default);
    }

    #[test]
    fn default_contains_special_chars() {
        assert_eq!(known("${UNSET:-a:b-c?d+e}"), "a:b-c?d+e");
        assert_eq!(known("${UNSET:-$$x}"), "$x");
        assert_eq!(known("${UNSET:-{x}"), "{x");
        // a literal `}` ends the default
        assert_eq!(known("${UNSET:-x}y}"), "xy}");
        assert_eq!(known("${UNSET:-héllo wörld}"), "héllo wörld");
    }

    #[test]
    fn nesting_depth_bounded() {
        let mut s = String::new();
        for _ in 0..(MAX_DEPTH + 1) {
            s.push_str("${UNSET:-");
        }
        s.push('x');
        for _ in 0..(MAX_DEPTH + 1) {
            s.push('}');
        }
        let r = run(&s);
        assert_eq!(r.value, Interpolated::Unknown);
        assert!(r.error.unwrap().1.contains("nested"));

        let mut s = String::new();
        for _ in 0..MAX_DEPTH {
            s.push_str("${UNSET:-");
        }
        s.push('x');
        for _ in 0..MAX_DEPTH {
            s.push('}');
        }
        assert_eq!(known(&s), "x");
        // very deep input: no stack overflow
        let deep = "${A:-".repeat(100_000);
        assert!(run(&deep).error.is_some());
    }

    #[test]
    fn syntax_errors() {
        for s in [
            "${",
            "${A",
            "${A:-x",
            "${}",
            "${1A}",
            "${A B}",
            "${A:x}",
            "${A*}",
            "x ${-}",
            "${A:-${B}",
            "${é}",
        ] {
            let r = run(s);
            assert_eq!(r.value, Interpolated::Unknown, "{s}");
            let (range, _) = r.error.unwrap_or_else(|| panic!("no error for {s:?}"));
            assert!(range.start <= range.end && range.end <= s.len(), "{s}");
        }
        let r = run("ok $A then ${");
        assert_eq!(r.error.unwrap().0, 11..13);
        assert_eq!(r.vars.len(), 1);
    }

    #[test]
    fn var_ranges_and_order() {
        let s = "x=$A y=${B:-d} z=${NOPE}";
        let r = run(s);
        let got: Vec<_> = r
            .vars
            .iter()
            .map(|v| (v.name.as_str(), &s[v.range.clone()], v.has_default))
            .collect();
        assert_eq!(
            got,
            [("A", "$A", false), ("B", "${B:-d}", true), ("NOPE", "${NOPE}", false)]
        );
        assert_eq!(r.value, Interpolated::Unknown);
    }

    #[test]
    fn vars_in_unused_defaults_are_collected() {
        let r = run("${A:-${NOPE}}");
        assert_eq!(r.vars.len(), 2);
        assert_eq!(r.vars[1].name, "NOPE");
    }

    #[test]
    fn unicode_around() {
        assert_eq!(known("ünï $A cödé"), "ünï a cödé");
        assert_eq!(known("€${A}€"), "€a€");
    }

    #[test]
    fn has_interpolation_works() {
        assert!(has_interpolation("$A"));
        assert!(has_interpolation("x${A}"));
        assert!(has_interpolation("${"));
        assert!(has_interpolation("$$$A"));
        assert!(!has_interpolation("$$A"));
        assert!(!has_interpolation("no vars"));
        assert!(!has_interpolation("5$"));
        assert!(!has_interpolation("$1 $- $"));
        assert!(!has_interpolation(""));
    }

    #[test]
    fn never_panics_on_garbage() {
        let samples = [
            "$",
            "$$",
            "${",
            "}",
            "${:}",
            "${A:",
            "${A:-",
            "${A:?",
            "$${",
            "${A}}",
            "${${A}}",
            "\u{0}$\u{ffff}${\u{10ffff}",
            "${A:-\u{1F600}",
            "}}}{{{$$${{{",
        ];
        for s in samples {
            let _ = run(s);
            let _ = has_interpolation(s);
            for i in 0..=s.len() {
                if let Some(p) = s.get(..i) {
                    let _ = run(p);
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
            "$", "{", "}", ":", "-", "+", "?", "A", "B", "UNSET", "NOPE", "EMPTY", "x", " ", "é", "$$", "${", ":-",
        ];
        for s in fuzz_inputs(&pieces, 20_000) {
            let r = run(&s);
            for v in &r.vars {
                assert!(s.get(v.range.clone()).is_some(), "{s:?}");
            }
            if let Some((range, _)) = &r.error {
                assert!(s.get(range.clone()).is_some(), "{s:?}");
                assert_eq!(r.value, Interpolated::Unknown);
            }
            let _ = has_interpolation(&s);
        }
    }
}
