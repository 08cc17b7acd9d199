//! Hostile input: each case gives a clear diagnostic (or is skipped) and the run goes on. No case
//! here asserts a speed target (those live in the benchmark); the generous bounds only turn a hang
//! or a quadratic blow-up into a failure instead of a stuck CI job.

use stacklint::{check, CheckOptions, Report};
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod common;
use common::{tempdir, write};

fn run(dir: &Path) -> Report {
    let opts = CheckOptions {
        paths: vec![dir.to_path_buf()],
        jobs: Some(2),
        ..CheckOptions::default()
    };
    check(&opts).unwrap_or_else(|e| panic!("{e}"))
}

/// Checks `dir` with the `select`ed rules; a run over a minute fails (a hang or a blow-up).
fn timed_check(dir: &Path, select: &[&str]) -> Report {
    let started = Instant::now();
    let opts = CheckOptions {
        paths: vec![dir.to_path_buf()],
        select: select.iter().map(|s| (*s).to_owned()).collect(),
        ..CheckOptions::default()
    };
    let r = check(&opts).unwrap_or_else(|e| panic!("{e}"));
    let took = started.elapsed();
    assert!(took < Duration::from_secs(60), "took {took:?}");
    r
}

fn rules(r: &Report) -> Vec<(&str, &str)> {
    r.findings
        .iter()
        .map(|f| (f.diagnostic.rule, f.diagnostic.message.as_str()))
        .collect()
}

#[test]
fn billion_laughs_is_bounded() {
    let dir = tempdir("bomb");
    let mut text = String::from("x-a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..12 {
        let p = i - 1;
        text.push_str(&format!(
            "x-a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    text.push_str("services:\n  web:\n    image: nginx:1.27.2\n");
    write(&dir, "compose.yaml", text.as_bytes());
    let started = Instant::now();
    let r = run(&dir);
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "alias bomb took {:?}",
        started.elapsed()
    );
    assert!(
        rules(&r)
            .iter()
            .any(|(id, m)| *id == "yaml-syntax" && m.contains("alias expansion")),
        "{:?}",
        rules(&r)
    );
}

#[test]
fn deep_nesting_is_a_diagnostic_not_a_stack_overflow() {
    let dir = tempdir("deep");
    write(&dir, "a.yaml", "[".repeat(100_000).as_bytes());
    write(&dir, "b.yaml", "a:\n".to_string().as_bytes());
    let mut block = String::new();
    for i in 0..1_000 {
        block.push_str(&" ".repeat(i));
        block.push_str("k:\n");
    }
    write(&dir, "c.yaml", block.as_bytes());
    let r = run(&dir);
    let found = rules(&r);
    assert!(
        found.iter().any(|(id, m)| *id == "yaml-syntax" && m.contains("nest")),
        "{found:?}"
    );
    assert_eq!(
        found.iter().filter(|(id, _)| *id == "yaml-syntax").count(),
        2,
        "{found:?}"
    );
}

#[test]
fn invalid_utf8_and_nul_bytes() {
    let dir = tempdir("utf8");
    write(&dir, "compose.yaml", b"services:\n  web:\n    image: nginx\xff\xfe\n");
    write(&dir, "docker-compose.yml", b"services:\n  web:\n    image: \0nginx:1\n");
    write(&dir, "Dockerfile", b"FROM \xc3\x28 scratch\n");
    let r = run(&dir);
    let found = rules(&r);
    assert!(
        found
            .iter()
            .any(|(id, m)| *id == "unreadable-file" && m.contains("UTF-8")),
        "{found:?}"
    );
    assert!(
        found.iter().filter(|(id, _)| *id == "unreadable-file").count() >= 2,
        "{found:?}"
    );
}

#[test]
fn oversized_file_is_skipped_with_an_info() {
    let dir = tempdir("big");
    write(&dir, ".stacklint.yaml", b"max_file_size: 1000\n");
    let mut text = String::from("services:\n");
    for i in 0..200 {
        text.push_str(&format!("  s{i}:\n    image: nginx:1.27.2\n"));
    }
    write(&dir, "compose.yaml", text.as_bytes());
    let r = run(&dir);
    let f = r
        .findings
        .iter()
        .find(|f| f.diagnostic.rule == "unreadable-file")
        .unwrap_or_else(|| panic!("{:?}", rules(&r)));
    assert_eq!(f.severity, stacklint::diagnostic::Severity::Info);
    assert!(f.diagnostic.message.contains("limit"));
}

#[cfg(unix)]
#[test]
fn symlinks_loops_fifos_and_unreadable_files() {
    use std::os::unix::fs::{symlink, PermissionsExt};
    let dir = tempdir("links");
    let outside = tempdir("outside");
    write(
        &outside,
        "compose.yaml",
        b"services:\n  secret:\n    image: nginx:latest\n",
    );
    write(&dir, "compose.yaml", b"services:\n  web:\n    image: nginx:1.27.2\n");
    let _ = symlink(&outside, dir.join("escape"));
    let _ = symlink(outside.join("compose.yaml"), dir.join("docker-compose.yml"));
    let _ = symlink(&dir, dir.join("loop"));
    let fifo = dir.join("fifo.yaml");
    let made_fifo = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|s| s.success());
    write(
        &dir,
        "locked/compose.yaml",
        b"services:\n  x:\n    image: nginx:1.27.2\n",
    );
    let locked = dir.join("locked/compose.yaml");
    let _ = std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000));
    let readable_anyway = std::fs::read(&locked).is_ok(); // root ignores permissions
    let r = run(&dir);
    let _ = std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o644));
    let paths: Vec<&str> = r.sources.files().iter().map(|f| f.path.as_str()).collect();
    assert!(
        !paths.iter().any(|p| p.starts_with("escape") || p.starts_with("loop")),
        "{paths:?}"
    );
    assert!(
        !paths.contains(&"docker-compose.yml"),
        "a symlink out of the root is not followed: {paths:?}"
    );
    assert!(!r.findings.iter().any(|f| f.diagnostic.message.contains("secret")));
    if made_fifo {
        assert!(!paths.contains(&"fifo.yaml"), "FIFOs are never opened");
    }
    if !readable_anyway {
        assert!(
            rules(&r)
                .iter()
                .any(|(id, m)| *id == "unreadable-file" && m.contains("cannot read")),
            "{:?}",
            rules(&r)
        );
    }
}

