//! GitHub Actions workflow commands (`::error file=…,line=…::message`), most severe first, and an
//! optional Markdown step summary. GitHub shows at most 10 error, 10 warning and 10 notice
//! annotations per step; the summary says how many findings got none.

use crate::diagnostic::Severity;
use crate::{Finding, Report};
use std::collections::BTreeMap;
use std::fmt::Write;

/// Annotations of one kind GitHub shows per step.
pub const PER_KIND: usize = 10;

/// Escapes command data (the message): `%`, CR, LF.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escapes a command property value: as data, plus `:` and `,`.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

fn command(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    }
}

/// Findings in annotation order: most severe first, report order within a severity.
fn ordered(report: &Report) -> Vec<&Finding> {
    let mut v: Vec<&Finding> = report.findings.iter().collect();
    v.sort_by_key(|f| std::cmp::Reverse(f.severity));
    v
}

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    for f in ordered(report) {
        let d = &f.diagnostic;
        let (file, start, end) = super::position(&report.sources, d.primary.span);
        let mut message = d.message.clone();
        if let Some(h) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(h);
        }
        let _ = writeln!(
            out,
            "::{} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            command(f.severity),
            escape_property(&file),
            start.line,
            start.column,
            end.line,
            end.column,
            escape_property(&format!("stacklint {}", d.rule)),
            escape_data(&message)
        );
    }
    out
}

/// How many findings exceed GitHub's per-step annotation limits.
pub fn not_annotated(report: &Report) -> usize {
    let (e, w, i) = report.counts();
    [e, w, i].iter().map(|n| n.saturating_sub(PER_KIND)).sum()
}

/// The Markdown appended to `$GITHUB_STEP_SUMMARY`: a table of (rule, severity, count).
pub fn step_summary(report: &Report) -> String {
    let mut counts: BTreeMap<(std::cmp::Reverse<Severity>, &str), usize> = BTreeMap::new();
    for f in &report.findings {
        *counts
            .entry((std::cmp::Reverse(f.severity), f.diagnostic.rule))
            .or_default() += 1;
    }
    let mut out = String::from("### stacklint\n\n");
    if counts.is_empty() {
        out.push_str("No findings.\n\n");
    } else {
        out.push_str("| rule | severity | count |\n|---|---|---:|\n");
        for ((sev, rule), n) in &counts {
            let _ = writeln!(out, "| `{rule}` | {} | {n} |", sev.0);
        }
        out.push('\n');
    }
    let _ = writeln!(out, "{}\n", report.summary_line());
    let missing = not_annotated(report);
    if missing > 0 {
        let _ = writeln!(
            out,
            "{missing} of {} findings did not get an annotation: GitHub shows at most {PER_KIND} errors, {PER_KIND} warnings and {PER_KIND} notices per step. Run `stacklint check` locally or use `--format sarif` for the full list.\n",
            report.findings.len()
        );
    }
    out
}
