//! stacklint: statically validates a GitOps repository as a whole.
//!
//! The pipeline: discover → parse (parallel) → [`model::Stack`] → rules (parallel) → suppress →
//! sort → report. See ARCHITECTURE.md.

pub mod activity;
pub mod compose;
pub mod config;
pub mod diagnostic;
pub mod discover;
pub mod docs;
pub mod escape;
pub mod fix;
pub mod graph;
pub mod init;
pub mod k8s;
pub mod model;
pub mod parse;
pub mod ports_map;
pub mod redact;
pub mod report;
pub mod rules;
pub mod safe_path;
pub(crate) mod scripts;
pub mod source;
pub mod suggest;
pub mod suppress;
pub mod systemd;
#[cfg(test)]
mod testing;
pub mod yaml;

use config::{Config, RuleLevel};
use diagnostic::{Diagnostic, Severity};
use rayon::prelude::*;
use source::SourceMap;
use std::path::{Path, PathBuf};

/// What `stacklint check` was asked to do.
#[derive(Clone, Debug, Default)]
pub struct CheckOptions {
    pub paths: Vec<PathBuf>,
    pub config: Option<PathBuf>,
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    pub jobs: Option<usize>,
    /// Disregard inline ignores, Kubernetes ignore annotations and config `ignore` entries (audits).
    pub no_ignore: bool,
    /// Report only findings whose fingerprint is not in this baseline file.
    pub baseline: Option<PathBuf>,
}

/// A usage, config or I/O error: exit code 2 with a one-line reason.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Fatal(pub String);

/// One reported finding, with its final severity and fingerprint.
#[derive(Clone, Debug)]
pub struct Finding {
    /// Boxed: findings are sorted, filtered and moved between lists several times, and a
    /// diagnostic is 240 bytes (a broken monorepo has tens of thousands of findings).
    pub diagnostic: Box<Diagnostic>,
    pub severity: Severity,
    pub fingerprint: String,
}

/// The outcome of a check.
#[derive(Debug, Default)]
pub struct Report {
    /// The checked root: file paths in the report are relative to it.
    pub root: PathBuf,
    /// The compose projects found: name and files in merge order (for `init` and docs); the
    /// files' paths are in `sources`.
    pub projects: Vec<(String, Vec<source::FileId>)>,
    pub sources: SourceMap,
    pub findings: Vec<Finding>,
    pub files_checked: usize,
    /// How many findings inline ignores and config `ignore` entries silenced.
    pub suppressed: usize,
    /// Those findings, sorted like `findings`, with where the ignore came from and its reason.
    pub suppressed_findings: Vec<suppress::Suppressed>,
    /// With `--baseline`: how many findings it hid, and how many of its entries no longer occur.
    pub baseline: Option<BaselineStats>,
    /// Where secret values are written (sorted): renderers that show source text mask them.
    pub secrets: Vec<source::Span>,
}

/// What a `--baseline` did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BaselineStats {
    pub matched: usize,
    pub gone: usize,
}

impl Report {
    pub fn counts(&self) -> (usize, usize, usize) {
        let n = |s| self.findings.iter().filter(|f| f.severity == s).count();
        (n(Severity::Error), n(Severity::Warning), n(Severity::Info))
    }

    pub fn summary_line(&self) -> String {
        let (e, w, i) = self.counts();
        let plural = |n: usize, one: &str, many: &str| {
            if n == 1 {
                format!("{n} {one}")
            } else {
                format!("{n} {many}")
            }
        };
        let mut line = format!(
            "{}, {}, {} in {}",
            plural(e, "error", "errors"),
            plural(w, "warning", "warnings"),
            plural(i, "info", "infos"),
            plural(self.files_checked, "file", "files")
        );
        let mut notes = Vec::new();
        if self.suppressed > 0 {
            notes.push(format!("{} suppressed", self.suppressed));
        }
        if let Some(b) = self.baseline {
            notes.push(format!("{} in baseline", b.matched));
            if b.gone > 0 {
                notes.push(plural(b.gone, "baseline entry gone", "baseline entries gone"));
            }
        }
        if !notes.is_empty() {
            line.push_str(&format!(" ({})", notes.join(", ")));
        }
        line
    }

