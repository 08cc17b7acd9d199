//! JUnit XML: one testsuite, one failing testcase per (rule, file) pair with findings, whose
//! failure element lists them. No findings: one passing testcase, so the suite is never empty.

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

pub fn render(report: &Report) -> String {
    let mut groups: BTreeMap<(String, &str), Vec<&Finding>> = BTreeMap::new();
    for f in &report.findings {
        let path = report.sources.path(f.diagnostic.primary.span.file).to_owned();
        groups.entry((path, f.diagnostic.rule)).or_default().push(f);
    }
    let tests = groups.len().max(1);
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"stacklint\" tests=\"{tests}\" failures=\"{}\">",
        groups.len()
    );
    let _ = writeln!(
        out,
        "  <testsuite name=\"stacklint\" tests=\"{tests}\" failures=\"{}\" errors=\"0\" skipped=\"0\">",
        groups.len()
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
        let noun = if findings.len() == 1 { "finding" } else { "findings" };
        let mut body = String::new();
        for f in findings {
            let (_, start, _) = super::position(&report.sources, f.diagnostic.primary.span);
            let _ = writeln!(
                body,
                "{path}:{}:{}: {}[{rule}] {}",
                start.line, start.column, f.severity, f.diagnostic.message
            );
        }
        let _ = writeln!(
            out,
            "      <failure message=\"{} {noun} of {}\" type=\"{}\">{}</failure>",
            findings.len(),
            escape(rule),
            escape(rule),
            escape(&body)
        );
        out.push_str("    </testcase>\n");
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}
