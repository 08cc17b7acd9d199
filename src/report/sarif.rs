//! SARIF 2.1.0: one run, rule descriptors from the rule pages, one result per finding (suppressed
//! findings too, with their `suppressions`). Columns count Unicode scalar values, so the run says
//! `columnKind: unicodeCodePoints` (SARIF's default would be UTF-16 code units). Locations are
//! relative to `%SRCROOT%`, which `originalUriBaseIds` resolves to the checked root, so a viewer
//! on the same machine finds the files and one elsewhere (code scanning) maps them to its checkout.

use crate::diagnostic::Severity;
use crate::rules::{self, RULES};
use crate::source::Span;
use crate::suppress::Suppressed;
use crate::{Finding, Report};
use serde_json::{json, Value};

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A relative path as a URI reference: percent-encode everything but unreserved characters and `/`.
pub(crate) fn uri(path: &str) -> String {
    let mut out = String::new();
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn location(report: &Report, span: Span) -> Value {
    let (file, start, end) = super::position(&report.sources, span);
    json!({
        "artifactLocation": {"uri": uri(&file), "uriBaseId": "%SRCROOT%"},
        "region": {
            "startLine": start.line,
            "startColumn": start.column,
            "endLine": end.line,
            "endColumn": end.column,
        }
    })
}

/// The text of a page section (`## What it does`), joined into one paragraph-preserving string.
fn section(body: &str, title: &str) -> String {
    let heading = format!("## {title}");
    body.split_once(&heading)
        .map(|(_, rest)| rest.split("\n## ").next().unwrap_or(rest).trim().to_owned())
        .unwrap_or_default()
}

/// `port-clash` → `PortClash` (SARIF's "friendly name").
fn pascal(id: &str) -> String {
    id.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// The checked root as a `file://` URI ending in `/`, as SARIF requires of a base URI.
fn root_uri(root: &std::path::Path) -> String {
    let abs = std::path::absolute(root).unwrap_or_else(|_| root.to_path_buf());
    let mut path = abs.to_string_lossy().replace('\\', "/");
    if !path.starts_with('/') {
        // A Windows drive path (`C:/repo`) becomes `/C:/repo`.
        path.insert(0, '/');
    }
    if !path.ends_with('/') {
        path.push('/');
    }
    let encoded: String = path.split(':').map(uri).collect::<Vec<_>>().join(":");
    format!("file://{encoded}")
}

/// What a SARIF run needs beyond the report.
#[derive(Default)]
pub struct Options<'a> {
    /// `automationDetails.id`: tells code scanning apart two uploads for one commit (one per
    /// folder checked, say). GitHub reads the category as the id up to its last `/`, so one is
    /// appended when missing, as `upload-sarif` does with its `category`.
    pub category: Option<&'a str>,
}

/// The rule's page in the repository, at the tag of this version.
pub(crate) fn help_uri(id: &str) -> String {
    format!(
        "{}/blob/v{}/rules/{id}.md",
        super::INFORMATION_URI,
        env!("CARGO_PKG_VERSION")
    )
}

fn descriptor(entry: &rules::RuleEntry) -> Value {
    let m = rules::meta(entry);
    let body = rules::page_body(entry.page);
    let mut full = section(body, "What it does");
    if full.is_empty() {
        full.clone_from(&m.summary);
    }
    json!({
        "id": m.id,
        "name": pascal(m.id),
        "shortDescription": {"text": m.summary},
        "fullDescription": {"text": full},
        "help": {"text": body, "markdown": body},
        "helpUri": help_uri(m.id),
        "defaultConfiguration": {"level": level(m.severity)},
        "properties": properties(&m),
    })
}

/// Rule properties GitHub code scanning reads: `precision`, and for security rules the
/// `security` tag, CWE tags and `security-severity`, without which their alerts show unrated.
fn properties(m: &rules::RuleMeta) -> Value {
    let mut tags = vec![m.category.clone()];
    if m.security_severity.is_some() && m.category != "security" {
        tags.push("security".to_owned());
    }
    tags.extend(m.cwe.iter().map(|c| format!("external/cwe/cwe-{c}")));
    let mut p = json!({"category": m.category, "precision": m.precision, "tags": tags});
    if let Some(score) = &m.security_severity {
        p["security-severity"] = json!(score);
    }
    p
}

fn result(report: &Report, f: &Finding, suppression: Option<&Suppressed>) -> Value {
    let d = &f.diagnostic;
    let index = RULES.iter().position(|r| r.id == d.rule);
    let mut r = json!({
        "ruleId": d.rule,
        "level": level(f.severity),
        "message": {"text": d.message},
        "locations": [{"physicalLocation": location(report, d.primary.span)}],
        "partialFingerprints": {"stacklint/v1": f.fingerprint},
    });
    if let Some(i) = index {
        r["ruleIndex"] = json!(i);
    }
    if !d.related.is_empty() {
        r["relatedLocations"] = d
            .related
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let mut loc = json!({"id": i + 1, "physicalLocation": location(report, l.span)});
                if !l.message.is_empty() {
                    loc["message"] = json!({"text": l.message});
                }
                loc
            })
            .collect();
    }
    if let Some(s) = suppression {
        let mut one = json!({"kind": s.kind.as_str()});
        if let Some(reason) = &s.reason {
            one["justification"] = json!(reason);
        }
        r["suppressions"] = json!([one]);
    }
    r
}

pub fn render(report: &Report) -> String {
    render_with(report, &Options::default())
}

pub fn render_with(report: &Report, options: &Options<'_>) -> String {
    let mut results: Vec<Value> = report.findings.iter().map(|f| result(report, f, None)).collect();
    results.extend(
        report
            .suppressed_findings
            .iter()
            .map(|s| result(report, &s.finding, Some(s))),
    );
    let mut sarif = json!({
        "$schema": "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "stacklint",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "informationUri": super::INFORMATION_URI,
                "rules": RULES.iter().map(descriptor).collect::<Vec<_>>(),
            }},
            "originalUriBaseIds": {"%SRCROOT%": {"uri": root_uri(&report.root)}},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    });
    if let Some(category) = options.category.filter(|c| !c.is_empty()) {
        let id = if category.ends_with('/') {
            category.to_owned()
        } else {
            format!("{category}/")
        };
        sarif["runs"][0]["automationDetails"] = json!({"id": id});
    }
    let mut s = serde_json::to_string_pretty(&sarif).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"));
    s.push('\n');
    s
}
