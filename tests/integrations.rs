//! CI integrations: the github, junit, gitlab and SARIF formats, several outputs in one run,
//! suppressions and baselines.

mod common;

use common::{files_under, testdata};
use stacklint::{check, CheckOptions};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::Command;

fn stacklint_env(args: &[&str], env: &[(&str, &Path)]) -> (i32, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_stacklint"));
    cmd.args(args).env("NO_COLOR", "1").env_remove("GITHUB_STEP_SUMMARY");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap_or_else(|e| panic!("cannot run stacklint: {e}"));
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn stacklint(args: &[&str]) -> (i32, String, String) {
    stacklint_env(args, &[])
}

/// A fresh, empty temporary folder for one test.
fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("stacklint-it-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    dir
}

fn write(path: &Path, text: &str) {
    if let Some(p) = path.parent() {
        std::fs::create_dir_all(p).unwrap_or_else(|e| panic!("{e}"));
    }
    std::fs::write(path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

fn copy_dir(from: &Path, to: &Path) {
    for f in files_under(from) {
        let rel = f.strip_prefix(from).unwrap_or(&f);
        let text = std::fs::read(&f).unwrap_or_else(|e| panic!("{e}"));
        let dest = to.join(rel);
        if let Some(p) = dest.parent() {
            std::fs::create_dir_all(p).unwrap_or_else(|e| panic!("{e}"));
        }
        std::fs::write(dest, text).unwrap_or_else(|e| panic!("{e}"));
    }
}

fn stack(name: &str) -> String {
    testdata().join("stacks").join(name).display().to_string()
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("invalid JSON ({e}):\n{text}"))
}

/// A repository with more than ten errors and warnings, in a folder whose name needs escaping
/// in every format (`,` and `:` for GitHub properties, `&` and `<` for XML).
/// A fresh repository holding one `compose.yaml`.
fn compose_repo(name: &str, compose: &str) -> PathBuf {
    let dir = temp(name);
    write(&dir.join("compose.yaml"), compose);
    dir
}

fn noisy_repo(name: &str) -> (PathBuf, PathBuf) {
    let dir = temp(name);
    let mut compose = String::from("services:\n");
    for i in 0..12 {
        compose.push_str(&format!(
            "  svc{i}:\n    image: acme/svc{i}:latest\n    depends_on: [missing{i}]\n"
        ));
    }
    let sub = dir.join("we,ird:&<dir>");
    write(&sub.join("compose.yaml"), &compose);
    (dir, sub)
}

// ---------------------------------------------------------------- github

/// `::cmd key=value,…::message`: checks the syntax and returns (cmd, properties, message).
fn parse_command(line: &str) -> (String, Vec<(String, String)>, String) {
    let rest = line
        .strip_prefix("::")
        .unwrap_or_else(|| panic!("no leading `::`: {line}"));
    let (head, message) = rest
        .split_once("::")
        .unwrap_or_else(|| panic!("no `::` before the message: {line}"));
    let (cmd, props) = head.split_once(' ').unwrap_or((head, ""));
    assert!(["error", "warning", "notice"].contains(&cmd), "{line}");
    let props: Vec<(String, String)> = props
        .split(',')
        .map(|p| {
            let (k, v) = p
                .split_once('=')
                .unwrap_or_else(|| panic!("property without `=`: {p} in {line}"));
            assert!(!v.contains(':'), "unescaped `:` in property {k}: {line}");
            (k.to_owned(), v.to_owned())
        })
        .collect();
    let keys: Vec<&str> = props.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys, ["file", "line", "col", "endLine", "endColumn", "title"], "{line}");
    assert!(!message.contains('\r'), "{line}");
    (cmd.to_owned(), props, message.to_owned())
}

fn unescape(s: &str) -> String {
    s.replace("%0A", "\n")
        .replace("%0D", "\r")
        .replace("%3A", ":")
        .replace("%2C", ",")
        .replace("%25", "%")
}

#[test]
fn github_commands_are_well_formed_and_most_severe_first() {
    let (dir, sub) = noisy_repo("github");
    let summary = dir.join("summary.md");
    let root = sub.display().to_string();
    let (code, out, _) = stacklint_env(
        &["check", &root, "--format", "github"],
        &[("GITHUB_STEP_SUMMARY", &summary)],
    );
    assert_eq!(code, 1);
    let rank = |c: &str| match c {
        "error" => 0,
        "warning" => 1,
        _ => 2,
    };
    let mut last = 0;
    let mut errors = 0;
    let mut warnings = 0;
    for line in out.lines() {
        let (cmd, props, message) = parse_command(line);
        assert!(rank(&cmd) >= last, "not sorted by severity:\n{out}");
        last = rank(&cmd);
        errors += usize::from(cmd == "error");
        warnings += usize::from(cmd == "warning");
        assert_eq!(unescape(&props[0].1), "compose.yaml");
        assert!(props[1].1.parse::<usize>().is_ok_and(|n| n >= 1), "{line}");
        assert!(props[5].1.starts_with("stacklint "), "{line}");
        assert!(!message.contains('\n'), "{line}");
        assert!(unescape(&message).contains("\nhelp: "), "{line}");
    }
    assert_eq!((errors, warnings), (12, 12), "{out}");
    // The step summary: a table per (rule, severity) and the count GitHub will not annotate.
    let md = std::fs::read_to_string(&summary).unwrap_or_default();
    assert!(md.contains("| `undefined-service` | error | 12 |"), "{md}");
    assert!(md.contains("| `unpinned-image` | warning | 12 |"), "{md}");
    assert!(md.contains("4 of 24 findings did not get an annotation"), "{md}");
    // Appending, not overwriting.
    let _ = stacklint_env(
        &["check", &root, "--format", "github"],
        &[("GITHUB_STEP_SUMMARY", &summary)],
    );
    let twice = std::fs::read_to_string(&summary).unwrap_or_default();
    assert_eq!(twice.matches("### stacklint").count(), 2);
    // Other formats never write the summary file.
    let other = dir.join("other.md");
    let _ = stacklint_env(
        &["check", &root, "--format", "json"],
        &[("GITHUB_STEP_SUMMARY", &other)],
    );
    assert!(!other.exists(), "--format json wrote the step summary");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn github_escapes_properties_and_data() {
    use stacklint::report::github::{escape_data, escape_property};
    assert_eq!(escape_data("50% done\r\nnext"), "50%25 done%0D%0Anext");
    assert_eq!(escape_property("a,b:c%\n"), "a%2Cb%3Ac%25%0A");
    // A path with `,` and `:` relative to a parent root is escaped in the `file` property.
    let (dir, _) = noisy_repo("github-escape");
    let (_, out, _) = stacklint(&["check", &dir.display().to_string(), "--format", "github"]);
    let first = out.lines().next().unwrap_or_default();
    assert!(first.contains("file=we%2Cird%3A&<dir>/compose.yaml,"), "{first}");
    parse_command(first);
    let _ = std::fs::remove_dir_all(&dir);
}

// ---------------------------------------------------------------- junit

/// A small well-formedness check: balanced tags, quoted attributes, known entities, no raw `<`
/// or `&` in text. Enough to catch escaping mistakes without an XML dependency.
fn check_xml(xml: &str) -> Result<usize, String> {
    let body = xml
        .strip_prefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
        .ok_or("missing XML declaration")?;
    let check_text = |t: &str| -> Result<(), String> {
        let mut rest = t;
        while let Some(i) = rest.find('&') {
            let after = &rest[i + 1..];
            let end = after.find(';').ok_or(format!("unterminated entity in {t:?}"))?;
            let name = &after[..end];
            let ok = matches!(name, "amp" | "lt" | "gt" | "quot" | "apos")
                || name.strip_prefix('#').is_some_and(|n| n.parse::<u32>().is_ok());
            if !ok {
                return Err(format!("bad entity &{name};"));
            }
            rest = &after[end + 1..];
        }
        if t.contains('>') && !t.trim().is_empty() {
            // `>` is legal in text, but we always escape it.
            return Err(format!("raw `>` in {t:?}"));
        }
        Ok(())
    };
    let mut stack: Vec<String> = Vec::new();
    let mut elements = 0;
    let mut rest = body;
    while !rest.is_empty() {
        let Some(open) = rest.find('<') else {
            check_text(rest)?;
            break;
        };
        check_text(&rest[..open])?;
        let close = rest[open..].find('>').ok_or("unterminated tag")? + open;
        let tag = &rest[open + 1..close];
        if let Some(name) = tag.strip_prefix('/') {
            let top = stack.pop().ok_or(format!("unexpected </{name}>"))?;
            if top != name {
                return Err(format!("</{name}> closes <{top}>"));
            }
        } else {
            elements += 1;
            let self_closing = tag.ends_with('/');
            let tag = tag.trim_end_matches('/');
            let (name, mut attrs) = tag.split_once(' ').unwrap_or((tag, ""));
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                return Err(format!("bad element name {name:?}"));
            }
            let mut seen = HashSet::new();
            while !attrs.trim().is_empty() {
                let (k, v) = attrs
                    .trim_start()
                    .split_once("=\"")
                    .ok_or(format!("bad attribute in <{tag}>"))?;
                let end = v.find('"').ok_or(format!("unterminated attribute in <{tag}>"))?;
                if !seen.insert(k.to_owned()) {
                    return Err(format!("duplicate attribute {k}"));
                }
                let value = &v[..end];
                if value.contains('<') {
                    return Err(format!("raw `<` in attribute {k}"));
                }
                check_text(value)?;
                attrs = &v[end + 1..];
            }
            if !self_closing {
                stack.push(name.to_owned());
            }
        }
        rest = &rest[close + 1..];
    }
    if let Some(top) = stack.pop() {
        return Err(format!("<{top}> never closed"));
    }
    Ok(elements)
}

#[test]
fn junit_is_well_formed_xml_with_one_testcase_per_rule_and_file() {
    assert!(check_xml("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a><b x=\"1\"/></a>\n").is_ok());
    assert!(check_xml("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a>x & y</a>\n").is_err());
    assert!(check_xml("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a><b></a></b>\n").is_err());
    let xml = noisy_xml("junit");
    assert_eq!(xml.matches("<testcase ").count(), 2, "{xml}");
    assert!(
        xml.contains("classname=\"we,ird:&amp;&lt;dir&gt;/compose.yaml\""),
        "{xml}"
    );
    assert!(
        xml.contains("<failure message=\"12 findings of undefined-service\""),
        "{xml}"
    );
    // No findings: still a valid suite with one passing testcase.
    assert_eq!(clean_xml("junit"), 3);
}

/// The XML `format` writes for [`noisy_repo`] (findings in an awkwardly named folder), checked
/// to be well-formed.
fn noisy_xml(format: &str) -> String {
    let (dir, _) = noisy_repo(format);
    let (code, xml, _) = stacklint(&["check", &dir.display().to_string(), "--format", format]);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(code, 1);
    if let Err(e) = check_xml(&xml) {
        panic!("{e}\n{xml}");
    }
    xml
}

/// How many elements the XML `format` writes for a clean stack; panics unless well-formed.
fn clean_xml(format: &str) -> usize {
    let (code, xml, _) = stacklint(&["check", &stack("anchors-defaults"), "--format", format]);
    assert_eq!(code, 0);
    check_xml(&xml).unwrap_or_else(|e| panic!("{e}\n{xml}"))
}

// ---------------------------------------------------------------- gitlab and fingerprints

#[test]
fn gitlab_fingerprints_are_unique_even_for_identical_subjects() {
    // The same duplicate key in two services: same rule, file and message.
    let dir = compose_repo(
        "gitlab",
        "services:\n  a:\n    image: x:1\n    image: x:1\n  b:\n    image: x:1\n    image: x:1\n",
    );
    let root = dir.display().to_string();
    let (_, out, _) = stacklint(&["check", &root, "--format", "gitlab"]);
    let v = json(&out);
    let list = v.as_array().cloned().unwrap_or_default();
    assert_eq!(list.len(), 2, "{out}");
    let fps: HashSet<&str> = list.iter().filter_map(|e| e["fingerprint"].as_str()).collect();
    assert_eq!(fps.len(), 2, "{out}");
    for e in &list {
        assert_eq!(e["check_name"], "duplicate-key");
        assert_eq!(e["severity"], "major");
        assert_eq!(e["location"]["path"], "compose.yaml");
        assert!(e["location"]["lines"]["begin"].as_u64().is_some_and(|n| n >= 1));
        assert!(e["description"].as_str().is_some_and(|d| !d.is_empty()));
    }
    // Deterministic: the same fingerprints on every run.
    let (_, again, _) = stacklint(&["check", &root, "--format", "gitlab"]);
    assert_eq!(out, again);
    let _ = std::fs::remove_dir_all(&dir);
}

// ---------------------------------------------------------------- sarif

#[test]
fn sarif_snapshot() {
    let (_, out, _) = stacklint(&["check", &stack("suppressions"), "--format", "sarif"]);
    let mut v = json(&out);
    let run = &mut v["runs"][0];
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    // Rule descriptors come from the rule pages; check their shape here and snapshot only ids,
    // so that editing a page does not churn this snapshot.
    let rules = run["tool"]["driver"]["rules"].as_array().cloned().unwrap_or_default();
    assert_eq!(rules.len(), stacklint::rules::RULES.len());
    for r in &rules {
        for key in [
            "id",
            "name",
            "shortDescription",
            "fullDescription",
            "help",
            "helpUri",
            "defaultConfiguration",
        ] {
            assert!(!r[key].is_null(), "descriptor lacks {key}: {r}");
        }
        assert!(r["help"]["markdown"]
            .as_str()
            .is_some_and(|m| m.contains("## Why is this bad?")));
        let id = r["id"].as_str().unwrap_or_default();
        assert!(
            r["helpUri"]
                .as_str()
                .is_some_and(|u| u.ends_with(&format!("/rules/{id}.md"))),
            "{r}"
        );
        let props = &r["properties"];
        assert!(
            ["very-high", "high", "medium", "low"].contains(&props["precision"].as_str().unwrap_or_default()),
            "{r}"
        );
        // Code scanning rates security alerts by this score; without it they show unrated.
        if props["category"] == "security" {
            let score: f64 = props["security-severity"]
                .as_str()
                .and_then(|s| s.parse().ok())
                .unwrap_or(-1.0);
            assert!((0.0..=10.0).contains(&score), "{r}");
        }
    }
    // The base of every location: the checked root, as an absolute `file://` URI ending in `/`.
    let root = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        root.starts_with("file:///") && root.ends_with("/testdata/stacks/suppressions/"),
        "{root}"
    );
    run["originalUriBaseIds"]["%SRCROOT%"]["uri"] = "file:///…/testdata/stacks/suppressions/".into();
    assert!(run.get("automationDetails").is_none(), "only with --sarif-category");
    run["tool"]["driver"]["rules"] = rules.iter().map(|r| r["id"].clone()).collect();
    for r in run["results"].as_array().into_iter().flatten() {
        let i = r["ruleIndex"].as_u64().unwrap_or(u64::MAX) as usize;
        assert_eq!(rules.get(i).map(|d| &d["id"]), Some(&r["ruleId"]));
    }
    insta::assert_json_snapshot!("sarif_suppressions", v);
}

