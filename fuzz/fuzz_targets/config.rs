//! `.stacklint.yaml`: parse and validate against the schema; errors, never panics.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = stacklint::config::parse(".stacklint.yaml", text);
});
