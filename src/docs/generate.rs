//! `stacklint docs --check | --write`: generated blocks in Markdown files that stay true.
//!
//! Between `<!-- stacklint:ports -->` and `<!-- /stacklint:ports -->` goes the port table of the
//! stack; between `<!-- stacklint:services -->` and `<!-- /stacklint:services -->` the services with
//! image, ports, healthcheck and dependencies. Everything outside the markers is left byte for byte.

use crate::model::stack::HealthSource;
use crate::model::Stack;

/// Every value in a generated table is a cell: a name holding a newline and a marker must not end
/// the block (and delete the user's text up to the next one) or inject Markdown.
use crate::escape::markdown_cell as cell;

/// The primary projects: bases and standalone files (alternative overlays `base+env` and `-f`
/// combinations would repeat their services).
fn primary(stack: &Stack) -> impl Iterator<Item = &crate::model::project::Project> {
    stack.projects.iter().filter(|p| !p.name.contains('+'))
}

/// The port table: every fixed host port published by a compose service, and every NodePort.
pub fn ports_table(stack: &Stack) -> String {
    let mut rows: Vec<(u16, String, String, String, String)> = Vec::new();
    for p in primary(stack) {
        for s in &p.model.services {
            for m in &s.ports {
                let Some(published) = m.published else { continue };
                let host = m
                    .host_ip
                    .clone()
                    .filter(|_| !m.any_ip())
                    .unwrap_or_else(|| "all".to_owned());
                rows.push((
                    published.start,
                    format!("{published}/{}", m.protocol),
                    format!("`{}`", cell(&s.name.value)),
                    format!("{} → {}", cell(&host), m.target),
                    format!("`{}`", cell(&p.name)),
                ));
            }
        }
    }
    for (svc, port, node_port) in stack.k8s.node_ports() {
        rows.push((
            node_port,
            format!("{node_port}/tcp"),
            format!("`{}`", cell(&svc)),
            format!("NodePort → {port}"),
            "Kubernetes".to_owned(),
        ));
    }
    rows.sort();
    rows.dedup();
    let mut t = String::from("| port | service | host → container | defined in |\n|---|---|---|---|\n");
    for (_, port, service, mapping, source) in rows {
        t.push_str(&format!("| {port} | {service} | {mapping} | {source} |\n"));
    }
    crate::redact::redact(&t).into_owned()
}

/// The services table: image (or build), ports, healthcheck source and dependencies.
pub fn services_table(stack: &Stack) -> String {
    let mut t = String::from("| service | image | ports | healthcheck | depends on |\n|---|---|---|---|---|\n");
    let mut seen = std::collections::BTreeSet::new();
    for p in primary(stack) {
        for s in &p.model.services {
            if !seen.insert((p.dir.clone(), s.name.value.clone())) {
                continue;
            }
            let image = match (&s.image, &s.build) {
                (_, Some(b)) => format!("build `{}`", cell(&b.context.value)),
                (Some(i), None) => format!("`{}`", cell(&i.value)),
                (None, None) => String::new(),
            };
            let ports: Vec<String> = s
                .ports
                .iter()
                .map(|m| match m.published {
                    Some(h) => format!("{h}:{}", m.target),
                    None => m.target.to_string(),
                })
                .collect();
            let health = match stack.health_of(p, s) {
                HealthSource::Compose => "compose",
                HealthSource::Dockerfile(_) => "Dockerfile",
                HealthSource::DisabledInCompose(_) | HealthSource::DisabledInDockerfile(_) => "disabled",
                HealthSource::NoneInDockerfile(_) | HealthSource::NoneForImage(_) => "none",
                HealthSource::Unknown => "?",
            };
            let deps: Vec<String> = s
                .depends_on
                .iter()
                .map(|d| match d.condition {
                    crate::compose::Condition::Started => format!("`{}`", cell(&d.service.value)),
                    crate::compose::Condition::Healthy => format!("`{}` (healthy)", cell(&d.service.value)),
                    crate::compose::Condition::CompletedSuccessfully => {
                        format!("`{}` (completed)", cell(&d.service.value))
                    }
                })
                .collect();
            t.push_str(&format!(
                "| `{}` | {image} | {} | {health} | {} |\n",
                cell(&s.name.value),
                ports.join(", "),
                deps.join(", ")
            ));
        }
    }
    // Images and build contexts are interpolated (`registry/${TOKEN}`): the committed README must
    // not receive what looks secret.
    crate::redact::redact(&t).into_owned()
}

/// `text` with every generated block replaced by its current content.
pub fn regenerate(text: &str, ports: &str, services: &str) -> String {
    let mut out = text.to_owned();
    for (name, body) in [("ports", ports), ("services", services)] {
        let open = format!("<!-- stacklint:{name} -->");
        let close = format!("<!-- /stacklint:{name} -->");
        let mut from = 0;
        while let Some(rel) = out.get(from..).and_then(|t| t.find(&open)) {
            let start = from + rel + open.len();
            let Some(end_rel) = out.get(start..).and_then(|t| t.find(&close)) else {
                break;
            };
            let end = start + end_rel;
            let replacement = format!("\n{body}");
            out.replace_range(start..end, &replacement);
            from = start + replacement.len() + close.len();
        }
    }
    out
}

/// Every Markdown file with generated blocks: (path, current text, regenerated text).
pub fn plan(stack: &Stack) -> Vec<(String, String, String)> {
    let ports = ports_table(stack);
    let services = services_table(stack);
    let mut out = Vec::new();
    for (id, kind) in &stack.texts {
        if *kind != crate::discover::FileKind::Markdown {
            continue;
        }
        let Some(src) = stack.sources.get(*id) else { continue };
        if !src.text.contains("<!-- stacklint:") {
            continue;
        }
        let new = regenerate(&src.text, &ports, &services);
        out.push((src.path.clone(), src.text.clone(), new));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::regenerate;

    #[test]
    fn only_the_blocks_change() {
        let text = "# Title\n\n<!-- stacklint:ports -->\nold\n<!-- /stacklint:ports -->\n\nkept\n";
        let new = regenerate(text, "| a |\n", "");
        assert_eq!(
            new,
            "# Title\n\n<!-- stacklint:ports -->\n| a |\n<!-- /stacklint:ports -->\n\nkept\n"
        );
        assert_eq!(regenerate(&new, "| a |\n", ""), new, "idempotent");
        assert_eq!(regenerate("no markers\n", "x", "y"), "no markers\n");
    }
}