#[test]
fn crlf_and_bom_positions() {
    let dir = tempdir("crlf");
    write(
        &dir,
        "compose.yaml",
        "\u{feff}services:\r\n  é:\r\n    image: nginx:latest\r\n".as_bytes(),
    );
    let r = run(&dir);
    let f = r
        .findings
        .iter()
        .find(|f| f.diagnostic.rule == "unpinned-image")
        .unwrap_or_else(|| panic!("{:?}", rules(&r)));
    let (_, start, end) = stacklint::report::position(&r.sources, f.diagnostic.primary.span);
    assert_eq!((start.line, start.column, end.column), (3, 12, 24));
}

#[test]
fn ten_thousand_services_in_one_file() {
    let dir = tempdir("many");
    let mut text = String::from("services:\n");
    for i in 0..10_000u32 {
        let port = 20_000 + i;
        text.push_str(&format!(
            "  s{i}:\n    image: nginx:1.27.2\n    ports:\n      - \"{port}:80\"\n    depends_on: [s{}]\n",
            i / 2
        ));
    }
    text.push_str("  dup:\n    image: nginx:1.27.2\n    ports:\n      - \"20000:80\"\n");
    write(&dir, "compose.yaml", text.as_bytes());
    let r = timed_check(&dir, &["port-clash", "undefined-service"]);
    assert_eq!(rules(&r).len(), 1, "{:?}", &rules(&r)[..rules(&r).len().min(5)]);
}

/// Writes a CustomResourceDefinition whose schema nests `depth` objects, and a custom resource just
/// as deep with a misspelt field (`laef`) at the bottom.
fn deep_crd(dir: &Path, depth: usize) {
    let mut schema = String::from("type: object\nproperties:\n");
    let mut object = String::new();
    for i in 0..depth {
        let pad = "  ".repeat(2 * i + 1);
        schema.push_str(&format!("{pad}n{i}:\n{pad}  type: object\n{pad}  properties:\n"));
        object.push_str(&format!("{}n{i}:\n", "  ".repeat(i + 1)));
    }
    schema.push_str(&format!("{}leaf: {{type: string}}\n", "  ".repeat(2 * depth + 1)));
    object.push_str(&format!("{}laef: x\n", "  ".repeat(depth + 1)));
    let indent = |text: &str, n: usize| -> String { text.lines().map(|l| format!("{}{l}\n", " ".repeat(n))).collect() };
    let crd = format!(
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: deeps.example.com\nspec:\n  group: example.com\n  names: {{kind: Deep, plural: deeps}}\n  scope: Namespaced\n  versions:\n    - name: v1\n      served: true\n      storage: true\n      schema:\n        openAPIV3Schema:\n{}",
        indent(&format!("type: object\nproperties:\n  spec:\n{}", indent(&schema, 4)), 10)
    );
    write(dir, "crd.yaml", crd.as_bytes());
    let cr = format!("apiVersion: example.com/v1\nkind: Deep\nmetadata:\n  name: d\nspec:\n{object}");
    write(dir, "deep.yaml", cr.as_bytes());
}

/// CRD schemas nested deep (rayon workers have small stacks): compiled and applied without a stack
/// overflow. Within the schema-closing bound (128 levels of schema) the misspelt field is found;
/// deeper, the schema is left open (silent) and the run still completes.
#[test]
fn deeply_nested_crd_schema_and_resource() {
    let dir = tempdir("crd40");
    deep_crd(&dir, 40);
    let found = rules(&run(&dir))
        .into_iter()
        .map(|(id, m)| (id.to_owned(), m.to_owned()))
        .collect::<Vec<_>>();
    assert!(
        found.iter().any(|(id, m)| id == "k8s-schema" && m.contains("laef")),
        "{found:?}"
    );
    let dir = tempdir("crd120");
    deep_crd(&dir, 120);
    let r = run(&dir);
    assert!(!rules(&r).iter().any(|(id, _)| *id == "yaml-syntax"), "{:?}", rules(&r));
}

/// The compose file of `fuzz/fuzz_targets/dotenv.rs`.
const DOTENV_COMPOSE: &str = "services:\n  app:\n    image: ${IMAGE:-nginx}:${TAG}\n    ports: [\"${PORT:-80}:80\"]\n    environment:\n      URL: ${URL?}\n";

