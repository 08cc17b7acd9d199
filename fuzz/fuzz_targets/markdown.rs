//! Markdown claims (port tables, service lists, counts, commands) checked against a stack.
//! Input: NUL-separated texts of a README and a compose file.
#![no_main]
use libfuzzer_sys::fuzz_target;
mod common;

fuzz_target!(|data: &[u8]| {
    let Some(files) = common::files(data, &["README.md", "compose.yaml", "docs/ops.md"]) else {
        return;
    };
    let _ = stacklint::check_in_memory(&files);
});