    /// Whether any finding is at or above `level` (`None`: never fail).
    pub fn fails(&self, level: Option<Severity>) -> bool {
        level.is_some_and(|l| self.findings.iter().any(|f| f.severity >= l))
    }
}

/// With `STACKLINT_TIMINGS` set, prints how long a pipeline phase took to stderr (for
/// `bench/run.sh` and profiling; not a stable interface).
#[doc(hidden)]
pub fn phase_done(name: &str, since: std::time::Instant) {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    if *ON.get_or_init(|| std::env::var_os("STACKLINT_TIMINGS").is_some()) {
        eprintln!(
            "stacklint: timing {name}: {:.1} ms (resident {} MiB, CPU so far {:.1} ms)",
            since.elapsed().as_secs_f64() * 1000.0,
            resident_mib(),
            cpu_ms()
        );
    }
}

/// CPU time used so far by the process's live threads, in ms: the sum of each thread's time on a
/// CPU in `/proc/self/task/*/schedstat` (nanoseconds; `/proc/self/stat` counts in 10 ms ticks,
/// too coarse for a phase). Compared between phases, it shows how well each one uses the cores.
fn cpu_ms() -> f64 {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return 0.0;
    };
    let ns: u64 = tasks
        .flatten()
        .filter_map(|t| std::fs::read_to_string(t.path().join("schedstat")).ok())
        .filter_map(|s| s.split_whitespace().next().and_then(|n| n.parse::<u64>().ok()))
        .sum();
    ns as f64 / 1e6
}

/// The process's resident memory in MiB, from `/proc/self/statm` (0 where there is none).
fn resident_mib() -> u64 {
    let pages = std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1).and_then(|p| p.parse::<u64>().ok()))
        .unwrap_or(0);
    pages * 4096 / (1024 * 1024)
}

/// Resolves the checked root and the config for `opts`.
fn root_and_config(opts: &CheckOptions) -> Result<(PathBuf, Vec<PathBuf>, Config), Fatal> {
    let paths = if opts.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        opts.paths.clone()
    };
    for p in &paths {
        if !p.exists() {
            return Err(Fatal(format!("{}: no such file or directory", p.display())));
        }
    }
    let first = &paths[0];
    let root = if first.is_dir() {
        first.clone()
    } else {
        first.parent().map_or_else(|| PathBuf::from("."), Path::to_path_buf)
    };
    let root = if root.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        root
    };
    let config_path = match &opts.config {
        Some(p) if !p.is_file() => return Err(Fatal(format!("{}: config file not found", p.display()))),
        Some(p) => Some(p.clone()),
        None => config::find(&root).map_err(|e| Fatal(e.0))?,
    };
    let cfg = match config_path {
        Some(p) => config::load(&p).map_err(|e| Fatal(e.0))?,
        None => Config::default(),
    };
    Ok((root, paths, cfg))
}

fn check_rule_ids(ids: &[String], flag: &str) -> Result<(), Fatal> {
    for id in ids {
        if rules::find(id).is_none() {
            let hint = rules::suggest(id)
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_default();
            return Err(Fatal(format!("{flag}: unknown rule id `{id}`{hint}")));
        }
    }
    Ok(())
}

/// The rayon pool for one run: `jobs` threads, or one per core.
fn worker_pool(jobs: Option<usize>) -> Result<rayon::ThreadPool, Fatal> {
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(j) = jobs {
        builder = builder.num_threads(j.max(1));
    }
    builder
        .build()
        .map_err(|e| Fatal(format!("cannot start worker threads: {e}")))
}

/// Makes a finding's texts safe for every format: messages and labels quote names from the
/// repository, which may hold terminal escapes or a newline that would forge another line of a
/// concise or GitHub report.
fn escape_texts(d: &mut Diagnostic) {
    if let std::borrow::Cow::Owned(m) = escape::one_line(&d.message) {
        d.message = m;
    }
    for l in std::iter::once(&mut d.primary).chain(d.related.iter_mut()) {
        if let std::borrow::Cow::Owned(m) = escape::one_line(&l.message) {
            l.message = m;
        }
    }
    if let Some(std::borrow::Cow::Owned(h)) = d.help.as_deref().map(escape::visible) {
        d.help = Some(h);
    }
}

