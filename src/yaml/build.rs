//! Builds [`Node`] trees from saphyr-parser events without recursion.

use super::node::{Node, NodeKind, ScalarStyle};
use crate::diagnostic::Diagnostic;
use crate::source::{FileId, Span};
use foldhash::{HashMap, HashSet};
use saphyr_parser::{Event, Parser, ScalarStyle as SaphyrStyle, ScanError, Tag};
use std::borrow::Cow;

/// Bounds that keep hostile input cheap.
#[derive(Clone, Copy, Debug)]
pub struct YamlLimits {
    /// Deepest nesting of sequences and mappings accepted (real files stay far below).
    pub max_depth: usize,
    /// Nodes that alias and merge-key expansion may create in one file (a billion-laughs bomb stops here).
    pub alias_budget: usize,
}

impl Default for YamlLimits {
    fn default() -> Self {
        YamlLimits {
            max_depth: 256,
            alias_budget: 200_000,
        }
    }
}

/// The documents of one YAML stream and what went wrong while reading it.
#[derive(Debug, Default)]
pub struct YamlStream {
    pub documents: Vec<Node>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Parses `text` (the whole file, possibly starting with a BOM) into spanned documents.
/// Never panics; a syntax error ends the stream with a `yaml-syntax` diagnostic, keeping the
/// documents completed before it.
pub fn parse_yaml(file: FileId, text: &str, limits: YamlLimits) -> YamlStream {
    let base = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let body = text.get(base..).unwrap_or("");
    let mut b = Builder {
        file,
        offsets: CharOffsets::new(body, base, text),
        limits,
        stack: Vec::new(),
        anchors: HashMap::default(),
        budget_left: limits.alias_budget,
        budget_reported: false,
        out: YamlStream::default(),
    };
    let mut parser = Parser::new_from_str(body);
    while let Some(ev) = parser.next_event() {
        match ev {
            Ok((event, span)) => {
                let span = b.span(span.start.index(), span.end.index());
                if let Err(stop) = b.on_event(event, span) {
                    b.out.diagnostics.push(*stop);
                    break;
                }
            }
            Err(e) => {
                b.syntax_error(&e);
                break;
            }
        }
    }
    b.out
}

enum Frame {
    Seq {
        start: Span,
        anchor: usize,
        tag: Option<Box<str>>,
        items: Vec<Node>,
    },
    Map {
        start: Span,
        anchor: usize,
        tag: Option<Box<str>>,
        entries: Vec<(Node, Node)>,
        key: Option<Node>,
        merges: Vec<Node>,
    },
}

struct Builder<'a> {
    file: FileId,
    offsets: CharOffsets<'a>,
    limits: YamlLimits,
    stack: Vec<Frame>,
    anchors: HashMap<usize, (Node, usize)>,
    budget_left: usize,
    budget_reported: bool,
    out: YamlStream,
}

