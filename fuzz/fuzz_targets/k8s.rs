//! The Kubernetes model end to end: manifests and a kustomization → cluster (renderings, schema
//! check) → every rule. Input: NUL-separated texts of two manifests and a kustomization.
#![no_main]
use libfuzzer_sys::fuzz_target;
mod common;

fuzz_target!(|data: &[u8]| {
    let Some(files) = common::files(
        data,
        &["base/app.yaml", "base/kustomization.yaml", "overlay/kustomization.yaml", "other.yaml"],
    ) else {
        return;
    };
    let _ = stacklint::check_in_memory(&files);
});
