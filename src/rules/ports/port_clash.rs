//! port-clash: two services of one compose project publish the same host ip/port/protocol.
//! Docs: rules/port-clash.md
use crate::compose::PortMapping;
use crate::rules::prelude::*;
use foldhash::HashMap;
use std::collections::BTreeSet;

pub(crate) struct PortClash;

/// The most ports one mapping is expanded into when indexing (a range wider than this is clipped).
const MAX_RANGE: usize = 4096;

impl Rule for PortClash {
    fn check(&self, stack: &Stack, out: &mut Vec<Diagnostic>) {
        crate::k8s::checks::port_clash(&stack.k8s, out);
        registry_clashes(stack, out);
        host_clashes(stack, out);
        for project in &stack.projects {
            let services = &project.model.services;
            // Every fixed host port, indexed by (protocol, port): no all-pairs loop over mappings.
            let mut published: Vec<(usize, &PortMapping)> = Vec::new();
            for (si, s) in services.iter().enumerate() {
                published.extend(s.ports.iter().filter(|m| m.published.is_some()).map(|m| (si, m)));
            }
            let mut index: HashMap<(&str, u16), Vec<usize>> = HashMap::default();
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
        let mut first: HashMap<RegistryKey<'_>, &crate::parse::registry::RegistryEntry> = HashMap::default();
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

/// One fixed host port (or range) claimed by a member of a host group.
struct HostClaim<'a> {
    /// Index into the group's members.
    member: usize,
    /// `None` for a systemd unit.
    service: Option<&'a crate::compose::Service>,
    mapping: Option<&'a PortMapping>,
    start: u16,
    end: u16,
    protocol: &'a str,
    span: Span,
    who: String,
}

impl HostClaim<'_> {
    fn overlaps(&self, other: &HostClaim<'_>) -> Option<u16> {
        if self.protocol != other.protocol || self.end < other.start || other.end < self.start {
            return None;
        }
        if let (Some(a), Some(b)) = (self.mapping, other.mapping) {
            if !a.ip_overlaps(b) {
                return None;
            }
        }
        if let (Some(a), Some(b)) = (self.service, other.service) {
            if !a.may_run_with(b) {
                return None;
            }
        }
        Some(self.start.max(other.start))
    }
}

/// A member of a host group: a compose project or a systemd unit.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Member {
    Project(usize),
    Unit(usize),
}

/// Machines shared by several compose projects and systemd units: config `hosts:` when given;
/// otherwise all systemd units of the repository form one host (together with the compose projects
/// when they are all overlays of one stack), and compose projects that join a common external
/// network form one host. Each group comes with how to name it in messages.
fn host_groups(stack: &Stack) -> Vec<(String, Vec<Member>)> {
    let mut groups = Vec::new();
    if !stack.hosts.is_empty() {
        for h in &stack.hosts {
            let mut members = Vec::new();
            for want in &h.projects {
                let want = want.trim_start_matches("./").trim_end_matches('/');
                for (i, p) in stack.projects.iter().enumerate() {
                    let base = p.name.split('+').next().unwrap_or(&p.name);
                    if p.name == want || base == want || p.dir == want {
                        members.push(Member::Project(i));
                    }
                }
            }
            for want in &h.units {
                for (i, u) in stack.units.iter().enumerate() {
                    if u.name == *want || u.stem() == want {
                        members.push(Member::Unit(i));
                    }
                }
            }
            members.sort();
            members.dedup();
            let name = if h.name.is_empty() {
                "one host (config `hosts`)".to_owned()
            } else {
                format!("host `{}`", h.name)
            };
            groups.push((name, members));
        }
        return groups;
    }
    let units = (0..stack.units.len()).map(Member::Unit);
    if !stack.units.is_empty() && !stack.projects.is_empty() && one_compose_family(stack) {
        // A repository with systemd units and one compose stack (its overlays are alternatives
        // of it) describes one machine: the units and the containers share its ports.
        groups.push((
            "one host (the repository's systemd units and its one compose stack; say otherwise with `hosts:` in .stacklint.yaml)"
                .to_owned(),
            units.chain((0..stack.projects.len()).map(Member::Project)).collect(),
        ));
    } else if stack.units.len() > 1 {
        groups.push((
            "one host (all systemd units of the repository)".to_owned(),
            units.collect(),
        ));
    }
    // Projects joined through a shared external network (union of every network they share).
    let mut by_net: std::collections::BTreeMap<&str, Vec<usize>> = std::collections::BTreeMap::new();
    for (i, p) in stack.projects.iter().enumerate() {
        for n in &p.model.external_networks {
            by_net.entry(n.as_str()).or_default().push(i);
        }
    }
    let mut parent: Vec<usize> = (0..stack.projects.len()).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    let mut nets_of_root: HashMap<usize, BTreeSet<&str>> = HashMap::default();
    for (net, members) in &by_net {
        for w in members.windows(2) {
            let (a, b) = (root(&mut parent, w[0]), root(&mut parent, w[1]));
            parent[b.max(a)] = a.min(b);
        }
        if members.len() > 1 {
            nets_of_root.entry(members[0]).or_default().insert(net);
        }
    }
    let mut comps: std::collections::BTreeMap<usize, Vec<Member>> = std::collections::BTreeMap::new();
    for i in 0..stack.projects.len() {
        let r = root(&mut parent, i);
        comps.entry(r).or_default().push(Member::Project(i));
    }
    let mut roots_nets: HashMap<usize, BTreeSet<&str>> = HashMap::default();
    for (first, nets) in nets_of_root {
        let r = root(&mut parent, first);
        roots_nets.entry(r).or_default().extend(nets);
    }
    for (r, members) in comps {
        if members.len() < 2 {
            continue;
        }
        let nets: Vec<String> = roots_nets
            .get(&r)
            .map(|n| n.iter().map(|n| format!("`{n}`")).collect())
            .unwrap_or_default();
        groups.push((
            format!("one host (they share the external network {})", nets.join(", ")),
            members,
        ));
    }
    groups
}

