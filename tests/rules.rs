//! Every rule against its fixtures: `testdata/rules/<id>/bad/<case>/` must produce exactly the
//! findings its `# expect: <id>` markers (or `<!-- expect: <id> -->` in Markdown, or
//! `# expect-next: <id>` on the line above in systemd units) announce, line for line; `good/<case>/` must produce none. Each bad case's full human output is snapshotted.

mod common;

use common::{files_under, run, subdirs, testdata};
use std::collections::BTreeSet;
use std::path::Path;

/// `(file, line)` of every marker naming `rule` in a case.
fn expected(case: &Path, rule: &str) -> BTreeSet<(String, usize)> {
    let mut out = BTreeSet::new();
    for file in files_under(case) {
        let bytes = std::fs::read(&file).unwrap_or_default();
        let text = String::from_utf8_lossy(&bytes);
        let rel = stacklint::discover::relative(case, &file);
        for (i, line) in text.lines().enumerate() {
            // `# expect-next:` marks the following line, for formats without trailing comments
            // (systemd units, where `#` starts a comment only at the beginning of a line).
            for (marker, offset) in [("# expect:", 1), ("<!-- expect:", 1), ("# expect-next:", 2)] {
                if let Some(pos) = line.find(marker) {
                    let rest = &line[pos + marker.len()..];
                    let rest = rest.split("-->").next().unwrap_or(rest);
                    if rest.split(',').any(|id| id.trim() == rule) {
                        out.insert((rel.clone(), i + offset));
                    }
                }
            }
        }
    }
    out
}

fn found(case: &Path, rule: &str) -> (BTreeSet<(String, usize)>, String) {
    let report = run(case, &[rule]);
    let mut set = BTreeSet::new();
    for f in &report.findings {
        assert_eq!(f.diagnostic.rule, rule, "only the selected rule reports");
        let (path, start, _) = stacklint::report::position(&report.sources, f.diagnostic.primary.span);
        set.insert((path, start.line));
    }
    (set, stacklint::report::human::render(&report, false, 100))
}

#[test]
fn every_rule_matches_its_fixtures() {
    let mut failures = Vec::new();
    let mut cases = 0;
    for entry in stacklint::rules::RULES {
        let dir = testdata().join("rules").join(entry.id);
        for kind in ["bad", "good"] {
            for case in subdirs(&dir.join(kind)) {
                cases += 1;
                let name = case
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let (got, rendered) = found(&case, entry.id);
                let want = if kind == "good" {
                    BTreeSet::new()
                } else {
                    expected(&case, entry.id)
                };
                if kind == "bad" && want.is_empty() {
                    failures.push(format!("{}/bad/{name}: no `# expect:` marker", entry.id));
                }
                if got != want {
                    failures.push(format!(
                        "{}/{kind}/{name}:\n  expected {want:?}\n  found    {got:?}\n{rendered}",
                        entry.id
                    ));
                }
                if kind == "bad" {
                    insta::with_settings!({snapshot_suffix => format!("{}__{name}", entry.id), prepend_module_to_snapshot => false}, {
                        insta::assert_snapshot!("rule", rendered);
                    });
                }
            }
        }
    }
    assert!(cases > 0, "no fixtures found");
    assert!(
        failures.is_empty(),
        "{} fixture mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
