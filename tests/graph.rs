//! `stacklint graph`: Mermaid and DOT snapshots; phantom nodes are marked.

mod common;

fn graph(stack: &str, format: &str) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_stacklint"))
        .args([
            "graph",
            &common::testdata().join("stacks").join(stack).display().to_string(),
            "--format",
            format,
        ])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(0));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn mermaid_with_a_phantom_dependency() {
    let text = graph("restart-loop", "mermaid");
    assert!(text.contains("class docker_compose_yml_revaudit_v5 phantom"), "{text}");
    insta::assert_snapshot!("graph_restart_loop_mermaid", text);
}

#[test]
fn dot_with_services_and_workloads() {
    insta::assert_snapshot!("graph_k8s_shop_dot", graph("k8s-shop", "dot"));
}
