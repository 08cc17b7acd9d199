//! The command line: `check`, `rules`, `explain`.

use clap::{ArgMatches, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use stacklint::diagnostic::Severity;
use stacklint::{report, rules, CheckOptions};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const EXAMPLES: &str = "Examples:
  stacklint check .                          check the repository in the current folder
  stacklint check infra/ --format concise    one line per finding
  stacklint check . --format json > out.json the stable JSON contract
  stacklint check . --format sarif -o stacklint.sarif --format human
                                             SARIF to a file and the human report to stdout
  stacklint check . --format github          annotations for GitHub Actions
  stacklint baseline . -o .stacklint-baseline.json
  stacklint check . --baseline .stacklint-baseline.json
                                             report only findings not in the baseline
  stacklint check . --select port-clash      run one rule
  stacklint check . --fail-on warning        exit 1 on warnings too
  stacklint rules                            list every rule
  stacklint explain port-clash               a rule's documentation";

#[derive(Parser)]
#[command(name = "stacklint", version, about = "Statically validates a GitOps repository as a whole: compose files, Kubernetes manifests, Dockerfiles, .env files and docs, checked against each other.", after_help = EXAMPLES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Graphical report with source snippets
    Human,
    /// One line per finding: path:line:col: severity[rule] message
    Concise,
    /// The stable, versioned JSON contract
    Json,
    /// SARIF 2.1.0 (GitHub code scanning and other SARIF viewers)
    Sarif,
    /// GitHub Actions workflow commands; appends a summary to $GITHUB_STEP_SUMMARY when set
    Github,
    /// JUnit XML, one testcase per (rule, file) with findings
    Junit,
    /// GitLab Code Quality JSON
    Gitlab,
    /// Checkstyle XML (Jenkins warnings-ng, SonarQube external issues)
    Checkstyle,
    /// reviewdog's rdjson (Reviewdog Diagnostic Format)
    Rdjson,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Color {
    /// Colour a terminal, unless NO_COLOR is set or TERM is dumb; FORCE_COLOR or CLICOLOR_FORCE
    /// colour anything
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Info,
    Never,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ListFormat {
    Table,
    Json,
}

#[derive(Subcommand)]
pub enum Command {
    /// Check a repository (default: the current folder).
    #[command(after_help = EXAMPLES)]
    Check {
        /// Folders or files to check; the first folder is the root that paths are shown relative to.
        paths: Vec<PathBuf>,
        /// Output format (default: human). May repeat to write several formats in one run; each
        /// format goes to stdout unless an --output follows it. At most one format may go to stdout.
        #[arg(long, value_enum, action = clap::ArgAction::Append)]
        format: Vec<Format>,
        /// Write the --format given just before this option to FILE instead of stdout. May repeat:
        /// `--format sarif --output stacklint.sarif --format human`.
        #[arg(long, short = 'o', value_name = "FILE", action = clap::ArgAction::Append)]
        output: Vec<PathBuf>,
        /// Config file (default: .stacklint.yaml in the root or a folder above it).
        #[arg(long)]
        config: Option<PathBuf>,
        /// Run only these rules (comma-separated ids).
        #[arg(long, value_delimiter = ',')]
        select: Vec<String>,
        /// Skip these rules (comma-separated ids).
        #[arg(long, value_delimiter = ',')]
        ignore: Vec<String>,
        /// Exit 1 when a finding is at or above this severity (JUnit marks only these as failures).
        #[arg(long, value_enum, default_value_t = FailOn::Error)]
        fail_on: FailOn,
        /// Print nothing on stdout: the exit code tells (files given with --output are still written).
        #[arg(long, short = 'q', conflicts_with = "statistics")]
        quiet: bool,
        /// Instead of the report on stdout, one line per rule: how many findings, and their severity.
        #[arg(long)]
        statistics: bool,
        /// SARIF `automationDetails.id`: the code scanning category that tells apart several
        /// uploads for one commit (one per folder checked, say).
        #[arg(long, value_name = "CATEGORY")]
        sarif_category: Option<String>,
        /// Worker threads (default: one per core). Output is identical whatever the number.
        #[arg(long)]
        jobs: Option<usize>,
        /// When to colour the human report on stdout (files are never coloured).
        #[arg(long, value_enum, default_value_t = Color::Auto, value_name = "WHEN")]
        color: Color,
        /// Same as `--color never`.
        #[arg(long, hide = true)]
        no_color: bool,
        /// Disregard every ignore: inline comments, Kubernetes annotations and config `ignore`
        /// entries (to audit what they hide).
        #[arg(long)]
        no_ignore: bool,
        /// Report only findings whose fingerprint is not in this baseline (see `stacklint baseline`).
        #[arg(long, value_name = "FILE")]
        baseline: Option<PathBuf>,
        /// Apply the safe fixes rules offer (text edits that keep comments and formatting), then
        /// report what is left.
        #[arg(long, conflicts_with = "diff")]
        fix: bool,
        /// Print the fixes as a unified diff instead of writing them (exit 1 if there are any).
        #[arg(long)]
        diff: bool,
        /// With --fix or --diff, also apply fixes marked unsafe.
        #[arg(long)]
        unsafe_fixes: bool,
    },
    /// Keep generated blocks in Markdown true: `<!-- stacklint:ports -->` … `<!-- /stacklint:ports -->`
    /// (the port table) and `<!-- stacklint:services -->` … (services, images, healthchecks).
    Docs {
        /// The repository folder (default: the current folder).
        path: Option<PathBuf>,
        /// Exit 1 and print a unified diff when a block is stale (for CI).
        #[arg(long, conflicts_with = "write", required_unless_present = "write")]
        check: bool,
        /// Rewrite stale blocks in place; nothing outside the markers changes.
        #[arg(long)]
        write: bool,
    },
    /// Write a commented .stacklint.yaml for the repository (projects found, registry files).
    Init {
        /// The repository folder (default: the current folder).
        path: Option<PathBuf>,
        /// Also record the current findings in .stacklint-baseline.json.
        #[arg(long)]
        baseline: bool,
        /// Overwrite an existing .stacklint.yaml.
        #[arg(long)]
        force: bool,
    },
    /// Record the current findings in a baseline file, for `check --baseline`.
    Baseline {
        /// Folders or files to check, as for `check`.
        paths: Vec<PathBuf>,
        /// Where to write the baseline.
        #[arg(long, short = 'o', value_name = "FILE", default_value = ".stacklint-baseline.json")]
        output: PathBuf,
        /// Config file (default: .stacklint.yaml in the root or a folder above it).
        #[arg(long)]
        config: Option<PathBuf>,
        /// Worker threads (default: one per core).
        #[arg(long)]
        jobs: Option<usize>,
    },
    /// List every rule.
    Rules {
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
    },
    /// Print a completion script for a shell: `stacklint completions bash > /etc/bash_completion.d/stacklint`.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Show a rule's documentation.
    Explain {
        /// The rule id, e.g. `port-clash`.
        id: String,
    },
    /// The port map of the repository: who publishes, listens on, exposes, registers, scrapes,
    /// routes to, documents or serves each port (compose, Kubernetes, systemd, registries,
    /// Prometheus, gateways, docs); clashes marked.
    Ports {
        /// The repository folder (default: the current folder).
        path: Option<PathBuf>,
        /// table: aligned columns, `!` marks a clash; json: versioned; markdown: a table for docs.
        #[arg(long, value_parser = ["table", "json", "markdown"], default_value = "table")]
        format: String,
        /// Config file (default: .stacklint.yaml in the root or a folder above it).
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Services and their dependencies (depends_on, links, env URLs, Service → workload) as a
    /// Mermaid or DOT graph; names nothing defines are drawn dashed and red.
    Graph {
        /// The repository folder (default: the current folder).
        path: Option<PathBuf>,
        #[arg(long, value_parser = ["mermaid", "dot"], default_value = "mermaid")]
        format: String,
    },
    /// Benchmark only, unstable: discover, read and parse PATH as `check` does, then stop.
    #[command(name = "__parse-floor", hide = true)]
    ParseFloor {
        path: PathBuf,
        #[arg(long)]
        jobs: Option<usize>,
        /// Drop each file's parsed form as soon as it is built (keep only the texts).
        #[arg(long)]
        streaming: bool,
    },
}

/// Parses the command line (keeping argument positions, which pair each --output with the
/// --format before it) and runs it.
pub fn main() -> ExitCode {
    let matches = Cli::command().get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(c) => c,
        Err(e) => e.exit(),
    };
    let code = run(cli, matches.subcommand_matches("check"));
    match STDOUT.load(std::sync::atomic::Ordering::Relaxed) {
        // The reader went away (`stacklint check | head -1`): end as a Unix filter killed by
        // SIGPIPE reports it (128 + 13), so a caller cannot take a truncated report for a clean
        // one, and without the panic and backtrace of `print!`.
        STDOUT_CLOSED => ExitCode::from(141),
        STDOUT_FAILED => ExitCode::from(2),
        _ => code,
    }
}

/// State of stdout: written so far without error, closed by the reader, or failed otherwise.
static STDOUT: std::sync::atomic::AtomicU8 = std::sync::atomic::AtomicU8::new(STDOUT_OK);
const STDOUT_OK: u8 = 0;
const STDOUT_CLOSED: u8 = 1;
const STDOUT_FAILED: u8 = 2;

/// Writes `text` to stdout. After a closed pipe or a failed write all further output is dropped
/// (see [`main`] for the exit status); any error other than a closed pipe is said on stderr.
fn emit(text: &str) {
    use std::io::Write;
    use std::sync::atomic::Ordering;
    if STDOUT.load(Ordering::Relaxed) != STDOUT_OK {
        return;
    }
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => STDOUT.store(STDOUT_CLOSED, Ordering::Relaxed),
        Err(e) => {
            STDOUT.store(STDOUT_FAILED, Ordering::Relaxed);
            eprintln!("stacklint: cannot write to stdout: {e}");
        }
    }
}

/// Where one format goes.
struct Target {
    format: Format,
    file: Option<PathBuf>,
}

/// Pairs each --output with the --format given just before it. `Err`: a one-line usage error.
fn targets(formats: &[Format], outputs: &[PathBuf], m: Option<&ArgMatches>) -> Result<Vec<Target>, String> {
    let idx = |id: &str| -> Vec<usize> {
        m.and_then(|m| m.indices_of(id))
            .map(Iterator::collect)
            .unwrap_or_default()
    };
    let (fi, oi) = (idx("format"), idx("output"));
    let mut targets: Vec<Target> = formats.iter().map(|&format| Target { format, file: None }).collect();
    if targets.is_empty() {
        targets.push(Target {
            format: Format::Human,
            file: None,
        });
    }
    for (k, out) in outputs.iter().enumerate() {
        let at = oi.get(k).copied().unwrap_or(usize::MAX);
        let Some(j) = fi.iter().rposition(|&f| f < at) else {
            if formats.is_empty() && outputs.len() == 1 {
                // `-o FILE` alone: the default human format to that file.
                targets[0].file = Some(out.clone());
                continue;
            }
            return Err(format!("--output {} must follow the --format it is for", out.display()));
        };
        if targets[j].file.is_some() {
            return Err(format!(
                "--output {}: that --format already has an --output",
                out.display()
            ));
        }
        targets[j].file = Some(out.clone());
    }
    if targets.iter().filter(|t| t.file.is_none()).count() > 1 {
        return Err("more than one --format would go to stdout; give all but one an --output FILE".to_owned());
    }
    Ok(targets)
}

/// What some formats need beyond the report.
struct RenderOptions<'a> {
    /// `--fail-on`: JUnit fails only the testcases with findings at or above it.
    fail: Option<Severity>,
    sarif: report::sarif::Options<'a>,
}

