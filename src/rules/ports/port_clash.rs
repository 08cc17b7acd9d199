//! port-clash: two services of one compose project publish the same host ip/port/protocol.
//! Docs: rules/port-clash.md
use crate::compose::PortMapping;
use crate::rules::prelude::*;
use std::collections::{BTreeSet, HashMap};

pub(crate) struct PortClash;

/// The most ports one mapping is expanded into when indexing (a range wider than this is clipped).
const MAX_RANGE: usize = 4096;

impl Rule for PortClash {
    fn check(&self, stack: &Stack, out: &mut Vec<Diagnostic>) {
        crate::k8s::checks::port_clash(&stack.k8s, out);
        registry_clashes(stack, out);
        for project in &stack.projects {
            let services = &project.model.services;
            // Every fixed host port, indexed by (protocol, port): no all-pairs loop over mappings.
            let mut published: Vec<(usize, &PortMapping)> = Vec::new();
            for (si, s) in services.iter().enumerate() {
                published.extend(s.ports.iter().filter(|m| m.published.is_some()).map(|m| (si, m)));
            }
            let mut index: HashMap<(&str, u16), Vec<usize>> = HashMap::new();
            for (i, (_, m)) in published.iter().enumerate() {
                let Some(range) = m.published else { continue };
                for port in (range.start..=range.end).take(MAX_RANGE) {
                    index.entry((m.protocol.as_str(), port)).or_default().push(i);
                }
            }
            let mut pairs: BTreeSet<(usize, usize, u16)> = BTreeSet::new();
            for ((_, port), owners) in &index {
                for (n, &a) in owners.iter().enumerate() {
                    for &b in owners.iter().skip(n + 1) {
                        let ((sa, ma), (sb, mb)) = (published[a], published[b]);
                        let (Some(sva), Some(svb)) = (services.get(sa), services.get(sb)) else {
                            continue;
                        };
                        if ma.ip_overlaps(mb) && (sa == sb || sva.may_run_with(svb)) {
                            // Keep the lowest clashing port of each pair.
                            if let Some(&(_, _, p)) = pairs.range((a, b, 0)..=(a, b, u16::MAX)).next() {
                                if p <= *port {
                                    continue;
                                }
                                pairs.remove(&(a, b, p));
                            }
                            pairs.insert((a, b, *port));
                        }
                    }
                }
            }
            for (a, b, port) in pairs {
                let ((sa, first), (sb, dup)) = (published[a], published[b]);
                let (Some(first_svc), Some(dup_svc)) = (services.get(sa), services.get(sb)) else {
                    continue;
                };
                let host = if first.any_ip() {
                    dup.describe_host()
                } else {
                    first.describe_host()
                };
                let what = if first.published.map(|r| r.len()) == Some(1) && dup.published.map(|r| r.len()) == Some(1) {
                    format!("host port {host}")
                } else {
                    format!("host port {port}/{} (in overlapping ranges)", dup.protocol)
                };
                let message = if sa == sb {
                    format!("{what} is published twice by `{}`", dup_svc.name.value)
                } else {
                    format!(
                        "{what} is published by both `{}` and `{}`",
                        first_svc.name.value, dup_svc.name.value
                    )
                };
                out.push(
                    Diagnostic::new("port-clash", dup.span, message)
                        .label("published again here")
                        .related(
                            first.span,
                            format!("first published here by `{}`", first_svc.name.value),
                        )
                        .help("give one of them another host port, or drop the host port to publish on a random one")
                        .subject(format!(
                            "{} {port}/{} {} {}",
                            project.name, dup.protocol, first_svc.name.value, dup_svc.name.value
                        )),
                );
            }
        }
    }
}

/// (port, protocol, host, environment) of a registry entry.
type RegistryKey<'a> = (u16, &'a str, Option<&'a str>, Option<&'a str>);

/// One port registered to two services (same protocol, host and environment).
fn registry_clashes(stack: &Stack, out: &mut Vec<Diagnostic>) {
    for r in &stack.registries {
        let mut first: HashMap<RegistryKey<'_>, &crate::parse::registry::RegistryEntry> = HashMap::new();
        for e in &r.entries {
            let key = (
                e.port.value,
                e.protocol.as_str(),
                e.host.as_deref(),
                e.environment.as_deref(),
            );
            match first.get(&key) {
                None => {
                    first.insert(key, e);
                }
                Some(f) if f.service.value != e.service.value => {
                    out.push(
                        Diagnostic::new(
                            "port-clash",
                            e.port.span,
                            format!(
                                "port {}/{} is registered to both `{}` and `{}`",
                                e.port.value, e.protocol, f.service.value, e.service.value
                            ),
                        )
                        .label("registered again here")
                        .related(f.port.span, format!("first registered here for `{}`", f.service.value))
                        .help("give one of them another port in the registry")
                        .subject(format!(
                            "registry {} {} {}",
                            e.port.value, f.service.value, e.service.value
                        )),
                    );
                }
                Some(_) => {}
            }
        }
    }
}