impl Builder<'_> {
    fn span(&mut self, start_char: usize, end_char: usize) -> Span {
        let s = self.offsets.byte(start_char);
        let e = self.offsets.byte(end_char);
        Span::new(self.file, s, e)
    }

    /// saphyr-parser can stretch a quoted scalar's span over a trailing comment; end it at the
    /// closing quote instead.
    fn quoted_span(&self, span: Span) -> Span {
        let text = self.offsets.full;
        let start = span.start as usize;
        let bytes = text.as_bytes();
        let Some(&quote) = bytes.get(start) else { return span };
        let mut i = start + 1;
        while let Some(&b) = bytes.get(i) {
            if quote == b'"' && b == b'\\' {
                i += 2;
                continue;
            }
            if b == quote {
                if quote == b'\'' && bytes.get(i + 1) == Some(&b'\'') {
                    i += 2;
                    continue;
                }
                return Span::new(self.file, start, (i + 1).min(span.end as usize));
            }
            i += 1;
        }
        span
    }

    fn syntax_error(&mut self, e: &ScanError) {
        let at = self.offsets.byte(e.marker().index());
        let span = Span::new(self.file, at, at);
        let message = if e.info().contains("recursion limit") {
            "YAML nesting too deep; the rest of the file was not read".to_owned()
        } else {
            format!("invalid YAML: {}", e.info())
        };
        self.out.diagnostics.push(
            Diagnostic::new("yaml-syntax", span, message)
                .label("the parser stopped here")
                .help("fix the syntax; nothing after this point in the file was checked")
                .subject("syntax"),
        );
    }

    fn on_event(&mut self, event: Event<'_>, span: Span) -> Result<(), Box<Diagnostic>> {
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                let span = match style {
                    SaphyrStyle::DoubleQuoted | SaphyrStyle::SingleQuoted => self.quoted_span(span),
                    _ => span,
                };
                // The scanner's buffers keep spare capacity; every scalar of the repository stays
                // in memory until the end, so keep only what the text needs.
                let mut text = text.into_owned();
                text.shrink_to_fit();
                let node = Node {
                    kind: NodeKind::Scalar(text, convert_style(style)),
                    span,
                    tag: tag_name(tag),
                    via_alias: None,
                };
                self.complete(node, anchor, 1);
            }
            Event::SequenceStart(anchor, tag) => {
                self.check_depth(span)?;
                self.stack.push(Frame::Seq {
                    start: span,
                    anchor,
                    tag: tag_name(tag),
                    items: Vec::new(),
                });
            }
            Event::MappingStart(anchor, tag) => {
                self.check_depth(span)?;
                self.stack.push(Frame::Map {
                    start: span,
                    anchor,
                    tag: tag_name(tag),
                    entries: Vec::new(),
                    key: None,
                    merges: Vec::new(),
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some(frame) = self.stack.pop() {
                    let (node, anchor) = self.finish(frame, span);
                    // The size only matters for anchored nodes (the alias budget); counting every
                    // subtree at every level would visit each node once per enclosing level.
                    let size = if anchor != 0 { node.size() } else { 0 };
                    self.complete(node, anchor, size);
                }
            }
            Event::Alias(id) => {
                let node = self.expand_alias(id, span);
                self.complete(node, 0, 1);
            }
            Event::DocumentStart(_) => self.anchors.clear(),
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Nothing => {}
        }
        Ok(())
    }

    fn check_depth(&self, span: Span) -> Result<(), Box<Diagnostic>> {
        if self.stack.len() >= self.limits.max_depth {
            return Err(Box::new(
                Diagnostic::new(
                    "yaml-syntax",
                    span,
                    format!(
                        "YAML nesting deeper than {} levels; the rest of the file was not read",
                        self.limits.max_depth
                    ),
                )
                .label("too deep here")
                .help("flatten the structure; no real configuration nests this deep")
                .subject("depth"),
            ));
        }
        Ok(())
    }

    fn expand_alias(&mut self, id: usize, span: Span) -> Node {
        let Some((node, size)) = self.anchors.get(&id) else {
            return Node::scalar("", span);
        };
        if *size > self.budget_left {
            self.budget_left = 0;
            if !self.budget_reported {
                self.budget_reported = true;
                self.out.diagnostics.push(
                    Diagnostic::new(
                        "yaml-syntax",
                        span,
                        format!(
                            "alias expansion exceeds the budget of {} nodes (an alias bomb?); aliases past this point are read as null",
                            self.limits.alias_budget
                        ),
                    )
                    .label("expanding this alias would exceed the budget")
                    .help("aliases that nest other aliases multiply; inline the data or reduce the nesting")
                    .subject("alias budget"),
                );
            }
            return Node::scalar("", span);
        }
        self.budget_left -= *size;
        let mut copy = node.clone();
        copy.via_alias = Some(span);
        copy
    }

    /// Attaches a finished node to its parent (or makes it a document).
    fn complete(&mut self, node: Node, anchor: usize, size: usize) {
        if anchor != 0 {
            self.anchors.insert(anchor, (node.clone(), size));
        }
        match self.stack.last_mut() {
            None => self.out.documents.push(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map {
                entries, key, merges, ..
            }) => match key.take() {
                None => *key = Some(node),
                Some(k) => {
                    let is_merge =
                        matches!(&k.kind, NodeKind::Scalar(s, ScalarStyle::Plain) if s == "<<") && k.tag.is_none();
                    if is_merge {
                        merges.push(node);
                    } else {
                        entries.push((k, node));
                    }
                }
            },
        }
    }

    fn finish(&mut self, frame: Frame, end: Span) -> (Node, usize) {
        match frame {
            Frame::Seq {
                start,
                anchor,
                tag,
                mut items,
            } => (
                Node {
                    kind: NodeKind::Seq({
                        items.shrink_to_fit();
                        items
                    }),
                    span: Span::new(self.file, start.start as usize, end.end as usize),
                    tag,
                    via_alias: None,
                },
                anchor,
            ),
            Frame::Map {
                start,
                anchor,
                tag,
                entries,
                key,
                merges,
            } => {
                let mut entries = self.dedupe(entries);
                if let Some(k) = key {
                    // A key without a value (possible only after an error): keep it as null.
                    let sp = k.span;
                    entries.push((k, Node::scalar("", sp)));
                }
                self.merge(&mut entries, merges);
                entries.shrink_to_fit();
                (
                    Node {
                        kind: NodeKind::Map(entries),
                        span: Span::new(self.file, start.start as usize, end.end as usize),
                        tag,
                        via_alias: None,
                    },
                    anchor,
                )
            }
        }
    }

    /// Reports repeated keys with both positions and keeps the last, as YAML loaders do.
    fn dedupe(&mut self, entries: Vec<(Node, Node)>) -> Vec<(Node, Node)> {
        let mut seen: HashMap<&str, usize> = HashMap::default();
        let mut drop: HashSet<usize> = HashSet::default();
        for (i, (k, _)) in entries.iter().enumerate() {
            let Some(text) = k.as_str() else { continue };
            if let Some(prev) = seen.insert(text, i) {
                drop.insert(prev);
                if let Some((pk, _)) = entries.get(prev) {
                    self.out.diagnostics.push(
                        Diagnostic::new(
                            "duplicate-key",
                            k.span,
                            format!("key `{text}` is defined twice in the same mapping"),
                        )
                        .label("defined again here")
                        .related(pk.span, "first defined here")
                        .help("remove one of them; Compose rejects the file and YAML loaders silently keep the last")
                        .subject(format!("key {text}")),
                    );
                }
            }
        }
        if drop.is_empty() {
            return entries;
        }
        entries
            .into_iter()
            .enumerate()
            .filter(|(i, _)| !drop.contains(i))
            .map(|(_, e)| e)
            .collect()
    }

    /// Resolves `<<` merge keys: explicit keys win, earlier merge sources win.
    fn merge(&mut self, entries: &mut Vec<(Node, Node)>, merges: Vec<Node>) {
        if merges.is_empty() {
            return;
        }
        let mut present: HashSet<String> = entries
            .iter()
            .filter_map(|(k, _)| k.as_str().map(str::to_owned))
            .collect();
        for source in merges {
            let origin = source.via_alias.unwrap_or(source.span);
            let maps: Vec<Node> = match source.kind {
                NodeKind::Map(_) => vec![source],
                NodeKind::Seq(items) => items,
                NodeKind::Scalar(..) => {
                    self.out.diagnostics.push(
                        Diagnostic::new(
                            "yaml-syntax",
                            source.span,
                            "the merge key `<<` needs a mapping or a list of mappings",
                        )
                        .label("not a mapping")
                        .subject("merge value"),
                    );
                    continue;
                }
            };
            for map in maps {
                let origin = map.via_alias.unwrap_or(origin);
                let NodeKind::Map(src) = map.kind else {
                    self.out.diagnostics.push(
                        Diagnostic::new(
                            "yaml-syntax",
                            map.span,
                            "the merge key `<<` needs a mapping or a list of mappings",
                        )
                        .label("not a mapping")
                        .subject("merge value"),
                    );
                    continue;
                };
                for (mut k, mut v) in src {
                    let Some(text) = k.as_str() else { continue };
                    if present.insert(text.to_owned()) {
                        k.via_alias.get_or_insert(origin);
                        v.via_alias.get_or_insert(origin);
                        entries.push((k, v));
                    }
                }
            }
        }
    }
}