fn render(report: &stacklint::Report, format: Format, color: bool, options: &RenderOptions<'_>) -> String {
    match format {
        Format::Human => report::human::render(report, color, 100),
        Format::Concise => report::concise::render(report),
        Format::Json => report::json::render(report),
        Format::Sarif => report::sarif::render_with(report, &options.sarif),
        Format::Github => report::github::render(report),
        Format::Junit => report::junit::render_at(report, options.fail),
        Format::Gitlab => report::gitlab::render(report),
        Format::Checkstyle => report::checkstyle::render(report),
        Format::Rdjson => report::rdjson::render(report),
    }
}

/// `--statistics`: findings per rule, most first, then by rule id.
fn statistics_table(report: &stacklint::Report) -> String {
    let mut counts: std::collections::BTreeMap<(&str, Severity), usize> = std::collections::BTreeMap::new();
    for f in &report.findings {
        *counts.entry((f.diagnostic.rule, f.severity)).or_default() += 1;
    }
    let mut rows: Vec<_> = counts.into_iter().collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    rows.iter()
        .map(|((rule, severity), n)| format!("{n:>5}  {rule:<26} {severity}\n"))
        .collect()
}

/// Appends the Markdown summary to `$GITHUB_STEP_SUMMARY` (only for `--format github`).
fn write_step_summary(report: &stacklint::Report) {
    let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) else {
        return;
    };
    let text = report::github::step_summary(report);
    let res = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .and_then(|mut f| std::io::Write::write_all(&mut f, text.as_bytes()));
    if let Err(e) = res {
        eprintln!(
            "stacklint: cannot append to GITHUB_STEP_SUMMARY ({}): {e}",
            PathBuf::from(path).display()
        );
    }
}

