//! doc-dead-reference: a doc or script names a compose file, service, container or path that does
//! not exist. The Markdown part lives in `crate::docs::dead_reference`. Docs:
//! rules/doc-dead-reference.md
use crate::rules::prelude::*;

pub(crate) struct DocDeadReference;

impl Rule for DocDeadReference {
    fn check(&self, stack: &Stack, out: &mut Vec<Diagnostic>) {
        crate::docs::dead_reference::check_markdown(stack, out);
        crate::scripts::dead_reference::check_scripts(stack, out);
    }
}
