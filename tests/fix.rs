//! `--fix` and `--diff`: before/after snapshots, comments kept, the file re-parses and the fixed
//! rules are silent afterwards.

mod common;

const FIXED: &[&str] = &[
    "obsolete-version",
    "compose-schema",
    "localhost-binding",
    "localhost-reference",
];

fn stacklint(dir: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    let mut all: Vec<&std::ffi::OsStr> = vec!["check".as_ref(), dir.as_os_str()];
    all.extend(args.iter().map(std::ffi::OsStr::new));
    common::stacklint_in(std::path::Path::new("."), &all)
}

fn copy_case(name: &str, tag: &str) -> std::path::PathBuf {
    let src = common::testdata().join("fix").join(name);
    let dst = std::env::temp_dir().join(format!("stacklint-fix-{name}-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dst);
    for f in common::files_under(&src) {
        let rel = f.strip_prefix(&src).unwrap_or(&f);
        let to = dst.join(rel);
        if let Some(p) = to.parent() {
            let _ = std::fs::create_dir_all(p);
        }
        std::fs::copy(&f, &to).unwrap_or_else(|e| panic!("{e}"));
    }
    dst
}

#[test]
fn diff_shows_fixes_without_writing() {
    let dir = copy_case("compose-all", "diff");
    let before = std::fs::read_to_string(dir.join("compose.yaml")).unwrap_or_default();
    let (code, out, _) = stacklint(&dir, &["--diff"]);
    assert_eq!(code, 1, "fixes are pending");
    assert_eq!(
        std::fs::read_to_string(dir.join("compose.yaml")).unwrap_or_default(),
        before,
        "--diff never writes"
    );
    insta::assert_snapshot!("fix_diff_compose_all", out);
}

#[test]
fn fix_applies_and_rules_go_silent() {
    let dir = copy_case("compose-all", "fix");
    let (_, _, err) = stacklint(&dir, &["--fix", "--fail-on", "never"]);
    assert!(err.contains("applied 5 fix(es) in 1 file(s)"), "{err}");
    let after = std::fs::read_to_string(dir.join("compose.yaml")).unwrap_or_default();
    insta::assert_snapshot!("fix_after_compose_all", after);
    assert!(
        after.contains("# keep this comment") && after.contains("# bind address"),
        "comments survive"
    );
    let (code, out, _) = stacklint(&dir, &["--format", "concise", "--select", &FIXED.join(",")]);
    assert_eq!(
        (code, out.as_str()),
        (0, ""),
        "fixed rules are silent and the file parses"
    );
    let (_, diff, _) = stacklint(&dir, &["--diff"]);
    assert!(diff.is_empty(), "nothing left to fix: {diff}");
}
