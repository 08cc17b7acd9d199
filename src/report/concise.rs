//! `path:line:col: severity[rule] message`, one finding per line (for editors and grep).

use crate::Report;
use std::fmt::Write;

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    for f in &report.findings {
        let (path, start, _) = super::position(&report.sources, f.diagnostic.primary.span);
        let _ = writeln!(
            out,
            "{path}:{}:{}: {}[{}] {}",
            start.line, start.column, f.severity, f.diagnostic.rule, f.diagnostic.message
        );
    }
    out
}
