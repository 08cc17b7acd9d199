//! The stable, versioned JSON contract of ARCHITECTURE.md.

use crate::suppress::SuppressionKind;
use crate::{Finding, Report};
use serde::Serialize;

#[derive(Serialize)]
struct Out<'a> {
    version: u32,
    tool: Tool,
    files_checked: usize,
    diagnostics: Vec<Diag<'a>>,
    /// Findings silenced by inline ignores or config `ignore` entries (audit trail).
    suppressed: Vec<SuppressedDiag<'a>>,
    summary: Summary,
}

#[derive(Serialize)]
struct SuppressedDiag<'a> {
    #[serde(flatten)]
    diag: Diag<'a>,
    /// `inline` (comment or annotation) or `config`.
    suppressed_by: &'static str,
    reason: Option<&'a str>,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Diag<'a> {
    rule: &'a str,
    category: &'static str,
    severity: &'static str,
    message: &'a str,
    file: String,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    labels: Vec<LabelOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<&'a str>,
    fingerprint: &'a str,
}

#[derive(Serialize)]
struct LabelOut<'a> {
    file: String,
    line: usize,
    column: usize,
    message: &'a str,
}

#[derive(Serialize)]
struct Summary {
    error: usize,
    warning: usize,
    info: usize,
    suppressed: usize,
}

fn diag<'a>(report: &'a Report, f: &'a Finding) -> Diag<'a> {
    let d = &f.diagnostic;
    let (file, start, end) = super::position(&report.sources, d.primary.span);
    Diag {
        rule: d.rule,
        category: crate::rules::meta_of(d.rule).map_or("", |m| m.category.as_str()),
        severity: f.severity.as_str(),
        message: &d.message,
        file,
        line: start.line,
        column: start.column,
        end_line: end.line,
        end_column: end.column,
        labels: d
            .related
            .iter()
            .map(|l| {
                let (file, s, _) = super::position(&report.sources, l.span);
                LabelOut {
                    file,
                    line: s.line,
                    column: s.column,
                    message: &l.message,
                }
            })
            .collect(),
        help: d.help.as_deref(),
        fingerprint: &f.fingerprint,
    }
}

pub fn render(report: &Report) -> String {
    let diagnostics = report.findings.iter().map(|f| diag(report, f)).collect();
    let suppressed = report
        .suppressed_findings
        .iter()
        .map(|s| SuppressedDiag {
            diag: diag(report, &s.finding),
            suppressed_by: match s.kind {
                SuppressionKind::InSource => "inline",
                SuppressionKind::External => "config",
            },
            reason: s.reason.as_deref(),
        })
        .collect();
    let (error, warning, info) = report.counts();
    let out = Out {
        version: 1,
        tool: Tool {
            name: "stacklint",
            version: env!("CARGO_PKG_VERSION"),
        },
        files_checked: report.files_checked,
        diagnostics,
        suppressed,
        summary: Summary {
            error,
            warning,
            info,
            suppressed: report.suppressed,
        },
    };
    // Sized up front: a report of thousands of findings otherwise grows by doubling, copying
    // megabytes each time.
    let mut buf = Vec::with_capacity(4096 + out.diagnostics.len().saturating_mul(1024));
    let mut s = match serde_json::to_writer_pretty(&mut buf, &out) {
        Ok(()) => String::from_utf8(buf).unwrap_or_default(),
        Err(e) => format!("{{\"error\":\"{e}\"}}"),
    };
    s.push('\n');
    s
}
