//! Keeps rules, pages and fixtures in step: every registered rule has a page whose front matter
//! names it, a bad and a good fixture; every page has a rule; every example quoted in a page is the
//! fixture file it names, byte for byte; messages follow the style guide.

mod common;

use common::{files_under, subdirs, testdata};
use std::path::Path;

#[test]
fn every_rule_has_page_and_fixtures() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for entry in stacklint::rules::RULES {
        let meta = stacklint::rules::meta(entry);
        assert!(
            entry.page.starts_with(&format!("---\nid: {}\n", entry.id)),
            "{}: front matter id",
            entry.id
        );
        assert!(
            !meta.category.is_empty() && !meta.summary.is_empty(),
            "{}: category and summary",
            entry.id
        );
        for section in [
            "## What it does",
            "## Why is this bad?",
            "## Example",
            "## How to fix",
            "## Options",
        ] {
            assert!(entry.page.contains(section), "{}: page lacks {section}", entry.id);
        }
        for kind in ["bad", "good"] {
            let dir = testdata().join("rules").join(entry.id).join(kind);
            assert!(!subdirs(&dir).is_empty(), "{}: no {kind} fixture", entry.id);
        }
    }
    let mut pages: Vec<String> = std::fs::read_dir(root.join("rules"))
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            e.file_name()
                .to_str()
                .and_then(|n| n.strip_suffix(".md"))
                .map(str::to_owned)
        })
        .collect();
    pages.sort();
    for p in pages {
        assert!(
            stacklint::rules::find(&p).is_some(),
            "rules/{p}.md has no registered rule"
        );
    }
    let ids: Vec<&str> = stacklint::rules::RULES.iter().map(|r| r.id).collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted, "keep the registry sorted by id");
}

/// A page quotes a fixture as "`path`:" followed by a fenced block: the block must be the file.
#[test]
fn page_examples_are_the_fixtures() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for entry in stacklint::rules::RULES {
        let lines: Vec<&str> = entry.page.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let Some(path) = line.strip_prefix('`').and_then(|l| l.strip_suffix("`:")) else {
                continue;
            };
            if !path.starts_with("testdata/") {
                continue;
            }
            let file = std::fs::read(root.join(path)).unwrap_or_default();
            let Ok(file) = String::from_utf8(file) else { continue };
            let body: Vec<&str> = lines
                .iter()
                .skip(i + 3)
                .take_while(|l| !l.starts_with("```"))
                .copied()
                .collect();
            assert_eq!(
                body.join("\n"),
                file.trim_end(),
                "{}: example {path} differs from the fixture",
                entry.id
            );
        }
    }
}

/// Messages: lowercase start (acronyms and code excepted), no trailing period.
#[test]
fn messages_follow_the_style() {
    for case in subdirs(&testdata().join("stacks")).into_iter().chain(
        stacklint::rules::RULES
            .iter()
            .flat_map(|r| subdirs(&testdata().join("rules").join(r.id).join("bad"))),
    ) {
        if files_under(&case).is_empty() {
            continue;
        }
        let report = common::run(&case, &[]);
        for f in &report.findings {
            let m = &f.diagnostic.message;
            let first_word = m.split_whitespace().next().unwrap_or("");
            // Acronyms (`YAML`) and Kubernetes kinds (`ConfigMap`, `Service`) are proper nouns.
            const KINDS: &[&str] = &[
                "Service",
                "Secret",
                "ConfigMap",
                "Deployment",
                "Pod",
                "Ingress",
                "StatefulSet",
                "DaemonSet",
                "Job",
                "CronJob",
            ];
            let ok_start = m.starts_with(|c: char| !c.is_uppercase())
                || first_word.chars().all(|c| !c.is_lowercase())
                || KINDS.contains(&first_word);
            assert!(ok_start, "message starts uppercase: {m}");
            assert!(!m.ends_with('.'), "message ends with a period: {m}");
            if let Some(h) = &f.diagnostic.help {
                assert!(!h.ends_with('.'), "help ends with a period: {h}");
            }
        }
    }
}

/// The config schema is valid JSON Schema and accepts the documented example config.
#[test]
fn config_schema_accepts_example() {
    let example = "include: []\nexclude: [vendor/**]\nrules:\n  unpinned-image: off\nignore:\n  - rule: port-clash\n    paths: [legacy/**]\n    reason: decommissioned next quarter\nprojects:\n  - name: prod\n    files: [docker-compose.yml, docker-compose.prod.yml]\n    env_file: .env.prod\nmax_file_size: 1048576\n";
    assert!(stacklint::config::parse("example.yaml", example).is_ok());
}

/// The crate as crates.io gets it must hold every file the binary embeds (rule pages, schemas):
/// a file left out of `include` builds here and fails for everyone who installs the crate.
/// `cargo package --list` reads the manifest only, so this costs no build.
#[test]
fn packaged_crate_holds_every_embedded_file() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = std::process::Command::new(env!("CARGO"))
        .args(["package", "--list", "--locked", "--allow-dirty", "--offline"])
        .current_dir(root)
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "cargo package --list: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let listed: std::collections::BTreeSet<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    let mut embedded = Vec::new();
    for dir in ["rules", "schemas"] {
        for entry in std::fs::read_dir(root.join(dir)).expect("folder exists") {
            let name = entry.expect("entry").file_name().to_string_lossy().into_owned();
            embedded.push(format!("{dir}/{name}"));
        }
    }
    // Literal include_str!/include_bytes! paths, resolved from the file that names them.
    for entry in files_under(&root.join("src"))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
    {
        let text = std::fs::read_to_string(&entry).expect("source is UTF-8");
        for marker in ["include_str!(\"", "include_bytes!(\""] {
            for (at, _) in text.match_indices(marker) {
                let tail = &text[at + marker.len()..];
                let Some(end) = tail.find('"') else { continue };
                let path = entry.parent().expect("in a folder").join(&tail[..end]);
                let path = std::fs::canonicalize(&path).expect("embedded file exists");
                let rel = path
                    .strip_prefix(root.canonicalize().expect("root"))
                    .expect("inside the crate");
                embedded.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    assert!(embedded.len() > 30, "found only {} embedded files", embedded.len());
    let missing: Vec<_> = embedded.iter().filter(|f| !listed.contains(*f)).collect();
    assert!(missing.is_empty(), "embedded but not packaged: {missing:?}");
}