/// Every input a fuzz target crashed on (`testdata/fuzz/<target>/`), replayed through the same
/// entry point with the same file names as the target (`fuzz/fuzz_targets/<target>.rs`).
#[test]
fn fuzz_crashes_stay_fixed() {
    let names: &[(&str, &[&str])] = &[
        (
            "k8s",
            &[
                "base/app.yaml",
                "base/kustomization.yaml",
                "overlay/kustomization.yaml",
                "other.yaml",
            ],
        ),
        (
            "compose",
            &[
                "docker-compose.yml",
                "docker-compose.override.yml",
                ".env",
                "Dockerfile",
                "docker-compose.prod.yml",
            ],
        ),
        ("markdown", &["README.md", "compose.yaml", "docs/ops.md"]),
        ("dotenv", &[]),
    ];
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/fuzz");
    let mut replayed = 0;
    for (target, files) in names {
        let Ok(dir) = std::fs::read_dir(root.join(target)) else {
            continue;
        };
        for entry in dir.flatten() {
            let data = std::fs::read(entry.path()).unwrap_or_else(|e| panic!("{e}"));
            let text = String::from_utf8_lossy(&data);
            let inputs: Vec<(String, String)> = if *target == "dotenv" {
                // The dotenv target feeds its whole input as `.env` beside a fixed compose file.
                vec![
                    ("compose.yaml".to_owned(), DOTENV_COMPOSE.to_owned()),
                    (".env".to_owned(), text.into_owned()),
                ]
            } else {
                text.split('\0')
                    .zip(files.iter())
                    .map(|(t, n)| ((*n).to_owned(), t.to_owned()))
                    .collect()
            };
            let _ = stacklint::check_in_memory(&inputs);
            replayed += 1;
        }
    }
    assert!(replayed >= 2, "no regression input found under {}", root.display());
}

/// Runs the binary with `args` (no colour), killing it after `limit`: (exit code, stdout, stderr).
/// A run that had to be killed fails the test, so a hang is a failure and not a stuck job.
fn bin(args: &[&std::ffi::OsStr], limit: Duration) -> (i32, String, String) {
    bin_env(args, limit, &[])
}

/// [`bin`] with extra environment variables.
fn bin_env(args: &[&std::ffi::OsStr], limit: Duration, env: &[(&str, &str)]) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_stacklint"))
        .args(args)
        .envs(env.iter().copied())
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_STEP_SUMMARY")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run stacklint: {e}"));
    let (mut out, mut err) = (child.stdout.take(), child.stderr.take());
    let readers = (
        std::thread::spawn(move || {
            let mut s = Vec::new();
            if let Some(o) = out.as_mut() {
                let _ = o.read_to_end(&mut s);
            }
            s
        }),
        std::thread::spawn(move || {
            let mut s = Vec::new();
            if let Some(e) = err.as_mut() {
                let _ = e.read_to_end(&mut s);
            }
            s
        }),
    );
    let started = Instant::now();
    let status = loop {
        if let Ok(Some(status)) = child.try_wait() {
            break status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("stacklint {args:?} still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let out = readers.0.join().unwrap_or_default();
    let err = readers.1.join().unwrap_or_default();
    (
        status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out).into_owned(),
        String::from_utf8_lossy(&err).into_owned(),
    )
}

/// `stacklint <cmd[0]> <dir> <cmd[1..]>` through [`bin`].
fn subcommand(cmd: &[&str], dir: &Path) -> (i32, String, String) {
    let mut a: Vec<&std::ffi::OsStr> = cmd.iter().take(1).map(std::ffi::OsStr::new).collect();
    a.push(dir.as_os_str());
    a.extend(cmd.iter().skip(1).map(std::ffi::OsStr::new));
    bin(&a, Duration::from_secs(60))
}

/// The arguments of [`bin`] from plain strings and paths.
fn args<'a>(list: &'a [&'a dyn AsRef<std::ffi::OsStr>]) -> Vec<&'a std::ffi::OsStr> {
    list.iter().map(|a| a.as_ref()).collect()
}

/// `n` services on unpinned images, in compose files of 100 services each (within the findings
/// budget of one file): many findings, a long report.
fn many_findings(dir: &Path, n: usize) {
    for f in 0..n.div_ceil(100) {
        let mut text = String::from("services:\n");
        for i in f * 100..n.min(f * 100 + 100) {
            text.push_str(&format!("  s{i}:\n    image: example/s{i}\n"));
        }
        write(dir, &format!("p{f}/compose.yaml"), text.as_bytes());
    }
}

/// `stacklint check … | head -1`: the reader closes the pipe after one line. The process ends
/// quietly (no panic message, no backtrace) with the status of a filter killed by SIGPIPE.
#[test]
fn closed_stdout_ends_quietly() {
    let dir = tempdir("pipe");
    many_findings(&dir, 3_000);
    for format in ["human", "concise", "json"] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_stacklint"))
            .args([std::ffi::OsStr::new("check"), dir.as_os_str()])
            .args(["--format", format])
            .env("NO_COLOR", "1")
            .env("RUST_BACKTRACE", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("{e}"));
        let mut first = [0u8; 1];
        if let Some(out) = child.stdout.as_mut() {
            let _ = out.read(&mut first);
        }
        drop(child.stdout.take());
        let started = Instant::now();
        let out = child.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
        assert!(started.elapsed() < Duration::from_secs(60));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            !err.contains("panicked") && !err.contains("Broken pipe"),
            "{format}: {err}"
        );
        assert_eq!(out.status.code(), Some(141), "{format}: {err}");
    }
    // The same command with a reader that stays gives the verdict.
    let (code, out, _) = bin(
        &args(&[&"check", &dir, &"--format", &"concise"]),
        Duration::from_secs(60),
    );
    assert_eq!(code, 0);
    assert!(out.lines().count() >= 3_000);
}

/// A value no output may ever show: planted in the environment of the child process (what
/// `/proc/self/environ` holds) and in a file outside the checked root.
const PLANTED: &str = "Pl4nted-C1-T0ken-7c1e";

