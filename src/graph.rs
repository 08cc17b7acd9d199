//! `stacklint graph`: services and how they depend on each other, as Mermaid (renders in GitHub
//! Markdown) or Graphviz DOT. Edges: compose `depends_on` (labelled with its condition), `links`,
//! env URLs whose host is another service of the project, and Kubernetes Service → the workloads it
//! selects. A name that nothing defines is drawn as a phantom node: dashed and red.

use crate::endpoints_host_services;
use crate::model::Stack;
use std::collections::BTreeSet;

/// One node: id, label, phantom.
type NodeDef = (String, String, bool);
/// One edge: from, to, label.
type EdgeDef = (String, String, String);

fn id(scope: &str, name: &str) -> String {
    let raw = format!("{scope}_{name}");
    raw.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

/// Nodes grouped by project (compose file or `Kubernetes`), and edges, in a stable order.
pub fn build(stack: &Stack) -> (Vec<(String, Vec<NodeDef>)>, Vec<EdgeDef>) {
    let mut groups = Vec::new();
    let mut edges = BTreeSet::new();
    for p in stack.projects.iter().filter(|p| !p.name.contains('+')) {
        let mut nodes: Vec<NodeDef> = Vec::new();
        let names: BTreeSet<&str> = p.model.services.iter().map(|s| s.name.value.as_str()).collect();
        let mut phantoms = BTreeSet::new();
        for s in &p.model.services {
            nodes.push((id(&p.name, &s.name.value), s.name.value.clone(), false));
            let from = id(&p.name, &s.name.value);
            for d in &s.depends_on {
                let label = match d.condition {
                    crate::compose::Condition::Started => "depends_on",
                    crate::compose::Condition::Healthy => "healthy",
                    crate::compose::Condition::CompletedSuccessfully => "completed",
                };
                if !names.contains(d.service.value.as_str()) {
                    phantoms.insert(d.service.value.clone());
                }
                edges.insert((from.clone(), id(&p.name, &d.service.value), label.to_owned()));
            }
            for l in &s.links {
                if !names.contains(l.value.as_str()) {
                    phantoms.insert(l.value.clone());
                }
                edges.insert((from.clone(), id(&p.name, &l.value), "link".to_owned()));
            }
            for target in endpoints_host_services(s, &names) {
                edges.insert((from.clone(), id(&p.name, &target), "env URL".to_owned()));
            }
        }
        for ph in phantoms {
            nodes.push((id(&p.name, &ph), ph, true));
        }
        groups.push((p.name.clone(), nodes));
    }
    let mut k8s_nodes: Vec<NodeDef> = Vec::new();
    let mut seen = BTreeSet::new();
    for (o, svc) in stack.k8s.services() {
        let sid = id("k8s", &format!("svc {} {}", o.namespace, o.name.value));
        if seen.insert(sid.clone()) {
            k8s_nodes.push((sid.clone(), format!("Service/{}", o.name.value), false));
        }
        let Some(sel) = &svc.selector else { continue };
        let selected = stack.k8s.selected(&o.namespace, sel).unwrap_or_default();
        if selected.is_empty() {
            let ph = id("k8s", &format!("nothing {} {}", o.namespace, o.name.value));
            k8s_nodes.push((ph.clone(), "no pod selected".to_owned(), true));
            edges.insert((sid.clone(), ph, "selects".to_owned()));
        }
        for (w, _) in selected {
            let wid = id("k8s", &format!("{} {} {}", w.kind, w.namespace, w.name.value));
            if seen.insert(wid.clone()) {
                k8s_nodes.push((wid.clone(), format!("{}/{}", w.kind, w.name.value), false));
            }
            edges.insert((sid.clone(), wid, "selects".to_owned()));
        }
    }
    if !k8s_nodes.is_empty() {
        groups.push(("Kubernetes".to_owned(), k8s_nodes));
    }
    (groups, edges.into_iter().collect())
}

fn quote(s: &str) -> String {
    s.replace('"', "'")
}

pub fn mermaid(stack: &Stack) -> String {
    let (groups, edges) = build(stack);
    let mut out = String::from("flowchart LR\n");
    for (i, (name, nodes)) in groups.iter().enumerate() {
        out.push_str(&format!(
            "  subgraph g{i}[\"{}\"]\n",
            crate::escape::mermaid_label(&quote(name))
        ));
        for (nid, label, phantom) in nodes {
            out.push_str(&format!(
                "    {nid}[\"{}\"]\n",
                crate::escape::mermaid_label(&quote(label))
            ));
            if *phantom {
                out.push_str(&format!("    class {nid} phantom\n"));
            }
        }
        out.push_str("  end\n");
    }
    for (from, to, label) in &edges {
        out.push_str(&format!(
            "  {from} -->|{}| {to}\n",
            crate::escape::mermaid_label(&quote(label))
        ));
    }
    out.push_str("  classDef phantom stroke:#d00,stroke-width:2px,stroke-dasharray:5 5,color:#d00\n");
    crate::redact::redact(&out).into_owned()
}

pub fn dot(stack: &Stack) -> String {
    let (groups, edges) = build(stack);
    let mut out = String::from("digraph stack {\n  rankdir=LR;\n  node [shape=box];\n");
    for (i, (name, nodes)) in groups.iter().enumerate() {
        out.push_str(&format!(
            "  subgraph cluster_{i} {{\n    label=\"{}\";\n",
            crate::escape::dot_label(&quote(name))
        ));
        for (nid, label, phantom) in nodes {
            let style = if *phantom {
                ", style=dashed, color=red, fontcolor=red"
            } else {
                ""
            };
            out.push_str(&format!(
                "    {nid} [label=\"{}\"{style}];\n",
                crate::escape::dot_label(&quote(label))
            ));
        }
        out.push_str("  }\n");
    }
    for (from, to, label) in &edges {
        out.push_str(&format!(
            "  {from} -> {to} [label=\"{}\"];\n",
            crate::escape::dot_label(&quote(label))
        ));
    }
    out.push_str("}\n");
    // Edge labels come from env URLs, which may carry credentials.
    crate::redact::redact(&out).into_owned()
}
