//! port-clash: two services of one compose project publish the same host ip/port/protocol.
//! Docs: rules/port-clash.md
use crate::compose::PortMapping;
use crate::model::project::Project;
use crate::rules::prelude::*;
use foldhash::HashMap;
use std::collections::BTreeSet;

pub(crate) struct PortClash;

impl Rule for PortClash {
    fn check(&self, stack: &Stack, out: &mut Vec<Diagnostic>) {
        crate::k8s::checks::port_clash(&stack.k8s, out);
        registry_clashes(stack, out);
        // One pair of publishers is one clash, however many projects (a base and its overlays, a
        // `-f` set and its files, host groups) hold both: each pair is reported once.
        let mut reported = Reported::default();
        project_clashes(stack, &mut reported, out);
        host_clashes(stack, &mut reported, out);
    }
}

/// The clashes already reported: pairs of places in either order, and each place with the named
/// containers (`container_name`) it was reported against.
#[derive(Default)]
struct Reported<'a> {
    pairs: BTreeSet<(Span, Span)>,
    against: BTreeSet<(Span, &'a str)>,
}

impl<'a> Reported<'a> {
    /// Records the pair `a`, `b`; false when it was reported already.
    fn first_time(&mut self, a: Span, b: Span) -> bool {
        self.pairs.insert((a.min(b), a.max(b)))
    }

    /// Records the clash of place `a` (container `ca`) with place `b` (container `cb`); false when
    /// one of them was reported already against the other's container, published again in a copy
    /// of its file (a root stack and a per-folder copy that both define `room-26-grafana`).
    fn first_time_between(&mut self, (a, ca): (Span, Option<&'a str>), (b, cb): (Span, Option<&'a str>)) -> bool {
        let seen = |r: &Self, s: Span, c: Option<&'a str>| c.is_some_and(|c| r.against.contains(&(s, c)));
        if seen(self, a, cb) || seen(self, b, ca) || !self.first_time(a, b) {
            return false;
        }
        self.against.extend(cb.map(|c| (a, c)));
        self.against.extend(ca.map(|c| (b, c)));
        true
    }
}

/// The `container_name` of a service, when set and resolved.
fn container_name(s: &crate::compose::Service) -> Option<&str> {
    known(&s.container_name)
}

/// The text of an optional value, when set, not empty and resolved.
fn known(v: &Option<crate::compose::model::Spanned<String>>) -> Option<&str> {
    v.as_ref()
        .map(|s| s.value.as_str())
        .filter(|t| !t.is_empty() && !crate::compose::model::is_unknown(t))
}