pub fn run(cli: Cli, check_matches: Option<&ArgMatches>) -> ExitCode {
    match cli.command {
        Command::Check {
            paths,
            format,
            output,
            config,
            select,
            ignore,
            fail_on,
            quiet,
            statistics,
            sarif_category,
            jobs,
            color,
            no_color,
            no_ignore,
            baseline,
            fix,
            diff,
            unsafe_fixes,
        } => {
            let targets = match targets(&format, &output, check_matches) {
                Ok(t) => t,
                Err(e) => {
                    eprintln!("stacklint: {e}");
                    return ExitCode::from(2);
                }
            };
            let opts = CheckOptions {
                paths,
                config,
                select,
                ignore,
                jobs,
                no_ignore,
                baseline,
            };
            let mut report = match run_check(&opts) {
                Ok(r) => r,
                Err(code) => return code,
            };
            if fix || diff {
                let plans = stacklint::fix::plan(&report, unsafe_fixes);
                if diff {
                    for p in &plans {
                        emit(&stacklint::fix::unified_diff(p));
                    }
                    return if plans.is_empty() {
                        ExitCode::SUCCESS
                    } else {
                        ExitCode::from(1)
                    };
                }
                if let Err(e) =
                    write_repository_files(&report.root, plans.iter().map(|p| (p.path.as_str(), p.new.as_str())))
                {
                    eprintln!("stacklint: {e}; no fix applied");
                    return ExitCode::from(2);
                }
                let applied: usize = plans.iter().map(|p| p.applied.len()).sum();
                eprintln!("stacklint: applied {applied} fix(es) in {} file(s)", plans.len());
                report = match run_check(&opts) {
                    Ok(r) => r,
                    Err(code) => return code,
                };
            }
            let color = match (color, no_color) {
                (_, true) | (Color::Never, _) => false,
                (Color::Always, _) => true,
                (Color::Auto, _) => supports_color::on(supports_color::Stream::Stdout).is_some(),
            };
            let level = match fail_on {
                FailOn::Error => Some(Severity::Error),
                FailOn::Warning => Some(Severity::Warning),
                FailOn::Info => Some(Severity::Info),
                FailOn::Never => None,
            };
            let options = RenderOptions {
                fail: level,
                sarif: report::sarif::Options {
                    category: sarif_category.as_deref(),
                },
            };
            let started = std::time::Instant::now();
            for t in &targets {
                match &t.file {
                    Some(path) => {
                        let text = render(&report, t.format, false, &options);
                        if let Err(e) = write_atomic(path, text.as_bytes()) {
                            eprintln!("stacklint: {e}");
                            return ExitCode::from(2);
                        }
                    }
                    None if quiet => {}
                    None if statistics => emit(&statistics_table(&report)),
                    None => emit(&render(&report, t.format, color, &options)),
                }
                if t.format == Format::Github {
                    write_step_summary(&report);
                }
            }
            stacklint::phase_done("render", started);
            if let Some(b) = report.baseline.filter(|b| b.gone > 0) {
                eprintln!(
                    "stacklint: {} no longer {}; refresh the baseline with `stacklint baseline`",
                    if b.gone == 1 {
                        "1 baseline entry".to_owned()
                    } else {
                        format!("{} baseline entries", b.gone)
                    },
                    if b.gone == 1 { "occurs" } else { "occur" }
                );
            }
            let code = if report.fails(level) {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            };
            // The process exits next: the report (it holds every file's text) is left to the
            // operating system instead of being freed piece by piece on the main thread.
            std::mem::forget(report);
            code
        }
        Command::Docs { path, check, write } => {
            let (root, stack) = match load(path, None) {
                Ok(x) => x,
                Err(code) => return code,
            };
            let mut changed: Vec<(String, String, String)> = stacklint::docs::generate::plan(&stack);
            changed.retain(|(_, old, new)| old != new);
            let stale = changed.len();
            if write {
                if let Err(e) =
                    write_repository_files(&root, changed.iter().map(|(rel, _, new)| (rel.as_str(), new.as_str())))
                {
                    eprintln!("stacklint: {e}; no file updated");
                    return ExitCode::from(2);
                }
                for (rel, _, _) in &changed {
                    eprintln!("stacklint: updated {rel}");
                }
            } else {
                for (rel, old, new) in &changed {
                    emit(&stacklint::fix::unified(rel, old, new));
                }
            }
            if check && stale > 0 {
                eprintln!("stacklint: {stale} file(s) have stale generated blocks; run `stacklint docs --write`");
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            }
        }
        Command::Init { path, baseline, force } => {
            let root = path.unwrap_or_else(|| PathBuf::from("."));
            let target = root.join(".stacklint.yaml");
            if target.exists() && !force {
                eprintln!("stacklint: {} exists; use --force to overwrite it", target.display());
                return ExitCode::from(2);
            }
            let opts = CheckOptions {
                paths: vec![root.clone()],
                ..CheckOptions::default()
            };
            let report = match run_check(&opts) {
                Ok(r) => r,
                Err(code) => return code,
            };
            if let Err(e) = write_atomic(&target, stacklint::init::config_text(&report).as_bytes()) {
                eprintln!("stacklint: {e}");
                return ExitCode::from(2);
            }
            eprintln!(
                "stacklint: wrote {} ({} compose projects found)",
                target.display(),
                report.projects.len()
            );
            if baseline {
                return write_baseline(&report, &root.join(".stacklint-baseline.json"));
            }
            ExitCode::SUCCESS
        }
        Command::Baseline {
            paths,
            output,
            config,
            jobs,
        } => {
            let opts = CheckOptions {
                paths,
                config,
                jobs,
                ..CheckOptions::default()
            };
            let report = match run_check(&opts) {
                Ok(r) => r,
                Err(code) => return code,
            };
            write_baseline(&report, &output)
        }
        Command::Rules { format } => {
            let metas: Vec<rules::RuleMeta> = rules::RULES.iter().map(rules::meta).collect();
            match format {
                ListFormat::Table => {
                    for m in &metas {
                        emit(&format!(
                            "{:<24} {:<9} {:<8} {}\n",
                            m.id, m.category, m.severity, m.summary
                        ));
                    }
                }
                ListFormat::Json => {
                    let list: Vec<serde_json::Value> = metas
                        .iter()
                        .map(|m| serde_json::json!({"id": m.id, "category": m.category, "severity": m.severity, "summary": m.summary, "fix": m.fix}))
                        .collect();
                    emit(&format!(
                        "{}\n",
                        serde_json::to_string_pretty(&list).unwrap_or_default()
                    ));
                }
            }
            ExitCode::SUCCESS
        }
        Command::Ports { path, format, config } => match load(path, config) {
            Ok((_, stack)) => {
                let map = stacklint::ports_map::port_map(&stack);
                emit(&match format.as_str() {
                    "json" => stacklint::ports_map::render_json(&map),
                    "markdown" => stacklint::ports_map::render_markdown(&map),
                    _ => stacklint::ports_map::render_table(&map),
                });
                ExitCode::SUCCESS
            }
            Err(code) => code,
        },
        Command::Graph { path, format } => match load(path, None) {
            Ok((_, stack)) => {
                let text = if format == "dot" {
                    stacklint::graph::dot(&stack)
                } else {
                    stacklint::graph::mermaid(&stack)
                };
                emit(&text);
                ExitCode::SUCCESS
            }
            Err(code) => code,
        },
        Command::ParseFloor { path, jobs, streaming } => {
            let opts = CheckOptions {
                paths: vec![path],
                jobs,
                ..CheckOptions::default()
            };
            match stacklint::parse_floor(&opts, streaming) {
                Ok((files, bytes, diags)) => {
                    eprintln!("stacklint: parsed {files} files, {bytes} bytes, {diags} parse diagnostics");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("stacklint: {e}");
                    ExitCode::from(2)
                }
            }
        }
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut Cli::command(), "stacklint", &mut std::io::stdout());
            ExitCode::SUCCESS
        }
        Command::Explain { id } => match rules::find(&id) {
            Some(entry) => {
                let m = rules::meta(entry);
                emit(&format!(
                    "{} ({}, default {})\n\n{}\n",
                    m.id,
                    m.category,
                    m.severity,
                    rules::page_body(entry.page)
                ));
                ExitCode::SUCCESS
            }
            None => {
                let hint = rules::suggest(&id)
                    .map(|s| format!("; did you mean `{s}`?"))
                    .unwrap_or_default();
                eprintln!("stacklint: unknown rule `{id}`{hint}");
                ExitCode::from(2)
            }
        },
    }
}