/// Runs the binary as [`bin`] does, with [`PLANTED`] in its environment.
fn bin_with_secret_env(args: &[&std::ffi::OsStr], limit: Duration) -> (i32, String, String) {
    bin_env(args, limit, &[("STACKLINT_TEST_PLANTED_TOKEN", PLANTED)])
}

/// Every modification time and size under `dir`, to prove nothing there changed.
fn snapshot(dir: &Path) -> Vec<(std::path::PathBuf, u64, Option<std::time::SystemTime>)> {
    common::files_under(dir)
        .into_iter()
        .map(|p| {
            let m = std::fs::symlink_metadata(&p).ok();
            let len = m.as_ref().map_or(0, std::fs::Metadata::len);
            let modified = m.and_then(|m| m.modified().ok());
            (p, len, modified)
        })
        .collect()
}

/// `kubernetes.schemas` names the job's environment, a folder outside the root, a path climbing
/// out with `..`, `/proc` itself, and a symlink inside the root that leads out: each entry is
/// refused with a warning at the config entry, nothing out there is read, and the run ends fast.
#[cfg(unix)]
#[test]
fn schema_paths_outside_the_root_are_refused() {
    let outside = tempdir("schema-outside");
    write(
        &outside,
        "secret.json",
        format!("{{\"token\": \"{PLANTED}\"\n").as_bytes(),
    );
    let dir = tempdir("schema-gate");
    let climb = format!(
        "../{}/secret.json",
        outside.file_name().and_then(|n| n.to_str()).unwrap_or("")
    );
    let _ = std::os::unix::fs::symlink(outside.join("secret.json"), dir.join("linked.json"));
    let _ = std::os::unix::fs::symlink("/proc/self/environ", dir.join("environ.json"));
    write(
        &dir,
        ".stacklint.yaml",
        format!(
            "kubernetes:\n  schemas:\n    - /proc/self/environ\n    - ../../../../../../../proc/self/environ\n    - {}\n    - {climb}\n    - /proc\n    - linked.json\n    - environ.json\n",
            outside.display()
        )
        .as_bytes(),
    );
    write(
        &dir,
        "k8s/app.yaml",
        b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: v\n",
    );
    let before = snapshot(&outside);
    for format in ["human", "concise", "json", "sarif"] {
        let (code, out, err) =
            bin_with_secret_env(&args(&[&"check", &dir, &"--format", &format]), Duration::from_secs(30));
        assert!(code == 0 || code == 1, "{format}: exit {code}: {err}");
        assert!(
            !out.contains(PLANTED) && !err.contains(PLANTED),
            "{format} shows the planted secret"
        );
        assert!(
            !out.contains("PATH=") && !out.contains("HOME="),
            "{format} shows the environment:\n{out}"
        );
        if format == "concise" {
            assert!(out.matches("is refused").count() >= 7, "{out}");
        }
    }
    assert_eq!(before, snapshot(&outside));
}

/// Config lookup stops at the repository root: a `.stacklint.yaml` in a folder above it (a shared
/// `/tmp`) is not read; inside a git repository, the folder holding `.git` is that root.
#[test]
fn config_above_the_repository_root_is_not_read() {
    let top = tempdir("config-above");
    write(&top, ".stacklint.yaml", b"rules:\n  unpinned-image: off\n");
    write(
        &top,
        "repo/compose.yaml",
        b"services:\n  web:\n    image: example/web\n",
    );
    let repo = top.join("repo");
    let (_, out, err) = bin(
        &args(&[&"check", &repo, &"--format", &"concise"]),
        Duration::from_secs(30),
    );
    assert!(
        out.contains("unpinned-image"),
        "the config above the root was read:\n{out}{err}"
    );
    // With `.git` at the top, the top is the repository root and its config applies.
    std::fs::create_dir_all(top.join(".git")).unwrap_or_else(|e| panic!("{e}"));
    let (_, out, _) = bin(
        &args(&[&"check", &repo, &"--format", &"concise"]),
        Duration::from_secs(30),
    );
    assert!(!out.contains("unpinned-image"), "{out}");
}

/// A committed `.stacklint.yaml` that is a symlink out of the repository (to a file holding a
/// secret, to the job's environment) is refused: exit 2 with one line, nothing of the target shown.
#[cfg(unix)]
#[test]
fn config_symlink_out_of_the_repository_is_refused() {
    let outside = tempdir("config-link-outside");
    write(&outside, "secret.yaml", format!("{PLANTED}: [\n").as_bytes());
    for (name, target) in [
        ("file", outside.join("secret.yaml")),
        ("environ", std::path::PathBuf::from("/proc/self/environ")),
    ] {
        let dir = tempdir(&format!("config-link-{name}"));
        let _ = std::os::unix::fs::symlink(&target, dir.join(".stacklint.yaml"));
        write(&dir, "compose.yaml", b"services:\n  web:\n    image: nginx:1.27.2\n");
        let (code, out, err) = bin_with_secret_env(&args(&[&"check", &dir]), Duration::from_secs(30));
        assert_eq!(code, 2, "{name}: {out}{err}");
        assert!(
            err.contains("refused") || err.contains("cannot read config"),
            "{name}: {err}"
        );
        assert!(!out.contains(PLANTED) && !err.contains(PLANTED), "{name}: {out}{err}");
        assert!(!err.contains("PATH="), "{name}: {err}");
    }
}

