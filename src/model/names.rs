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
    /// Per target, where its names are read from.
    owners: Vec<Owner>,
    /// (hash of a name, target index) for every name of every target, sorted and without repeats;
    /// a look-up compares the candidates with their targets' own names. Hashes, not strings: a
    /// monorepo's tens of thousands of names (four formatted DNS forms per Service) were copied
    /// and sorted on every run for a few thousand look-ups.
    index: Vec<(u64, usize)>,
    /// Where in `index` the hashes with each value of their top `bits` bits start (one more
    /// entry at the end): a look-up reads a bucket of about one entry instead of binary-searching
    /// an index larger than the cache.
    buckets: Vec<usize>,
    bits: u32,
    /// Every name, sorted and distinct, for "did you mean": made on the first suggestion.
    sorted: std::sync::OnceLock<Vec<String>>,
}

/// Where a target's names are: its model entry, or (for the few that have none) the names.
#[derive(Clone, Debug)]
enum Owner {
    /// `stack.projects[p].model.services[s]`: service name, `container_name`, `hostname`, aliases.
    Compose(usize, usize),
    /// `stack.k8s.objects()[i]`, a Service: its four DNS forms.
    Service(usize),
    /// A systemd unit, a config host or a known Service.
    Listed(Vec<String>),
}

/// FNV-1a over the bytes, so that a name hashes alike whole or in pieces (the DNS forms of a
/// Service are hashed without being formatted).
#[derive(Clone, Copy)]
struct NameHash(u64);

impl NameHash {
    const fn new() -> NameHash {
        NameHash(0xcbf2_9ce4_8422_2325)
    }

    fn write(mut self, s: &str) -> NameHash {
        for b in s.bytes() {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
        self
    }
}

fn hash_name(s: &str) -> u64 {
    NameHash::new().write(s).0
}

/// The DNS forms of Service `n` in namespace `ns`, in the order [`Owner::each_name`] gives them.
const DNS_SUFFIXES: [&str; 3] = ["", ".svc", ".svc.cluster.local"];

/// Whether `name` is one of the DNS forms of Service `n` in namespace `ns`.
fn is_dns_form(name: &str, n: &str, ns: &str) -> bool {
    name == n
        || name
            .strip_prefix(n)
            .and_then(|rest| rest.strip_prefix('.'))
            .and_then(|rest| rest.strip_prefix(ns))
            .is_some_and(|suffix| DNS_SUFFIXES.contains(&suffix))
}

fn compose_names(s: &crate::compose::Service) -> impl Iterator<Item = &str> {
    std::iter::once(s.name.value.as_str())
        .chain(s.container_name.iter().map(|c| c.value.as_str()))
        .chain(s.hostname.iter().map(|c| c.value.as_str()))
        .chain(
            s.networks
                .iter()
                .flat_map(|n| n.aliases.iter().map(|a| a.value.as_str())),
        )
}

impl Owner {
    fn service(stack: &Stack, p: usize, s: usize) -> Option<&crate::compose::Service> {
        stack.projects.get(p)?.model.services.get(s)
    }

    fn object(stack: &Stack, i: usize) -> Option<&crate::k8s::model::Object> {
        stack.k8s.objects().get(i)
    }

    /// The hash of each of its names (a name may come twice).
    fn each_hash(&self, stack: &Stack, f: &mut dyn FnMut(u64)) {
        match self {
            Owner::Compose(p, s) => Owner::service(stack, *p, *s)
                .into_iter()
                .flat_map(compose_names)
                .for_each(|n| f(hash_name(n))),
            Owner::Service(i) => {
                if let Some(o) = Owner::object(stack, *i) {
                    let name = NameHash::new().write(&o.name.value);
                    f(name.0);
                    let dotted = name.write(".").write(&o.namespace);
                    for suffix in DNS_SUFFIXES {
                        f(dotted.write(suffix).0);
                    }
                }
            }
            Owner::Listed(names) => names.iter().for_each(|n| f(hash_name(n))),
        }
    }

    /// Each of its names, written out (for "did you mean" only).
    fn each_name(&self, stack: &Stack, f: &mut dyn FnMut(String)) {
        match self {
            Owner::Compose(p, s) => Owner::service(stack, *p, *s)
                .into_iter()
                .flat_map(compose_names)
                .for_each(|n| f(n.to_owned())),
            Owner::Service(i) => {
                if let Some(o) = Owner::object(stack, *i) {
                    let (n, ns) = (&o.name.value, &o.namespace);
                    f(n.clone());
                    for suffix in DNS_SUFFIXES {
                        f(format!("{n}.{ns}{suffix}"));
                    }
                }
            }
            Owner::Listed(names) => names.iter().cloned().for_each(f),
        }
    }

