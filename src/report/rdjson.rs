//! reviewdog's rdjson (the `DiagnosticResult` of the Reviewdog Diagnostic Format): `{source,
//! diagnostics: [{message, location: {path, range}, severity, code: {value, url}}]}`. Its columns
//! count UTF-8 bytes, not characters, and a range's end is exclusive, as a span's is.

use crate::diagnostic::Severity;
use crate::source::{SourceMap, Span};
use crate::Report;
use serde_json::{json, Value};

fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "ERROR",
        Severity::Warning => "WARNING",
        Severity::Info => "INFO",
    }
}

/// Line (1-based) and byte column (1-based, BOM not counted) of a byte offset.
fn position(sources: &SourceMap, file: crate::source::FileId, offset: usize) -> Value {
    let Some(f) = sources.get(file) else {
        return json!({"line": 1, "column": 1});
    };
    let offset = crate::source::floor_char_boundary(&f.text, offset.min(f.text.len()));
    let line = f.line_index(offset);
    let mut start = f.line_range(line).start;
    if line == 0 {
        start += f.bom_len().min(offset);
    }
    json!({"line": line + 1, "column": offset.saturating_sub(start) + 1})
}

fn location(report: &Report, span: Span) -> Value {
    json!({
        "path": report.sources.path(span.file),
        "range": {
            "start": position(&report.sources, span.file, span.start as usize),
            "end": position(&report.sources, span.file, span.end as usize),
        }
    })
}

pub fn render(report: &Report) -> String {
    let diagnostics: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            let d = &f.diagnostic;
            json!({
                "message": d.message,
                "location": location(report, d.primary.span),
                "severity": severity(f.severity),
                "code": {"value": d.rule, "url": super::sarif::help_uri(d.rule)},
            })
        })
        .collect();
    let result = json!({
        "source": {"name": "stacklint", "url": super::INFORMATION_URI},
        "diagnostics": diagnostics,
    });
    let mut s = serde_json::to_string_pretty(&result).unwrap_or_else(|_| "{}".to_owned());
    s.push('\n');
    s
}
