//! The suppress stage: inline ignore comments, Kubernetes ignore annotations, config `ignore`
//! entries and the baseline. Runs after the rules and before sorting (ARCHITECTURE.md).
//!
//! Inline syntax, by rule id only (never `*`, never by message):
//! - `# stacklint-ignore id[, id] -- reason` on the finding's line (trailing comment), or alone on
//!   the line above it; `# stacklint-ignore-file id -- reason` anywhere in the file. `#` counts only
//!   at the start of a line or after whitespace.
//! - Markdown: `<!-- stacklint-ignore id -- reason -->` and `<!-- stacklint-ignore-file id -->`.
//! - Kubernetes: the annotation `stacklint.dev/ignore: "id, id -- reason"` on an object silences
//!   findings whose primary span lies inside that object's YAML document.
//!
//! Comments are read from the sources already in memory; no file is read again. Ignores that
//! silence nothing, and unknown ids, become `unused-suppression` findings.

use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::model::Stack;
use crate::source::{FileId, SourceFile, Span};
use crate::Finding;
use foldhash::{HashMap, HashSet};
use std::path::Path;

/// Where a suppression came from, in SARIF's words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SuppressionKind {
    /// A comment or annotation in the checked file.
    InSource,
    /// A config `ignore` entry.
    External,
}

impl SuppressionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SuppressionKind::InSource => "inSource",
            SuppressionKind::External => "external",
        }
    }
}

/// A finding that an ignore silenced, kept for counting and for audit output (JSON, SARIF).
#[derive(Clone, Debug)]
pub struct Suppressed {
    pub finding: Finding,
    pub kind: SuppressionKind,
    pub reason: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scope {
    /// 0-based first and last line covered.
    Lines(usize, usize),
    File,
    /// Byte range of a Kubernetes object's document.
    Bytes(u32, u32),
}

#[derive(Debug)]
struct Directive {
    file: FileId,
    scope: Scope,
    /// Known rule ids with the span that names them, and whether they silenced something.
    ids: Vec<(String, Span, bool)>,
    reason: Option<String>,
}

impl Directive {
    fn covers(&self, file: FileId, line: usize, offset: u32) -> bool {
        self.file == file
            && match self.scope {
                Scope::Lines(a, b) => (a..=b).contains(&line),
                Scope::File => true,
                Scope::Bytes(s, e) => (s..e).contains(&offset),
            }
    }

