//! The graphical report, rendered by miette over our line-indexed sources.
//!
//! miette's default `SourceCode` for strings rescans the file from byte 0 on every render; ours
//! uses the line-start table, so rendering is proportional to the snippet. One miette report cannot
//! label several files, so labels in other files become related reports, one per file.

use crate::diagnostic::{Label, Severity};
use crate::source::{FileId, SourceFile};
use crate::{Finding, Report};
use foldhash::HashMap;
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

/// A file whose secret values are replaced by `***` (newlines inside a value are kept, so line
/// numbers do not move), with the cuts needed to move label offsets into the masked text.
#[derive(Debug)]
struct Masked {
    source: Arc<SourceFile>,
    /// (start, end) in the original text and the length of the replacement, sorted, disjoint.
    cuts: Vec<(usize, usize, usize)>,
}

impl Masked {
    /// `ranges`: (start, end, elided): a secret becomes `***`, an elided stretch of a long line
    /// `…`; where they overlap the union is elided.
    fn new(file: &SourceFile, mut ranges: Vec<(usize, usize, bool)>) -> Masked {
        ranges.sort_unstable();
        let mut merged: Vec<(usize, usize, bool)> = Vec::new();
        for (s, e, elided) in ranges {
            match merged.last_mut() {
                Some(last) if s <= last.1 => {
                    last.1 = last.1.max(e);
                    last.2 |= elided;
                }
                _ => merged.push((s, e, elided)),
            }
        }
        let text = &file.text;
        let mut out = String::with_capacity(text.len());
        let mut cuts = Vec::new();
        let mut at = 0;
        for (s, e, elided) in merged {
            let s = crate::source::floor_char_boundary(text, s).max(at);
            let e = crate::source::floor_char_boundary(text, e).max(s);
            out.push_str(text.get(at..s).unwrap_or(""));
            let newlines = text.get(s..e).map_or(0, |v| v.matches('\n').count());
            let mark = if elided { "…" } else { "***" };
            let replacement = format!("{mark}{}", "\n".repeat(newlines));
            out.push_str(&replacement);
            cuts.push((s, e, replacement.len()));
            at = e;
        }
        out.push_str(text.get(at..).unwrap_or(""));
        Masked {
            source: Arc::new(SourceFile::new(file.id, file.path.clone(), out)),
            cuts,
        }
    }

    /// An offset of the original text, moved into the masked text.
    fn map(&self, off: usize) -> usize {
        let mut shift: isize = 0;
        for &(s, e, len) in &self.cuts {
            if off >= e {
                shift += len as isize - (e - s) as isize;
            } else if off > s {
                return ((s as isize + shift) as usize) + (off - s).min(len);
            } else {
                break;
            }
        }
        (off as isize + shift).max(0) as usize
    }
}

/// Every redacted range of every finding, applied to every snippet of its file: a secret on a line
/// next to another finding must not show in that finding's context lines either.
#[derive(Debug, Default)]
struct Masks(HashMap<FileId, Masked>);

impl Masks {
    /// The secret ranges of every file a finding shows, by file (computed once per render).
    fn secrets(report: &Report) -> HashMap<FileId, Vec<(usize, usize, bool)>> {
        let mut by_file: HashMap<FileId, Vec<(usize, usize, bool)>> = HashMap::default();
        // Secret values the model knows (whatever rules ran), and those findings asked to hide.
        for r in report
            .secrets
            .iter()
            .chain(report.findings.iter().flat_map(|f| f.diagnostic.redact.iter()))
        {
            {
                by_file
                    .entry(r.file)
                    .or_default()
                    .push((r.start as usize, r.end as usize, false));
            }
        }
        // Secret-looking values (URL passwords, `--token=…`, access-key ids) in every file a
        // finding shows: its context lines may hold them whatever the finding is about.
        let files = report
            .findings
            .iter()
            .flat_map(|f| std::iter::once(&f.diagnostic.primary).chain(f.diagnostic.related.iter()))
            .map(|l| l.span.file)
            .collect::<std::collections::BTreeSet<_>>();
        for id in files {
            if let Some(src) = report.sources.get(id) {
                let ranges = crate::redact::secret_ranges(&src.text);
                if !ranges.is_empty() {
                    by_file
                        .entry(id)
                        .or_default()
                        .extend(ranges.into_iter().map(|r| (r.start, r.end, false)));
                }
            }
        }
        by_file
    }

    /// Masks of the files in `by_file` (ranges as [`Masked::new`] takes them).
    fn new(report: &Report, by_file: HashMap<FileId, Vec<(usize, usize, bool)>>) -> Masks {
        Masks(
            by_file
                .into_iter()
                .filter_map(|(id, ranges)| Some((id, Masked::new(report.sources.get(id)?, ranges))))
                .collect(),
        )
    }

