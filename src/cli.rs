//! The command line: `check`, `rules`, `explain`.

use clap::{Parser, Subcommand, ValueEnum};
use stacklint::diagnostic::Severity;
use stacklint::{report, rules, CheckOptions};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

const EXAMPLES: &str = "Examples:
  stacklint check .                          check the repository in the current folder
  stacklint check infra/ --format concise    one line per finding
  stacklint check . --format json > out.json the stable JSON contract
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

#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    Human,
    Concise,
    Json,
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
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// Config file (default: .stacklint.yaml in the root or a folder above it).
        #[arg(long)]
        config: Option<PathBuf>,
        /// Run only these rules (comma-separated ids).
        #[arg(long, value_delimiter = ',')]
        select: Vec<String>,
        /// Skip these rules (comma-separated ids).
        #[arg(long, value_delimiter = ',')]
        ignore: Vec<String>,
        /// Exit 1 when a finding is at or above this severity.
        #[arg(long, value_enum, default_value_t = FailOn::Error)]
        fail_on: FailOn,
        /// Worker threads (default: one per core). Output is identical whatever the number.
        #[arg(long)]
        jobs: Option<usize>,
        /// Never colour the output (also when NO_COLOR is set or stdout is not a terminal).
        #[arg(long)]
        no_color: bool,
    },
    /// List every rule.
    Rules {
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
    },
    /// Show a rule's documentation.
    Explain {
        /// The rule id, e.g. `port-clash`.
        id: String,
    },
}

pub fn run(cli: Cli) -> ExitCode {
    match cli.command {
        Command::Check {
            paths,
            format,
            config,
            select,
            ignore,
            fail_on,
            jobs,
            no_color,
        } => {
            let opts = CheckOptions {
                paths,
                config,
                select,
                ignore,
                jobs,
            };
            let report = match stacklint::check(&opts) {
                Ok(r) => r,
                Err(e) => {
                    eprintln!("stacklint: {e}");
                    return ExitCode::from(2);
                }
            };
            let color = !no_color && std::env::var_os("NO_COLOR").is_none() && std::io::stdout().is_terminal();
            let text = match format {
                Format::Human => report::human::render(&report, color, 100),
                Format::Concise => report::concise::render(&report),
                Format::Json => report::json::render(&report),
            };
            print!("{text}");
            let level = match fail_on {
                FailOn::Error => Some(Severity::Error),
                FailOn::Warning => Some(Severity::Warning),
                FailOn::Info => Some(Severity::Info),
                FailOn::Never => None,
            };
            if report.fails(level) {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            }
        }
        Command::Rules { format } => {
            let metas: Vec<rules::RuleMeta> = rules::RULES.iter().map(rules::meta).collect();
            match format {
                ListFormat::Table => {
                    for m in &metas {
                        println!("{:<24} {:<9} {:<8} {}", m.id, m.category, m.severity, m.summary);
                    }
                }
                ListFormat::Json => {
                    let list: Vec<serde_json::Value> = metas
                        .iter()
                        .map(|m| serde_json::json!({"id": m.id, "category": m.category, "severity": m.severity, "summary": m.summary, "fix": m.fix}))
                        .collect();
                    println!("{}", serde_json::to_string_pretty(&list).unwrap_or_default());
                }
            }
            ExitCode::SUCCESS
        }
        Command::Explain { id } => match rules::find(&id) {
            Some(entry) => {
                let m = rules::meta(entry);
                println!(
                    "{} ({}, default {})\n\n{}",
                    m.id,
                    m.category,
                    m.severity,
                    rules::page_body(entry.page)
                );
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
