//! The graphical report, rendered by miette over our line-indexed sources.
//!
//! miette's default `SourceCode` for strings rescans the file from byte 0 on every render; ours
//! uses the line-start table, so rendering is proportional to the snippet. One miette report cannot
//! label several files, so labels in other files become related reports, one per file.

use crate::diagnostic::{Label, Severity};
use crate::source::SourceFile;
use crate::{Finding, Report};
use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents, SourceCode, SourceSpan,
    SpanContents,
};
use std::fmt;
use std::sync::Arc;

/// A source file as miette sees it.
#[derive(Debug, Clone)]
struct Source(Arc<SourceFile>);

impl SourceCode for Source {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let f = &self.0;
        let text = f.text.as_bytes();
        let start = span.offset().min(text.len());
        let end = (span.offset() + span.len()).min(text.len()).max(start);
        let first = f.line_index(start).saturating_sub(before);
        let last_of_span = f.line_index(end.saturating_sub(1).max(start));
        let last = (last_of_span + after).min(f.line_count().saturating_sub(1));
        let starts = f.line_starts();
        let data_start = starts.get(first).map_or(0, |&s| s as usize);
        let data_end = starts.get(last + 1).map_or(text.len(), |&s| s as usize);
        let column = if before == 0 {
            f.text.get(data_start..start).map_or(0, |s| s.chars().count())
        } else {
            0
        };
        let data = text.get(data_start..data_end).unwrap_or(&[]);
        Ok(Box::new(MietteSpanContents::new_named(
            f.path.clone(),
            data,
            SourceSpan::from((data_start, data_end - data_start)),
            first,
            column,
            last - first + 1,
        )))
    }
}

/// One file's part of a finding.
#[derive(Debug)]
struct Part {
    message: String,
    code: Option<String>,
    severity: Severity,
    help: Option<String>,
    source: Source,
    labels: Vec<LabeledSpan>,
    related: Vec<Part>,
}

impl fmt::Display for Part {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Part {}

impl miette::Diagnostic for Part {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.code.as_ref().map(|c| Box::new(c) as Box<dyn fmt::Display>)
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }
}

fn labeled(l: &Label, primary: bool) -> LabeledSpan {
    let text = if l.message.is_empty() {
        None
    } else {
        Some(l.message.clone())
    };
    let span = SourceSpan::from((l.span.start as usize, (l.span.end - l.span.start) as usize));
    if primary {
        LabeledSpan::new_primary_with_span(text, span)
    } else {
        LabeledSpan::new_with_span(text, span)
    }
}

/// Files as shown in snippets: secret values masked (see [`super::redact`]), made once per file.
struct Shown<'r> {
    report: &'r Report,
    cache: std::collections::HashMap<crate::source::FileId, Arc<SourceFile>>,
}

impl Shown<'_> {
    fn get(&mut self, id: crate::source::FileId) -> Option<Arc<SourceFile>> {
        if let Some(f) = self.cache.get(&id) {
            return Some(f.clone());
        }
        let f = self.report.sources.get(id)?;
        let shown = match super::redact(&f.text, id, &self.report.secrets) {
            Some(masked) => Arc::new(SourceFile::new(id, f.path.clone(), masked)),
            None => f.clone(),
        };
        self.cache.insert(id, shown.clone());
        Some(shown)
    }
}

fn part(shown: &mut Shown<'_>, f: &Finding) -> Option<Part> {
    let d = &f.diagnostic;
    let file = shown.get(d.primary.span.file)?;
    let mut labels = vec![labeled(&d.primary, true)];
    let mut others: Vec<(crate::source::FileId, Vec<LabeledSpan>)> = Vec::new();
    for l in &d.related {
        if l.span.file == d.primary.span.file {
            labels.push(labeled(l, false));
        } else if let Some((_, ls)) = others.iter_mut().find(|(id, _)| *id == l.span.file) {
            ls.push(labeled(l, false));
        } else {
            others.push((l.span.file, vec![labeled(l, false)]));
        }
    }
    let related = others
        .into_iter()
        .filter_map(|(id, labels)| {
            let src = shown.get(id)?;
            Some(Part {
                message: format!("also involved: {}", src.path),
                code: None,
                severity: Severity::Info,
                help: None,
                source: Source(src),
                labels,
                related: Vec::new(),
            })
        })
        .collect();
    Some(Part {
        message: d.message.clone(),
        code: Some(d.rule.to_owned()),
        severity: f.severity,
        help: d.help.clone(),
        source: Source(file),
        labels,
        related,
    })
}

/// Renders every finding, then a summary line. `color` is false when stdout is not a terminal.
pub fn render(report: &Report, color: bool, width: usize) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_links(false)
        .with_width(width)
        .with_context_lines(1);
    let mut out = String::new();
    let mut shown = Shown {
        report,
        cache: std::collections::HashMap::new(),
    };
    for f in &report.findings {
        if let Some(p) = part(&mut shown, f) {
            // miette would title related reports "Advice:"; render each other file on its own.
            for one in std::iter::once(&p).chain(p.related.iter()) {
                if handler.render_report(&mut out, one).is_err() {
                    out.push_str(&one.message);
                    out.push('\n');
                }
            }
            out.push('\n');
        }
    }
    out.push_str(&report.summary_line());
    out.push('\n');
    out
}
