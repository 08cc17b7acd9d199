//! The pre-commit hooks (`.pre-commit-hooks.yaml`) run the way pre-commit runs them: the `entry`
//! split into words with the hook's `args` after it, in the repository's root, with no file names
//! (`pass_filenames: false`). The real `pre-commit try-repo` check, which builds stacklint with
//! cargo, is `scripts/pre-commit-test.sh` (not part of `cargo test`).

mod common;

use serde_json::Value;
use std::path::Path;

fn hooks() -> Vec<Value> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let stream = stacklint::yaml::parse_yaml(stacklint::source::FileId(0), &text, Default::default());
    assert!(stream.diagnostics.is_empty(), "{:?}", stream.diagnostics);
    let doc = stream.documents.first().map(stacklint::yaml::to_json);
    doc.and_then(|d| d.as_array().cloned()).unwrap_or_default()
}

fn hook(id: &str) -> Value {
    hooks()
        .into_iter()
        .find(|h| h["id"] == id)
        .unwrap_or_else(|| panic!("no hook `{id}`"))
}

/// Runs a hook's entry and args as pre-commit would, with the test-built stacklint as the
/// installed one.
fn run(h: &Value, repo: &Path) -> (i32, String) {
    let entry = h["entry"].as_str().unwrap_or_default();
    let mut words: Vec<String> = entry.split_whitespace().map(str::to_owned).collect();
    words.extend(
        h["args"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|a| a.as_str().map(str::to_owned)),
    );
    assert_eq!(words.first().map(String::as_str), Some("stacklint"), "{entry}");
    let (code, stdout, _) = common::stacklint_in(repo, &words[1..]);
    (code, stdout)
}

#[test]
fn every_hook_checks_the_whole_repository() {
    let all = hooks();
    assert!(all.len() >= 2, "{all:?}");
    for h in &all {
        assert_eq!(h["pass_filenames"], Value::Bool(false), "{h}");
        // stacklint reads files that others name (env files, Dockerfiles, registries): a `files`
        // pattern would skip commits that touch only those.
        assert!(h.get("files").is_none(), "{h}");
        assert!(h["entry"].as_str().is_some_and(|e| e.ends_with("check .")), "{h}");
    }
}

#[test]
fn the_rust_hook_fails_on_a_broken_stack_and_passes_on_a_clean_one() {
    let h = hook("stacklint");
    assert_eq!(h["language"], "rust");
    let (code, out) = run(&h, &common::testdata().join("stacks/restart-loop"));
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("port-clash"), "{out}");
    let (code, out) = run(&h, &common::testdata().join("stacks/anchors-defaults"));
    assert_eq!(code, 0, "{out}");
}

#[test]
fn the_docker_hook_runs_this_versions_image() {
    let h = hook("stacklint-docker");
    assert_eq!(h["language"], "docker_image");
    let entry = h["entry"].as_str().unwrap_or_default();
    // The image's entrypoint is stacklint, so what follows the image is stacklint's arguments.
    let (image, args) = entry.split_once(' ').unwrap_or((entry, ""));
    assert_eq!(
        image,
        format!("ghcr.io/stacklint/stacklint:{}", env!("CARGO_PKG_VERSION"))
    );
    assert_eq!(args, "check .");
}
