//! The names a claim may use for a defined service, and the ports each one serves.
//!
//! A compose service answers to its service name, `container_name`, `hostname` and network
//! aliases; a Kubernetes Service to its name and cluster DNS forms; a systemd unit to its unit name;
//! a `hosts` entry of the config to its name. [`Names::resolve`] says whether a host name of a claim
//! is defined, missing, or cannot be judged (an IP, loopback, a templated or external name): the
//! rules stay silent on the last.

use super::Stack;
use crate::config::Config;
use std::collections::{BTreeMap, BTreeSet};

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
    /// Sorted, so that "did you mean" walks the names in one fixed order without sorting per call.
    map: BTreeMap<String, Vec<Target>>,
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
    Found(&'a [Target]),
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

impl Names {
    pub fn build(stack: &Stack, config: &Config) -> Names {
        let mut names = Names::default();
        for p in &stack.projects {
            for s in &p.model.services {
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
                for a in aliases {
                    names.add(a, target.clone());
                }
            }
        }
        for (o, svc) in stack.k8s.services() {
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
            for form in [
                n.clone(),
                format!("{n}.{ns}"),
                format!("{n}.{ns}.svc"),
                format!("{n}.{ns}.svc.cluster.local"),
            ] {
                names.add(form, target.clone());
            }
        }
        for u in &stack.units {
            let ports = super::units::unit_ports(&u.unit);
            let target = Target {
                what: format!("unit `{}`", u.name),
                ports,
                published: BTreeSet::new(),
            };
            names.add(u.name.clone(), target.clone());
            names.add(u.stem().to_owned(), target);
        }
        for h in &config.hosts {
            names.add(
                h.name.clone(),
                Target {
                    what: format!("host `{}`", h.name),
                    ports: BTreeSet::new(),
                    published: BTreeSet::new(),
                },
            );
        }
        for (kind, name) in config.k8s_known_objects.iter().filter_map(|o| o.split_once('/')) {
            if kind == "Service" {
                names.add(
                    name.to_owned(),
                    Target {
                        what: format!("Service `{name}`"),
                        ports: BTreeSet::new(),
                        published: BTreeSet::new(),
                    },
                );
            }
        }
        names
    }

    fn add(&mut self, name: String, target: Target) {
        self.defines_any = true;
        self.map.entry(name).or_default().push(target);
    }

    /// Whether the repository defines any service, unit or Service at all.
    pub fn defines_any(&self) -> bool {
        self.defines_any
    }

    /// What `host` (a name as a claim writes it, without port) refers to.
    pub fn resolve(&self, host: &str) -> Resolved<'_> {
        if let Some(t) = self.map.get(host) {
            return Resolved::Found(t);
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
        crate::suggest::nearest(host, self.map.keys().map(String::as_str))
    }
}