fn convert_style(style: SaphyrStyle) -> ScalarStyle {
    match style {
        SaphyrStyle::Plain => ScalarStyle::Plain,
        SaphyrStyle::SingleQuoted => ScalarStyle::SingleQuoted,
        SaphyrStyle::DoubleQuoted => ScalarStyle::DoubleQuoted,
        SaphyrStyle::Literal => ScalarStyle::Literal,
        SaphyrStyle::Folded => ScalarStyle::Folded,
    }
}

fn tag_name(tag: Option<Cow<'_, Tag>>) -> Option<Box<str>> {
    let tag = tag?;
    let name = if tag.handle == "!" {
        format!("!{}", tag.suffix)
    } else if tag.is_yaml_core_schema() {
        format!("!!{}", tag.suffix)
    } else {
        format!("{}{}", tag.handle, tag.suffix)
    };
    Some(name.into_boxed_str())
}

/// Converts saphyr's character indices to byte offsets: identity for ASCII text, otherwise a
/// checkpoint every 64 characters and a short forward walk.
struct CharOffsets<'a> {
    /// The whole file (byte offsets index into it).
    full: &'a str,
    text: &'a str,
    base: usize,
    checkpoints: Option<Vec<usize>>,
}

const STRIDE: usize = 64;

impl<'a> CharOffsets<'a> {
    fn new(text: &'a str, base: usize, full: &'a str) -> Self {
        let checkpoints = if text.is_ascii() {
            None
        } else {
            Some(text.char_indices().step_by(STRIDE).map(|(i, _)| i).collect())
        };
        CharOffsets {
            full,
            text,
            base,
            checkpoints,
        }
    }