    fn answers_to(&self, stack: &Stack, name: &str) -> bool {
        match self {
            Owner::Compose(p, s) => Owner::service(stack, *p, *s).is_some_and(|s| compose_names(s).any(|n| n == name)),
            Owner::Service(i) => {
                Owner::object(stack, *i).is_some_and(|o| is_dns_form(name, &o.name.value, &o.namespace))
            }
            Owner::Listed(names) => names.iter().any(|n| n == name),
        }
    }
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

/// What a compose service stands for: the ports it serves and publishes.
fn compose_target(stack: &Stack, p: &super::project::Project, s: &crate::compose::Service) -> Target {
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
    Target {
        what: format!("service `{}`", s.name.value),
        ports,
        published,
    }
}

/// What a Kubernetes Service stands for: the ports it exposes.
fn k8s_target(o: &crate::k8s::model::Object, svc: &crate::k8s::model::Service) -> Target {
    let ports: BTreeSet<u16> = if svc.headless || svc.service_type == "ExternalName" {
        BTreeSet::new()
    } else {
        svc.ports
            .iter()
            .filter_map(|p| u16::try_from(p.port.value).ok())
            .collect()
    };
    Target {
        what: format!("Service `{}`", o.name.value),
        ports,
        published: BTreeSet::new(),
    }
}

impl Names {
    /// The targets of compose services and Kubernetes Services are worked out in parallel (a
    /// monorepo has thousands), in model order, so the result does not depend on the thread count.
    pub fn build(stack: &Stack, config: &Config) -> Names {
        use rayon::prelude::*;
        let (mut owners, mut targets): (Vec<Owner>, Vec<Target>) = stack
            .projects
            .par_iter()
            .enumerate()
            .flat_map_iter(|(p, project)| {
                let services = project.model.services.iter().enumerate();
                services.map(move |(s, svc)| (Owner::Compose(p, s), compose_target(stack, project, svc)))
            })
            .unzip();
        let (services, service_targets): (Vec<Owner>, Vec<Target>) = stack
            .k8s
            .objects()
            .par_iter()
            .enumerate()
            .filter_map(|(i, o)| o.service().map(|svc| (Owner::Service(i), k8s_target(o, svc))))
            .unzip();
        owners.extend(services);
        targets.extend(service_targets);
        // Units, config hosts and known Services: few, with their names written out.
        let mut add = |what: String, names: Vec<String>, ports: BTreeSet<u16>| {
            owners.push(Owner::Listed(names));
            targets.push(Target {
                what,
                ports,
                published: BTreeSet::new(),
            });
        };
        for u in &stack.units {
            let names = vec![u.name.clone(), u.stem().to_owned()];
            add(format!("unit `{}`", u.name), names, super::units::unit_ports(&u.unit));
        }
        for h in &config.hosts {
            add(format!("host `{}`", h.name), vec![h.name.clone()], BTreeSet::new());
        }
        for (kind, name) in config.k8s_known_objects.iter().filter_map(|o| o.split_once('/')) {
            if kind == "Service" {
                add(format!("Service `{name}`"), vec![name.to_owned()], BTreeSet::new());
            }
        }
        // Sorted by hash, then target: a name listed twice for one target points at it once.
        let mut index: Vec<(u64, usize)> = owners
            .par_iter()
            .enumerate()
            .fold(Vec::new, |mut acc, (i, owner)| {
                owner.each_hash(stack, &mut |h| acc.push((h, i)));
                acc
            })
            .reduce(Vec::new, |mut a, mut b| {
                a.append(&mut b);
                a
            });
        index.par_sort_unstable();
        index.dedup();
        let bits = index.len().next_power_of_two().trailing_zeros().clamp(1, 20);
        let mut buckets = Vec::with_capacity((1 << bits) + 1);
        let mut at = 0;
        for b in 0..=(1u64 << bits) {
            while index.get(at).is_some_and(|(h, _)| h >> (64 - bits) < b) {
                at += 1;
            }
            buckets.push(at);
        }
        Names {
            targets,
            owners,
            index,
            buckets,
            bits,
            sorted: std::sync::OnceLock::new(),
        }
    }