    fn rank(&self) -> u8 {
        match self.scope {
            Scope::Lines(..) => 0,
            Scope::Bytes(..) => 1,
            Scope::File => 2,
        }
    }
}

/// What the stage produced: the findings still reported, the silenced ones, and the hygiene
/// findings about the ignores themselves (`unused-suppression`, no fingerprint yet).
#[derive(Debug, Default)]
pub struct Outcome {
    pub kept: Vec<Finding>,
    pub suppressed: Vec<Suppressed>,
    pub problems: Vec<Diagnostic>,
}

const RULE: &str = "unused-suppression";

/// The ids and reason of a directive body `id, id -- reason` starting at byte `base` of the file.
fn parse_body(body: &str, base: usize) -> (Vec<(String, std::ops::Range<usize>)>, Option<String>) {
    let (ids_part, reason) = match body.find("--") {
        Some(i) => (&body[..i], Some(body[i + 2..].trim())),
        None => (body, None),
    };
    let mut ids = Vec::new();
    let mut start = None;
    for (i, c) in ids_part.char_indices().chain(std::iter::once((ids_part.len(), ' '))) {
        let sep = c == ',' || c.is_whitespace();
        match (sep, start) {
            (false, None) => start = Some(i),
            (true, Some(s)) => {
                ids.push((ids_part[s..i].to_owned(), base + s..base + i));
                start = None;
            }
            _ => {}
        }
    }
    let reason = reason.filter(|r| !r.is_empty()).map(str::to_owned);
    (ids, reason)
}

/// A raw directive found in a comment: file-level or not, whole-line or trailing, ids, reason.
struct Raw {
    file_level: bool,
    whole_line: bool,
    ids: Vec<(String, std::ops::Range<usize>)>,
    reason: Option<String>,
    /// The directive text, for problems about the directive as a whole.
    span: std::ops::Range<usize>,
}

/// `stacklint-ignore[-file] …` at the start of `comment` (which starts at byte `base`).
fn directive_in(comment: &str, base: usize) -> Option<(bool, &str, usize)> {
    let lead = comment.len() - comment.trim_start().len();
    let t = &comment[lead..];
    let (file_level, word) = if t.starts_with("stacklint-ignore-file") {
        (true, "stacklint-ignore-file")
    } else if t.starts_with("stacklint-ignore") {
        (false, "stacklint-ignore")
    } else {
        return None;
    };
    let after = &t[word.len()..];
    if !(after.is_empty() || after.starts_with(char::is_whitespace)) {
        return None;
    }
    Some((file_level, after, base + lead + word.len()))
}

fn scan(file: &SourceFile) -> Vec<(usize, Raw)> {
    let markdown = file.path.ends_with(".md") || file.path.ends_with(".markdown");
    let mut out = Vec::new();
    // One pass over the whole text first: almost no file has a directive. Every file of the
    // repository is scanned, so with memchr's vectorised search rather than `str::contains`.
    static DIRECTIVE: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new("stacklint-ignore"));
    if DIRECTIVE.find(file.text.as_bytes()).is_none() {
        return out;
    }
    for line_no in 0..file.line_count() {
        let range = file.line_range(line_no);
        let Some(line) = file.text.get(range.clone()) else {
            continue;
        };
        if !line.contains("stacklint-ignore") {
            continue;
        }
        let found = if markdown {
            line.match_indices("<!--").find_map(|(j, _)| {
                let inner_start = j + 4;
                let inner = &line[inner_start..];
                let inner = inner.split("-->").next().unwrap_or(inner);
                let end = range.start + inner_start + inner.len() + 3;
                directive_in(inner, range.start + inner_start).map(|d| (j, d, end.min(range.end)))
            })
        } else {
            line.match_indices('#').find_map(|(j, _)| {
                let comment_start = j == 0 || line[..j].ends_with(char::is_whitespace);
                if !comment_start {
                    return None;
                }
                directive_in(&line[j + 1..], range.start + j + 1).map(|d| (j, d, range.end))
            })
        };
        if let Some((j, (file_level, body, body_base), end)) = found {
            let (ids, reason) = parse_body(body, body_base);
            out.push((
                line_no,
                Raw {
                    file_level,
                    whole_line: line[..j].trim().is_empty(),
                    ids,
                    reason,
                    span: range.start + j..end,
                },
            ));
        }
    }
    out
}

/// Checks the ids of a directive; bad ones become problems, known ones are kept.
fn known_ids(
    file: FileId,
    raw_ids: Vec<(String, std::ops::Range<usize>)>,
    whole: Span,
    problems: &mut Vec<Diagnostic>,
) -> Vec<(String, Span, bool)> {
    if raw_ids.is_empty() {
        problems.push(
            Diagnostic::new(RULE, whole, "ignore names no rule id")
                .label("blanket ignore")
                .help("name the rule ids to ignore, e.g. `stacklint-ignore port-clash -- reason`")
                .subject("blanket ignore"),
        );
    }
    let mut ids = Vec::new();
    for (id, r) in raw_ids {
        let span = Span::new(file, r.start, r.end);
        if id == "*" {
            problems.push(
                Diagnostic::new(RULE, span, "`*` is not allowed in an inline ignore")
                    .label("wildcard")
                    .help("name the rule ids to ignore")
                    .subject("wildcard ignore"),
            );
        } else if crate::rules::find(&id).is_none() {
            let hint = crate::rules::suggest(&id)
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_default();
            problems.push(
                Diagnostic::new(RULE, span, format!("unknown rule id `{id}` in ignore{hint}"))
                    .label("unknown rule id")
                    .help("run `stacklint rules` for the list of rule ids")
                    .subject(format!("unknown id {id}")),
            );
        } else {
            ids.push((id, span, false));
        }
    }
    ids
}

