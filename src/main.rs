//! The `stacklint` binary: parse arguments, call the library, map the exit code.
mod cli;

use clap::Parser;

fn main() -> std::process::ExitCode {
    cli::run(cli::Cli::parse())
}
