//! The names a claim may use for a defined service, and the ports each one serves.
//!
//! A compose service answers to its service name, `container_name`, `hostname` and network
//! aliases; a Kubernetes Service to its name and cluster DNS forms; a systemd unit to its unit name;
//! a `hosts` entry of the config to its name. [`Names::resolve`] says whether a host name of a claim
//! is defined, missing, or cannot be judged (an IP, loopback, a templated or external name): the
//! rules stay silent on the last.

use super::Stack;
use crate::config::Config;
use std::collections::BTreeSet;

/// Something a name stands for.
#[derive(Clone, Debug)]
pub struct Target {
    /// For messages: ``service `api` ``, ``Service `api` ``, ``unit `billing.service` ``.
    pub what: String,
    /// Ports it is known to serve (container and published ports, Service ports, unit flags).
    /// Empty: unknown, so ports are not judged.
    pub ports: BTreeSet<u16>,
    /// Host ports a compose service publishes.
    pub published: BTreeSet<u16>,
}

#[derive(Clone, Debug, Default)]
pub struct Names {
    /// Every target once; a compose service has up to a handful of names and a Kubernetes Service
    /// four DNS forms, all pointing here.
    targets: Vec<Target>,
    /// (name, target index), sorted and without repeats: lookups search it by name, a name's
    /// targets come in index order, and "did you mean" walks it in one fixed order. Sorted in
    /// parallel: a hash map filled entry by entry was a serial step that grew faster than the
    /// repository (about a tenth of a second on the 10x benchmark).
    names: Vec<(String, usize)>,
    /// Whether the repository defines anything a name could refer to (otherwise nothing is missing).
    defines_any: bool,
}

/// What a host name in a claim refers to.
#[derive(Debug)]
pub enum Resolved<'a> {
    /// Not a name stacklint can judge (IP, loopback, variable, external domain).
    Unsure,
    /// A plain name the repository does not define.
    Missing,
    Found(Vec<&'a Target>),
}

/// Whether `host` is a literal IP address (v4 or v6).
fn is_ip(host: &str) -> bool {
    host.parse::<std::net::IpAddr>().is_ok() || host.trim_matches(['[', ']']).parse::<std::net::Ipv6Addr>().is_ok()
}

/// A DNS label as Compose and Kubernetes accept it.
fn is_label(s: &str) -> bool {
    !s.is_empty()
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        && s.chars().any(|c| c.is_ascii_alphabetic())
}

/// A compose service's names (service name, `container_name`, `hostname`, network aliases) and
/// what they stand for.
fn compose_target(stack: &Stack, p: &super::project::Project, s: &crate::compose::Service) -> (Vec<String>, Target) {
    let published: BTreeSet<u16> = s
        .ports
        .iter()
        .filter_map(|m| m.published)
        .flat_map(|r| (r.start..=r.end).take(4096))
        .collect();
    let mut ports: BTreeSet<u16> = if stack.is_served(p, s) {
        stack.listen_ports(p, s).into_owned()
    } else {
        BTreeSet::new()
    };
    if !ports.is_empty() {
        ports.extend(&published);
    }
    let target = Target {
        what: format!("service `{}`", s.name.value),
        ports,
        published,
    };
    let mut aliases = vec![s.name.value.clone()];
    aliases.extend(s.container_name.iter().map(|c| c.value.clone()));
    aliases.extend(s.hostname.iter().map(|c| c.value.clone()));
    aliases.extend(
        s.networks
            .iter()
            .flat_map(|n| n.aliases.iter().map(|a| a.value.clone())),
    );
    aliases.sort();
    aliases.dedup();
    (aliases, target)
}

/// A Kubernetes Service's DNS forms (`n`, `n.ns`, `n.ns.svc`, `n.ns.svc.cluster.local`) and what
/// they stand for.
fn k8s_target(o: &crate::k8s::model::Object, svc: &crate::k8s::model::Service) -> (Vec<String>, Target) {
    let ports: BTreeSet<u16> = if svc.headless || svc.service_type == "ExternalName" {
        BTreeSet::new()
    } else {
        svc.ports
            .iter()
            .filter_map(|p| u16::try_from(p.port.value).ok())
            .collect()
    };
    let target = Target {
        what: format!("Service `{}`", o.name.value),
        ports,
        published: BTreeSet::new(),
    };
    let n = &o.name.value;
    let ns = &o.namespace;
    let forms = vec![
        n.clone(),
        format!("{n}.{ns}"),
        format!("{n}.{ns}.svc"),
        format!("{n}.{ns}.svc.cluster.local"),
    ];
    (forms, target)
}

