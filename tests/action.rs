//! The GitHub Action's script (`action/run.sh`) run the way action.yml runs it, with a fake runner:
//! temporary folders for the workspace, RUNNER_TEMP and the tool cache, files for GITHUB_OUTPUT,
//! GITHUB_STEP_SUMMARY and GITHUB_PATH, and a local release (`file://`, the test-built binary in
//! the archive the release workflow publishes, with its SHA-256) standing in for the download.
//! Needs bash, tar, curl and sha256sum/shasum: skipped on Windows.
#![cfg(unix)]

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

const TARGET: &str = "x86_64-unknown-linux-musl";

/// A fake runner: its folders, and the release the script downloads from.
struct Runner {
    root: PathBuf,
    /// Where `<tag>/stacklint-<target>.tar.gz` lives (`releases/download` of a real release).
    releases: PathBuf,
}

/// The test-built binary archived as the release workflow does, with its checksum file: made once
/// per test process (the debug binary is large) and shared by the runners that download it.
fn release() -> &'static Path {
    static DIR: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        let root = common::tempdir("action-release");
        let dir = root.join("releases/download/v0.1.0");
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        let stage = root.join("stage");
        std::fs::create_dir_all(&stage).unwrap_or_else(|e| panic!("{e}"));
        std::fs::copy(env!("CARGO_BIN_EXE_stacklint"), stage.join("stacklint")).unwrap_or_else(|e| panic!("{e}"));
        let script = format!(
            "set -e; tar -cf - -C '{stage}' stacklint | gzip -1 > '{dir}/stacklint-{TARGET}.tar.gz'; cd '{dir}'; \
             if command -v sha256sum >/dev/null; then sha256sum stacklint-{TARGET}.tar.gz; \
             else shasum -a 256 stacklint-{TARGET}.tar.gz; fi > stacklint-{TARGET}.sha256",
            dir = dir.display(),
            stage = stage.display()
        );
        let status = Command::new("bash").arg("-c").arg(script).status();
        assert!(status.is_ok_and(|s| s.success()), "cannot build the fake release");
        let _ = std::fs::remove_dir_all(&stage);
        root.join("releases")
    })
}

struct Step {
    code: i32,
    stdout: String,
    stderr: String,
    outputs: BTreeMap<String, String>,
}

impl Step {
    /// The outputs exit-code, findings, errors and warnings, in that order.
    fn counts(&self) -> Vec<&str> {
        ["exit-code", "findings", "errors", "warnings"]
            .iter()
            .map(|k| self.outputs.get(*k).map_or("(unset)", String::as_str))
            .collect()
    }
}

impl Runner {
    fn new(name: &str) -> Runner {
        let root = common::tempdir(&format!("action-{name}"));
        for d in ["workspace", "temp", "toolcache"] {
            std::fs::create_dir_all(root.join(d)).unwrap_or_else(|e| panic!("{e}"));
        }
        Runner {
            root,
            releases: release().to_path_buf(),
        }
    }

    fn workspace(&self) -> PathBuf {
        self.root.join("workspace")
    }

    fn temp(&self) -> PathBuf {
        self.root.join("temp")
    }

    /// Runs one step of the script with action.yml's environment plus `env`.
    fn step(&self, sub: &str, env: &[(&str, String)]) -> Step {
        let out_file = self.root.join(format!("output-{sub}"));
        let _ = std::fs::remove_file(&out_file);
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("action/run.sh");
        let mut cmd = Command::new("bash");
        cmd.arg(&script)
            .arg(sub)
            .current_dir(self.workspace())
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("NO_COLOR", "1")
            .env("RUNNER_OS", "Linux")
            .env("RUNNER_ARCH", "X64")
            .env("RUNNER_TEMP", self.temp())
            .env("RUNNER_TOOL_CACHE", self.root.join("toolcache"))
            .env("GITHUB_WORKSPACE", self.workspace())
            .env("GITHUB_OUTPUT", &out_file)
            .env("GITHUB_STEP_SUMMARY", self.root.join("summary.md"))
            .env("GITHUB_PATH", self.root.join("path"))
            .env("GITHUB_ACTION_PATH", env!("CARGO_MANIFEST_DIR"))
            .env("STACKLINT_RELEASES", format!("file://{}", self.releases.display()));
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap_or_else(|e| panic!("cannot run bash: {e}"));
        let outputs = std::fs::read_to_string(&out_file)
            .unwrap_or_default()
            .lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        Step {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            outputs,
        }
    }

    /// resolve + install, as the first steps of action.yml; returns the install folder.
    fn install(&self, inputs: &[(&str, String)]) -> (Step, String) {
        let resolved = self.step("resolve", inputs);
        assert_eq!(resolved.code, 0, "{}{}", resolved.stdout, resolved.stderr);
        let get = |k: &str| resolved.outputs.get(k).cloned().unwrap_or_default();
        let dir = get("dir");
        let installed = self.step(
            "install",
            &[
                ("STACKLINT_VERSION", get("version")),
                ("STACKLINT_TARGET", get("target")),
                ("STACKLINT_DIR", dir.clone()),
            ],
        );
        (installed, dir)
    }

