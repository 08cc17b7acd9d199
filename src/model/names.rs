//! The names a claim may use for a defined service, and the ports each one serves.
//!
//! A compose service answers to its service name, `container_name`, `hostname` and network
//! aliases; a Kubernetes Service to its name and cluster DNS forms; a systemd unit to its unit name;
//! a `hosts` entry of the config to its name. [`Names::resolve`] says whether a host name of a claim
//! is defined, missing, or cannot be judged (an IP, loopback, a templated or external name): the
//! rules stay silent on the last.

use super::Stack;
use crate::config::Config;

/// Something a name stands for.
#[derive(Clone, Debug)]
pub struct Target {
    /// For messages: ``service `api` ``, ``Service `api` ``, ``unit `billing.service` ``.
    pub what: String,
    /// Ports it is known to serve (container and published ports, Service ports, unit flags),
    /// ascending and distinct. Empty: unknown, so ports are not judged. Sorted lists rather than
    /// sets: a monorepo has tens of thousands of targets, most with a port or two.
    pub ports: Vec<u16>,
    /// Host ports a compose service publishes, ascending and distinct.
    pub published: Vec<u16>,
}

/// `ports` ascending and distinct.
fn sorted(mut ports: Vec<u16>) -> Vec<u16> {
    ports.sort_unstable();
    ports.dedup();
    ports
}

/// ``kind `name` ``, for messages (concatenated: `format!` cost more than the rest of a target).
fn described(kind: &str, name: &str) -> String {
    let mut what = String::with_capacity(kind.len() + name.len() + 3);
    what.push_str(kind);
    what.push_str(" `");
    what.push_str(name);
    what.push('`');
    what
}

#[derive(Clone, Debug, Default)]
pub struct Names {
    /// Every target once; a compose service has up to a handful of names and a Kubernetes Service
    /// four DNS forms, all pointing here.
    targets: Vec<Target>,
    /// Every name of every target, written end to end; [`Entry`] ranges point into it. A Service's
    /// four DNS forms are one text (`n.ns.svc.cluster.local`) and its prefixes. Look-ups compare
    /// with these copies: comparing with the names where the model holds them cost a chain of
    /// cache misses per candidate (a monorepo makes thousands of look-ups).
    text: String,
    /// One entry per name and target, sorted by hash, then target.
    index: Vec<Entry>,
    /// Where in `index` the hashes with each value of their top `bits` bits start (one more
    /// entry at the end): a look-up reads a bucket of about one entry instead of binary-searching
    /// an index larger than the cache.
    buckets: Vec<usize>,
    bits: u32,
    /// Every name, sorted and distinct (ranges of `text`), for "did you mean": made on the first
    /// suggestion.
    sorted: std::sync::OnceLock<Vec<(u32, u32)>>,
}

/// A name of a target: its hash, the target, and where `text` holds it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Entry {
    hash: u64,
    target: u32,
    start: u32,
    len: u32,
}

/// Names written by one worker while the index is built: entries and the text they point into.
#[derive(Default)]
struct Chunk {
    entries: Vec<Entry>,
    text: String,
}

impl Chunk {
    /// Appends `name` for target `target`; a name that does not fit 32-bit offsets (over 4 GiB
    /// of names) is left out.
    fn add(&mut self, target: usize, name: &str) {
        let start = self.text.len();
        self.text.push_str(name);
        self.prefix(target, start, name.len());
    }

    /// An entry for the `len` bytes of `text` from `start`, already written.
    fn prefix(&mut self, target: usize, start: usize, len: usize) {
        let (Ok(target), Ok(start32), Ok(len32)) = (u32::try_from(target), u32::try_from(start), u32::try_from(len))
        else {
            return;
        };
        self.entries.push(Entry {
            hash: hash_name(slice(&self.text, start32, len32)),
            target,
            start: start32,
            len: len32,
        });
    }

    /// `other` after this one, its ranges moved past this text.
    fn append(mut self, other: Chunk) -> Chunk {
        let Ok(shift) = u32::try_from(self.text.len()) else {
            return self;
        };
        self.text.push_str(&other.text);
        self.entries.extend(other.entries.into_iter().filter_map(|e| {
            Some(Entry {
                start: e.start.checked_add(shift)?,
                ..e
            })
        }));
        self
    }
}

