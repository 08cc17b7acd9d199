//! Source files and spans.
//!
//! Every position in stacklint is a byte range into one [`SourceFile`]. Line and column are computed
//! only when a diagnostic is rendered, from a table of line starts built once per file, so a rule
//! never pays for positions it does not report.

use std::sync::Arc;

/// Index of a file in the [`SourceMap`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct FileId(pub u32);

/// A byte range in one source file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Span {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(file: FileId, start: usize, end: usize) -> Span {
        let start = clamp_u32(start);
        Span {
            file,
            start,
            end: clamp_u32(end).max(start),
        }
    }

    /// An empty span at the start of a file (used when a finding concerns the file as a whole).
    pub fn file_start(file: FileId) -> Span {
        Span { file, start: 0, end: 0 }
    }

    pub fn range(&self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }

    /// A sub-range of this span, given as offsets relative to its start (clamped to the span).
    pub fn sub(&self, range: std::ops::Range<usize>) -> Span {
        let len = (self.end - self.start) as usize;
        let s = range.start.min(len);
        let e = range.end.min(len).max(s);
        Span::new(self.file, self.start as usize + s, self.start as usize + e)
    }
}

fn clamp_u32(v: usize) -> u32 {
    u32::try_from(v).unwrap_or(u32::MAX)
}

/// One file of the checked repository, read once and shared.
#[derive(Debug)]
pub struct SourceFile {
    pub id: FileId,
    /// Path relative to the checked root, with `/` separators.
    pub path: String,
    pub text: String,
    /// Offsets where lines start, built on the first position question: most files of a
    /// repository never get a finding, and scanning every byte of every file cost a tenth of the
    /// model building on a monorepo.
    line_starts: std::sync::OnceLock<Vec<u32>>,
}

/// A 1-based line and column; the column counts Unicode scalar values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    pub line: usize,
    pub column: usize,
}

impl SourceFile {
    pub fn new(id: FileId, path: String, text: String) -> SourceFile {
        SourceFile {
            id,
            path,
            text,
            line_starts: std::sync::OnceLock::new(),
        }
    }

    fn starts(&self) -> &[u32] {
        // memchr's vectorised search: every file with a finding is indexed (tens of thousands in
        // a broken monorepo).
        self.line_starts.get_or_init(|| {
            std::iter::once(0)
                .chain(memchr::memchr_iter(b'\n', self.text.as_bytes()).map(|i| clamp_u32(i + 1)))
                .collect()
        })
    }

    /// Length of a leading UTF-8 byte order mark, if any.
    pub fn bom_len(&self) -> usize {
        if self.text.starts_with('\u{feff}') {
            3
        } else {
            0
        }
    }

    /// 0-based line index containing `offset`.
    pub fn line_index(&self, offset: usize) -> usize {
        match self.starts().binary_search(&clamp_u32(offset)) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        }
    }

    /// Byte range of a 0-based line, without its line terminator.
    pub fn line_range(&self, line: usize) -> std::ops::Range<usize> {
        let starts = self.starts();
        let start = starts.get(line).copied().unwrap_or(0) as usize;
        let mut end = starts.get(line + 1).map(|&s| s as usize).unwrap_or(self.text.len());
        let bytes = self.text.as_bytes();
        while end > start && matches!(bytes.get(end - 1), Some(b'\n' | b'\r')) {
            end -= 1;
        }
        start..end
    }

    pub fn line_count(&self) -> usize {
        self.starts().len()
    }

    pub fn line_starts(&self) -> &[u32] {
        self.starts()
    }

    /// Line and column (1-based, column in Unicode scalar values, BOM not counted).
    pub fn line_col(&self, offset: usize) -> LineCol {
        let offset = floor_char_boundary(&self.text, offset.min(self.text.len()));
        let line = self.line_index(offset);
        let start = self.starts().get(line).copied().unwrap_or(0) as usize;
        let start = if line == 0 {
            start + self.bom_len().min(offset)
        } else {
            start
        };
        let column = self.text.get(start..offset).map_or(0, |s| s.chars().count()) + 1;
        LineCol { line: line + 1, column }
    }

    /// The text of a span (empty if out of range).
    pub fn slice(&self, span: Span) -> &str {
        self.text.get(span.range()).unwrap_or("")
    }
}

/// Largest char boundary at or below `i`.
pub fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    if i >= s.len() {
        return s.len();
    }
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// All files of one run, indexed by [`FileId`].
#[derive(Debug, Default)]
pub struct SourceMap {
    files: Vec<Arc<SourceFile>>,
    /// Path → the first file added under it: lookups by path are asked once per doc command and
    /// per import, so they must not scan every file.
    by_path: foldhash::HashMap<String, FileId>,
}

impl SourceMap {
    pub fn add(&mut self, path: String, text: String) -> FileId {
        let id = FileId(clamp_u32(self.files.len()));
        self.by_path.entry(path.clone()).or_insert(id);
        self.files.push(Arc::new(SourceFile::new(id, path, text)));
        id
    }

    pub fn get(&self, id: FileId) -> Option<&Arc<SourceFile>> {
        self.files.get(id.0 as usize)
    }

    pub fn path(&self, id: FileId) -> &str {
        self.get(id).map_or("", |f| f.path.as_str())
    }

    pub fn files(&self) -> &[Arc<SourceFile>] {
        &self.files
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    pub fn by_path(&self, path: &str) -> Option<&Arc<SourceFile>> {
        self.by_path.get(path).and_then(|id| self.get(*id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crlf_and_bom_positions() {
        let f = SourceFile::new(FileId(0), "a".into(), "\u{feff}a: 1\r\nbé: 2\r\nc: 3".into());
        assert_eq!(f.line_col(3), LineCol { line: 1, column: 1 });
        let b = f.text.find("bé").unwrap_or(0);
        assert_eq!(f.line_col(b), LineCol { line: 2, column: 1 });
        let two = f.text.find(" 2").unwrap_or(0) + 1;
        assert_eq!(f.line_col(two), LineCol { line: 2, column: 5 });
        let c = f.text.find('c').unwrap_or(0);
        assert_eq!(f.line_col(c), LineCol { line: 3, column: 1 });
        assert_eq!(&f.text[f.line_range(1)], "bé: 2");
    }
}
