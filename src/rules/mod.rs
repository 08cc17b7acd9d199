//! The rule registry. A rule is one file under `src/rules/<category>/`, one page `rules/<id>.md`
//! (the single source of its metadata and docs), fixtures under `testdata/rules/<id>/`, and one
//! line in the `rules!` list below.

use crate::diagnostic::{Diagnostic, Severity};
use crate::model::Stack;

pub(crate) mod prelude {
    #[allow(unused_imports)]
    pub(crate) use crate::diagnostic::{Diagnostic, Severity};
    pub(crate) use crate::model::Stack;
    pub(crate) use crate::rules::Rule;
    pub(crate) use crate::source::Span;
}

/// A check over the whole model. Rules are pure: they read the [`Stack`], push diagnostics, and
/// never do I/O, print or choose a severity (the page's default or the config decides).
pub trait Rule: Send + Sync {
    fn check(&self, stack: &Stack, out: &mut Vec<Diagnostic>);
}

/// Rules whose findings come from the parsers (syntax errors, duplicate keys): nothing to run later.
pub(crate) struct ParserRule;

impl Rule for ParserRule {
    fn check(&self, _stack: &Stack, _out: &mut Vec<Diagnostic>) {}
}

/// A registered rule: its id, its page (front matter + docs) and its check.
pub struct RuleEntry {
    pub id: &'static str,
    pub page: &'static str,
    pub rule: &'static dyn Rule,
}

macro_rules! rules {
    ($( $id:literal => $rule:expr ),* $(,)?) => {
        /// Every rule, sorted by id.
        pub static RULES: &[RuleEntry] = &[
            $( RuleEntry { id: $id, page: include_str!(concat!("../../rules/", $id, ".md")), rule: &$rule } ),*
        ];
    };
}

pub(crate) mod drift;
pub(crate) mod health;
pub(crate) mod hygiene;
pub(crate) mod network;
pub(crate) mod phantom;
pub(crate) mod ports;
pub(crate) mod security;

rules! {
    "compose-schema" => ParserRule,
    "container-name-clash" => ports::container_name_clash::ContainerNameClash,
    "dangling-reference" => phantom::dangling_reference::DanglingReference,
    "default-credentials" => security::default_credentials::DefaultCredentials,
    "doc-count-drift" => drift::doc_count_drift::DocCountDrift,
    "doc-dead-reference" => drift::doc_dead_reference::DocDeadReference,
    "doc-port-drift" => drift::doc_port_drift::DocPortDrift,
    "duplicate-key" => ParserRule,
    "healthcheck-tool-missing" => health::healthcheck_tool_missing::HealthcheckToolMissing,
    "import-escape" => phantom::import_escape::ImportEscape,
    "k8s-schema" => ParserRule,
    "localhost-binding" => network::localhost_binding::LocalhostBinding,
    "localhost-reference" => network::localhost_reference::LocalhostReference,
    "missing-build-context" => phantom::missing_build_context::MissingBuildContext,
    "missing-env-file" => phantom::missing_env_file::MissingEnvFile,
    "missing-healthcheck" => health::missing_healthcheck::MissingHealthcheck,
    "nodeport-out-of-range" => ports::nodeport_out_of_range::NodeportOutOfRange,
    "obsolete-version" => hygiene::obsolete_version::ObsoleteVersion,
    "phantom-service" => phantom::phantom_service::PhantomService,
    "plaintext-secret" => security::plaintext_secret::PlaintextSecret,
    "port-clash" => ports::port_clash::PortClash,
    "probe-port-mismatch" => health::probe_port_mismatch::ProbePortMismatch,
    "registry-drift" => ports::registry_drift::RegistryDrift,
    "restart-loop" => health::restart_loop::RestartLoop,
    "selector-mismatch" => phantom::selector_mismatch::SelectorMismatch,
    "target-port-mismatch" => ports::target_port_mismatch::TargetPortMismatch,
    "template-skipped" => ParserRule,
    "undefined-service" => phantom::undefined_service::UndefinedService,
    "undefined-variable" => hygiene::undefined_variable::UndefinedVariable,
    "unhealthy-dependency" => health::unhealthy_dependency::UnhealthyDependency,
    "unpinned-image" => hygiene::unpinned_image::UnpinnedImage,
    "unreadable-file" => ParserRule,
    "unused-suppression" => ParserRule,
    "yaml-syntax" => ParserRule,
}

