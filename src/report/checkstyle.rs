//! Checkstyle XML, which Jenkins' warnings-ng, SonarQube's external issue import and many CI
//! dashboards read: one `file` element per file with findings, one `error` element per finding
//! (`severity` error, warning or info; `source` `stacklint.<rule>`).

use crate::{Finding, Report};
use std::collections::BTreeMap;
use std::fmt::Write;

use super::junit::escape;

pub fn render(report: &Report) -> String {
    let mut files: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in &report.findings {
        files
            .entry(report.sources.path(f.diagnostic.primary.span.file))
            .or_default()
            .push(f);
    }
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<checkstyle version=\"4.3\">\n");
    for (path, findings) in &files {
        let _ = writeln!(out, "  <file name=\"{}\">", escape(path));
        for f in findings {
            let (_, start, _) = super::position(&report.sources, f.diagnostic.primary.span);
            let _ = writeln!(
                out,
                "    <error line=\"{}\" column=\"{}\" severity=\"{}\" message=\"{}\" source=\"stacklint.{}\"/>",
                start.line,
                start.column,
                f.severity,
                escape(&f.diagnostic.message),
                escape(f.diagnostic.rule)
            );
        }
        out.push_str("  </file>\n");
    }
    out.push_str("</checkstyle>\n");
    out
}