#[test]
fn sarif_category_becomes_automation_details() {
    let (_, out, _) = stacklint(&[
        "check",
        &stack("restart-loop"),
        "--format",
        "sarif",
        "--sarif-category",
        "stacklint/restart-loop",
    ]);
    // GitHub reads the category as the id up to its last `/`: the slash upload-sarif adds.
    assert_eq!(
        json(&out)["runs"][0]["automationDetails"]["id"],
        "stacklint/restart-loop/"
    );
}

#[test]
fn junit_fails_only_findings_at_or_above_fail_on() {
    let dir = stack("restart-loop");
    let (code, all, _) = stacklint(&["check", &dir, "--format", "junit", "--fail-on", "warning"]);
    assert_eq!(code, 1);
    // restart-loop has errors and warnings: with --fail-on error the warnings pass, listed in
    // system-out; with --fail-on never nothing fails, as the exit code says.
    let (_, errors, _) = stacklint(&["check", &dir, "--format", "junit", "--fail-on", "error"]);
    let (code, never, _) = stacklint(&["check", &dir, "--format", "junit", "--fail-on", "never"]);
    assert_eq!(code, 0);
    for xml in [&all, &errors, &never] {
        if let Err(e) = check_xml(xml) {
            panic!("{e}\n{xml}");
        }
    }
    let failures = |xml: &str| xml.matches("<failure ").count();
    assert!(failures(&all) > failures(&errors), "{all}\n{errors}");
    assert!(failures(&errors) > 0, "{errors}");
    assert!(errors.contains("<system-out>"), "{errors}");
    assert_eq!(failures(&never), 0, "{never}");
    assert!(never.contains("failures=\"0\""), "{never}");
    assert_eq!(all.matches("<testcase ").count(), never.matches("<testcase ").count());
}

