//! The `stacklint` binary: parse arguments, call the library, map the exit code.
mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
