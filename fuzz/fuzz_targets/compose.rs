//! The compose model end to end: YAML → project (interpolation, overrides, extends, include) →
//! reader → every rule. Input: NUL-separated texts of a base, an override, a `.env` and a Dockerfile.
#![no_main]
use libfuzzer_sys::fuzz_target;
mod common;

fuzz_target!(|data: &[u8]| {
    let Some(files) = common::files(
        data,
        &["docker-compose.yml", "docker-compose.override.yml", ".env", "Dockerfile", "docker-compose.prod.yml"],
    ) else {
        return;
    };
    let _ = stacklint::check_in_memory(&files);
});