/// The ignore directives of every file and ignore annotation, with the problems found reading
/// them (unknown rule ids). Needs only the model: worked out beside the rules (see [`apply`]).
pub struct Directives {
    list: Vec<Directive>,
    problems: Vec<Diagnostic>,
}

/// Reads every ignore directive of `stack` (see [`Directives`]).
pub fn directives(stack: &Stack) -> Directives {
    use rayon::prelude::*;
    // Every file's text is scanned: in parallel, then joined in file order (deterministic).
    let per_file: Vec<(Vec<Directive>, Vec<Diagnostic>)> = stack
        .sources
        .files()
        .par_iter()
        .map(|file| {
            let mut found = Vec::new();
            let mut bad = Vec::new();
            for (line, raw) in scan(file) {
                let whole = Span::new(file.id, raw.span.start, raw.span.end);
                let scope = if raw.file_level {
                    Scope::File
                } else if raw.whole_line {
                    Scope::Lines(line, line + 1)
                } else {
                    Scope::Lines(line, line)
                };
                let ids = known_ids(file.id, raw.ids, whole, &mut bad);
                found.push(Directive {
                    file: file.id,
                    scope,
                    ids,
                    reason: raw.reason,
                });
            }
            (found, bad)
        })
        .collect();
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for (found, bad) in per_file {
        out.extend(found);
        problems.extend(bad);
    }
    // Ignore annotations of Kubernetes objects, read with the manifests (their trees may be gone).
    let annotations = stack.yaml.iter().flat_map(|y| &y.ignores);
    for a in annotations {
        let (raw_ids, reason) = parse_body(&a.text, 0);
        // The value may be quoted, so offsets inside it are not source offsets: point at the value.
        let raw_ids = raw_ids.into_iter().map(|(id, _)| (id, a.value.range())).collect();
        let ids = known_ids(a.value.file, raw_ids, a.value, &mut problems);
        out.push(Directive {
            file: a.value.file,
            scope: Scope::Bytes(a.object.start, a.object.end),
            ids,
            reason,
        });
    }
    Directives { list: out, problems }
}

struct ConfigIgnore {
    rule: String,
    set: Option<globset::GlobSet>,
    reason: Option<String>,
    range: std::ops::Range<usize>,
    used: bool,
}

