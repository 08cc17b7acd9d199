//! Nothing runs, nothing is written, nothing goes on the network: stacklint reads a repository and
//! reports. A repository whose scripts, Makefile, CI workflow, Dockerfile, systemd unit and Python
//! files would each leave a marker file if anything ran them is checked with every read-only
//! command and format; afterwards the tree is byte for byte what it was and no marker exists. The
//! source is also held to it: no process spawning or sockets anywhere in `src/`, and file writes
//! only in the command-line front end, where each one is behind `--fix`, `--output`,
//! `docs --write`, `init`, `baseline -o` or GitHub's step summary.

mod common;
use common::write;

use std::path::{Path, PathBuf};
use std::process::Command;

/// (relative path, bytes) of every file under `root`, sorted.
fn snapshot(root: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    common::files_under(root)
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).expect("read");
            (p.strip_prefix(root).expect("under root").to_path_buf(), bytes)
        })
        .collect()
}

/// A repository in which every executable thing would create `marker` if it were run.
fn booby_trapped(root: &Path, marker: &Path) {
    let touch = format!("touch {}", marker.display());
    write(
        root,
        "compose.yaml",
        format!(
            "version: \"3.8\"
services:
  api:
    build: ./api
    command: [\"sh\", \"-c\", \"{touch}\"]
    ports: [\"8000:8000\"]
    healthcheck:
      test: [\"CMD-SHELL\", \"{touch}\"]
  worker:
    image: busybox:1.36
    entrypoint: [\"sh\", \"-c\", \"{touch}\"]
"
        ),
    );
    write(
        root,
        "api/Dockerfile",
        format!("FROM python:3.12-slim\nRUN {touch}\nCMD [\"python\", \"main.py\"]\n"),
    );
    write(root, "api/main.py", format!("import os\nos.system(\"{touch}\")\n"));
    write(root, "api/setup.py", format!("import os\nos.system(\"{touch}\")\n"));
    write(
        root,
        "deploy.sh",
        format!("#!/bin/sh\n{touch}\ndocker compose up -d api\n"),
    );
    write(root, "Makefile", format!("up:\n\t{touch}\n\tdocker compose up -d\n"));
    write(
        root,
        ".github/workflows/ci.yml",
        format!("on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: {touch}\n"),
    );
    write(
        root,
        "units/api.service",
        format!("[Service]\nExecStartPre=/bin/sh -c '{touch}'\nExecStart=/usr/bin/api --port 8000\nRestart=always\n"),
    );
    write(
        root,
        "README.md",
        format!(
            "# Stack\n\n```sh\n{touch}\ndocker compose up -d\n```\n\n| service | port |\n|---|---|\n| api | 8000 |\n"
        ),
    );
    write(root, ".env", format!("HOOK=$({touch})\n"));
}

#[test]
fn checking_runs_nothing_and_writes_nothing() {
    let base = common::tempdir("nothing-runs");
    let root = base.join("repo");
    let marker = base.join("PWNED");
    booby_trapped(&root, &marker);
    let before = snapshot(&root);

    let mut runs: Vec<Vec<&str>> = ["human", "concise", "json", "sarif", "github", "junit", "gitlab"]
        .iter()
        .map(|f| vec!["check", ".", "--format", f])
        .collect();
    runs.push(vec!["ports", "."]);
    runs.push(vec!["graph", "."]);
    runs.push(vec!["docs", ".", "--check"]);
    runs.push(vec!["check", ".", "--diff"]);
    for args in &runs {
        let out = Command::new(env!("CARGO_BIN_EXE_stacklint"))
            .args(args)
            .current_dir(&root)
            .env_remove("GITHUB_STEP_SUMMARY")
            .output()
            .expect("run stacklint");
        assert!(
            out.status.code().is_some_and(|c| c <= 1),
            "`stacklint {}` failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    assert!(!marker.exists(), "something in the repository was executed");
    assert!(snapshot(&root) == before, "a read-only command changed the repository");

    // The control: `--fix` is allowed to write (it drops the obsolete `version:`), and the snapshot
    // sees it, so the comparison above is not blind.
    let out = Command::new(env!("CARGO_BIN_EXE_stacklint"))
        .args(["check", ".", "--fix"])
        .current_dir(&root)
        .output()
        .expect("run stacklint --fix");
    assert!(out.status.code().is_some_and(|c| c <= 1));
    assert!(
        snapshot(&root) != before,
        "--fix changed nothing: the snapshot cannot see writes"
    );
    assert!(!marker.exists(), "something in the repository was executed by --fix");
    let _ = std::fs::remove_dir_all(&base);
}

/// Asserts that no `.rs` file under `src/` (but those `allowed`) contains any of `needles`.
fn assert_source_lacks(needles: &[&str], allowed: &[&str], why: &str) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let files: Vec<PathBuf> = common::files_under(&src)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .collect();
    assert!(files.len() > 20, "the source tree was not found");
    for path in files.iter().filter(|p| !allowed.iter().any(|a| p.ends_with(a))) {
        let text = std::fs::read_to_string(path).expect("read source");
        for n in needles {
            assert!(!text.contains(n), "{} uses `{n}`: {why}", path.display());
        }
    }
}

#[test]
fn the_source_spawns_nothing_and_opens_no_socket() {
    assert_source_lacks(
        &[
            "process::Command",
            "Command::new",
            "TcpStream",
            "TcpListener",
            "UdpSocket",
            "ToSocketAddrs",
        ],
        &[],
        "stacklint never runs programs or opens connections",
    );
    // No HTTP or TLS client anywhere in the dependency tree.
    let lock = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.lock")).expect("Cargo.lock");
    for krate in ["reqwest", "hyper", "ureq", "curl", "rustls", "native-tls", "openssl"] {
        assert!(
            !lock.contains(&format!("name = \"{krate}\"")),
            "Cargo.lock holds the network crate `{krate}`"
        );
    }
}

#[test]
fn files_are_written_only_by_the_command_line_front_end() {
    assert_source_lacks(
        &[
            "fs::write",
            "File::create",
            "OpenOptions",
            "create_dir",
            "remove_file",
            "fs::rename",
            "set_permissions",
        ],
        &["cli.rs"],
        "writes belong in src/cli.rs behind an explicit flag",
    );
}
