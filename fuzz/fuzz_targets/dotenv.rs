//! The `.env` parser, alone and as the interpolation source of a compose file.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let env = stacklint::parse::dotenv::parse_dotenv(text);
    let _ = format!("{env:?}");
    let compose = "services:\n  app:\n    image: ${IMAGE:-nginx}:${TAG}\n    ports: [\"${PORT:-80}:80\"]\n    environment:\n      URL: ${URL?}\n";
    let _ = stacklint::check_in_memory(&[
        ("compose.yaml".to_owned(), compose.to_owned()),
        (".env".to_owned(), text.to_owned()),
    ]);
});