/// `--baseline` naming a FIFO, a device or a symlink to one ends at once with exit 2 (it used to
/// block forever on the FIFO and read `/dev/zero` until memory ran out).
#[cfg(unix)]
#[test]
fn baseline_special_files_are_refused_before_open() {
    let dir = tempdir("baseline-special");
    write(&dir, "compose.yaml", b"services:\n  web:\n    image: nginx:1.27.2\n");
    let fifo = dir.join("fifo.json");
    let made_fifo = Command::new("mkfifo").arg(&fifo).status().is_ok_and(|s| s.success());
    let _ = std::os::unix::fs::symlink("/dev/zero", dir.join(".stacklint-baseline.json"));
    let mut cases: Vec<std::path::PathBuf> = vec![
        "/dev/zero".into(),
        "/dev/urandom".into(),
        "/proc/self/environ".into(),
        dir.join(".stacklint-baseline.json"),
    ];
    if made_fifo {
        cases.push(fifo);
    }
    for case in &cases {
        let (code, out, err) =
            bin_with_secret_env(&args(&[&"check", &dir, &"--baseline", case]), Duration::from_secs(20));
        assert_eq!(code, 2, "{}: {out}{err}", case.display());
        assert!(err.contains("not a regular file"), "{}: {err}", case.display());
        assert!(!err.contains(PLANTED), "{err}");
    }
}

/// `check -o FILE` and `baseline -o FILE` where a pull request committed FILE as a symlink to a
/// file outside the checkout: refused with exit 2, the target untouched, nothing created.
#[cfg(unix)]
#[test]
fn outputs_never_write_through_a_symlink() {
    let outside = tempdir("write-outside");
    write(&outside, "bashrc", b"# the runner's shell startup\n");
    let dir = tempdir("write-symlink");
    write(&dir, "compose.yaml", b"services:\n  web:\n    image: example/web\n");
    let _ = std::os::unix::fs::symlink(outside.join("bashrc"), dir.join("stacklint.sarif"));
    let _ = std::os::unix::fs::symlink(outside.join("created"), dir.join(".stacklint-baseline.json"));
    let before = snapshot(&outside);
    let sarif = dir.join("stacklint.sarif");
    let (code, _, err) = bin(
        &args(&[&"check", &dir, &"--format", &"sarif", &"-o", &sarif]),
        Duration::from_secs(30),
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("symlink"), "{err}");
    let baseline = dir.join(".stacklint-baseline.json");
    let (code, _, err) = bin(&args(&[&"baseline", &dir, &"-o", &baseline]), Duration::from_secs(30));
    assert_eq!(code, 2, "{err}");
    assert_eq!(before, snapshot(&outside), "a file outside the root changed");
    assert!(!outside.join("created").exists());
    // A plain output file is written whole, by rename (no temporary file left beside it).
    let plain = dir.join("out.json");
    let (code, _, err) = bin(
        &args(&[&"check", &dir, &"--format", &"json", &"-o", &plain]),
        Duration::from_secs(30),
    );
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(&plain).unwrap_or_default();
    assert!(text.trim_end().ends_with('}'), "{text}");
    let leftovers: Vec<_> = common::files_under(&dir)
        .into_iter()
        .filter(|p| p.to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// A compose file with an obsolete `version:` (a safe fix) and `services` services.
fn fixable_compose(services: usize) -> String {
    let mut text = String::from("version: \"3.8\"\nservices:\n");
    for i in 0..services {
        text.push_str(&format!(
            "  service-{i}:\n    image: nginx:1.27.2\n    restart: unless-stopped\n"
        ));
    }
    text
}

/// `--fix` under a file-size limit smaller than the fixed file (a full disk, a killed job): the
/// write is interrupted, and the user's file is still whole (it used to be cut at the limit, with
/// most services gone).
#[cfg(target_os = "linux")]
#[test]
fn interrupted_fix_leaves_the_file_intact() {
    if !Command::new("prlimit")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
    {
        eprintln!("prlimit not available; skipped");
        return;
    }
    let dir = tempdir("fix-fsize");
    let original = fixable_compose(400);
    assert!(original.len() > 16_000);
    write(&dir, "docker-compose.yml", original.as_bytes());
    let out = Command::new("prlimit")
        .arg("--fsize=4096")
        .arg("--")
        .arg(env!("CARGO_BIN_EXE_stacklint"))
        .args([
            std::ffi::OsStr::new("check"),
            dir.as_os_str(),
            std::ffi::OsStr::new("--fix"),
        ])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!out.status.success(), "the limit should have stopped the write");
    let after = std::fs::read_to_string(dir.join("docker-compose.yml")).unwrap_or_default();
    assert_eq!(after, original, "the file changed under an interrupted write");
    // Without the limit the fix is applied whole.
    let (code, _, err) = bin(&args(&[&"check", &dir, &"--fix"]), Duration::from_secs(60));
    assert!(code == 0 || code == 1, "{err}");
    let fixed = std::fs::read_to_string(dir.join("docker-compose.yml")).unwrap_or_default();
    assert!(!fixed.contains("version:") && fixed.contains("service-399:"), "{fixed}");
}

/// `--fix` over several files applies all or none: when one target cannot be written (here a
/// symlink, which is never written through) no file changes.
#[cfg(unix)]
#[test]
fn fix_applies_all_files_or_none() {
    let dir = tempdir("fix-all-or-none");
    let text = fixable_compose(2);
    write(&dir, "a/compose.yaml", text.as_bytes());
    write(&dir, "c/real.txt", text.as_bytes());
    std::fs::create_dir_all(dir.join("b")).unwrap_or_else(|e| panic!("{e}"));
    let _ = std::os::unix::fs::symlink(dir.join("c/real.txt"), dir.join("b/compose.yaml"));
    let (code, _, err) = bin(&args(&[&"check", &dir, &"--fix"]), Duration::from_secs(60));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("no fix applied"), "{err}");
    assert_text(&dir.join("a/compose.yaml"), &text);
    assert_text(&dir.join("c/real.txt"), &text);
}