impl Names {
    /// The targets of compose services and Kubernetes Services are worked out in parallel (a
    /// monorepo has thousands); they are then indexed in model order, so the result does not
    /// depend on the thread count.
    pub fn build(stack: &Stack, config: &Config) -> Names {
        use rayon::prelude::*;
        let mut names = Names::default();
        let services: Vec<(&super::project::Project, &crate::compose::Service)> = stack
            .projects
            .iter()
            .flat_map(|p| p.model.services.iter().map(move |s| (p, s)))
            .collect();
        let compose: Vec<(Vec<String>, Target)> =
            services.par_iter().map(|(p, s)| compose_target(stack, p, s)).collect();
        let k8s_services: Vec<_> = stack.k8s.services().collect();
        let k8s: Vec<(Vec<String>, Target)> = k8s_services.par_iter().map(|(o, svc)| k8s_target(o, svc)).collect();
        let mut named: Vec<(Vec<String>, Target)> = compose;
        named.extend(k8s);
        for u in &stack.units {
            let ports = super::units::unit_ports(&u.unit);
            let target = Target {
                what: format!("unit `{}`", u.name),
                ports,
                published: BTreeSet::new(),
            };
            named.push((vec![u.name.clone(), u.stem().to_owned()], target));
        }
        for h in &config.hosts {
            named.push((
                vec![h.name.clone()],
                Target {
                    what: format!("host `{}`", h.name),
                    ports: BTreeSet::new(),
                    published: BTreeSet::new(),
                },
            ));
        }
        for (kind, name) in config.k8s_known_objects.iter().filter_map(|o| o.split_once('/')) {
            if kind == "Service" {
                named.push((
                    vec![name.to_owned()],
                    Target {
                        what: format!("Service `{name}`"),
                        ports: BTreeSet::new(),
                        published: BTreeSet::new(),
                    },
                ));
            }
        }
        names.defines_any = !named.is_empty();
        names.targets.reserve_exact(named.len());
        for (i, (aliases, target)) in named.into_iter().enumerate() {
            names.targets.push(target);
            names.names.extend(aliases.into_iter().map(|n| (n, i)));
        }
        // Sorted by name, then target: a name listed twice for one target points at it once.
        names.names.par_sort_unstable();
        names.names.dedup();
        names
    }

    /// The (name, target index) entries of `name`, in target order.
    fn lookup(&self, name: &str) -> &[(String, usize)] {
        let start = self.names.partition_point(|(n, _)| n.as_str() < name);
        let len = self.names[start..].partition_point(|(n, _)| n == name);
        &self.names[start..start + len]
    }

    /// Whether the repository defines any service, unit or Service at all.
    pub fn defines_any(&self) -> bool {
        self.defines_any
    }

    /// What `host` (a name as a claim writes it, without port) refers to.
    pub fn resolve(&self, host: &str) -> Resolved<'_> {
        let found = self.lookup(host);
        if !found.is_empty() {
            return Resolved::Found(found.iter().filter_map(|(_, i)| self.targets.get(*i)).collect());
        }
        if host.is_empty()
            || is_ip(host)
            || super::listen::is_loopback(host)
            || host.contains(['$', '{', '%', '*', '<'])
            || host == "host.docker.internal"
            || host == "0.0.0.0"
        {
            return Resolved::Unsure;
        }
        if !self.defines_any {
            return Resolved::Unsure;
        }
        // A dotted name is a domain outside the repository unless it is a cluster DNS form, which
        // the Kubernetes part of `phantom-service` judges with namespaces in mind.
        if host.contains('.') {
            return Resolved::Unsure;
        }
        if is_label(host) {
            Resolved::Missing
        } else {
            Resolved::Unsure
        }
    }

    /// The nearest defined name, for "did you mean".
    pub fn nearest(&self, host: &str) -> Option<&str> {
        let mut previous = None;
        let distinct = self.names.iter().map(|(n, _)| n.as_str()).filter(move |n| {
            let new = previous != Some(*n);
            previous = Some(*n);
            new
        });
        crate::suggest::nearest(host, distinct)
    }
}
