//! The Dockerfile parser, alone and through a compose service that builds it.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let doc = stacklint::parse::dockerfile::parse_dockerfile(text);
    let _ = format!("{doc:?}");
    let compose = "services:\n  app:\n    build: .\n    ports: [\"8080:8080\"]\n    restart: always\n";
    let _ = stacklint::check_in_memory(&[
        ("compose.yaml".to_owned(), compose.to_owned()),
        ("Dockerfile".to_owned(), text.to_owned()),
    ]);
});