#[test]
fn checkstyle_is_well_formed_with_one_error_per_finding() {
    let xml = noisy_xml("checkstyle");
    assert_eq!(xml.matches("<file ").count(), 1, "{xml}");
    assert_eq!(xml.matches("<error ").count(), 24, "{xml}");
    assert!(
        xml.contains("<file name=\"we,ird:&amp;&lt;dir&gt;/compose.yaml\">"),
        "{xml}"
    );
    assert!(xml.contains("severity=\"warning\""), "{xml}");
    assert!(xml.contains("source=\"stacklint.undefined-service\""), "{xml}");
    assert_eq!(clean_xml("checkstyle"), 1);
}

#[test]
fn rdjson_has_byte_columns_and_rule_links() {
    // `é` is two bytes: rdjson counts bytes where SARIF counts characters.
    let dir = compose_repo(
        "rdjson",
        "services:\n  web:\n    image: nginx # é\n    depends_on: [\"dé\"]\n",
    );
    let (code, out, _) = stacklint(&["check", &dir.display().to_string(), "--format", "rdjson"]);
    assert_eq!(code, 1, "{out}");
    let v = json(&out);
    assert_eq!(v["source"]["name"], "stacklint");
    let diags = v["diagnostics"].as_array().cloned().unwrap_or_default();
    let undefined = diags
        .iter()
        .find(|d| d["code"]["value"] == "undefined-service")
        .unwrap_or_else(|| panic!("{out}"));
    assert_eq!(undefined["severity"], "ERROR");
    assert_eq!(undefined["location"]["path"], "compose.yaml");
    assert!(undefined["code"]["url"]
        .as_str()
        .is_some_and(|u| u.ends_with("/rules/undefined-service.md")));
    let range = &undefined["location"]["range"];
    assert_eq!(range["start"]["line"], 4);
    let (start, end) = (
        range["start"]["column"].as_u64().unwrap_or(0),
        range["end"]["column"].as_u64().unwrap_or(0),
    );
    // The span is `"dé"` or `dé`: its byte length, not its character count.
    assert!(end - start == 3 || end - start == 5, "{range}");
    let _ = std::fs::remove_dir_all(&dir);
}

