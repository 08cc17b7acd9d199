//! Nothing leaks: every output format, for a repository full of secrets that rules report on (and
//! report next to), shows none of the secret values.

use stacklint::{check, report, CheckOptions};
use std::path::Path;

mod common;
use common::write;

/// Secret values planted in the fixture. Each is distinctive so a substring search is exact.
const SECRETS: &[&str] = &[
    "Pg-Sup3r-S3cret-4u7h",
    "ghp_T0kenValue9876543210abcdef",
    "sk_live_51Hx1234567890abcd",
    "Env-F1le-Passw0rd-77",
    "K8s-Db-Passw0rd-42x",
    "K8sApiTok3n-abcdef123456",
    "Url-Embedded-Pw-555",
    "K8s-Url-Pw-909",
];

fn fixture(root: &Path) {
    // Compose: secrets in `environment` (map and list forms) on services that several rules report
    // on (unpinned image, missing healthcheck, localhost reference, port clash), so the secret lines
    // sit inside or right next to rendered snippets.
    write(
        root,
        "compose.yaml",
        "services:
  api:
    image: example/api
    ports: [\"8000:8000\"]
    environment:
      POSTGRES_PASSWORD: Pg-Sup3r-S3cret-4u7h
      GITHUB_TOKEN: ghp_T0kenValue9876543210abcdef
      DATABASE_URL: postgres://app:Url-Embedded-Pw-555@localhost:5432/app
    depends_on:
      cache:
        condition: service_healthy
  worker:
    image: example/worker:latest
    ports: [\"8000:8000\"]
    environment:
      - STRIPE_SECRET_KEY=sk_live_51Hx1234567890abcd
      - DB_PASSWORD=${DB_PASSWORD}
  cache:
    image: redis
  db:
    image: postgres:16
    environment:
      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD}
",
    );
    write(
        root,
        ".env",
        "DB_PASSWORD=Env-F1le-Passw0rd-77\nAPI_TOKEN=Env-F1le-Passw0rd-77\n",
    );
    // Kubernetes: literal secrets in container env, reported by plaintext-secret, plus other
    // findings on the same container (no probes, unpinned image, dangling reference).
    write(
        root,
        "k8s/app.yaml",
        "apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
spec:
  selector:
    matchLabels: {app: app}
  template:
    metadata:
      labels: {app: app}
    spec:
      containers:
        - name: app
          image: example/app:latest
          env:
            - name: DB_PASSWORD
              value: K8s-Db-Passw0rd-42x
            - name: API_TOKEN
              value: \"K8sApiTok3n-abcdef123456\"
            - name: DATABASE_URL
              value: postgres://app:K8s-Url-Pw-909@localhost:5432/app
            - name: CONFIG
              valueFrom:
                configMapKeyRef: {name: missing-config, key: x}
          ports:
            - containerPort: 8080
---
apiVersion: v1
kind: Service
metadata:
  name: app
spec:
  selector: {app: other}
  ports:
    - port: 80
      targetPort: 9090
",
    );
}

#[test]
fn no_secret_value_in_any_output_format() {
    let dir = std::env::temp_dir().join(format!("stacklint-no-leak-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    fixture(&dir);
    let opts = CheckOptions {
        paths: vec![dir.clone()],
        jobs: Some(2),
        ..CheckOptions::default()
    };
    let r = check(&opts).expect("check runs");
    // The fixture must actually provoke findings on and around the secret lines, or the test proves
    // nothing.
    assert!(
        r.findings.len() >= 5,
        "expected findings, got {:#?}",
        r.findings.iter().map(|f| f.diagnostic.rule).collect::<Vec<_>>()
    );
    let outputs = [
        ("human", report::human::render(&r, false, 100)),
        ("human (colour)", report::human::render(&r, true, 100)),
        ("concise", report::concise::render(&r)),
        ("json", report::json::render(&r)),
        ("sarif", report::sarif::render(&r)),
        ("github", report::github::render(&r)),
        ("github step summary", report::github::step_summary(&r)),
        ("junit", report::junit::render(&r)),
        ("gitlab", report::gitlab::render(&r)),
        ("baseline", report::baseline::render(&r)),
    ];
    let _ = std::fs::remove_dir_all(&dir);
    let mut leaks = Vec::new();
    for (format, text) in &outputs {
        for s in SECRETS {
            if text.contains(s) {
                leaks.push(format!("{format}: {s}"));
            }
        }
    }
    assert!(
        leaks.is_empty(),
        "secret values leaked:\n{}\n\nhuman output:\n{}",
        leaks.join("\n"),
        outputs[0].1
    );
}