/// Host ports clashing between two services of one compose project.
fn project_clashes(stack: &Stack, reported: &mut Reported<'_>, out: &mut Vec<Diagnostic>) {
    for project in &stack.projects {
        let services = &project.model.services;
        // Every fixed host port, indexed by (protocol, port): no all-pairs loop over mappings.
        let mut published: Vec<(usize, &PortMapping)> = Vec::new();
        for (si, s) in services.iter().enumerate() {
            published.extend(s.ports.iter().filter(|m| m.published.is_some()).map(|m| (si, m)));
        }
        // Ranges as intervals, swept in order of their first port (per protocol): each mapping is
        // compared only with the earlier ones still open at its start, so the work is the number
        // of mappings plus the number of clashing pairs, whatever the ranges' widths (300 services
        // publishing `1-65535` were 300 x 65535 index entries and quadratic per port).
        let mut order: Vec<(&str, u16, u16, usize)> = published
            .iter()
            .enumerate()
            .filter_map(|(i, (_, m))| m.published.map(|r| (m.protocol.as_str(), r.start, r.end, i)))
            .collect();
        order.sort_unstable();
        let mut pairs: BTreeSet<(usize, usize, u16)> = BTreeSet::new();
        let mut open: Vec<(&str, u16, usize)> = Vec::new();
        for &(protocol, start, end, b) in &order {
            open.retain(|&(p, e, _)| p == protocol && e >= start);
            for &(_, _, a) in &open {
                let ((sa, ma), (sb, mb)) = (published[a], published[b]);
                let (Some(sva), Some(svb)) = (services.get(sa), services.get(sb)) else {
                    continue;
                };
                if ma.ip_overlaps(mb) && (sa == sb || sva.may_run_with(svb)) {
                    // The lowest port both publish: the later start, as the open ranges began
                    // no later.
                    pairs.insert((a.min(b), a.max(b), start));
                }
            }
            open.push((protocol, end, b));
        }
        for (a, b, port) in pairs {
            let ((sa, first), (sb, dup)) = (published[a], published[b]);
            let (Some(first_svc), Some(dup_svc)) = (services.get(sa), services.get(sb)) else {
                continue;
            };
            if !reported.first_time(first.span, dup.span) {
                continue;
            }
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
    // Projects joined through a shared external network or a shared compose project name (`name:`
    // makes Compose treat the files as one project): the union of every link they share.
    let mut by_link: std::collections::BTreeMap<(&str, &str), Vec<usize>> = std::collections::BTreeMap::new();
    for (i, p) in stack.projects.iter().enumerate() {
        for n in &p.model.external_networks {
            by_link.entry(("the external network", n.as_str())).or_default().push(i);
        }
        if let Some(n) = &p.model.name {
            by_link
                .entry(("the compose project name", n.as_str()))
                .or_default()
                .push(i);
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
    let mut links_of: HashMap<usize, BTreeSet<(&str, &str)>> = HashMap::default();
    for (link, members) in &by_link {
        for w in members.windows(2) {
            let (a, b) = (root(&mut parent, w[0]), root(&mut parent, w[1]));
            parent[b.max(a)] = a.min(b);
        }
        if members.len() > 1 {
            links_of.entry(members[0]).or_default().insert(*link);
        }
    }
    let mut comps: std::collections::BTreeMap<usize, Vec<Member>> = std::collections::BTreeMap::new();
    for i in 0..stack.projects.len() {
        let r = root(&mut parent, i);
        comps.entry(r).or_default().push(Member::Project(i));
    }
    let mut roots_links: HashMap<usize, BTreeSet<(&str, &str)>> = HashMap::default();
    for (first, links) in links_of {
        let r = root(&mut parent, first);
        roots_links.entry(r).or_default().extend(links);
    }
    for (r, members) in comps {
        if members.len() < 2 {
            continue;
        }
        let links: Vec<String> = roots_links
            .get(&r)
            .map(|l| l.iter().map(|(kind, name)| format!("{kind} `{name}`")).collect())
            .unwrap_or_default();
        groups.push((format!("one host (they share {})", links.join(", ")), members));
    }
    groups
}

/// Whether every compose project of the repository is an overlay or alternative of one base: the
/// projects, linked as [`alternatives`] (a shared file, or a base and a file of its folder run
/// instead of it), form a single family.
fn one_compose_family(stack: &Stack) -> bool {
    let n = stack.projects.len();
    if n == 0 {
        return false;
    }
    let mut parent: Vec<usize> = (0..n).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    fn join(parent: &mut [usize], a: usize, b: usize) {
        let (ra, rb) = (root(parent, a), root(parent, b));
        parent[ra.max(rb)] = ra.min(rb);
    }
    let mut by_file: HashMap<crate::source::FileId, usize> = HashMap::default();
    let mut by_dir: std::collections::BTreeMap<&str, Vec<usize>> = std::collections::BTreeMap::new();
    for (i, p) in stack.projects.iter().enumerate() {
        for f in &p.files {
            match by_file.get(f) {
                Some(&j) => join(&mut parent, i, j),
                None => {
                    by_file.insert(*f, i);
                }
            }
        }
        by_dir.entry(p.dir.as_str()).or_default().push(i);
    }
    for members in by_dir.values() {
        for (k, &i) in members.iter().enumerate() {
            for &j in members.iter().skip(k + 1) {
                if let (Some(a), Some(b)) = (stack.projects.get(i), stack.projects.get(j)) {
                    if alternatives(stack, a, b) {
                        join(&mut parent, i, j);
                    }
                }
            }
        }
    }
    (1..n).all(|i| root(&mut parent, i) == root(&mut parent, 0))
}

/// Whether two projects are alternatives of one base (`base+dev`, `base+prod`), one is the other's
/// base (they share a file), or they are a base and a file of its folder run instead of it
/// (`docker-compose.yml` and `docker-compose.center-deep.yml`): they never run side by side.
fn alternatives(stack: &Stack, a: &Project, b: &Project) -> bool {
    a.files.iter().any(|f| b.files.contains(f))
        || match (a.files.first(), b.files.first()) {
            (Some(fa), Some(fb)) => {
                crate::model::project::base_and_alternative(stack.sources.path(*fa), stack.sources.path(*fb))
            }
            _ => false,
        }
}

/// Whether service `a` of project `pa` and service `b` of another project `pb` describe one
/// container rather than two: they set the same `container_name` (a per-folder copy of a service of
/// the root stack), or one project is a copy of the other (every service of one is a service of the
/// other) and they are that service with the same image (a Traefik folder copied beside another,
/// whose `container_name` was renamed). One of them runs at a time; two services of one project
/// that share a name are `container-name-clash`.
fn one_container(pa: &Project, a: &crate::compose::Service, pb: &Project, b: &crate::compose::Service) -> bool {
    if container_name(a).is_some() && container_name(a) == container_name(b) {
        return true;
    }
    let within = |small: &Project, big: &Project| {
        small
            .model
            .services
            .iter()
            .all(|s| big.model.service(&s.name.value).is_some())
    };
    a.name.value == b.name.value
        && known(&a.image).is_some()
        && known(&a.image) == known(&b.image)
        && (within(pa, pb) || within(pb, pa))
}

/// Host ports clashing between different members of one host group (projects, units).
fn host_clashes<'a>(stack: &'a Stack, reported: &mut Reported<'a>, out: &mut Vec<Diagnostic>) {
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
                    let (Some(pa), Some(pb)) = (stack.projects.get(a), stack.projects.get(b)) else {
                        continue;
                    };
                    if alternatives(stack, pa, pb) {
                        continue;
                    }
                    if let (Some(sa), Some(sb)) = (first.service, dup.service) {
                        if one_container(pa, sa, pb, sb) {
                            continue;
                        }
                    }
                }
                let Some(port) = first.overlaps(dup) else { continue };
                let named = |c: &HostClaim<'a>| c.service.and_then(container_name);
                if first.span == dup.span
                    || !reported.first_time_between((first.span, named(first)), (dup.span, named(dup)))
                {
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
