//! Prometheus configuration (`prometheus*.y(a)ml` with `scrape_configs`): the scrape jobs, their
//! static targets, and the rule files whose expressions select jobs by name.

use crate::compose::model::Spanned;
use crate::yaml::Node;

#[derive(Clone, Debug)]
pub struct ScrapeJob {
    pub name: Spanned<String>,
    /// `host:port` strings of `static_configs[].targets`.
    pub targets: Vec<Spanned<String>>,
}

#[derive(Clone, Debug, Default)]
pub struct PrometheusConfig {
    pub jobs: Vec<ScrapeJob>,
    /// `rule_files` entries as written (paths or globs, relative to the config file).
    pub rule_files: Vec<Spanned<String>>,
}

/// Whether a file name says it is a Prometheus config.
pub fn named_like_prometheus(rel: &str) -> bool {
    let name = rel.rsplit('/').next().unwrap_or(rel).to_ascii_lowercase();
    name.starts_with("prometheus") && (name.ends_with(".yml") || name.ends_with(".yaml"))
}

fn spanned_text(n: &Node) -> Option<Spanned<String>> {
    n.as_str().map(|t| Spanned::new(t.to_owned(), n.span))
}

/// The config, if `doc` has a `scrape_configs` list.
pub fn read(doc: &Node) -> Option<PrometheusConfig> {
    let jobs = doc.get("scrape_configs")?.as_seq()?;
    let mut cfg = PrometheusConfig::default();
    for j in jobs {
        let Some(name) = j.get("job_name").and_then(spanned_text) else {
            continue;
        };
        let mut targets = Vec::new();
        for sc in j.get("static_configs").and_then(Node::as_seq).unwrap_or(&[]) {
            for t in sc.get("targets").and_then(Node::as_seq).unwrap_or(&[]) {
                targets.extend(spanned_text(t));
            }
        }
        cfg.jobs.push(ScrapeJob { name, targets });
    }
    cfg.rule_files = doc
        .get("rule_files")
        .and_then(Node::as_seq)
        .unwrap_or(&[])
        .iter()
        .filter_map(spanned_text)
        .collect();
    Some(cfg)
}

/// Every `expr` of a rule file (`groups[].rules[].expr`).
pub fn rule_exprs(doc: &Node) -> Vec<&Node> {
    let mut out = Vec::new();
    for g in doc.get("groups").and_then(Node::as_seq).unwrap_or(&[]) {
        for r in g.get("rules").and_then(Node::as_seq).unwrap_or(&[]) {
            out.extend(r.get("expr").filter(|e| e.as_str().is_some()));
        }
    }
    out
}

/// `job="value"` equality matchers in a PromQL expression, with the byte range of the value.
/// Regex (`=~`) and negative matchers are not read: they name no single job.
pub fn job_matchers(expr: &str) -> Vec<(std::ops::Range<usize>, String)> {
    let mut out = Vec::new();
    let bytes = expr.as_bytes();
    let mut from = 0;
    while let Some(p) = expr[from..].find("job") {
        let at = from + p;
        from = at + 3;
        let before_ok = at == 0 || !(bytes[at - 1].is_ascii_alphanumeric() || bytes[at - 1] == b'_');
        if !before_ok {
            continue;
        }
        let rest = &expr[at + 3..];
        let trimmed = rest.trim_start();
        let Some(after_eq) = trimmed.strip_prefix('=') else {
            continue;
        };
        if after_eq.starts_with(['=', '~']) {
            continue;
        }
        let val = after_eq.trim_start();
        let Some(q) = val.chars().next().filter(|c| matches!(c, '"' | '\'' | '`')) else {
            continue;
        };
        let body = &val[1..];
        let Some(end) = body.find(q) else { continue };
        let start = expr.len() - body.len();
        out.push((start..start + end, body[..end].to_owned()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matchers() {
        let e = r#"up{job="api"} == 0 or rate(x{job =~ "a.*"}[5m]) or y{job!="b", job = 'web'}"#;
        let m: Vec<String> = job_matchers(e).into_iter().map(|(_, v)| v).collect();
        assert_eq!(m, vec!["api", "web"]);
        let (r, _) = &job_matchers(e)[0];
        assert_eq!(&e[r.clone()], "api");
    }
}