/// Rewrites repository files (`rel` under `root`, new text): all of them or, on any error, none.
/// A path whose name was not valid Unicode is refused: its shown form names another file.
fn write_repository_files<'a>(
    root: &std::path::Path,
    files: impl Iterator<Item = (&'a str, &'a str)>,
) -> Result<(), String> {
    let mut writes = Vec::new();
    for (rel, text) in files {
        if lossy_path(rel) {
            return Err(format!("{rel}: the file name is not valid UTF-8; refusing to write it"));
        }
        writes.push((root.join(rel), text.as_bytes()));
    }
    write_all_or_none(&writes)
}

/// Writes `report`'s findings as a baseline file and says so on stderr.
fn write_baseline(report: &stacklint::Report, file: &std::path::Path) -> ExitCode {
    if let Err(e) = write_atomic(file, report::baseline::render(report).as_bytes()) {
        eprintln!("stacklint: {e}");
        return ExitCode::from(2);
    }
    eprintln!(
        "stacklint: recorded {} findings in {}",
        report.findings.len(),
        file.display()
    );
    ExitCode::SUCCESS
}

/// The model of the repository at `path` (default: the current folder) for the commands that show
/// the stack rather than check it; a usage or config error is reported and becomes exit code 2.
fn load(path: Option<PathBuf>, config: Option<PathBuf>) -> Result<(PathBuf, stacklint::model::Stack), ExitCode> {
    let opts = CheckOptions {
        paths: path.into_iter().collect(),
        config,
        ..CheckOptions::default()
    };
    stacklint::load_stack(&opts)
        .map(|(root, _, stack)| (root, stack))
        .map_err(|e| {
            eprintln!("stacklint: {e}");
            ExitCode::from(2)
        })
}

