//! Whole example repositories: the full `stacklint check` output in human and JSON form, and the
//! same bytes whatever the thread count.

mod common;

use common::{subdirs, testdata};
use stacklint::{check, report, CheckOptions};

fn render(dir: &std::path::Path, jobs: usize) -> (String, String) {
    let opts = CheckOptions {
        paths: vec![dir.to_path_buf()],
        jobs: Some(jobs),
        ..CheckOptions::default()
    };
    let r = match check(&opts) {
        Ok(r) => r,
        Err(e) => panic!("{}: {e}", dir.display()),
    };
    (report::human::render(&r, false, 100), report::json::render(&r))
}

#[test]
fn stacks_match_snapshots_and_are_deterministic() {
    let stacks = subdirs(&testdata().join("stacks"));
    assert!(stacks.len() >= 3, "at least three whole stacks");
    for dir in stacks {
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let (human, json) = render(&dir, 1);
        let (human2, json2) = render(&dir, 2);
        assert_eq!(human, human2, "{name}: human output differs between --jobs 1 and 2");
        assert_eq!(json, json2, "{name}: json output differs between --jobs 1 and 2");
        let parsed: serde_json::Value =
            serde_json::from_str(&json).unwrap_or_else(|e| panic!("{name}: invalid JSON: {e}"));
        assert_eq!(parsed["version"], 1);
        insta::with_settings!({snapshot_suffix => name.clone(), prepend_module_to_snapshot => false}, {
            insta::assert_snapshot!("stack_human", human);
            insta::assert_snapshot!("stack_json", json);
        });
    }
}

/// The clash exists only when Compose merges the base with its override; it points at both files.
#[test]
fn override_merge_creates_a_clash_pointing_at_both_files() {
    let dir = testdata().join("stacks/overlays");
    let opts = CheckOptions {
        paths: vec![dir],
        select: vec!["port-clash".into()],
        ..CheckOptions::default()
    };
    let r = check(&opts).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        r.findings.len(),
        1,
        "only base+override clash; dev and prod overlays never run together"
    );
    let d = &r.findings[0].diagnostic;
    assert_eq!(r.sources.path(d.primary.span.file), "docker-compose.override.yml");
    assert_eq!(r.sources.path(d.related[0].span.file), "docker-compose.yml");
}

/// Healthchecks that exist only in Dockerfiles (one inherited through a build stage) count.
#[test]
fn dockerfile_healthcheck_silences_missing_healthcheck() {
    let dir = testdata().join("stacks/dockerfile-health");
    let opts = CheckOptions {
        paths: vec![dir],
        select: vec!["missing-healthcheck".into(), "unhealthy-dependency".into()],
        ..CheckOptions::default()
    };
    let r = check(&opts).unwrap_or_else(|e| panic!("{e}"));
    let messages: Vec<&str> = r.findings.iter().map(|f| f.diagnostic.message.as_str()).collect();
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(messages[0].contains("`gateway`"), "{messages:?}");
}

/// A README whose port table and curl commands are wrong in three ways and right in three others:
/// exactly the three wrong ones are reported.
#[test]
fn docs_drift_reports_exactly_the_three_wrong_claims() {
    let dir = testdata().join("stacks/docs-drift");
    let opts = CheckOptions {
        paths: vec![dir],
        select: vec![
            "doc-port-drift".into(),
            "phantom-service".into(),
            "doc-dead-reference".into(),
        ],
        ..CheckOptions::default()
    };
    let r = check(&opts).unwrap_or_else(|e| panic!("{e}"));
    let got: Vec<(String, usize)> = r
        .findings
        .iter()
        .map(|f| {
            let (path, start, _) = report::position(&r.sources, f.diagnostic.primary.span);
            (format!("{path} {}", f.diagnostic.rule), start.line)
        })
        .collect();
    let readme = "README.md doc-port-drift".to_owned();
    assert_eq!(
        got,
        vec![(readme.clone(), 11), (readme.clone(), 16), (readme, 17)],
        "{got:?}"
    );
}