/// Runs the whole pipeline. Deterministic whatever the thread count.
pub fn check(opts: &CheckOptions) -> Result<Report, Fatal> {
    check_rule_ids(&opts.select, "--select")?;
    check_rule_ids(&opts.ignore, "--ignore")?;
    let (root, paths, cfg) = root_and_config(opts)?;
    let pool = worker_pool(opts.jobs)?;
    pool.install(|| run(&root, &paths, &cfg, opts))
}

/// Fuzzing only: builds the model from in-memory files `(relative path, text)` and runs every
/// rule over it, returning the raw diagnostics (parse findings included). Never touches the disk.
#[doc(hidden)]
pub fn check_in_memory(files: &[(String, String)]) -> Vec<Diagnostic> {
    let stack = model::Stack::from_memory(files, &Config::default());
    let mut out = stack.parse_diagnostics.clone();
    for r in rules::RULES {
        r.rule.check(&stack, &mut out);
    }
    out.retain(|d| stack.may_report(d));
    out
}

/// Benchmark only (`stacklint __parse-floor PATH [--streaming]`): discover, read and parse every
/// file as `check` does, in parallel, and stop there (see [`model::stack::parse_only`]). Returns
/// (files, bytes, parse diagnostics).
#[doc(hidden)]
pub fn parse_floor(opts: &CheckOptions, streaming: bool) -> Result<(usize, usize, usize), Fatal> {
    let (root, _paths, cfg) = root_and_config(opts)?;
    let pool = worker_pool(opts.jobs)?;
    let filters = discover::Filters::new(&cfg.include, &cfg.exclude).map_err(Fatal)?;
    pool.install(|| {
        let files = discover::walk(&root, &filters).files;
        Ok(model::stack::parse_only(&files, &cfg, streaming))
    })
}

/// Discovers the files under `paths` (relative to `root`) and builds the model, without running
/// rules: what `check`, `docs` and `ports` all start from.
fn build_stack(root: &Path, paths: &[PathBuf], cfg: &Config) -> Result<model::Stack, Fatal> {
    let filters = discover::Filters::new(&cfg.include, &cfg.exclude).map_err(Fatal)?;
    let mut found = Vec::new();
    let mut walk_errors = Vec::new();
    for p in paths {
        if p.is_dir() {
            let t = std::time::Instant::now();
            let w = discover::walk(p, &filters);
            phase_done("discover", t);
            let prefix = discover::relative(root, p);
            for mut f in w.files {
                if !prefix.is_empty() && p != root {
                    f.rel = format!("{prefix}/{}", f.rel);
                }
                found.push(f);
            }
            walk_errors.extend(w.errors);
        } else {
            let rel = discover::relative(root, p);
            if let Some(kind) = discover::classify(&rel) {
                found.push(discover::Found {
                    rel,
                    path: p.clone(),
                    kind,
                });
            }
        }
    }
    found.sort_by(|a, b| a.rel.cmp(&b.rel));
    found.dedup_by(|a, b| a.rel == b.rel);
    for (path, err) in &walk_errors {
        let path = if path.is_empty() { "." } else { path.as_str() };
        eprintln!(
            "stacklint: skipped {}: {}",
            escape::one_line(path),
            escape::one_line(err)
        );
    }
    Ok(model::Stack::build(root, &found, cfg))
}

/// The checked root and the built model for `opts.paths` (no rules run), with the config.
pub fn load_stack(opts: &CheckOptions) -> Result<(PathBuf, Config, model::Stack), Fatal> {
    let (root, paths, cfg) = root_and_config(opts)?;
    let stack = build_stack(&root, &paths, &cfg)?;
    Ok((root, cfg, stack))
}