/// Applies inline and config ignores (none with `no_ignore`). `judged(id)`: whether rule `id` ran,
/// so an ignore for it that silenced nothing is really unused (an ignore for a rule that did not
/// run is not judged). `directives`: the repository's (see [`directives`]), `None` under
/// `--no-ignore`. Unused config entries point into the config file, which is added to the
/// sources from the text loaded with the config.
pub fn apply(
    stack: &mut Stack,
    root: &Path,
    cfg: &Config,
    judged: &dyn Fn(&str) -> bool,
    directives: Option<Directives>,
    findings: Vec<Finding>,
) -> Outcome {
    let Some(directives) = directives else {
        return Outcome {
            kept: findings,
            ..Outcome::default()
        };
    };
    let mut problems = directives.problems;
    // Per file, most specific first: a line ignore wins over an object's, which wins over the file's.
    let mut by_file: HashMap<FileId, Vec<Directive>> = HashMap::default();
    for d in directives.list {
        by_file.entry(d.file).or_default().push(d);
    }
    for list in by_file.values_mut() {
        list.sort_by_key(Directive::rank);
    }
    let mut config: Vec<ConfigIgnore> = cfg
        .ignore
        .iter()
        .map(|i| ConfigIgnore {
            rule: i.rule.clone(),
            set: crate::discover::Filters::new(&i.paths, &[])
                .ok()
                .and_then(|f| f.include),
            reason: i.reason.clone(),
            range: i.range.clone(),
            used: false,
        })
        .collect();
    let mut out = Outcome::default();
    for f in findings {
        let span = f.diagnostic.primary.span;
        // The line is worked out only for a file with directives (few have any).
        let inline = by_file.get_mut(&span.file).and_then(|list| {
            let line = stack
                .sources
                .get(span.file)
                .map_or(0, |s| s.line_index(span.start as usize));
            list.iter_mut().find_map(|d| {
                if !d.covers(span.file, line, span.start) {
                    return None;
                }
                let reason = d.reason.clone();
                let id = d.ids.iter_mut().find(|(id, _, _)| id == f.diagnostic.rule)?;
                id.2 = true;
                Some(reason)
            })
        });
        if let Some(reason) = inline {
            out.suppressed.push(Suppressed {
                finding: f,
                kind: SuppressionKind::InSource,
                reason,
            });
            continue;
        }
        let path = stack.sources.path(span.file);
        let external = config.iter_mut().find(|c| {
            (c.rule == "*" || c.rule == f.diagnostic.rule) && c.set.as_ref().is_none_or(|s| s.is_match(path))
        });
        if let Some(c) = external {
            c.used = true;
            let reason = c.reason.clone();
            out.suppressed.push(Suppressed {
                finding: f,
                kind: SuppressionKind::External,
                reason,
            });
            continue;
        }
        out.kept.push(f);
    }
    let mut dirs: Vec<&Directive> = by_file.values().flatten().collect();
    dirs.sort_by_key(|d| (d.file, d.ids.first().map(|i| i.1.start)));
    for d in dirs {
        for (id, span, used) in &d.ids {
            if !used && judged(id) {
                problems.push(
                    Diagnostic::new(RULE, *span, format!("ignore for `{id}` suppressed nothing"))
                        .label(format!("no `{id}` finding here"))
                        .help(format!("remove `{id}` from the ignore"))
                        .subject(format!("unused ignore of {id}")),
                );
            }
        }
    }
    let unused: Vec<&ConfigIgnore> = config
        .iter()
        .filter(|c| !c.used && (c.rule == "*" || judged(&c.rule)))
        .collect();
    if !unused.is_empty() {
        if let (Some(path), Some(text)) = (&cfg.path, &cfg.text) {
            // The config was found by a canonical path; show it relative to the root when inside.
            let abs_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
            let rel = match path.strip_prefix(&abs_root) {
                Ok(_) => crate::discover::relative(&abs_root, path),
                Err(_) => path.display().to_string(),
            };
            let file = match stack.sources.by_path(&rel) {
                Some(f) => f.id,
                None => stack.sources.add(rel, text.clone()),
            };
            for c in unused {
                problems.push(
                    Diagnostic::new(
                        RULE,
                        Span::new(file, c.range.start, c.range.end),
                        format!("config `ignore` entry for `{}` suppressed nothing", c.rule),
                    )
                    .label("unused ignore entry")
                    .help("remove the entry, or fix its `rule` or `paths`")
                    .subject(format!("unused config ignore of {}", c.rule)),
                );
            }
        }
    }
    out.problems = problems;
    out
}

/// Makes fingerprints unique within one list, deterministically: findings come sorted, the first
/// of a repeated fingerprint keeps it, the n-th (n ≥ 2) gets the hash of (fingerprint, n).
pub fn disambiguate<'a>(fingerprints: impl Iterator<Item = &'a mut String>) {
    let mut all: Vec<&mut String> = fingerprints.collect();
    // Repeats are rare: find out without copying every fingerprint first.
    let mut distinct: HashSet<&str> = HashSet::default();
    distinct.reserve(all.len());
    if all.iter().all(|fp| distinct.insert(fp.as_str())) {
        return;
    }
    drop(distinct);
    let mut seen: HashMap<String, usize> = HashMap::default();
    let mut taken: HashSet<String> = HashSet::default();
    for fp in &all {
        taken.insert((*fp).clone());
    }
    for fp in &mut all {
        let n = seen.entry((**fp).clone()).or_insert(0);
        *n += 1;
        if *n > 1 {
            let mut k = *n;
            let mut candidate = crate::diagnostic::fingerprint(&[fp.as_str(), &k.to_string()]);
            while taken.contains(&candidate) {
                k += 1;
                candidate = crate::diagnostic::fingerprint(&[fp.as_str(), &k.to_string()]);
            }
            taken.insert(candidate.clone());
            **fp = candidate;
        }
    }
}