    /// The check step on the workspace with these inputs.
    fn check(&self, dir: &str, inputs: &[(&str, String)]) -> Step {
        let mut env = vec![
            ("STACKLINT_DIR", dir.to_owned()),
            ("INPUT_CATEGORY", "stacklint".to_owned()),
        ];
        env.extend(inputs.iter().cloned());
        self.step("check", &env)
    }

    /// A runner whose workspace holds the stack `stack`, with v0.1.0 installed.
    fn installed(name: &str, stack: &str) -> (Runner, String) {
        let r = Runner::new(name);
        r.copy_stack(stack);
        let (installed, dir) = r.install(&[("INPUT_VERSION", "v0.1.0".to_owned())]);
        assert_eq!(installed.code, 0, "{}{}", installed.stdout, installed.stderr);
        (r, dir)
    }

    fn copy_stack(&self, name: &str) {
        let from = common::testdata().join("stacks").join(name);
        for f in common::files_under(&from) {
            let rel = f.strip_prefix(&from).unwrap_or(&f);
            let to = self.workspace().join(rel);
            if let Some(p) = to.parent() {
                std::fs::create_dir_all(p).unwrap_or_else(|e| panic!("{e}"));
            }
            std::fs::copy(&f, &to).unwrap_or_else(|e| panic!("{e}"));
        }
    }

    fn workspace_files(&self) -> Vec<PathBuf> {
        common::files_under(&self.workspace())
    }

    fn temp_entries(&self) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(self.temp())
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }
}

