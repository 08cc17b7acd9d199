//! `stacklint ports`: the port map of a repository, built by the library and rendered as a table,
//! JSON and Markdown. Snapshots of the seed stack and of a host-group clash.

mod common;

use common::testdata;
use stacklint::{load_stack, ports_map, CheckOptions};
use std::path::Path;

fn map_of(dir: &Path) -> ports_map::PortMap {
    let opts = CheckOptions {
        paths: vec![dir.to_path_buf()],
        ..CheckOptions::default()
    };
    let (_, _, stack) = load_stack(&opts).expect("the stack builds");
    ports_map::port_map(&stack)
}

#[test]
fn port_claims_table_and_json() {
    let map = map_of(&testdata().join("stacks/port-claims"));
    insta::assert_snapshot!("port_claims_table", ports_map::render_table(&map));
    insta::assert_snapshot!("port_claims_json", ports_map::render_json(&map));
}

#[test]
fn clash_across_a_host_group_is_marked() {
    let map = map_of(&testdata().join("ports/clash"));
    let table = ports_map::render_table(&map);
    insta::assert_snapshot!("host_clash_table", table);
    insta::assert_snapshot!("host_clash_markdown", ports_map::render_markdown(&map));
    let e = map.ports.iter().find(|e| e.port == 8004).expect("8004 is in the map");
    assert!(e.clash);
    assert!(e.claims.iter().all(|c| c.clash), "{table}");
    assert!(map.ports.iter().filter(|e| e.port != 8004).all(|e| !e.clash), "{table}");
}

#[test]
fn deterministic() {
    let dir = testdata().join("stacks/port-claims");
    assert_eq!(
        ports_map::render_json(&map_of(&dir)),
        ports_map::render_json(&map_of(&dir))
    );
}

#[test]
fn cli_renders_every_format() {
    let dir = testdata().join("stacks/port-claims");
    for format in ["table", "json", "markdown"] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_stacklint"))
            .args(["ports", &dir.to_string_lossy(), "--format", format])
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(0), "{format}");
        assert!(String::from_utf8_lossy(&out.stdout).contains("8004"), "{format}");
    }
    let bad = std::process::Command::new(env!("CARGO_BIN_EXE_stacklint"))
        .args(["ports", "/nonexistent/stacklint-ports"])
        .output()
        .expect("runs");
    assert_eq!(bad.status.code(), Some(2));
}

/// Kubernetes Services appear with their cluster port (and the target port they forward to), and
/// a doc's port table with the port it states for each service.
#[test]
fn services_and_docs_are_in_the_map() {
    use ports_map::PortRole;
    let k8s = map_of(&testdata().join("stacks/k8s-shop"));
    insta::assert_snapshot!("k8s_shop_table", ports_map::render_table(&k8s));
    let roles = |m: &ports_map::PortMap| -> Vec<PortRole> {
        m.ports.iter().flat_map(|e| e.claims.iter().map(|c| c.role)).collect()
    };
    assert!(
        roles(&k8s).contains(&PortRole::Exposes),
        "{}",
        ports_map::render_table(&k8s)
    );
    let docs = map_of(&testdata().join("stacks/docs-drift"));
    insta::assert_snapshot!("docs_drift_table", ports_map::render_table(&docs));
    assert!(
        roles(&docs).contains(&PortRole::Documents),
        "{}",
        ports_map::render_table(&docs)
    );
}
