//! Everything else that makes claims about services: a port registry, a Prometheus config and its
//! rule file, an nginx config, a shell script, a Makefile and a CI workflow, beside a compose file.
#![no_main]
use libfuzzer_sys::fuzz_target;
mod common;

fuzz_target!(|data: &[u8]| {
    let Some(files) = common::files(
        data,
        &[
            "compose.yaml",
            "ports.yaml",
            "prometheus.yml",
            "alerts.rules.yml",
            "nginx/nginx.conf",
            "scripts/deploy.sh",
            "Makefile",
            ".github/workflows/ci.yml",
        ],
    ) else {
        return;
    };
    let _ = stacklint::check_in_memory(&files);
});
