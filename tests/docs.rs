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

fn stacklint_docs(dir: &Path, mode: &str) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_stacklint"))
        .args(["docs", &dir.display().to_string(), mode])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// `docs --write` then `--check` exits 0; editing a compose port makes `--check` exit 1 with a
/// diff, and `--write` touches nothing outside the generated blocks.
#[test]
fn generated_blocks_check_and_write() {
    let src = root().join("testdata/stacks/anchors-defaults");
    assert_eq!(
        stacklint_docs(&src, "--check").0,
        0,
        "the committed README is up to date"
    );
    let dir = std::env::temp_dir().join(format!("stacklint-docs-gen-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for name in ["compose.yaml", "README.md", ".env"] {
        let _ = std::fs::create_dir_all(&dir);
        std::fs::copy(src.join(name), dir.join(name)).unwrap_or_else(|e| panic!("{e}"));
    }
    let compose = std::fs::read_to_string(dir.join("compose.yaml")).unwrap_or_default();
    std::fs::write(
        dir.join("compose.yaml"),
        compose.replace("${WEB_PORT:-8080}:80", "${WEB_PORT:-8081}:80"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let (code, diff) = stacklint_docs(&dir, "--check");
    assert_eq!(code, 1, "a stale block fails the check");
    assert!(
        diff.contains("-| 8080/tcp | `web`") && diff.contains("+| 8081/tcp | `web`"),
        "{diff}"
    );
    let before = std::fs::read_to_string(dir.join("README.md")).unwrap_or_default();
    assert_eq!(stacklint_docs(&dir, "--write").0, 0);
    let after = std::fs::read_to_string(dir.join("README.md")).unwrap_or_default();
    assert_eq!(stacklint_docs(&dir, "--check").0, 0, "fresh after --write");
    let outside = |t: &str| t.split("<!-- stacklint:ports -->").next().unwrap_or("").to_owned();
    assert_eq!(
        outside(&before),
        outside(&after),
        "text outside the blocks is untouched"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