/// Rules that walk every container, service, doc row or claim with look-ups: the largest share of
/// the rules phase (`STACKLINT_TIMINGS=1 stacklint check DIR --jobs 1` prints each rule's time). They
/// are started first, so that the light rules fill the end of the phase on every thread instead of
/// one heavy rule running alone there (longest first, the classic rule for balancing a fixed set of
/// jobs).
const HEAVY: &[&str] = &[
    "phantom-service",
    "localhost-reference",
    "healthcheck-tool-missing",
    "doc-port-drift",
    "localhost-binding",
    "probe-port-mismatch",
    "default-credentials",
    "plaintext-secret",
];

/// The order to start `ran` in: positions into it, heavy rules first, then the others as given.
/// Only the start order changes; callers keep findings in `ran`'s order.
pub fn start_order(ran: &[&RuleEntry]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..ran.len()).collect();
    order.sort_by_key(|&i| {
        ran.get(i)
            .and_then(|r| HEAVY.iter().position(|h| *h == r.id))
            .unwrap_or(HEAVY.len())
    });
    order
}

/// Metadata read from a rule page's front matter.
#[derive(Clone, Debug)]
pub struct RuleMeta {
    pub id: &'static str,
    pub category: String,
    pub severity: Severity,
    pub summary: String,
    pub fix: String,
    /// SARIF `precision`: how often a finding of this rule is right (`very-high`, `high`,
    /// `medium`, `low`).
    pub precision: String,
    /// SARIF `security-severity` (a CVSS-like score, `0.0`–`10.0`) of the security rules; GitHub
    /// code scanning rates their alerts by it.
    pub security_severity: Option<String>,
    /// CWE ids the rule's findings are instances of (security rules).
    pub cwe: Vec<String>,
    pub page: &'static str,
}

pub fn find(id: &str) -> Option<&'static RuleEntry> {
    RULES.iter().find(|r| r.id == id)
}

/// [`meta`] of the rule `id`, every page read once per run: each finding asks for its rule's
/// severity and category, and reading the front matter anew each time grew with the findings.
pub fn meta_of(id: &str) -> Option<&'static RuleMeta> {
    static METAS: std::sync::OnceLock<Vec<RuleMeta>> = std::sync::OnceLock::new();
    METAS
        .get_or_init(|| RULES.iter().map(meta).collect())
        .iter()
        .find(|m| m.id == id)
}

/// Front matter of a page: the `---` block of `key: value` lines.
pub fn meta(entry: &RuleEntry) -> RuleMeta {
    let mut category = String::new();
    let mut severity = Severity::Warning;
    let mut summary = String::new();
    let mut fix = "none".to_owned();
    let mut precision = "high".to_owned();
    let mut security_severity = None;
    let mut cwe = Vec::new();
    let body = entry.page.strip_prefix("---\n").unwrap_or("");
    for line in body.lines().take_while(|l| *l != "---") {
        let Some((k, v)) = line.split_once(':') else {
            continue;
        };
        let v = v.trim().trim_matches('"').to_owned();
        match k.trim() {
            "category" => category = v,
            "severity" => severity = Severity::parse(&v).unwrap_or(Severity::Warning),
            "summary" => summary = v,
            "fix" => fix = v,
            "precision" => precision = v,
            "security-severity" => security_severity = Some(v),
            "cwe" => {
                cwe = v
                    .split(',')
                    .map(|c| c.trim().to_owned())
                    .filter(|c| !c.is_empty())
                    .collect()
            }
            _ => {}
        }
    }
    RuleMeta {
        id: entry.id,
        category,
        severity,
        summary,
        fix,
        precision,
        security_severity,
        cwe,
        page: entry.page,
    }
}

/// The page without its front matter.
pub fn page_body(page: &str) -> &str {
    page.strip_prefix("---\n")
        .and_then(|rest| rest.split_once("\n---\n"))
        .map_or(page, |(_, body)| body)
        .trim_start()
}

/// The closest rule id to a misspelt one.
pub fn suggest(id: &str) -> Option<&'static str> {
    crate::suggest::nearest(id, RULES.iter().map(|r| r.id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heavy_rules_exist_and_start_first() {
        for id in HEAVY {
            assert!(find(id).is_some(), "HEAVY names `{id}`, which is no rule");
        }
        let ran: Vec<&RuleEntry> = RULES.iter().collect();
        let order = start_order(&ran);
        let mut sorted = order.clone();
        sorted.sort_unstable();
        assert_eq!(
            sorted,
            (0..ran.len()).collect::<Vec<_>>(),
            "every rule starts exactly once"
        );
        let first: Vec<&str> = order.iter().take(HEAVY.len()).map(|&i| ran[i].id).collect();
        assert_eq!(first, HEAVY);
        let rest: Vec<usize> = order.iter().skip(HEAVY.len()).copied().collect();
        assert!(rest.windows(2).all(|w| w[0] < w[1]), "the light rules keep their order");
    }
}