/// Whether every compose project of the repository is an overlay or alternative of one base: the
/// projects, linked by the files they share, form a single family.
fn one_compose_family(stack: &Stack) -> bool {
    let Some(first) = stack.projects.first() else {
        return false;
    };
    let mut family: BTreeSet<crate::source::FileId> = first.files.iter().copied().collect();
    let mut left: Vec<&crate::model::project::Project> = stack.projects.iter().skip(1).collect();
    // Grow the family until no project joins it; bounded by the number of projects.
    loop {
        let before = left.len();
        left.retain(|p| {
            if p.files.iter().any(|f| family.contains(f)) {
                family.extend(p.files.iter().copied());
                false
            } else {
                true
            }
        });
        if left.is_empty() {
            return true;
        }
        if left.len() == before {
            return false;
        }
    }
}

/// Whether two projects are alternatives of one base (`base+dev`, `base+prod`) or one is the other's
/// base: they share a file, so they never run side by side.
fn alternatives(a: &crate::model::project::Project, b: &crate::model::project::Project) -> bool {
    a.files.iter().any(|f| b.files.contains(f))
}

/// Host ports clashing between different members of one host group (projects, units).
pub(super) fn host_clashes(stack: &Stack, out: &mut Vec<Diagnostic>) {
    let mut reported: BTreeSet<(Span, Span)> = BTreeSet::new();
    for (host, members) in host_groups(stack) {
        let mut claims: Vec<HostClaim<'_>> = Vec::new();
        for (mi, m) in members.iter().enumerate() {
            match *m {
                Member::Project(p) => {
                    let Some(project) = stack.projects.get(p) else { continue };
                    for s in &project.model.services {
                        for mp in &s.ports {
                            let Some(r) = mp.published else { continue };
                            claims.push(HostClaim {
                                member: mi,
                                service: Some(s),
                                mapping: Some(mp),
                                start: r.start,
                                end: r.end,
                                protocol: mp.protocol.as_str(),
                                span: mp.span,
                                who: format!("`{}` (project `{}`)", s.name.value, project.name),
                            });
                        }
                    }
                }
                Member::Unit(u) => {
                    let Some(unit) = stack.units.get(u) else { continue };
                    let Some(exec) = unit.unit.get("Service", "ExecStart") else {
                        continue;
                    };
                    for port in crate::model::units::unit_ports(&unit.unit) {
                        claims.push(HostClaim {
                            member: mi,
                            service: None,
                            mapping: None,
                            start: port,
                            end: port,
                            protocol: "tcp",
                            span: exec.value.span,
                            who: format!("unit `{}`", unit.name),
                        });
                    }
                }
            }
        }
        // A sweep instead of all pairs: sorted by (protocol, first port), a claim can only overlap
        // the claims that start before it ends (a stable sort keeps the written order of equals).
        claims.sort_by_key(|c| (c.protocol, c.start));
        for (i, first) in claims.iter().enumerate() {
            let later = claims.iter().skip(i + 1);
            for dup in later.take_while(|d| d.protocol == first.protocol && d.start <= first.end) {
                if first.member == dup.member {
                    continue; // within one project: the per-project check; within one unit: one process
                }
                if let (Member::Project(a), Member::Project(b)) = (members[first.member], members[dup.member]) {
                    match (stack.projects.get(a), stack.projects.get(b)) {
                        (Some(pa), Some(pb)) if !alternatives(pa, pb) => {}
                        _ => continue,
                    }
                }
                let Some(port) = first.overlaps(dup) else { continue };
                if first.span == dup.span || !reported.insert((dup.span, first.span)) {
                    continue;
                }
                out.push(
                    Diagnostic::new(
                        "port-clash",
                        dup.span,
                        format!(
                            "host port {port}/{} is claimed by both {} and {} on {host}",
                            dup.protocol, first.who, dup.who
                        ),
                    )
                    .label("claimed again here")
                    .related(first.span, format!("first claimed here by {}", first.who))
                    .help("give one of them another host port, or move one to another machine in the config `hosts`")
                    .subject(format!("host {port}/{} {} {}", dup.protocol, first.who, dup.who)),
                );
            }
        }
    }
}