/// Runs `stacklint::check`; a usage, config or I/O error is reported and becomes exit code 2.
fn run_check(opts: &CheckOptions) -> Result<stacklint::Report, ExitCode> {
    stacklint::check(opts).map_err(|e| {
        eprintln!("stacklint: {e}");
        ExitCode::from(2)
    })
}

/// A file written to a temporary name beside its target, flushed to disk, waiting to be renamed
/// over the target by [`Pending::commit`]. Dropped without a commit, the temporary file is removed
/// and the target was never touched.
#[derive(Debug)]
struct Pending {
    temp: tempfile::NamedTempFile,
    target: PathBuf,
}

impl Pending {
    /// Writes `bytes` beside `target`. Refused: a target that is a symlink (a committed
    /// `stacklint.sarif -> ~/.bashrc` must not redirect the write) or anything but a regular file,
    /// and a path that is not valid Unicode where it was derived lossily (see `lossy_path`).
    /// An existing target's permissions are kept.
    fn prepare(target: &Path, bytes: &[u8]) -> Result<Pending, String> {
        use std::io::Write;
        let shown = target.display();
        let existing = match std::fs::symlink_metadata(target) {
            Ok(m) if m.file_type().is_symlink() => {
                return Err(format!("{shown} is a symlink; refusing to write through it"))
            }
            Ok(m) if !m.is_file() => return Err(format!("{shown} is not a regular file; refusing to replace it")),
            Ok(m) => Some(m),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(format!("cannot write {shown}: {e}")),
        };
        let dir = match target.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let mut temp = tempfile::Builder::new()
            .prefix(".stacklint-")
            .suffix(".tmp")
            .tempfile_in(dir)
            .map_err(|e| format!("cannot write {shown}: {e}"))?;
        temp.write_all(bytes)
            .and_then(|()| temp.as_file().sync_all())
            .map_err(|e| format!("cannot write {shown}: {e}"))?;
        if let Some(m) = existing {
            std::fs::set_permissions(temp.path(), m.permissions()).map_err(|e| format!("cannot write {shown}: {e}"))?;
        }
        Ok(Pending {
            temp,
            target: target.to_path_buf(),
        })
    }