fn run(root: &Path, paths: &[PathBuf], cfg: &Config, opts: &CheckOptions) -> Result<Report, Fatal> {
    let t = std::time::Instant::now();
    let mut stack = build_stack(root, paths, cfg)?;
    phase_done("discover and parse", t);
    let t = std::time::Instant::now();
    let files_checked = stack.sources.len();
    let allowed =
        |r: &&rules::RuleEntry| !opts.ignore.iter().any(|s| s == r.id) && cfg.rules.get(r.id) != Some(&RuleLevel::Off);
    let selected = |id: &str| opts.select.is_empty() || opts.select.iter().any(|s| s == id);
    // Judging ignores needs the rules they name to run: `--select unused-suppression` runs them all
    // and reports only its own findings.
    let judge_all = opts.select.iter().any(|s| s == suppress_rule());
    let ran: Vec<&rules::RuleEntry> = rules::RULES
        .iter()
        .filter(allowed)
        .filter(|r| judge_all || selected(r.id))
        .collect();
    // Per rule that runs: the severity the config sets, else its default. Looked up once per
    // finding by id (a monorepo with many findings compared every id with every rule's, twice).
    let levels: foldhash::HashMap<&str, (Option<Severity>, Severity)> = ran
        .iter()
        .map(|r| {
            let configured = match cfg.rules.get(r.id) {
                Some(RuleLevel::On(s)) => Some(*s),
                _ => None,
            };
            (
                r.id,
                (
                    configured,
                    rules::meta_of(r.id).map_or(Severity::Warning, |m| m.severity),
                ),
            )
        })
        .collect();
    let severity_of = |d: &Diagnostic| -> Option<Severity> {
        let (configured, default) = levels.get(d.rule)?;
        Some(configured.unwrap_or_else(|| d.severity.unwrap_or(*default)))
    };
    let to_finding = |d: Diagnostic, sources: &SourceMap| -> Option<Finding> {
        let severity = severity_of(&d)?;
        let path = sources.path(d.primary.span.file);
        let fingerprint = diagnostic::fingerprint(&[d.rule, path, &d.subject]);
        Some(Finding {
            diagnostic: Box::new(d),
            severity,
            fingerprint,
        })
    };
    // Findings are made (severity, fingerprint) on the rule threads. The spans of secret values
    // (masked in every output) and the ignore directives are collected beside the rules.
    // Heavy rules start first and each rule is a task of its own (`with_max_len(1)`), so a thread
    // that runs out of rules takes the next one rather than waiting; the findings are then put
    // back in `ran`'s order.
    let (mut findings, (secrets, directives)): (Vec<Finding>, _) = rayon::join(
        || {
            let mut by_rule: Vec<(usize, Vec<Finding>)> = rules::start_order(&ran)
                .into_par_iter()
                .with_max_len(1)
                .filter_map(|i| ran.get(i).map(|r| (i, r)))
                .map(|(i, r)| {
                    let t = std::time::Instant::now();
                    let mut out = Vec::new();
                    r.rule.check(&stack, &mut out);
                    phase_done(&format!("rule {}", r.id), t);
                    (
                        i,
                        without_repeats(out)
                            .filter(|d| stack.may_report(d))
                            .filter_map(|d| to_finding(d, &stack.sources))
                            .collect(),
                    )
                })
                .collect();
            by_rule.sort_unstable_by_key(|(i, _)| *i);
            by_rule.into_iter().flat_map(|(_, f)| f).collect()
        },
        || {
            rayon::join(
                || stack.secret_spans(),
                || (!opts.no_ignore).then(|| suppress::directives(&stack)),
            )
        },
    );
    phase_done("rules", t);
    let t = std::time::Instant::now();
    // Taken, not copied: nothing reads them after this (a broken monorepo has tens of thousands).
    let parse_diagnostics = std::mem::take(&mut stack.parse_diagnostics);
    let parse_diagnostics: Vec<Diagnostic> = without_repeats(parse_diagnostics)
        .filter(|d| stack.may_report(d))
        .collect();
    findings.par_extend(
        parse_diagnostics
            .into_par_iter()
            .filter_map(|d| to_finding(d, &stack.sources)),
    );
    let findings = sorted_findings(findings, &stack.sources);
    let judged = |id: &str| ran.iter().any(|r| r.id == id);
    let outcome = suppress::apply(&mut stack, root, cfg, &judged, directives, findings);
    let reported = |f: &Finding| selected(f.diagnostic.rule);
    let mut findings: Vec<Finding> = outcome.kept.into_iter().filter(reported).collect();
    let problems = outcome
        .problems
        .into_iter()
        .filter_map(|d| to_finding(d, &stack.sources))
        .collect();
    findings.extend(sorted_findings(problems, &stack.sources).into_iter().filter(reported));
    sort_findings(&mut findings, &stack.sources);
    suppress::disambiguate(findings.iter_mut().map(|f| &mut f.fingerprint));
    let mut suppressed: Vec<suppress::Suppressed> = outcome
        .suppressed
        .into_iter()
        .filter(|s| reported(&s.finding))
        .collect();
    sort_by_report_order(&mut suppressed, &stack.sources, |s| &s.finding);
    suppress::disambiguate(suppressed.iter_mut().map(|s| &mut s.finding.fingerprint));
    let baseline = match &opts.baseline {
        None => None,
        Some(path) => {
            let known = suppress::load_baseline(path).map_err(Fatal)?;
            let before = findings.len();
            let mut seen = foldhash::HashSet::default();
            findings.retain(|f| {
                if known.contains(&f.fingerprint) {
                    seen.insert(f.fingerprint.clone());
                    false
                } else {
                    true
                }
            });
            Some(BaselineStats {
                matched: before - findings.len(),
                gone: known.len() - seen.len(),
            })
        }
    };
    let mut findings = within_budget(findings, &stack.sources);
    let projects = stack
        .projects
        .iter()
        .map(|p| (p.name.clone(), p.files.clone()))
        .collect();
    phase_done("suppress and sort", t);
    let sources = std::mem::take(&mut stack.sources);
    drop_in_background(stack);
    for d in findings
        .iter_mut()
        .map(|f| &mut f.diagnostic)
        .chain(suppressed.iter_mut().map(|s| &mut s.finding.diagnostic))
    {
        escape_texts(d);
    }
    Ok(Report {
        secrets,
        root: root.to_path_buf(),
        projects,
        sources,
        findings,
        files_checked,
        suppressed: suppressed.len(),
        suppressed_findings: suppressed,
        baseline,
    })
}