    fn byte(&self, char_index: usize) -> usize {
        let local = match &self.checkpoints {
            None => char_index.min(self.text.len()),
            Some(cps) => {
                let Some(&start) = cps.get(char_index / STRIDE) else {
                    return self.base + self.text.len();
                };
                let rest = char_index % STRIDE;
                let tail = self.text.get(start..).unwrap_or("");
                tail.char_indices()
                    .nth(rest)
                    .map_or(self.text.len(), |(i, _)| start + i)
            }
        };
        self.base + local
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> YamlStream {
        parse_yaml(FileId(0), text, YamlLimits::default())
    }

    fn slice(text: &str, span: Span) -> &str {
        &text[span.range()]
    }

    #[test]
    fn spans_on_keys_and_scalars_with_unicode() {
        let text = "\u{feff}é: ü\nports:\n  - \"2122:22\"\n  - 2122:22\n";
        let out = parse(text);
        assert!(out.diagnostics.is_empty());
        let doc = &out.documents[0];
        let (k, v) = doc.entry("é").expect("key");
        assert_eq!(slice(text, k.span), "é");
        assert_eq!(slice(text, v.span), "ü");
        let ports = doc.get("ports").and_then(Node::as_seq).expect("seq");
        assert_eq!(ports[1].as_str(), Some("2122:22"));
        assert_eq!(ports[1].style(), Some(ScalarStyle::Plain));
        assert_eq!(slice(text, ports[1].span), "2122:22");
    }

    #[test]
    fn quoted_scalar_span_ends_at_its_quote() {
        let text = "a:\n  - \"70000:80\"  # c\n  - 'it''s'  # c\n";
        let out = parse(text);
        let items = out.documents[0].get("a").and_then(Node::as_seq).expect("seq");
        assert_eq!(slice(text, items[0].span), "\"70000:80\"");
        assert_eq!(slice(text, items[1].span), "'it''s'");
    }

    #[test]
    fn merge_keys_explicit_wins_and_earlier_source_wins() {
        let text = "a: &a {x: 1, y: 1}\nb: &b {y: 2, z: 2}\nc:\n  <<: [*a, *b]\n  x: 3\n";
        let out = parse(text);
        let c = out.documents[0].get("c").expect("c");
        assert_eq!(c.get("x").and_then(Node::as_str), Some("3"));
        assert_eq!(c.get("y").and_then(Node::as_str), Some("1"));
        assert_eq!(c.get("z").and_then(Node::as_str), Some("2"));
        assert!(c.get("y").and_then(|n| n.via_alias).is_some());
    }

    #[test]
    fn duplicate_keys_are_reported_with_both_positions() {
        let out = parse("a: 1\nb: 2\na: 3\n");
        assert_eq!(out.diagnostics.len(), 1);
        let d = &out.diagnostics[0];
        assert_eq!(d.rule, "duplicate-key");
        assert_eq!(d.related.len(), 1);
        assert_eq!(out.documents[0].get("a").and_then(Node::as_str), Some("3"));
    }

    #[test]
    fn alias_bomb_is_bounded() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let prev = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}]\n"
            ));
        }
        let started = std::time::Instant::now();
        let out = parse(&text);
        assert!(out.diagnostics.iter().any(|d| d.message.contains("alias expansion")));
        assert!(started.elapsed().as_secs() < 5);
    }

    #[test]
    fn deep_nesting_is_a_diagnostic() {
        let text = "[".repeat(100_000);
        let out = parse(&text);
        assert_eq!(out.diagnostics.len(), 1, "{:?}", out.diagnostics);
        assert!(
            out.diagnostics[0].message.contains("nest"),
            "{}",
            out.diagnostics[0].message
        );
    }

    #[test]
    fn syntax_error_is_a_diagnostic() {
        let out = parse("a: [1, 2\nb: c\n");
        assert_eq!(out.diagnostics[0].rule, "yaml-syntax");
    }

    #[test]
    fn multi_document_and_tags() {
        let out = parse("a: !reset []\n---\nb: !override {x: 1}\n");
        assert_eq!(out.documents.len(), 2);
        assert_eq!(out.documents[0].get("a").and_then(|n| n.tag.as_deref()), Some("!reset"));
    }
}
