//! The binary's contract: exit codes, formats, errors on stderr with one line.

mod common;

fn stacklint(args: &[&str]) -> (i32, String, String) {
    common::stacklint_in(std::path::Path::new("."), args)
}

fn stack(name: &str) -> String {
    common::testdata().join("stacks").join(name).display().to_string()
}

#[test]
fn exit_codes() {
    assert_eq!(stacklint(&["check", &stack("anchors-defaults")]).0, 0);
    assert_eq!(stacklint(&["check", &stack("restart-loop")]).0, 1);
    assert_eq!(stacklint(&["check", &stack("restart-loop"), "--fail-on", "never"]).0, 0);
    // Only warnings and infos left: fails on warning, not on error.
    let sel = ["--select", "unpinned-image,obsolete-version"];
    assert_eq!(stacklint(&[&["check", &stack("restart-loop")][..], &sel].concat()).0, 0);
    assert_eq!(
        stacklint(&[&["check", &stack("restart-loop"), "--fail-on", "warning"][..], &sel].concat()).0,
        1
    );
}

#[test]
fn missing_path_is_exit_2_with_one_line() {
    let (code, out, err) = stacklint(&["check", "/definitely/not/here"]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert_eq!(err.lines().count(), 1, "{err}");
}

#[test]
fn unknown_rule_suggests() {
    let (code, _, err) = stacklint(&["check", &stack("overlays"), "--select", "port-clsh"]);
    assert_eq!(code, 2);
    assert!(err.contains("did you mean `port-clash`"), "{err}");
}

#[test]
fn broken_config_is_exit_2_pointing_into_it() {
    let dir = std::env::temp_dir().join(format!("stacklint-cli-config-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let _ = std::fs::write(dir.join(".stacklint.yaml"), "rules:\n  port-clash: off\nexlude: [x]\n");
    let (code, _, err) = stacklint(&["check", &dir.display().to_string()]);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(code, 2);
    assert!(err.contains(".stacklint.yaml:3:1: unknown key `exlude`"), "{err}");
    assert!(err.contains("did you mean `exclude`"), "{err}");
}

#[test]
fn concise_format() {
    let (_, out, _) = stacklint(&[
        "check",
        &stack("restart-loop"),
        "--format",
        "concise",
        "--select",
        "port-clash",
    ]);
    assert_eq!(
        out,
        "docker-compose.yml:18:9: error[port-clash] host port 8004/tcp is published by both `revcore-gateway` and `revpublish`\n"
    );
}

#[test]
fn rules_and_explain() {
    let (code, out, _) = stacklint(&["rules", "--format", "json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}"));
    assert!(v.as_array().is_some_and(|a| a.iter().any(|r| r["id"] == "port-clash")));
    let (code, out, _) = stacklint(&["explain", "port-clash"]);
    assert_eq!(code, 0);
    assert!(out.contains("## Why is this bad?"));
    assert_eq!(stacklint(&["explain", "nope"]).0, 2);
}

#[test]
fn json_follows_the_contract() {
    let (_, out, _) = stacklint(&["check", &stack("overlays"), "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(v["tool"]["name"], "stacklint");
    let d = &v["diagnostics"][0];
    for key in [
        "rule",
        "category",
        "severity",
        "message",
        "file",
        "line",
        "column",
        "end_line",
        "end_column",
        "labels",
        "help",
        "fingerprint",
    ] {
        assert!(!d[key].is_null(), "missing {key}");
    }
    assert_eq!(d["category"], "ports");
    assert_eq!(d["labels"][0]["file"], "docker-compose.yml");
    assert_eq!(v["summary"]["error"], 1);
}

#[test]
fn init_writes_a_valid_config_and_a_baseline() {
    let src = common::testdata().join("stacks/overlays");
    let dir = std::env::temp_dir().join(format!("stacklint-init-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for f in common::files_under(&src) {
        let to = dir.join(f.strip_prefix(&src).unwrap_or(&f));
        let _ = std::fs::create_dir_all(to.parent().unwrap_or(&dir));
        let _ = std::fs::copy(&f, &to);
    }
    let d = dir.display().to_string();
    let (code, _, err) = stacklint(&["init", &d, "--baseline"]);
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(dir.join(".stacklint.yaml")).unwrap_or_default();
    assert!(text.contains("#   - name: docker-compose.yml+prod"), "{text}");
    assert!(stacklint::config::parse(".stacklint.yaml", &text).is_ok(), "{text}");
    assert!(dir.join(".stacklint-baseline.json").is_file());
    // With the baseline in place, nothing old is reported.
    let (code, out, _) = stacklint(&[
        "check",
        &d,
        "--baseline",
        &dir.join(".stacklint-baseline.json").display().to_string(),
        "--format",
        "concise",
    ]);
    assert_eq!((code, out.as_str()), (0, ""));
    assert_eq!(stacklint(&["init", &d]).0, 2, "refuses to overwrite without --force");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn color_follows_the_flag_and_the_environment() {
    let dir = stack("restart-loop");
    let run = |args: &[&str], env: &[(&str, &str)]| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_stacklint"));
        cmd.arg("check").arg(&dir).args(args);
        for k in ["NO_COLOR", "FORCE_COLOR", "CLICOLOR_FORCE", "CLICOLOR", "TERM"] {
            cmd.env_remove(k);
        }
        cmd.envs(env.iter().copied());
        let out = cmd.output().unwrap_or_else(|e| panic!("{e}"));
        String::from_utf8_lossy(&out.stdout).contains('\u{1b}')
    };
    // Output to a pipe is plain unless forced, by the flag or the variables other tools read.
    assert!(!run(&[], &[]));
    assert!(run(&["--color", "always"], &[]));
    assert!(run(&[], &[("FORCE_COLOR", "1")]));
    assert!(run(&[], &[("CLICOLOR_FORCE", "1")]));
    assert!(!run(&["--color", "never"], &[("FORCE_COLOR", "1")]));
    assert!(!run(&["--no-color", "--color", "always"], &[]));
}

#[test]
fn quiet_statistics_and_completions() {
    let dir = stack("restart-loop");
    let (code, out, _) = stacklint(&["check", &dir, "-q"]);
    assert_eq!((code, out.as_str()), (1, ""));
    let (code, out, _) = stacklint(&["check", &dir, "--statistics"]);
    assert_eq!(code, 1);
    // Most frequent first, then by rule id.
    let first = out.lines().next().unwrap_or_default();
    assert!(
        first.contains("2  missing-healthcheck") && first.ends_with("warning"),
        "{out}"
    );
    assert_eq!(out.lines().count(), 6, "{out}");
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let (code, out, err) = stacklint(&["completions", shell]);
        assert_eq!(code, 0, "{err}");
        assert!(out.contains("sarif-category"), "{shell}: {out}");
    }
}
