//! Secrets never leave stacklint: a fixture full of them is rendered in every format, and none of
//! the values appears in the output, not in messages, labels or help, nor in source snippets (the
//! human report masks them, including context lines of other rules' findings).

mod common;

use std::path::Path;

/// Every secret value in `testdata/redaction/full-of-secrets/` (the default credential `postgres`
/// also names the image, so it is checked on its own line below).
const SECRETS: &[&str] = &[
    "sk_live_Rd4cT3dV4lu3",
    "Qw9-quoted-Zx7",
    "tok_D3f4ultV4lue",
    "wtk_N3xtT0Unp1nned",
    "sig_Mu1t1L1n3_0k",
    "k3yL1n3One",
    "k3yL1n3Two",
    "BEGIN KEY",
    "jwt_3nv_F1l3_V4lu3",
    "late_T0k3n_V4lue",
];

#[test]
fn no_secret_value_in_any_format() {
    let dir = common::testdata().join("redaction").join("full-of-secrets");
    let report = common::run(&dir, &[]);
    let rules: Vec<&str> = report.findings.iter().map(|f| f.diagnostic.rule).collect();
    for expected in ["plaintext-secret", "default-credentials", "unpinned-image"] {
        assert!(rules.contains(&expected), "{expected} should fire: {rules:?}");
    }
    let human = stacklint::report::human::render(&report, false, 100);
    let outputs = [
        ("human", human.clone()),
        ("concise", stacklint::report::concise::render(&report)),
        ("json", stacklint::report::json::render(&report)),
    ];
    for (format, out) in &outputs {
        for s in SECRETS {
            assert!(!out.contains(s), "{format} output shows a secret `{s}`:\n{out}");
        }
        assert!(
            !out.contains("POSTGRES_PASSWORD: postgres"),
            "{format} output shows the default password:\n{out}"
        );
    }
    // The masked snippets still show the lines, with `***` where the value was.
    assert!(human.contains("STRIPE_SECRET_KEY: ***"), "{human}");
    assert!(human.contains("- WORKER_TOKEN=***"), "{human}");
    // Line numbers after a masked multi-line value do not move.
    assert!(human.contains("6 │ LATE_TOKEN=***"), "{human}");
    assert!(Path::new(&dir).join(".env").is_file());
}