    /// The targets `name` stands for, in target order, each once.
    fn lookup(&self, stack: &Stack, name: &str) -> Vec<usize> {
        let h = hash_name(name);
        // No buckets (`bits` 0) before the names are built: nothing is found.
        let bucket = h
            .checked_shr(64 - self.bits)
            .and_then(|b| usize::try_from(b).ok())
            .unwrap_or(usize::MAX);
        let (Some(&start), Some(&end)) = (self.buckets.get(bucket), self.buckets.get(bucket.saturating_add(1))) else {
            return Vec::new();
        };
        let mut found: Vec<usize> = self
            .index
            .get(start..end)
            .unwrap_or_default()
            .iter()
            .skip_while(|(x, _)| *x < h)
            .take_while(|(x, _)| *x == h)
            .map(|(_, i)| *i)
            .filter(|i| self.owners.get(*i).is_some_and(|o| o.answers_to(stack, name)))
            .collect();
        found.dedup();
        found
    }

    /// Whether the repository defines any service, unit or Service at all.
    pub fn defines_any(&self) -> bool {
        !self.targets.is_empty()
    }

    /// What `host` (a name as a claim writes it, without port) refers to.
    pub fn resolve(&self, stack: &Stack, host: &str) -> Resolved<'_> {
        let found = self.lookup(stack, host);
        if !found.is_empty() {
            return Resolved::Found(found.iter().filter_map(|i| self.targets.get(*i)).collect());
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
        if !self.defines_any() {
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
    pub fn nearest(&self, stack: &Stack, host: &str) -> Option<&str> {
        let sorted = self.sorted.get_or_init(|| {
            let mut all = Vec::new();
            for owner in &self.owners {
                owner.each_name(stack, &mut |n| all.push(n));
            }
            all.sort_unstable();
            all.dedup();
            all
        });
        crate::suggest::nearest(host, sorted.iter().map(String::as_str))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stack() -> Stack {
        let compose = "services:\n  api:\n    image: nginx:1.27\n    container_name: shop-api\n    hostname: api-host\n    expose: [\"8080\"]\n    networks:\n      back:\n        aliases: [gateway]\n  db:\n    image: postgres:16\nnetworks:\n  back: {}\n";
        let k8s = "apiVersion: v1\nkind: Service\nmetadata:\n  name: orders\n  namespace: shop\nspec:\n  selector:\n    app: orders\n  ports:\n    - port: 80\n";
        let files = vec![
            ("docker-compose.yml".to_owned(), compose.to_owned()),
            ("k8s/orders.yaml".to_owned(), k8s.to_owned()),
        ];
        Stack::from_memory(&files, &Config::default())
    }

    fn found(stack: &Stack, host: &str) -> Vec<String> {
        match stack.names.resolve(stack, host) {
            Resolved::Found(targets) => targets.iter().map(|t| t.what.clone()).collect(),
            Resolved::Missing => vec!["missing".to_owned()],
            Resolved::Unsure => vec!["unsure".to_owned()],
        }
    }

    #[test]
    fn hashes_alike_whole_or_in_pieces() {
        let pieces = NameHash::new().write("orders").write(".").write("shop").write(".svc");
        assert_eq!(pieces.0, hash_name("orders.shop.svc"));
        assert_ne!(hash_name("orders.shop"), hash_name("orders.shoq"));
    }

    #[test]
    fn dns_forms_are_exact() {
        for form in [
            "orders",
            "orders.shop",
            "orders.shop.svc",
            "orders.shop.svc.cluster.local",
        ] {
            assert!(is_dns_form(form, "orders", "shop"), "{form}");
        }
        for other in [
            "order",
            "orders.",
            "orders.sho",
            "orders.shopx",
            "orders.shop.svc.cluster",
            "orders.shop.svcx",
            "ordersshop",
        ] {
            assert!(!is_dns_form(other, "orders", "shop"), "{other}");
        }
    }

    #[test]
    fn every_name_of_a_target_resolves_to_it() {
        let stack = stack();
        for name in ["api", "shop-api", "api-host", "gateway"] {
            assert_eq!(found(&stack, name), ["service `api`"], "{name}");
        }
        for name in [
            "orders",
            "orders.shop",
            "orders.shop.svc",
            "orders.shop.svc.cluster.local",
        ] {
            assert_eq!(found(&stack, name), ["Service `orders`"], "{name}");
        }
        assert_eq!(found(&stack, "db"), ["service `db`"]);
        assert_eq!(found(&stack, "ordrs"), ["missing"]);
        assert_eq!(
            found(&stack, "orders.other"),
            ["unsure"],
            "a dotted name outside the repository"
        );
        assert_eq!(stack.names.nearest(&stack, "ordrs"), Some("orders"));
        assert_eq!(stack.names.nearest(&stack, "gatewy"), Some("gateway"));
    }

    #[test]
    fn nothing_resolves_before_the_names_are_built() {
        let stack = Stack::default();
        assert!(matches!(stack.names.resolve(&stack, "api"), Resolved::Unsure));
        assert_eq!(stack.names.nearest(&stack, "api"), None);
    }
}
