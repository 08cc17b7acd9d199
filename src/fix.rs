//! `--fix` and `--diff`: apply the text edits rules attach to their findings. Edits are byte-range
//! replacements in the file as read, so comments and formatting elsewhere stay as they were; an
//! edit overlapping one already taken is left for the next run.

use crate::source::{FileId, SourceMap};
use crate::Report;
use std::collections::BTreeMap;

/// One file's new text.
#[derive(Debug)]
pub struct FileFix {
    pub path: String,
    pub old: String,
    pub new: String,
    /// Titles of the fixes applied, in order.
    pub applied: Vec<String>,
}

/// The new text of every file that has fixable findings (safe fixes, or all with `unsafe_ok`).
pub fn plan(report: &Report, unsafe_ok: bool) -> Vec<FileFix> {
    let mut by_file: BTreeMap<FileId, Vec<(usize, usize, String, String)>> = BTreeMap::new();
    for f in &report.findings {
        let Some(fix) = &f.diagnostic.fix else { continue };
        if !fix.safe && !unsafe_ok {
            continue;
        }
        for e in &fix.edits {
            by_file.entry(e.span.file).or_default().push((
                e.span.start as usize,
                e.span.end as usize,
                e.replacement.clone(),
                fix.title.clone(),
            ));
        }
    }
    by_file
        .into_iter()
        .filter_map(|(id, edits)| apply(&report.sources, id, edits))
        .collect()
}

fn apply(sources: &SourceMap, id: FileId, mut edits: Vec<(usize, usize, String, String)>) -> Option<FileFix> {
    let file = sources.get(id)?;
    edits.sort_by_key(|e| (e.0, e.1));
    edits.dedup_by(|a, b| a.0 == b.0 && a.1 == b.1 && a.2 == b.2);
    let mut new = String::with_capacity(file.text.len());
    let mut at = 0;
    let mut applied = Vec::new();
    for (start, end, replacement, title) in edits {
        if start < at || end > file.text.len() || !file.text.is_char_boundary(start) || !file.text.is_char_boundary(end)
        {
            continue;
        }
        new.push_str(file.text.get(at..start)?);
        new.push_str(&replacement);
        at = end;
        applied.push(title);
    }
    new.push_str(file.text.get(at..)?);
    (new != file.text).then(|| FileFix {
        path: file.path.clone(),
        old: file.text.clone(),
        new,
        applied,
    })
}

/// A unified diff of one file's fix, with up to `CONTEXT` lines of context around each change.
pub fn unified_diff(fix: &FileFix) -> String {
    unified(&fix.path, &fix.old, &fix.new)
}

const CONTEXT: usize = 2;
/// Above this many changed lines (after trimming the common prefix and suffix) the middle is
/// shown as one replacement instead of running a quadratic LCS.
const LCS_LIMIT: usize = 2000;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    Keep,
    Del,
    Add,
}

/// Unified diff of two texts, line by line.
pub fn unified(path: &str, old: &str, new: &str) -> String {
    let a: Vec<&str> = old.split_inclusive('\n').collect();
    let b: Vec<&str> = new.split_inclusive('\n').collect();
    let pre = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let suf = a[pre..]
        .iter()
        .rev()
        .zip(b[pre..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (am, bm) = (&a[pre..a.len() - suf], &b[pre..b.len() - suf]);
    let mut ops: Vec<(Op, &str)> = a[..pre].iter().map(|l| (Op::Keep, *l)).collect();
    if am.len() <= LCS_LIMIT && bm.len() <= LCS_LIMIT {
        // lcs[i][j]: LCS length of am[i..] and bm[j..].
        let mut lcs = vec![vec![0u32; bm.len() + 1]; am.len() + 1];
        for i in (0..am.len()).rev() {
            for j in (0..bm.len()).rev() {
                lcs[i][j] = if am[i] == bm[j] {
                    lcs[i + 1][j + 1] + 1
                } else {
                    lcs[i + 1][j].max(lcs[i][j + 1])
                };
            }
        }
        let (mut i, mut j) = (0, 0);
        while i < am.len() || j < bm.len() {
            if i < am.len() && j < bm.len() && am[i] == bm[j] {
                ops.push((Op::Keep, am[i]));
                i += 1;
                j += 1;
            } else if i < am.len() && (j == bm.len() || lcs[i + 1][j] >= lcs[i][j + 1]) {
                ops.push((Op::Del, am[i]));
                i += 1;
            } else {
                ops.push((Op::Add, bm[j]));
                j += 1;
            }
        }
    } else {
        ops.extend(am.iter().map(|l| (Op::Del, *l)));
        ops.extend(bm.iter().map(|l| (Op::Add, *l)));
    }
    ops.extend(a[a.len() - suf..].iter().map(|l| (Op::Keep, *l)));
    render(path, &ops)
}

fn render(path: &str, ops: &[(Op, &str)]) -> String {
    let mut out = String::new();
    let changed: Vec<usize> = ops
        .iter()
        .enumerate()
        .filter(|(_, (o, _))| *o != Op::Keep)
        .map(|(i, _)| i)
        .collect();
    if changed.is_empty() {
        return out;
    }
    out.push_str(&format!("--- a/{path}\n+++ b/{path}\n"));
    // Group changes whose contexts touch into hunks.
    let mut k = 0;
    while k < changed.len() {
        let start = changed[k].saturating_sub(CONTEXT);
        let mut end = changed[k];
        while k + 1 < changed.len() && changed[k + 1] <= end + 2 * CONTEXT + 1 {
            k += 1;
            end = changed[k];
        }
        let end = (end + CONTEXT + 1).min(ops.len());
        let old_line = 1 + ops[..start].iter().filter(|(o, _)| *o != Op::Add).count();
        let new_line = 1 + ops[..start].iter().filter(|(o, _)| *o != Op::Del).count();
        let old_n = ops[start..end].iter().filter(|(o, _)| *o != Op::Add).count();
        let new_n = ops[start..end].iter().filter(|(o, _)| *o != Op::Del).count();
        out.push_str(&format!("@@ -{old_line},{old_n} +{new_line},{new_n} @@\n"));
        for (op, line) in &ops[start..end] {
            out.push(match op {
                Op::Keep => ' ',
                Op::Del => '-',
                Op::Add => '+',
            });
            // A diff shows whole lines around the change: mask what looks secret in them.
            out.push_str(&crate::redact::redact(line));
            if !line.ends_with('\n') {
                out.push_str("\n\\ No newline at end of file\n");
            }
        }
        k += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::unified;

    #[test]
    fn diff_hunks() {
        let d = unified("f", "a\nb\nc\nd\ne\nf\ng\nh\n", "a\nB\nc\nd\ne\nf\ng\nH\n");
        assert_eq!(
            d,
            "--- a/f\n+++ b/f\n@@ -1,4 +1,4 @@\n a\n-b\n+B\n c\n d\n@@ -6,3 +6,3 @@\n f\n g\n-h\n+H\n"
        );
        assert_eq!(unified("f", "x\n", "x\n"), "");
        let d = unified("f", "v: 1\nkeep\n", "keep\n");
        assert_eq!(d, "--- a/f\n+++ b/f\n@@ -1,2 +1,1 @@\n-v: 1\n keep\n");
    }
}
