pub(crate) mod localhost_binding;
pub(crate) mod localhost_reference;

use crate::model::Stack;
use crate::source::Span;

/// The span of `host` inside `span`'s source text, when it occurs there exactly once (so a fix can
/// replace just the host and keep the port, scheme and path as written).
pub(crate) fn host_span(stack: &Stack, span: Span, host: &str) -> Option<Span> {
    let text = stack.sources.get(span.file)?.slice(span);
    let mut found = text.match_indices(host);
    let (at, _) = found.next()?;
    if found.next().is_some() {
        return None;
    }
    Some(span.sub(at..at + host.len()))
}
