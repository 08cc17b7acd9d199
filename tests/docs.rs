//! The reference pages under docs/ are generated from their single sources — the CLI's own
//! `--help`, `schemas/config.schema.json` and the rule pages — and this test fails when a page
//! drifts. Regenerate with `STACKLINT_UPDATE_DOCS=1 cargo test --test docs`.

use std::path::Path;
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn help(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_stacklint"))
        .args(args)
        .arg("--help")
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn cli_reference() -> String {
    let top = help(&[]);
    let mut page = String::from(
        "# CLI reference\n\nGenerated from `stacklint --help` by `tests/docs.rs`; do not edit by hand.\n\n```text\n",
    );
    page.push_str(&top);
    page.push_str("```\n");
    let commands: Vec<String> = top
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
        .filter(|c| c != "help")
        .collect();
    for c in commands {
        page.push_str(&format!("\n## stacklint {c}\n\n```text\n{}```\n", help(&[&c])));
    }
    page
}

fn config_reference() -> String {
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("schemas/config.schema.json")).unwrap_or_default())
            .unwrap_or_else(|e| panic!("{e}"));
    let mut page = String::from(
        "# Configuration reference (`.stacklint.yaml`)\n\nGenerated from `schemas/config.schema.json` by `tests/docs.rs`; do not edit by hand. The file is\nlooked up in the checked folder and the folders above it; unknown keys are errors.\n\n| key | type | description |\n|---|---|---|\n",
    );
    fn describe(v: &serde_json::Value) -> String {
        match (v.get("type").and_then(|t| t.as_str()), v.get("enum")) {
            (_, Some(e)) => format!(
                "one of {}",
                e.as_array()
                    .map(|a| a
                        .iter()
                        .map(|x| format!("`{}`", x.as_str().unwrap_or("")))
                        .collect::<Vec<_>>()
                        .join(", "))
                    .unwrap_or_default()
            ),
            (Some("array"), _) => format!("list of {}", v.get("items").map(describe).unwrap_or_default()),
            (Some("object"), _) if v.get("properties").is_some() => "mapping (see below)".to_owned(),
            (Some("object"), _) => format!(
                "mapping of id to {}",
                v.get("additionalProperties").map(describe).unwrap_or_default()
            ),
            (Some(t), _) => t.to_owned(),
            (None, _) => String::new(),
        }
    }
    fn rows(props: &serde_json::Map<String, serde_json::Value>, prefix: &str, page: &mut String) {
        for (k, v) in props {
            let desc = v.get("description").and_then(|d| d.as_str()).unwrap_or("");
            page.push_str(&format!("| `{prefix}{k}` | {} | {desc} |\n", describe(v)));
            let nested = v
                .get("properties")
                .or_else(|| v.get("items").and_then(|i| i.get("properties")));
            if let Some(p) = nested.and_then(|p| p.as_object()) {
                let sep = if v.get("items").is_some() { "[]." } else { "." };
                rows(p, &format!("{prefix}{k}{sep}"), page);
            }
        }
    }
    if let Some(p) = schema.get("properties").and_then(|p| p.as_object()) {
        rows(p, "", &mut page);
    }
    page
}

fn rule_index() -> String {
    let mut page = String::from("# Rules\n\nGenerated from `rules/*.md` by `tests/docs.rs`; do not edit by hand. `stacklint explain <id>` shows a page.\n\n| id | category | default | fix | summary |\n|---|---|---|---|---|\n");
    for entry in stacklint::rules::RULES {
        let m = stacklint::rules::meta(entry);
        page.push_str(&format!(
            "| [`{}`](../rules/{}.md) | {} | {} | {} | {} |\n",
            m.id, m.id, m.category, m.severity, m.fix, m.summary
        ));
    }
    page
}

#[test]
fn reference_pages_are_up_to_date() {
    let pages = [
        ("docs/cli.md", cli_reference()),
        ("docs/config.md", config_reference()),
        ("docs/rules.md", rule_index()),
    ];
    let update = std::env::var_os("STACKLINT_UPDATE_DOCS").is_some();
    let mut stale = Vec::new();
    for (path, want) in pages {
        let p = root().join(path);
        let have = std::fs::read_to_string(&p).unwrap_or_default();
        if have != want {
            if update {
                std::fs::write(&p, &want).unwrap_or_else(|e| panic!("{e}"));
            } else {
                stale.push(path);
            }
        }
    }
    assert!(
        stale.is_empty(),
        "{stale:?} are stale: run `STACKLINT_UPDATE_DOCS=1 cargo test --test docs`"
    );
}