// ---------------------------------------------------------------- several outputs

#[test]
fn several_formats_in_one_run() {
    let dir = temp("outputs");
    let sarif = dir.join("out.sarif");
    let junit = dir.join("out.xml");
    let (code, out, err) = stacklint(&[
        "check",
        &stack("restart-loop"),
        "--format",
        "sarif",
        "--output",
        &sarif.display().to_string(),
        "--format",
        "concise",
        "--format",
        "junit",
        "-o",
        &junit.display().to_string(),
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(
        out.starts_with("docker-compose.yml:1:1: info[obsolete-version]"),
        "{out}"
    );
    let s = json(&std::fs::read_to_string(&sarif).unwrap_or_default());
    assert_eq!(s["version"], "2.1.0");
    assert!(std::fs::read_to_string(&junit)
        .unwrap_or_default()
        .contains("<testsuite "));
    // Two formats on stdout, or an --output with no --format before it: usage errors.
    let (code, out, err) = stacklint(&["check", &stack("overlays"), "--format", "json", "--format", "human"]);
    assert_eq!((code, out.as_str(), err.lines().count()), (2, "", 1), "{err}");
    let (code, _, err) = stacklint(&[
        "check",
        &stack("overlays"),
        "-o",
        &sarif.display().to_string(),
        "--format",
        "sarif",
        "--format",
        "json",
    ]);
    assert_eq!((code, err.lines().count()), (2, 1), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

// ---------------------------------------------------------------- suppressions

fn report(dir: &Path, no_ignore: bool) -> stacklint::Report {
    let opts = CheckOptions {
        paths: vec![dir.to_path_buf()],
        no_ignore,
        ..CheckOptions::default()
    };
    check(&opts).unwrap_or_else(|e| panic!("{e}"))
}

fn lines(r: &stacklint::Report) -> Vec<(String, String, usize)> {
    r.findings
        .iter()
        .map(|f| {
            let (file, start, _) = stacklint::report::position(&r.sources, f.diagnostic.primary.span);
            (f.diagnostic.rule.to_owned(), file, start.line)
        })
        .collect()
}

#[test]
fn every_kind_of_ignore() {
    let dir = testdata().join("stacks/suppressions");
    let r = report(&dir, false);
    let mut got: Vec<(String, Option<String>, &str)> = r
        .suppressed_findings
        .iter()
        .map(|s| (s.finding.diagnostic.rule.to_owned(), s.reason.clone(), s.kind.as_str()))
        .collect();
    got.sort();
    let want = [
        (
            "duplicate-key",
            "rendered by an old generator; fixed upstream",
            "inSource",
        ), // annotation
        (
            "obsolete-version",
            "the build host still runs docker-compose v1",
            "inSource",
        ), // file-level
        ("port-clash", "web and api never run on the same host", "inSource"), // line above
        ("unpinned-image", "follows upstream on purpose", "inSource"),        // same line
        (
            "unpinned-image",
            "the legacy stack is frozen until it is retired",
            "external",
        ), // config
    ];
    let want: Vec<(String, Option<String>, &str)> = want
        .iter()
        .map(|(r, why, k)| ((*r).to_owned(), Some((*why).to_owned()), *k))
        .collect();
    assert_eq!(got, want);
    assert_eq!(r.suppressed, 5);
    assert!(r.summary_line().ends_with("(5 suppressed)"), "{}", r.summary_line());
    assert_eq!(
        lines(&r),
        [
            ("unused-suppression".to_owned(), ".stacklint.yaml".to_owned(), 5),
            ("unused-suppression".to_owned(), "compose.yaml".to_owned(), 18),
            ("unused-suppression".to_owned(), "compose.yaml".to_owned(), 24),
        ]
    );
    assert!(r.findings[2]
        .diagnostic
        .message
        .contains("did you mean `unpinned-image`"));
    // --no-ignore: everything shows, nothing is judged unused.
    let all = report(&dir, true);
    assert_eq!(all.suppressed, 0);
    let rules: Vec<String> = lines(&all).into_iter().map(|(r, _, _)| r).collect();
    assert_eq!(
        rules,
        [
            "obsolete-version",
            "unpinned-image",
            "port-clash",
            "duplicate-key",
            "unpinned-image"
        ]
    );
}

#[test]
fn trailing_comment_covers_only_its_line_and_hash_must_start_a_comment() {
    let dir = temp("trailing");
    write(
        &dir.join("compose.yaml"),
        "services:\n  a:\n    image: x:latest  # stacklint-ignore obsolete-version -- wrong rule\n    environment:\n      - X=1#stacklint-ignore unpinned-image\n  b:\n    image: y:latest # stacklint-ignore unpinned-image -- only this line\n  c:\n    image: z:latest\n",
    );
    let r = report(&dir, false);
    let got: Vec<(String, usize)> = lines(&r).into_iter().map(|(r, _, l)| (r, l)).collect();
    assert_eq!(
        got,
        [
            ("unpinned-image".to_owned(), 3),
            ("unused-suppression".to_owned(), 3),
            ("unpinned-image".to_owned(), 9),
        ]
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn wildcard_and_blank_inline_ignores_are_reported() {
    let dir = temp("wildcard");
    write(
        &dir.join("compose.yaml"),
        "services:\n  a:\n    image: x:latest  # stacklint-ignore * -- everything\n  b:\n    image: y:latest  # stacklint-ignore\n",
    );
    let r = report(&dir, false);
    let messages: Vec<&str> = r
        .findings
        .iter()
        .filter(|f| f.diagnostic.rule == "unused-suppression")
        .map(|f| f.diagnostic.message.as_str())
        .collect();
    assert_eq!(
        messages,
        ["`*` is not allowed in an inline ignore", "ignore names no rule id"]
    );
    assert_eq!(r.suppressed, 0);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn ignores_for_rules_that_did_not_run_are_not_judged() {
    let dir = testdata().join("stacks/suppressions");
    let opts = CheckOptions {
        paths: vec![dir],
        select: vec!["unused-suppression".into()],
        ..CheckOptions::default()
    };
    // --select unused-suppression runs every rule to judge the ignores: same three findings.
    let r = check(&opts).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.findings.len(), 3);
    assert_eq!(r.suppressed, 0, "only selected rules are counted");
    // With another rule selected, unused-suppression does not run at all.
    let (_, out, _) = stacklint(&[
        "check",
        &stack("suppressions"),
        "--select",
        "unpinned-image",
        "--format",
        "concise",
    ]);
    assert_eq!(out, "");
}

// ---------------------------------------------------------------- baseline

#[test]
fn baseline_reports_only_new_findings_after_lines_move() {
    let dir = temp("baseline");
    copy_dir(&testdata().join("stacks/restart-loop"), &dir);
    let root = dir.display().to_string();
    let base = dir.join("baseline.json");
    let (code, _, err) = stacklint(&["baseline", &root, "-o", &base.display().to_string()]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("recorded 7 findings"), "{err}");
    // Nothing new yet.
    let (code, out, _) = stacklint(&[
        "check",
        &root,
        "--baseline",
        &base.display().to_string(),
        "--format",
        "json",
    ]);
    assert_eq!(code, 0);
    assert_eq!(json(&out)["diagnostics"].as_array().map(Vec::len), Some(0));
    // Move every finding down (a comment at the top) and add one new problem.
    let compose = dir.join("docker-compose.yml");
    let text = std::fs::read_to_string(&compose).unwrap_or_default();
    let text = format!("# moved everything down\n\n{text}  newcomer:\n    image: acme/newcomer:latest\n");
    write(&compose, &text);
    let (code, out, err) = stacklint(&[
        "check",
        &root,
        "--baseline",
        &base.display().to_string(),
        "--format",
        "concise",
    ]);
    assert_eq!(code, 0, "warnings only: {out}{err}");
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(
        out.contains("warning[unpinned-image] image `acme/newcomer:latest`"),
        "{out}"
    );
    assert!(!err.contains("no longer"), "{err}");
    // Fix one baselined problem: its entry is reported as gone.
    let fixed = text.replacen("version: '3.8'\n", "", 1);
    assert_ne!(fixed, text, "restart-loop starts with a version key");
    write(&compose, &fixed);
    let (_, out, err) = stacklint(&["check", &root, "--baseline", &base.display().to_string()]);
    assert!(err.contains("1 baseline entry no longer occurs"), "{err}");
    assert!(out.contains("(6 in baseline, 1 baseline entry gone)"), "{out}");
    // A file that is not a baseline is a usage error.
    let (code, _, err) = stacklint(&["check", &root, "--baseline", &compose.display().to_string()]);
    assert_eq!((code, err.lines().count()), (2, 1), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}
