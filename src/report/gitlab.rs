//! GitLab Code Quality JSON: an array of `{description, check_name, fingerprint, severity,
//! location: {path, lines: {begin}}}`. Fingerprints are unique per report (the pipeline makes them
//! so). Severities: error → major, warning → minor, info → info.

use crate::diagnostic::Severity;
use crate::Report;
use serde_json::json;

fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "major",
        Severity::Warning => "minor",
        Severity::Info => "info",
    }
}

pub fn render(report: &Report) -> String {
    let list: Vec<serde_json::Value> = report
        .findings
        .iter()
        .map(|f| {
            let d = &f.diagnostic;
            let (path, start, _) = super::position(&report.sources, d.primary.span);
            json!({
                "description": format!("{}: {}", d.rule, d.message),
                "check_name": d.rule,
                "fingerprint": f.fingerprint,
                "severity": severity(f.severity),
                "location": {"path": path, "lines": {"begin": start.line}},
            })
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&list).unwrap_or_else(|_| "[]".to_owned());
    s.push('\n');
    s
}