/// The file at `path` holds exactly `text`.
fn assert_text(path: &Path, text: &str) {
    assert_eq!(
        std::fs::read_to_string(path).unwrap_or_default(),
        text,
        "{}",
        path.display()
    );
}

/// `--fix` on a file whose name is not valid UTF-8 never writes to the lossy form of that name
/// (`bad\u{fffd}name`), which may be another, unrelated file.
#[cfg(target_os = "linux")]
#[test]
fn fix_never_writes_to_a_lossy_path() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempdir("fix-lossy");
    let bad = dir.join(std::ffi::OsStr::from_bytes(b"bad\xffname"));
    if std::fs::create_dir_all(&bad).is_err() {
        return; // the file system refuses such names
    }
    let text = fixable_compose(1);
    std::fs::write(bad.join("docker-compose.yml"), &text).unwrap_or_else(|e| panic!("{e}"));
    let unrelated = "# someone else's file\n";
    write(&dir, "bad\u{fffd}name/other.txt", unrelated.as_bytes());
    let (code, _, err) = bin(&args(&[&"check", &dir, &"--fix"]), Duration::from_secs(60));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("not valid UTF-8"), "{err}");
    assert!(!dir.join("bad\u{fffd}name/docker-compose.yml").exists());
    assert_text(&dir.join("bad\u{fffd}name/other.txt"), unrelated);
    assert_text(&bad.join("docker-compose.yml"), &text);
}

/// Secrets written where no rule looks for them (command-line arguments, an access-key id, URL
/// credentials in a Prometheus target and an nginx upstream) are in no output of any command:
/// snippets of `check` in every format, `--diff`, `ports` (table, JSON, Markdown), `graph`
/// (Mermaid, DOT) and `docs --check`.
#[test]
fn secrets_in_arguments_keys_and_urls_in_no_output() {
    let dir = tempdir("redact-everywhere");
    write(
        &dir,
        "compose.yaml",
        b"version: \"3.8\"\nservices:\n  db:\n    image: postgres\n    command: [\"postgres\", \"-c\", \"password=Sec1-Pw-arg\", \"--token=Sec2-Tok-arg\"]\n    environment:\n      AWS_SECRET_ACCESS_KEY: Sec3-aws-secret-val\n      AWS_ACCESS_KEY_ID: AKIAQWERTYUIOPASDFGH\n    ports: [\"5432:5432\"]\n  web:\n    image: nginx\n    ports: [\"8080:80\"]\n    environment:\n      UPSTREAM: http://admin:Sec4-url-pw@db:5432/x\n    depends_on: [db]\n  prometheus:\n    image: prom/prometheus\n    volumes: [\"./prometheus.yml:/etc/prometheus/prometheus.yml\"]\n",
    );
    write(
        &dir,
        "prometheus.yml",
        b"scrape_configs:\n  - job_name: db\n    static_configs:\n      - targets: [\"http://u:Sec5-prom-pw@db:9187\"]\n",
    );
    write(
        &dir,
        "nginx/default.conf",
        b"server {\n  listen 80;\n  location / { proxy_pass http://u:Sec6-nginx-pw@db:5432; }\n}\n",
    );
    write(
        &dir,
        "k8s/app.yaml",
        b"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\nspec:\n  selector:\n    matchLabels: {app: app}\n  template:\n    metadata:\n      labels: {app: app}\n    spec:\n      containers:\n        - name: app\n          image: example/app:latest\n          args: [\"--password=Sec7-k8s-arg\", \"--api-key\", \"Sec8-k8s-next\"]\n",
    );
    write(
        &dir,
        "README.md",
        b"# Stack\n\n<!-- stacklint:ports -->\n<!-- /stacklint:ports -->\n\n<!-- stacklint:services -->\n<!-- /stacklint:services -->\n",
    );
    let commands: &[&[&str]] = &[
        &["check"],
        &["check", "--format", "concise"],
        &["check", "--format", "json"],
        &["check", "--format", "sarif"],
        &["check", "--format", "github"],
        &["check", "--diff"],
        &["ports"],
        &["ports", "--format", "json"],
        &["ports", "--format", "markdown"],
        &["graph"],
        &["graph", "--format", "dot"],
        &["docs", "--check"],
    ];
    let secrets = [
        "Sec1-Pw-arg",
        "Sec2-Tok-arg",
        "Sec3-aws-secret-val",
        "AKIAQWERTYUIOPASDFGH",
        "Sec4-url-pw",
        "Sec5-prom-pw",
        "Sec6-nginx-pw",
        "Sec7-k8s-arg",
        "Sec8-k8s-next",
    ];
    let mut shown = Vec::new();
    for cmd in commands {
        let (code, out, err) = subcommand(cmd, &dir);
        assert!((0..=1).contains(&code), "{cmd:?}: exit {code}: {err}");
        for s in secrets {
            if out.contains(s) || err.contains(s) {
                shown.push(format!("{cmd:?}: {s}"));
            }
        }
    }
    assert!(shown.is_empty(), "secrets shown:\n{}", shown.join("\n"));
    // The rules still report on the lines, with the values masked.
    let (_, human, _) = bin(&args(&[&"check", &dir]), Duration::from_secs(60));
    assert!(human.contains("\"password=***\", \"--token=***\""), "{human}");
    assert!(human.contains("AWS_ACCESS_KEY_ID: ***"), "{human}");
    let (_, ports, _) = bin(&args(&[&"ports", &dir]), Duration::from_secs(60));
    assert!(ports.contains("u:***@db"), "{ports}");
}

