//! The README's excerpt is real: every block it shows is what `stacklint check` prints on that
//! stack, and its last line is the summary line.

mod common;

#[test]
fn readme_excerpt_matches_the_command() {
    let readme =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap_or_default();
    let section = readme.split("## What it says").nth(1).unwrap_or("");
    let excerpt = section
        .split("```text\n")
        .nth(1)
        .and_then(|s| s.split("\n```").next())
        .unwrap_or("");
    assert!(!excerpt.is_empty(), "README has an excerpt");
    let report = common::run(&common::testdata().join("stacks/restart-loop"), &[]);
    let actual = stacklint::report::human::render(&report, false, 100);
    for block in excerpt.split("\n\n").filter(|b| !b.starts_with("...")) {
        assert!(
            actual.contains(block),
            "README block not in the output:\n{block}\n--- output:\n{actual}"
        );
    }
    let last = excerpt.lines().last().unwrap_or("");
    assert_eq!(last, actual.trim_end().lines().last().unwrap_or(""), "summary line");
}