    /// Renames the temporary file over the target (atomic within one folder) and flushes the
    /// folder, so the new name survives a crash.
    fn commit(self) -> Result<(), String> {
        let Pending { temp, target } = self;
        temp.persist(&target)
            .map_err(|e| format!("cannot write {}: {}", target.display(), e.error))?;
        if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
            // Not every platform can open a folder to flush it; the rename is done either way.
            let _ = std::fs::File::open(dir).and_then(|d| d.sync_all());
        }
        Ok(())
    }
}

/// Writes `bytes` to `target` by a temporary file and a rename (see [`Pending`]).
fn write_atomic(target: &Path, bytes: &[u8]) -> Result<(), String> {
    Pending::prepare(target, bytes)?.commit()
}

/// Writes every file or none: all temporary files are written and flushed first, and only when
/// each succeeded are they renamed into place. A failure before the renames leaves every target
/// as it was.
fn write_all_or_none(files: &[(PathBuf, &[u8])]) -> Result<(), String> {
    let pending = files
        .iter()
        .map(|(path, bytes)| Pending::prepare(path, bytes))
        .collect::<Result<Vec<_>, _>>()?;
    pending.into_iter().try_for_each(Pending::commit)
}

/// Whether a repository path was made from a file name that is not valid Unicode (the walk keeps
/// such names lossily, with U+FFFD): writing to it would hit a different, unrelated file.
fn lossy_path(rel: &str) -> bool {
    rel.contains('\u{fffd}')
}