/// Frees a large value (the parsed model: every YAML tree of the repository) on another thread, so
/// that the caller returns at once. The command-line tool prints its report and exits meanwhile,
/// and the operating system reclaims the memory without the walk through every tree (about a tenth
/// of a check's instructions on a monorepo). Falls back to dropping here if no thread can start.
pub(crate) fn drop_in_background<T: Send + 'static>(value: T) {
    let _ = std::thread::Builder::new()
        .name("stacklint-free".to_owned())
        .spawn(move || drop(value));
}

fn suppress_rule() -> &'static str {
    "unused-suppression"
}

/// Diagnostics without repeats ([`repeat_key`]), each first one kept. A rule that
/// checks every compose project meets a base file once per project it is in, so on a stack with
/// dev and prod overlays most findings come twice (as do the schema errors of a base file).
/// Dropped before they become findings (on the rule's thread, while its diagnostics are fresh in
/// the cache), they cost no fingerprint and no place in the sort; [`sorted_findings`] drops the
/// same repeats and would keep the same first ones.
fn without_repeats(out: Vec<Diagnostic>) -> impl Iterator<Item = Diagnostic> {
    let keep: Vec<bool> = {
        let mut seen: foldhash::HashSet<RepeatKey> = foldhash::HashSet::default();
        seen.reserve(out.len());
        out.iter().map(|d| seen.insert(repeat_key(d))).collect()
    };
    out.into_iter().zip(keep).filter_map(|(d, keep)| keep.then_some(d))
}

/// What makes two diagnostics one finding reported twice: the same rule, span and message.
type RepeatKey<'d> = (&'d str, source::Span, &'d str);

fn repeat_key(d: &Diagnostic) -> RepeatKey<'_> {
    (d.rule, d.primary.span, d.message.as_str())
}

/// `findings` in the report order, without repeats ([`repeat_key`]).
fn sorted_findings(mut findings: Vec<Finding>, sources: &SourceMap) -> Vec<Finding> {
    sort_findings(&mut findings, sources);
    findings.dedup_by(|a, b| repeat_key(&a.diagnostic) == repeat_key(&b.diagnostic));
    findings
}