    fn source(&self, report: &Report, id: FileId) -> Option<Arc<SourceFile>> {
        match self.0.get(&id) {
            Some(m) => Some(m.source.clone()),
            None => report.sources.get(id).cloned(),
        }
    }

    fn map(&self, id: FileId, off: u32) -> usize {
        self.0.get(&id).map_or(off as usize, |m| m.map(off as usize))
    }
}

/// Lines longer than this are cut to windows around what the snippet points at: miette copies the
/// whole line into every snippet, so a one-line file of a megabyte made each finding a megabyte.
const LONG_LINE: usize = 400;
/// Bytes kept on each side of a label's start and end on a long line.
const WINDOW: usize = 80;

/// The stretches of long lines that snippets leave out: (file, start, end). Every line a label
/// touches and its context lines are looked at; what lies farther than [`WINDOW`] from every
/// label edge on that line is elided (a context line keeps only its beginning).
fn long_line_elisions(report: &Report, shown: &[&Finding]) -> Vec<(FileId, usize, usize)> {
    // (file, line) -> label edges on that line.
    let mut lines: std::collections::BTreeMap<(FileId, usize), Vec<usize>> = std::collections::BTreeMap::new();
    for l in shown
        .iter()
        .flat_map(|f| std::iter::once(&f.diagnostic.primary).chain(f.diagnostic.related.iter()))
    {
        let Some(src) = report.sources.get(l.span.file) else {
            continue;
        };
        let (first, last) = (
            src.line_index(l.span.start as usize),
            src.line_index(l.span.end as usize),
        );
        for line in first.saturating_sub(1)..=last + 1 {
            let range = src.line_range(line);
            if range.len() <= LONG_LINE || line >= src.line_count() {
                continue;
            }
            let edges = lines.entry((l.span.file, line)).or_default();
            for edge in [l.span.start as usize, l.span.end as usize] {
                if range.contains(&edge) || edge == range.end {
                    edges.push(edge);
                }
            }
        }
    }
    let mut out = Vec::new();
    for ((id, line), mut edges) in lines {
        let Some(src) = report.sources.get(id) else { continue };
        let range = src.line_range(line);
        edges.push(range.start);
        edges.sort_unstable();
        edges.dedup();
        let mut kept_to = range.start;
        for edge in edges {
            let from = edge.saturating_sub(WINDOW).max(range.start);
            if from > kept_to {
                out.push((id, kept_to, from));
            }
            kept_to = kept_to.max((edge + WINDOW).min(range.end));
        }
        if kept_to < range.end {
            out.push((id, kept_to, range.end));
        }
    }
    out
}

fn labeled(l: &Label, primary: bool, masks: &Masks) -> LabeledSpan {
    let text = if l.message.is_empty() {
        None
    } else {
        Some(l.message.clone())
    };
    let start = masks.map(l.span.file, l.span.start);
    let end = masks.map(l.span.file, l.span.end).max(start);
    let span = SourceSpan::from((start, end - start));
    if primary {
        LabeledSpan::new_primary_with_span(text, span)
    } else {
        LabeledSpan::new_with_span(text, span)
    }
}

fn part(report: &Report, f: &Finding, masks: &Masks) -> Option<Part> {
    let d = &f.diagnostic;
    let file = masks.source(report, d.primary.span.file)?;
    let mut labels = vec![labeled(&d.primary, true, masks)];
    let mut others: Vec<(FileId, Vec<LabeledSpan>)> = Vec::new();
    for l in &d.related {
        if l.span.file == d.primary.span.file {
            labels.push(labeled(l, false, masks));
        } else if let Some((_, ls)) = others.iter_mut().find(|(id, _)| *id == l.span.file) {
            ls.push(labeled(l, false, masks));
        } else {
            others.push((l.span.file, vec![labeled(l, false, masks)]));
        }
    }
    let related = others
        .into_iter()
        .filter_map(|(id, labels)| {
            let src = masks.source(report, id)?;
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
    let secrets = Masks::secrets(report);
    let masks = Masks::new(report, secrets.clone());
    let mut out = String::new();
    for f in &report.findings {
        // A finding on a long line gets masks of its own that cut the line around its labels
        // (other findings' windows would keep most of a line that holds hundreds of them).
        let elisions = long_line_elisions(report, &[f]);
        let own = (!elisions.is_empty()).then(|| {
            let mut ranges: HashMap<FileId, Vec<(usize, usize, bool)>> = HashMap::default();
            for (id, s, e) in elisions {
                ranges
                    .entry(id)
                    .or_insert_with(|| secrets.get(&id).cloned().unwrap_or_default())
                    .push((s, e, true));
            }
            Masks::new(report, ranges)
        });
        if let Some(p) = part(report, f, own.as_ref().unwrap_or(&masks)) {
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
    if color {
        out
    } else {
        // Snippets show source lines as they are: escapes a file holds must not reach the terminal.
        crate::escape::visible(&out).into_owned()
    }
}