/// Where a target's names come from.
enum Owner<'s> {
    /// A compose service: its name, `container_name`, `hostname` and aliases.
    Compose(&'s crate::compose::Service),
    /// A Kubernetes Service: its name and DNS forms.
    Service(&'s crate::k8s::model::Object),
    /// A systemd unit, a config host or a known Service.
    Listed(Vec<String>),
}

impl Owner<'_> {
    fn write_names(&self, target: usize, out: &mut Chunk) {
        match self {
            Owner::Compose(s) => compose_names(s).for_each(|n| out.add(target, n)),
            Owner::Service(o) => {
                let (n, ns) = (&o.name.value, &o.namespace);
                let start = out.text.len();
                out.text.push_str(n);
                out.text.push('.');
                out.text.push_str(ns);
                out.text.push_str(DNS_SUFFIXES[2]);
                out.prefix(target, start, n.len());
                for suffix in DNS_SUFFIXES {
                    out.prefix(target, start, n.len() + 1 + ns.len() + suffix.len());
                }
            }
            Owner::Listed(names) => names.iter().for_each(|n| out.add(target, n)),
        }
    }
}

/// The `len` bytes of `text` from `start` (empty if out of range).
fn slice(text: &str, start: u32, len: u32) -> &str {
    let start = start as usize;
    text.get(start..start.saturating_add(len as usize)).unwrap_or_default()
}

/// FNV-1a over the bytes.
fn hash_name(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// The DNS forms of Service `n` in namespace `ns` after `n.ns`; each is a prefix of the next.
const DNS_SUFFIXES: [&str; 3] = ["", ".svc", ".svc.cluster.local"];

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
    let published = sorted(
        s.ports
            .iter()
            .filter_map(|m| m.published)
            .flat_map(|r| (r.start..=r.end).take(4096))
            .collect(),
    );
    let mut ports: Vec<u16> = if stack.is_served(p, s) {
        stack.listen_ports(p, s).iter().copied().collect()
    } else {
        Vec::new()
    };
    if !ports.is_empty() && !published.is_empty() {
        ports.extend(&published);
        ports = sorted(ports);
    }
    Target {
        what: described("service", &s.name.value),
        ports,
        published,
    }
}