/// The report order: (file path, position, rule, message); identical whatever the thread count.
/// Paths are compared once per file that has findings, not once per comparison of two findings
/// (a broken monorepo has tens of thousands of findings sharing a few long path prefixes), and
/// each item's key is read once: items are ordered through a list of (key, index) and then moved
/// once each, rather than swapped about while their keys are looked up again.
fn sort_by_report_order<T>(items: &mut Vec<T>, sources: &SourceMap, finding: impl Fn(&T) -> &Finding) {
    if items.len() < 2 {
        return;
    }
    let mut files: Vec<source::FileId> = items.iter().map(|i| finding(i).diagnostic.primary.span.file).collect();
    files.sort_unstable();
    files.dedup();
    // A file's rank, by id (ids are dense); files of one path (never two in practice) share one.
    let mut rank: Vec<u32> = vec![u32::MAX; files.last().map_or(0, |f| f.0 as usize + 1)];
    // Discovery adds files in path order, so this is mostly one pass over sorted input.
    files.sort_by(|a, b| sources.path(*a).cmp(sources.path(*b)));
    let (mut distinct, mut previous) = (0u32, None);
    for f in files {
        let path = sources.path(f);
        if previous.is_some_and(|p| p != path) {
            distinct += 1;
        }
        previous = Some(path);
        if let Some(r) = rank.get_mut(f.0 as usize) {
            *r = distinct;
        }
    }
    // (file rank, span start, span end, rule), then the item's index.
    type Key<'r> = (u32, u32, u32, &'r str);
    let mut keyed: Vec<(Key, usize)> = items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let d = &finding(item).diagnostic;
            let s = d.primary.span;
            let r = rank.get(s.file.0 as usize).copied().unwrap_or(u32::MAX);
            ((r, s.start, s.end, d.rule), i)
        })
        .collect();
    // Ties of the key are put in message order, and ties of both keep their order (the index).
    let message = |i: usize| {
        items
            .get(i)
            .map_or("", |item| finding(item).diagnostic.message.as_str())
    };
    keyed.sort_unstable_by(|a, b| {
        a.0.cmp(&b.0)
            .then_with(|| message(a.1).cmp(message(b.1)))
            .then(a.1.cmp(&b.1))
    });
    let order: Vec<usize> = keyed.into_iter().map(|(_, i)| i).collect();
    let mut slots: Vec<Option<T>> = items.drain(..).map(Some).collect();
    items.extend(
        order
            .into_iter()
            .filter_map(|i| slots.get_mut(i).and_then(Option::take)),
    );
}

/// The most findings of one rule shown for one file. A degenerate file (300 services publishing
/// one wide range: tens of thousands of pairs) would otherwise produce megabytes of report that
/// nobody reads; the first ones, in report order, are kept and an info says how many were dropped.
pub const FINDINGS_PER_RULE_AND_FILE: usize = 500;

