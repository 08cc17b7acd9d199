//! The `stacklint` binary: parse arguments, call the library, map the exit code.
mod cli;

/// mimalloc instead of glibc malloc: a check builds and frees millions of small tree nodes, and
/// glibc's allocator spent about a fifth of a check's cycles (malloc, free, consolidation) and most
/// of the system time on a 10x monorepo (docs/performance.md has the figures). Built without
/// transparent huge pages (`no_thp`): zeroing and compacting 2 MiB pages that a short-lived
/// process only partly fills doubled the system time on the 10x benchmark corpus.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cli::main()
}
