//! systemd units: the parser alone, then the unit beside a compose file through every rule
//! (restart-loop, host port clashes, unit references).
#![no_main]
use libfuzzer_sys::fuzz_target;
use stacklint::source::FileId;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let unit = stacklint::parse::systemd::parse(FileId(0), text);
    let _ = format!("{unit:?}");
    let compose = "services:\n  api:\n    image: api:1.0\n    ports: [\"8004:8004\"]\n";
    let _ = stacklint::check_in_memory(&[
        ("deploy/api.service".to_owned(), text.to_owned()),
        ("compose.yaml".to_owned(), compose.to_owned()),
    ]);
});