impl Drop for Runner {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

#[test]
fn version_defaults_to_the_actions_own_tag() {
    let r = Runner::new("resolve");
    let tagged = r.step("resolve", &[("ACTION_REF", "v0.1.0".to_owned())]);
    assert_eq!(tagged.outputs.get("version").map(String::as_str), Some("v0.1.0"));
    assert_eq!(tagged.outputs.get("target").map(String::as_str), Some(TARGET));
    assert_eq!(tagged.outputs.get("cacheable").map(String::as_str), Some("true"));
    // At a branch or a commit there is no tag to match: the latest release, never cached.
    let branch = r.step("resolve", &[("ACTION_REF", "main".to_owned())]);
    assert_eq!(branch.outputs.get("version").map(String::as_str), Some("latest"));
    assert_eq!(branch.outputs.get("cacheable").map(String::as_str), Some("false"));
    let given = r.step(
        "resolve",
        &[
            ("ACTION_REF", "v0.1.0".to_owned()),
            ("INPUT_VERSION", "0.2.3".to_owned()),
        ],
    );
    assert_eq!(given.outputs.get("version").map(String::as_str), Some("v0.2.3"));
    let source = r.step("resolve", &[("INPUT_VERSION", "source".to_owned())]);
    assert_eq!(source.outputs.get("target").map(String::as_str), Some("source"));
    let unknown = r.step("resolve", &[("RUNNER_OS", "Plan9".to_owned())]);
    assert_eq!(unknown.code, 2);
    assert!(unknown.stdout.contains("version: source"), "{}", unknown.stdout);
}

#[test]
fn success_installs_the_release_once_and_leaves_the_workspace_alone() {
    let r = Runner::new("success");
    r.copy_stack("anchors-defaults");
    let before = r.workspace_files();
    let inputs = [("ACTION_REF", "v0.1.0".to_owned())];
    let (installed, dir) = r.install(&inputs);
    assert_eq!(installed.code, 0, "{}{}", installed.stdout, installed.stderr);
    assert!(installed.stdout.contains("Downloading"), "{}", installed.stdout);
    assert!(
        installed.stdout.contains("stacklint "),
        "--version: {}",
        installed.stdout
    );
    assert!(Path::new(&dir).join("bin/stacklint").is_file());
    assert!(std::fs::read_to_string(r.root.join("path"))
        .unwrap_or_default()
        .contains(&format!("{dir}/bin")));
    // Installed once: the next job on this runner (or a restored cache) does not download.
    let (again, _) = r.install(&inputs);
    assert_eq!(again.code, 0, "{}{}", again.stdout, again.stderr);
    assert!(again.stdout.contains("from the tool cache"), "{}", again.stdout);

    let step = r.check(&dir, &[]);
    assert_eq!(step.code, 0, "{}{}", step.stdout, step.stderr);
    assert_eq!(step.counts(), ["0", "0", "0", "0"]);
    let sarif = r.temp().join("stacklint.sarif");
    assert_eq!(step.outputs.get("sarif-file"), Some(&sarif.display().to_string()));
    let text = std::fs::read_to_string(&sarif).unwrap_or_default();
    assert!(
        text.contains("\"id\": \"stacklint/\""),
        "automationDetails from the category"
    );
    // Nothing left in the workspace; of RUNNER_TEMP only the SARIF the output names.
    assert_eq!(r.workspace_files(), before);
    assert_eq!(r.temp_entries(), vec!["stacklint.sarif".to_owned()]);
}

#[test]
fn findings_fail_the_step_with_annotations_and_counts() {
    let (r, dir) = Runner::installed("findings", "restart-loop");
    // An absolute sarif-file is used as it is.
    let sarif = r.root.join("reports/out.sarif");
    let step = r.check(
        &dir,
        &[
            ("INPUT_SARIF_FILE", sarif.display().to_string()),
            ("INPUT_FAIL_ON", "error".to_owned()),
        ],
    );
    assert_eq!(step.code, 1, "{}{}", step.stdout, step.stderr);
    // restart-loop: 3 errors, 3 warnings and an info.
    assert_eq!(step.counts(), ["1", "7", "3", "3"]);
    assert_eq!(step.outputs.get("sarif-file"), Some(&sarif.display().to_string()));
    assert!(sarif.is_file());
    assert_eq!(
        step.stdout.lines().filter(|l| l.starts_with("::error file=")).count(),
        3,
        "{}",
        step.stdout
    );
    // The step summary is written for the job page.
    assert!(std::fs::read_to_string(r.root.join("summary.md"))
        .unwrap_or_default()
        .contains("port-clash"));
    // A relative sarif-file is relative to the workspace.
    let step = r.check(&dir, &[("INPUT_SARIF_FILE", "out/stacklint.sarif".to_owned())]);
    assert_eq!(step.code, 1);
    assert!(r.workspace().join("out/stacklint.sarif").is_file());
}

#[test]
fn exit_2_passes_through_with_stacklints_error() {
    let (r, dir) = Runner::installed("exit2", "anchors-defaults");
    // A SARIF from an earlier run on this runner must not be taken for this run's.
    let stale = r.temp().join("stacklint.sarif");
    std::fs::write(&stale, "{}").unwrap_or_else(|e| panic!("{e}"));
    let step = r.check(&dir, &[("INPUT_CONFIG", "missing.yaml".to_owned())]);
    assert_eq!(step.code, 2, "{}{}", step.stdout, step.stderr);
    assert!(
        step.stderr.contains("stacklint: "),
        "stacklint's own error: {}",
        step.stderr
    );
    assert!(step.stderr.contains("missing.yaml"), "{}", step.stderr);
    assert!(
        step.stdout.contains("::error title=stacklint::stacklint exited 2"),
        "{}",
        step.stdout
    );
    assert_eq!(step.outputs.get("exit-code").map(String::as_str), Some("2"));
    assert_eq!(step.outputs.get("sarif-file").map(String::as_str), Some(""));
    assert!(!stale.exists());
    assert!(r.temp_entries().is_empty(), "{:?}", r.temp_entries());
}

#[test]
fn a_stale_annotations_file_is_never_replayed() {
    let (r, dir) = Runner::installed("stale", "anchors-defaults");
    // What an earlier version of the Action, or an earlier run, left behind.
    let old = "::error file=gone.yml,line=1::an old finding\n";
    std::fs::write(r.workspace().join("stacklint.sarif.annotations"), old).unwrap_or_else(|e| panic!("{e}"));
    std::fs::create_dir_all(r.temp().join("stacklint.old")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(r.temp().join("stacklint.old/annotations"), old).unwrap_or_else(|e| panic!("{e}"));
    let step = r.check(&dir, &[]);
    assert_eq!(step.code, 0, "{}{}", step.stdout, step.stderr);
    assert!(!step.stdout.contains("an old finding"), "{}", step.stdout);
    assert_eq!(step.outputs.get("findings").map(String::as_str), Some("0"));
}

#[test]
fn a_checksum_mismatch_refuses_the_binary() {
    let mut r = Runner::new("checksum");
    // A release of its own, whose archive does not match its checksum file.
    r.releases = r.root.join("releases");
    let dir = r.releases.join("download/v0.1.0");
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.join(format!("stacklint-{TARGET}.tar.gz")), "not the archive").unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        dir.join(format!("stacklint-{TARGET}.sha256")),
        format!("{}  stacklint-{TARGET}.tar.gz\n", "0".repeat(64)),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let (installed, dir) = r.install(&[("INPUT_VERSION", "v0.1.0".to_owned())]);
    assert_eq!(installed.code, 2, "{}{}", installed.stdout, installed.stderr);
    assert!(installed.stdout.contains("checksum mismatch"), "{}", installed.stdout);
    assert!(!Path::new(&dir).join("bin/stacklint").exists());
    // An unreleased version says so.
    let (missing, _) = r.install(&[("INPUT_VERSION", "v9.9.9".to_owned())]);
    assert_eq!(missing.code, 2);
    assert!(missing.stdout.contains("is v9.9.9 released?"), "{}", missing.stdout);
}