/// Keeps at most [`FINDINGS_PER_RULE_AND_FILE`] findings per (rule, file), in order, and adds one
/// info finding per cut saying how many of that rule were left out.
fn within_budget(findings: Vec<Finding>, sources: &SourceMap) -> Vec<Finding> {
    let mut count: foldhash::HashMap<(&'static str, source::FileId), usize> = foldhash::HashMap::default();
    for f in &findings {
        *count
            .entry((f.diagnostic.rule, f.diagnostic.primary.span.file))
            .or_default() += 1;
    }
    if count.values().all(|&n| n <= FINDINGS_PER_RULE_AND_FILE) {
        return findings;
    }
    let mut seen: foldhash::HashMap<(&'static str, source::FileId), usize> = foldhash::HashMap::default();
    let mut kept = Vec::with_capacity(findings.len().min(count.len() * (FINDINGS_PER_RULE_AND_FILE + 1)));
    for f in findings {
        let key = (f.diagnostic.rule, f.diagnostic.primary.span.file);
        let n = seen.entry(key).or_default();
        *n += 1;
        if *n <= FINDINGS_PER_RULE_AND_FILE {
            kept.push(f);
        } else if *n == FINDINGS_PER_RULE_AND_FILE + 1 {
            let total = count.get(&key).copied().unwrap_or(*n);
            let dropped = total - FINDINGS_PER_RULE_AND_FILE;
            let d = Diagnostic::new(
                key.0,
                source::Span::file_start(key.1),
                format!(
                    "{dropped} more `{}` findings in this file are not shown (at most {FINDINGS_PER_RULE_AND_FILE} per rule and file)",
                    key.0
                ),
            )
            .severity(Severity::Info)
            .label("findings left out")
            .help("fix the findings shown and run again, or check this rule alone with `--select`")
            .subject(format!("budget {}", key.0));
            let path = sources.path(key.1);
            kept.push(Finding {
                fingerprint: diagnostic::fingerprint(&[d.rule, path, &d.subject]),
                diagnostic: Box::new(d),
                severity: Severity::Info,
            });
        }
    }
    sort_findings(&mut kept, sources);
    kept
}

fn sort_findings(findings: &mut Vec<Finding>, sources: &SourceMap) {
    sort_by_report_order(findings, sources, |f| f);
}

/// Services of the same project that a service's environment reaches by URL or `host:port`.
pub(crate) fn endpoints_host_services(s: &compose::Service, names: &std::collections::BTreeSet<&str>) -> Vec<String> {
    let mut out = Vec::new();
    for e in &s.environment {
        let Some(v) = &e.value else { continue };
        for ep in model::endpoints::endpoints(&v.value) {
            if ep.host != s.name.value && names.contains(ep.host.as_str()) && !out.contains(&ep.host) {
                out.push(ep.host.clone());
            }
        }
    }
    out
}

#[cfg(test)]
mod order_tests {
    use super::*;
    use source::{FileId, Span};

    fn finding(file: u32, start: usize, rule: &'static str, message: &str) -> Finding {
        Finding {
            diagnostic: Box::new(Diagnostic::new(
                rule,
                Span::new(FileId(file), start, start + 1),
                message,
            )),
            severity: Severity::Warning,
            fingerprint: String::new(),
        }
    }

    fn described(findings: &[Finding]) -> Vec<String> {
        findings
            .iter()
            .map(|f| {
                let d = &f.diagnostic;
                format!(
                    "{}:{} {} {}",
                    d.primary.span.file.0, d.primary.span.start, d.rule, d.message
                )
            })
            .collect()
    }

    /// Files added out of path order (ids are not ranks) sort by path, then position, rule and
    /// message; exact repeats keep the first one.
    #[test]
    fn report_order_is_path_position_rule_message() {
        let mut sources = SourceMap::default();
        // Ids 0, 1, 2 for paths b, c, a: the last path is not the highest id.
        for path in ["b.yml", "c.yml", "a.yml"] {
            sources.add(path.to_owned(), "x\n".repeat(10));
        }
        let mut first = finding(2, 4, "r", "same");
        first.fingerprint = "first".to_owned();
        let findings = vec![
            finding(1, 0, "r", "m"),
            finding(0, 6, "r", "m"),
            finding(2, 4, "s", "m"),
            first,
            finding(2, 4, "r", "earlier message"),
            finding(2, 4, "r", "same"),
            finding(0, 2, "r", "m"),
        ];
        let sorted = sorted_findings(findings, &sources);
        assert_eq!(
            described(&sorted),
            [
                "2:4 r earlier message",
                "2:4 r same",
                "2:4 s m",
                "0:2 r m",
                "0:6 r m",
                "1:0 r m"
            ]
        );
        assert_eq!(sorted.get(1).map(|f| f.fingerprint.as_str()), Some("first"));
    }

    /// A rule's repeated diagnostic (same span and message) is dropped, the first one kept; one
    /// that differs in rule, span or message stays.
    #[test]
    fn repeats_are_dropped_first_kept() {
        let span = |start| Span::new(FileId(0), start, start + 1);
        let diagnostics = vec![
            Diagnostic::new("r", span(1), "m").help("first"),
            Diagnostic::new("r", span(1), "m").help("second"),
            Diagnostic::new("r", span(2), "m"),
            Diagnostic::new("r", span(1), "other"),
            Diagnostic::new("s", span(1), "m"),
        ];
        let kept: Vec<(String, Option<String>)> = without_repeats(diagnostics)
            .map(|d| (format!("{} {} {}", d.rule, d.primary.span.start, d.message), d.help))
            .collect();
        assert_eq!(
            kept,
            [
                ("r 1 m".to_owned(), Some("first".to_owned())),
                ("r 2 m".to_owned(), None),
                ("r 1 other".to_owned(), None),
                ("s 1 m".to_owned(), None),
            ]
        );
    }
}
