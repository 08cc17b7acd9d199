//! The baseline file written by `stacklint baseline`: the fingerprints of the current findings,
//! with rule, file and message so a reviewer can read what was accepted.

use crate::Report;
use serde_json::json;

pub fn render(report: &Report) -> String {
    let findings: Vec<serde_json::Value> = report
        .findings
        .iter()
        .map(|f| {
            json!({
                "fingerprint": f.fingerprint,
                "rule": f.diagnostic.rule,
                "file": report.sources.path(f.diagnostic.primary.span.file),
                "message": f.diagnostic.message,
            })
        })
        .collect();
    let v = json!({
        "version": 1,
        "tool": {"name": "stacklint", "version": env!("CARGO_PKG_VERSION")},
        "findings": findings,
    });
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_else(|_| "{}".to_owned());
    s.push('\n');
    s
}