/// Far above the baseline of a broken monorepo (tens of thousands of findings).
const MAX_BASELINE_SIZE: u64 = 256 * 1024 * 1024;

/// Fingerprints recorded by `stacklint baseline`.
pub fn load_baseline(path: &Path) -> Result<HashSet<String>, String> {
    // The baseline is usually committed in the checked repository: it may be a FIFO, a device or a
    // symlink to one, and is read through the same gate as every repository file.
    let text = crate::safe_path::read_text(path, MAX_BASELINE_SIZE)
        .map_err(|e| format!("{}: cannot read baseline: {e}", path.display()))?;
    let v: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: invalid baseline JSON: {e}", path.display()))?;
    let list = v["findings"]
        .as_array()
        .ok_or_else(|| format!("{}: not a stacklint baseline (no `findings` array)", path.display()))?;
    Ok(list
        .iter()
        .filter_map(|f| f["fingerprint"].as_str().map(str::to_owned))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (line, file-level, whole-line, ids, reason)
    type Seen = (usize, bool, bool, Vec<String>, Option<String>);

    fn raws(path: &str, text: &str) -> Vec<Seen> {
        let f = SourceFile::new(FileId(0), path.to_owned(), text.to_owned());
        scan(&f)
            .into_iter()
            .map(|(l, r)| {
                (
                    l,
                    r.file_level,
                    r.whole_line,
                    r.ids.into_iter().map(|(i, _)| i).collect(),
                    r.reason,
                )
            })
            .collect()
    }

    #[test]
    fn hash_comments() {
        let got = raws(
            "docker-compose.yml",
            "a: 1 # stacklint-ignore port-clash, unpinned-image -- legacy\n  # stacklint-ignore-file obsolete-version\nb: x#stacklint-ignore port-clash\nc: '# stacklint-ignored'\n",
        );
        assert_eq!(
            got,
            vec![
                (
                    0,
                    false,
                    false,
                    vec!["port-clash".to_owned(), "unpinned-image".to_owned()],
                    Some("legacy".to_owned())
                ),
                (1, true, true, vec!["obsolete-version".to_owned()], None),
            ]
        );
    }

    #[test]
    fn markdown_comments() {
        let got = raws(
            "README.md",
            "<!-- stacklint-ignore doc-port-drift -- old table -->\n| a | 1 | # stacklint-ignore x\n",
        );
        assert_eq!(
            got,
            vec![(
                0,
                false,
                true,
                vec!["doc-port-drift".to_owned()],
                Some("old table".to_owned())
            )]
        );
    }

    #[test]
    fn disambiguation_is_deterministic_and_unique() {
        let mut fps = vec!["a".to_owned(), "b".to_owned(), "a".to_owned(), "a".to_owned()];
        disambiguate(fps.iter_mut());
        assert_eq!(fps[0], "a");
        assert_eq!(fps[1], "b");
        let set: HashSet<&String> = fps.iter().collect();
        assert_eq!(set.len(), 4);
        let mut again = vec!["a".to_owned(), "b".to_owned(), "a".to_owned(), "a".to_owned()];
        disambiguate(again.iter_mut());
        assert_eq!(fps, again);
        let mut distinct = vec!["a".to_owned(), "b".to_owned(), "c".to_owned()];
        disambiguate(distinct.iter_mut());
        assert_eq!(distinct, ["a", "b", "c"]);
    }
}
