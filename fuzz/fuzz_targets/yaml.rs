//! The spanned YAML layer: never panics, spans always inside the text and on char boundaries.
#![no_main]
use libfuzzer_sys::fuzz_target;
use stacklint::source::FileId;
use stacklint::yaml::{parse_yaml, Node, NodeKind, YamlLimits};

fn check_spans(text: &str, node: &Node, depth: usize) {
    let r = node.span.range();
    assert!(r.start <= r.end && r.end <= text.len(), "span {r:?} outside text of {}", text.len());
    assert!(text.is_char_boundary(r.start) && text.is_char_boundary(r.end), "span {r:?} splits a char");
    if depth > 300 {
        return;
    }
    match &node.kind {
        NodeKind::Seq(items) => items.iter().for_each(|i| check_spans(text, i, depth + 1)),
        NodeKind::Map(entries) => entries.iter().for_each(|(k, v)| {
            check_spans(text, k, depth + 1);
            check_spans(text, v, depth + 1);
        }),
        _ => {}
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let stream = parse_yaml(FileId(0), text, YamlLimits::default());
    for doc in &stream.documents {
        check_spans(text, doc, 0);
    }
});