/// What a Kubernetes Service stands for: the ports it exposes.
fn k8s_target(o: &crate::k8s::model::Object, svc: &crate::k8s::model::Service) -> Target {
    let ports = if svc.headless || svc.service_type == "ExternalName" {
        Vec::new()
    } else {
        sorted(
            svc.ports
                .iter()
                .filter_map(|p| u16::try_from(p.port.value).ok())
                .collect(),
        )
    };
    Target {
        what: described("Service", &o.name.value),
        ports,
        published: Vec::new(),
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
            .filter(|project| !stack.project_inactive(project))
            .flat_map_iter(|project| {
                let services = project.model.services.iter();
                services.map(move |svc| (Owner::Compose(svc), compose_target(stack, project, svc)))
            })
            .unzip();
        let (services, service_targets): (Vec<Owner>, Vec<Target>) = stack
            .k8s
            .objects()
            .par_iter()
            .filter(|o| !stack.is_inactive(o.span.file))
            .filter_map(|o| o.service().map(|svc| (Owner::Service(o), k8s_target(o, svc))))
            .unzip();
        owners.extend(services);
        targets.extend(service_targets);
        // Units, config hosts and known Services: few, with their names written out.
        let mut add = |what: String, names: Vec<String>, ports: Vec<u16>| {
            owners.push(Owner::Listed(names));
            targets.push(Target {
                what,
                ports,
                published: Vec::new(),
            });
        };
        for u in stack.units.iter().filter(|u| !stack.is_inactive(u.file)) {
            let names = vec![u.name.clone(), u.stem().to_owned()];
            let ports = super::units::unit_ports(&u.unit).into_iter().collect();
            add(format!("unit `{}`", u.name), names, ports);
        }
        for h in &config.hosts {
            add(format!("host `{}`", h.name), vec![h.name.clone()], Vec::new());
        }
        for (kind, name) in config.k8s_known_objects.iter().filter_map(|o| o.split_once('/')) {
            if kind == "Service" {
                add(format!("Service `{name}`"), vec![name.to_owned()], Vec::new());
            }
        }
        // Sorted by hash, then target: a name listed twice for one target points at it once.
        let Chunk { mut entries, text } = owners
            .par_iter()
            .enumerate()
            .fold(Chunk::default, |mut chunk, (i, owner)| {
                owner.write_names(i, &mut chunk);
                chunk
            })
            .reduce(Chunk::default, Chunk::append);
        entries.par_sort_unstable();
        let name = |e: &Entry| slice(&text, e.start, e.len);
        entries.dedup_by(|a, b| a.hash == b.hash && a.target == b.target && name(a) == name(b));
        let bits = entries.len().next_power_of_two().trailing_zeros().clamp(1, 20);
        let mut buckets = Vec::with_capacity((1 << bits) + 1);
        let mut at = 0;
        for b in 0..=(1u64 << bits) {
            while entries.get(at).is_some_and(|e| e.hash >> (64 - bits) < b) {
                at += 1;
            }
            buckets.push(at);
        }
        Names {
            targets,
            text,
            index: entries,
            buckets,
            bits,
            sorted: std::sync::OnceLock::new(),
        }
    }

    /// The name an entry stands for.
    fn name(&self, e: &Entry) -> &str {
        slice(&self.text, e.start, e.len)
    }

    /// The targets `name` stands for, in target order, each once.
    fn lookup(&self, name: &str) -> Vec<usize> {
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
            .skip_while(|e| e.hash < h)
            .take_while(|e| e.hash == h)
            .filter(|e| self.name(e) == name)
            .map(|e| e.target as usize)
            .collect();
        found.dedup();
        found
    }

    /// Whether the repository defines any service, unit or Service at all.
    pub fn defines_any(&self) -> bool {
        !self.targets.is_empty()
    }

    /// What `host` (a name as a claim writes it, without port) refers to.
    pub fn resolve(&self, host: &str) -> Resolved<'_> {
        let found = self.lookup(host);
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
    pub fn nearest(&self, host: &str) -> Option<&str> {
        let sorted = self.sorted.get_or_init(|| {
            let mut all: Vec<(u32, u32)> = self.index.iter().map(|e| (e.start, e.len)).collect();
            let text = |&(start, len): &(u32, u32)| slice(&self.text, start, len);
            all.sort_unstable_by(|a, b| text(a).cmp(text(b)));
            all.dedup_by(|a, b| text(a) == text(b));
            all
        });
        let names = sorted.iter().map(|&(start, len)| slice(&self.text, start, len));
        crate::suggest::nearest(host, names)
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
        match stack.names.resolve(host) {
            Resolved::Found(targets) => targets.iter().map(|t| t.what.clone()).collect(),
            Resolved::Missing => vec!["missing".to_owned()],
            Resolved::Unsure => vec!["unsure".to_owned()],
        }
    }

    /// Only the four DNS forms of a Service name it: not a prefix, a longer name or a part of one
    /// (each written text is one string whose prefixes are the shorter forms).
    #[test]
    fn dns_forms_are_exact() {
        let stack = stack();
        for other in [
            "order",
            "orders.",
            "orders.sho",
            "orders.shopx",
            "orders.shop.",
            "orders.shop.svc.cluster",
            "orders.shop.svcx",
            "orders.shop.svc.cluster.localx",
            "ordersshop",
            "shop",
            "svc",
        ] {
            assert!(!matches!(stack.names.resolve(other), Resolved::Found(_)), "{other}");
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
        assert_eq!(stack.names.nearest("ordrs"), Some("orders"));
        assert_eq!(stack.names.nearest("gatewy"), Some("gateway"));
    }

    #[test]
    fn nothing_resolves_before_the_names_are_built() {
        let stack = Stack::default();
        assert!(matches!(stack.names.resolve("api"), Resolved::Unsure));
        assert_eq!(stack.names.nearest("api"), None);
    }
}