/// Service names with terminal escapes (a title-setting OSC, a colour CSI) and with a newline,
/// a generated-block marker and Markdown: terminal formats show the escapes as visible text, no
/// output gets a forged line, and `docs --write` keeps the user's text between two blocks.
#[test]
fn hostile_names_are_escaped_in_every_format() {
    let dir = tempdir("escape-names");
    write(
        &dir,
        "compose.yaml",
        b"services:\n  \"t\\e]0;pwned\\ab\\e[31mred\":\n    image: example/a\n    ports: [\"8081:80\"]\n  \"x\\n<!-- /stacklint:services -->\\n# INJECTED\\n<!-- stacklint:services -->\\n<script>y\":\n    image: example/b\n    ports: [\"8082:80\"]\n    depends_on: [\"t\\e]0;pwned\\ab\\e[31mred\"]\n",
    );
    let user_text = "\nThe user's own words, between two generated blocks.\n\n";
    let readme = format!(
        "# Stack\n\n<!-- stacklint:services -->\n<!-- /stacklint:services -->\n{user_text}<!-- stacklint:ports -->\n<!-- /stacklint:ports -->\n"
    );
    write(&dir, "README.md", readme.as_bytes());
    let commands: &[&[&str]] = &[
        &["check"],
        &["check", "--format", "concise"],
        &["check", "--format", "github"],
        &["ports"],
        &["ports", "--format", "markdown"],
        &["graph"],
        &["graph", "--format", "dot"],
    ];
    for cmd in commands {
        let (code, out, err) = subcommand(cmd, &dir);
        assert!((0..=1).contains(&code), "{cmd:?}: exit {code}: {err}");
        assert!(
            !out.contains('\u{1b}') && !out.contains('\u{7}'),
            "{cmd:?} passes raw escapes:\n{out}"
        );
        assert!(
            !out.lines()
                .any(|l| l.trim_start().starts_with("# INJECTED") || l.starts_with("<!--")),
            "{cmd:?} has a forged line:\n{out}"
        );
        // Markdown and Mermaid render HTML; a DOT quoted string is plain text.
        if cmd.contains(&"markdown") || *cmd == ["graph"] {
            assert!(!out.contains("<script>"), "{cmd:?}:\n{out}");
        }
    }
    let concise = subcommand(&["check", "--format", "concise"], &dir).1;
    assert!(concise.contains("\\u{1b}]0;pwned"), "shown as text:\n{concise}");
    let (code, _, err) = bin(&args(&[&"docs", &dir, &"--write"]), Duration::from_secs(60));
    assert_eq!(code, 0, "{err}");
    let written = std::fs::read_to_string(dir.join("README.md")).unwrap_or_default();
    assert!(written.contains(user_text), "the user's text is gone:\n{written}");
    assert_eq!(written.matches("<!-- stacklint:").count(), 2, "{written}");
    assert_eq!(written.matches("<!-- /stacklint:").count(), 2, "{written}");
    assert!(!written.lines().any(|l| l.starts_with("# INJECTED")), "{written}");
    // Written once, the blocks are stable: a second run changes nothing.
    let (code, out, _) = bin(&args(&[&"docs", &dir, &"--check"]), Duration::from_secs(60));
    assert_eq!(code, 0, "{out}");
}

/// 300 services each publishing every port (`1-65535:1-65535`): the clash check works on
/// intervals (it took minutes expanding every port of every range), and the report keeps at most
/// the budget of findings for the rule and file, with an info saying how many were left out.
#[test]
fn wide_port_ranges_are_intervals_and_findings_are_budgeted() {
    let dir = tempdir("wide-ranges");
    let mut text = String::from("services:\n");
    for i in 0..300 {
        text.push_str(&format!(
            "  s{i}:\n    image: nginx:1.27.2\n    ports: [\"1-65535:1-65535\"]\n"
        ));
    }
    write(&dir, "compose.yaml", text.as_bytes());
    let r = timed_check(&dir, &["port-clash"]);
    let clashes = r
        .findings
        .iter()
        .filter(|f| f.severity == stacklint::diagnostic::Severity::Error);
    assert_eq!(clashes.count(), stacklint::FINDINGS_PER_RULE_AND_FILE);
    let info: Vec<&str> = r
        .findings
        .iter()
        .filter(|f| f.severity == stacklint::diagnostic::Severity::Info)
        .map(|f| f.diagnostic.message.as_str())
        .collect();
    // 300 services: 300 * 299 / 2 pairs, all clashing from port 1.
    let dropped = 300 * 299 / 2 - stacklint::FINDINGS_PER_RULE_AND_FILE;
    assert_eq!(
        info,
        vec![format!(
            "{dropped} more `port-clash` findings in this file are not shown (at most {} per rule and file)",
            stacklint::FINDINGS_PER_RULE_AND_FILE
        )]
    );
    assert!(stacklint::report::concise::render(&r).len() < 200_000);
}

