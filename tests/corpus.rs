//! The ecosystem check (as ruff runs one): `check` on every real-world corpus in
//! `../shared/corpus/`, each warning and error compared with the verdict committed for it in
//! `testdata/corpus/<name>.tsv` (`rule`, `file`, `line`, `tp` or `fp`, the reason, tab-separated).
//! A finding without a verdict, or a verdict whose finding is gone, fails with the list of both,
//! so every change to what stacklint says about real repositories is reviewed. Prints precision
//! (tp / all) per corpus. A corpus that is not beside the project is skipped with a note.

use std::collections::BTreeMap;
use std::path::PathBuf;

type Key = (String, String, usize);

fn verdicts(text: &str) -> Result<BTreeMap<Key, Vec<(String, String)>>, String> {
    let mut out: BTreeMap<Key, Vec<(String, String)>> = BTreeMap::new();
    for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let f: Vec<&str> = line.split('\t').collect();
        let [rule, file, at, verdict, reason] = f.as_slice() else {
            return Err(format!("line {}: expected 5 tab-separated fields", i + 1));
        };
        let at: usize = at.parse().map_err(|_| format!("line {}: bad line number", i + 1))?;
        if !matches!(*verdict, "tp" | "fp") || reason.trim().is_empty() {
            return Err(format!("line {}: verdict must be tp or fp, with a reason", i + 1));
        }
        out.entry(((*rule).to_owned(), (*file).to_owned(), at))
            .or_default()
            .push(((*verdict).to_owned(), (*reason).to_owned()));
    }
    Ok(out)
}

#[test]
fn every_corpus_finding_has_a_verdict() {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let corpus_root = manifest.join("../shared/corpus");
    let mut names: Vec<String> = std::fs::read_dir(manifest.join("testdata/corpus"))
        .map(|d| {
            d.filter_map(Result::ok)
                .filter_map(|e| e.file_name().to_str()?.strip_suffix(".tsv").map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    assert!(!names.is_empty(), "no verdict files under testdata/corpus");
    let mut failures = Vec::new();
    for name in names {
        let dir = corpus_root.join(&name);
        if !dir.is_dir() {
            eprintln!("corpus {name}: not found at {}, skipped", dir.display());
            continue;
        }
        let text = std::fs::read_to_string(manifest.join(format!("testdata/corpus/{name}.tsv"))).unwrap_or_default();
        let want = match verdicts(&text) {
            Ok(v) => v,
            Err(e) => {
                failures.push(format!("testdata/corpus/{name}.tsv: {e}"));
                continue;
            }
        };
        let opts = stacklint::CheckOptions {
            paths: vec![dir.clone()],
            ..Default::default()
        };
        let report = stacklint::check(&opts).unwrap_or_else(|e| panic!("corpus {name}: {e}"));
        let mut got: BTreeMap<Key, usize> = BTreeMap::new();
        for f in &report.findings {
            if f.severity < stacklint::diagnostic::Severity::Warning {
                continue;
            }
            let (path, start, _) = stacklint::report::position(&report.sources, f.diagnostic.primary.span);
            *got.entry((f.diagnostic.rule.to_owned(), path, start.line)).or_default() += 1;
        }
        let (mut tp, mut all) = (0usize, 0usize);
        for (key, n) in &got {
            let rows = want.get(key).map_or(&[][..], Vec::as_slice);
            all += n;
            tp += rows.iter().take(*n).filter(|(v, _)| v == "tp").count();
            if rows.len() != *n {
                failures.push(format!(
                    "{name}: {}\t{}\t{}: {n} finding(s), {} verdict(s)",
                    key.0,
                    key.1,
                    key.2,
                    rows.len()
                ));
            }
        }
        for (key, rows) in &want {
            if !got.contains_key(key) {
                failures.push(format!(
                    "{name}: {}\t{}\t{}: verdict `{}` but the finding is gone",
                    key.0, key.1, key.2, rows[0].0
                ));
            }
        }
        eprintln!(
            "corpus {name}: {all} warnings and errors, {tp} tp, precision {:.0}%",
            100.0 * tp as f64 / all.max(1) as f64
        );
    }
    assert!(failures.is_empty(), "corpus verdicts differ:\n{}", failures.join("\n"));
}
