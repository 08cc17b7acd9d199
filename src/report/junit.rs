//! JUnit XML: one testsuite, one testcase per (rule, file) pair with findings. Findings at or above
//! `--fail-on` make the testcase fail (its `failure` element lists them); findings below it, which
//! do not fail the run, are listed in the testcase's `system-out` and leave it passing, so a green
//! job never shows a red test widget. No findings: one passing testcase, so the suite is never
//! empty.

use crate::diagnostic::Severity;
use crate::{Finding, Report};
use std::collections::BTreeMap;
use std::fmt::Write;

/// Escapes text and attribute values; drops characters XML 1.0 cannot carry.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// The report with the CLI's default `--fail-on error`.
pub fn render(report: &Report) -> String {
    render_at(report, Some(Severity::Error))
}

/// One line per finding, as the concise format writes it.
fn lines(report: &Report, path: &str, rule: &str, findings: &[&Finding]) -> String {
    let mut body = String::new();
    for f in findings {
        let (_, start, _) = super::position(&report.sources, f.diagnostic.primary.span);
        let _ = writeln!(
            body,
            "{path}:{}:{}: {}[{rule}] {}",
            start.line, start.column, f.severity, f.diagnostic.message
        );
    }
    body
}

/// The report where findings at or above `fail` (none with `None`, as `--fail-on never`) fail.
pub fn render_at(report: &Report, fail: Option<Severity>) -> String {
    let mut groups: BTreeMap<(String, &str), Vec<&Finding>> = BTreeMap::new();
    for f in &report.findings {
        let path = report.sources.path(f.diagnostic.primary.span.file).to_owned();
        groups.entry((path, f.diagnostic.rule)).or_default().push(f);
    }
    let fails = |f: &&Finding| fail.is_some_and(|level| f.severity >= level);
    let failures = groups.values().filter(|v| v.iter().any(fails)).count();
    let tests = groups.len().max(1);
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"stacklint\" tests=\"{tests}\" failures=\"{failures}\">"
    );
    let _ = writeln!(
        out,
        "  <testsuite name=\"stacklint\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\">"
    );
    if groups.is_empty() {
        out.push_str("    <testcase name=\"no findings\" classname=\"stacklint\"/>\n");
    }
    for ((path, rule), findings) in &groups {
        let _ = writeln!(
            out,
            "    <testcase name=\"{}\" classname=\"{}\" file=\"{}\">",
            escape(rule),
            escape(path),
            escape(path)
        );
        let (failing, passing): (Vec<&Finding>, Vec<&Finding>) = findings.iter().copied().partition(|f| fails(f));
        if !failing.is_empty() {
            let noun = if failing.len() == 1 { "finding" } else { "findings" };
            let _ = writeln!(
                out,
                "      <failure message=\"{} {noun} of {}\" type=\"{}\">{}</failure>",
                failing.len(),
                escape(rule),
                escape(rule),
                escape(&lines(report, path, rule, &failing))
            );
        }
        if !passing.is_empty() {
            let _ = writeln!(
                out,
                "      <system-out>{}</system-out>",
                escape(&lines(report, path, rule, &passing))
            );
        }
        out.push_str("    </testcase>\n");
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}