/// Ranges that overlap only beyond their first few thousand ports still clash (the old index
/// clipped each range), and ranges of different protocols or disjoint ranges do not.
#[test]
fn port_range_overlap_is_found_anywhere_in_the_range() {
    let dir = tempdir("range-overlap");
    write(
        &dir,
        "compose.yaml",
        b"services:\n  a:\n    image: nginx:1.27.2\n    ports: [\"1000-20000:1000-20000\"]\n  b:\n    image: nginx:1.27.2\n    ports: [\"15000:80\"]\n  c:\n    image: nginx:1.27.2\n    ports: [\"15000:80/udp\", \"20001-20010:1-10\"]\n",
    );
    let r = common::run(&dir, &["port-clash"]);
    let found = rules(&r);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].1.contains("15000/tcp") && found[0].1.contains("`a` and `b`"),
        "{found:?}"
    );
}

/// A small deterministic generator for the property tests below (no dependency, same inputs on
/// every run, so a failure reproduces).
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// Redaction, property: a secret written in any of the shapes redaction knows, inside random
/// surrounding text, never survives `redact`.
#[test]
fn redaction_property_random_text() {
    let mut rng = XorShift(0x5eed_1234_abcd_0001);
    let noise = [
        "",
        " ",
        "x",
        "\"",
        "'",
        ", ",
        "[",
        "]",
        "é",
        "\t",
        "a=b",
        "http://h/",
        "--v",
        ":",
    ];
    let alnum = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ0123456789";
    for _ in 0..2_000 {
        let len = 8 + rng.below(12);
        let mut secret = String::from("S");
        for _ in 0..len {
            let i = rng.below(alnum.len());
            secret.push_str(&alnum[i..=i]);
        }
        let key: String = (0..16)
            .map(|_| {
                let set = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
                let i = rng.below(set.len());
                set[i..=i].to_owned()
            })
            .collect();
        let shape = match rng.below(8) {
            0 => format!("--password={secret}"),
            1 => format!("password={secret}"),
            2 => format!("--token {secret}"),
            3 => format!("\"--api-key\", \"{secret}\""),
            4 => format!("postgres://user:{secret}@db:5432/x"),
            5 => format!("user:{secret}@db:5432"),
            6 => format!("DB_TOKEN={secret}"),
            _ => {
                secret = format!("AKIA{key}");
                secret.clone()
            }
        };
        let text = format!(
            "{}{} {shape} {}{}",
            rng.pick(&noise),
            rng.pick(&noise),
            rng.pick(&noise),
            rng.pick(&noise)
        );
        let out = stacklint::redact::redact(&text);
        assert!(!out.contains(&secret), "`{secret}` survives in {text:?} -> {out:?}");
    }
}

/// Path gate, property: random repository paths built from `..`, absolute parts and symlinks
/// (in and out of the root) either resolve inside the root or are refused, and reading them
/// never returns the text of the file outside.
#[cfg(unix)]
#[test]
fn path_gate_property_random_paths() {
    use stacklint::safe_path::Root;
    let outside = tempdir("gate-prop-outside");
    write(&outside, "secret.json", PLANTED.as_bytes());
    let dir = tempdir("gate-prop");
    write(&dir, "a/b/in.json", b"{}");
    let _ = std::os::unix::fs::symlink(&outside, dir.join("a/out"));
    let _ = std::os::unix::fs::symlink(outside.join("secret.json"), dir.join("a/b/s.json"));
    let _ = std::os::unix::fs::symlink(dir.join("a/b"), dir.join("in"));
    let _ = std::os::unix::fs::symlink("/proc/self", dir.join("proc"));
    let root = Root::new(&dir);
    let parts = [
        "..",
        ".",
        "a",
        "b",
        "out",
        "in",
        "in.json",
        "s.json",
        "secret.json",
        "proc",
        "environ",
        "/",
        "/etc",
        "/proc",
        "",
    ];
    let mut rng = XorShift(0x0dd_ba11_cafe_f00d);
    for _ in 0..3_000 {
        let n = 1 + rng.below(6);
        let path: Vec<&str> = (0..n).map(|_| rng.pick(&parts)).collect();
        let rel = path.join("/");
        if let Ok(p) = root.resolve(&rel) {
            assert!(p.starts_with(root.path()), "{rel} resolved to {}", p.display());
        }
        if let Ok(text) = root.read_text(&rel, 1 << 20) {
            assert!(!text.contains(PLANTED), "{rel} read the file outside");
        }
    }
}

/// A one-line file of a megabyte with 200 findings on that line: each snippet shows a window of
/// the line around its own label (the whole line was copied into every snippet: 200 MB of report).
#[test]
fn snippets_cut_long_lines_to_a_window() {
    let dir = tempdir("long-line");
    let services: Vec<String> = (0..200)
        .map(|i| format!("\"s{i}\": {{\"image\": \"example/s{i}\"}}"))
        .collect();
    let text = format!(
        "{{\"x-pad\": \"{}\", \"services\": {{{}}}}}\n",
        "a".repeat(1_000_000),
        services.join(", ")
    );
    write(&dir, "compose.yaml", text.as_bytes());
    let r = timed_check(&dir, &["unpinned-image"]);
    assert_eq!(r.findings.len(), 200);
    let started = Instant::now();
    let human = stacklint::report::human::render(&r, false, 100);
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "took {:?}",
        started.elapsed()
    );
    assert!(human.len() < 1_000_000, "{} bytes of report", human.len());
    let longest = human.lines().map(str::len).max().unwrap_or(0);
    assert!(longest < 2_000, "a snippet line of {longest} bytes");
    // The last finding's snippet still shows its own label's text.
    assert!(
        human.contains("\"s199\": {\"image\": \"example/s199\"}"),
        "{}",
        &human[human.len().saturating_sub(3000)..]
    );
}
