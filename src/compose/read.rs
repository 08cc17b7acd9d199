//! Reads a (merged, interpolated) compose tree into the typed [`ComposeModel`], reporting what does
//! not fit the Compose specification as `compose-schema` findings. Total: any input gives a model.

use super::model::*;
use super::ports::{parse_short, PortMapping, PortRange};
use super::schema;
use crate::diagnostic::Diagnostic;
use crate::source::Span;
use crate::yaml::{Node, NodeKind};

const RULE: &str = "compose-schema";

/// How many entries a list or mapping holds (0 for a scalar): the size of the list read from it,
/// allocated once (a monorepo's services fill tens of thousands of these lists).
fn items_in(v: &Node) -> usize {
    v.as_seq()
        .map_or_else(|| v.as_map().map_or(0, <[(Node, Node)]>::len), <[Node]>::len)
}

pub struct Reader {
    pub diagnostics: Vec<Diagnostic>,
}

fn spanned(node: &Node) -> Option<Spanned<String>> {
    node.as_text().map(|t| Spanned::new(t.to_owned(), node.span))
}

impl Reader {
    pub fn new() -> Reader {
        Reader {
            diagnostics: Vec::new(),
        }
    }

    fn report(&mut self, span: Span, message: String, help: Option<String>) {
        let mut d = Diagnostic::new(RULE, span, message).label("here");
        if let Some(h) = help {
            d = d.help(h);
        }
        self.diagnostics.push(d);
    }

    fn wrong_type(&mut self, node: &Node, what: &str, expected: &str) {
        self.report(
            node.span,
            format!("`{what}` must be {expected}, found {}", node.type_name()),
            None,
        );
    }

    /// Reports keys that are not in `allowed` (`x-` extensions are always allowed).
    pub fn check_keys(&mut self, node: &Node, allowed: &[&str], context: &str) {
        self.check_entry_keys(node.entries(), allowed, context);
    }

    fn check_entry_keys<'n>(
        &mut self,
        entries: impl Iterator<Item = (&'n str, &'n Node, &'n Node)>,
        allowed: &[&str],
        context: &str,
    ) {
        for (key, key_node, _) in entries {
            if key.starts_with("x-") || allowed.contains(&key) {
                continue;
            }
            let help = crate::suggest::nearest(key, allowed.iter().copied()).map(|s| format!("did you mean `{s}`?"));
            self.report(key_node.span, format!("unknown key `{key}` in {context}"), help);
        }
    }

    pub fn read(&mut self, root: &Node) -> ComposeModel {
        self.read_with(root, None)
    }

    /// Reads a project merged by [`crate::model::layered`]: `root` without its services, which
    /// are read from `services` (each a mapping, as that merge requires).
    pub(crate) fn read_merged(&mut self, root: &Node, services: &[crate::model::layered::Service<'_>]) -> ComposeModel {
        self.read_with(root, Some(services))
    }

    fn read_with(&mut self, root: &Node, merged: Option<&[crate::model::layered::Service<'_>]>) -> ComposeModel {
        let mut model = ComposeModel::default();
        if !root.is_map() {
            if !root.is_null() {
                self.wrong_type(root, "the compose file", "a mapping");
            }
            return model;
        }
        self.check_keys(root, schema::TOP_LEVEL_KEYS, "the compose file");
        if let Some(services) = root.get("services") {
            match services.as_map() {
                Some(entries) => match merged {
                    Some(merged) => {
                        model.services.reserve_exact(merged.len());
                        for s in merged {
                            let service = self.service_entries(s.name, s.key, s.entries());
                            model.services.push(service);
                        }
                    }
                    None => {
                        // Services are large: sized once rather than grown by doubling.
                        model.services.reserve_exact(entries.len());
                        for (name, key, body) in services.entries() {
                            if let Some(s) = self.service(name, key, body) {
                                model.services.push(s);
                            }
                        }
                    }
                },
                None if services.is_null() => {}
                None => self.wrong_type(services, "services", "a mapping"),
            }
        }
        model.name = root
            .get("name")
            .and_then(Node::as_text)
            .filter(|n| !n.is_empty() && !is_unknown(n))
            .map(str::to_owned);
        if let Some(nets) = root.get("networks") {
            for (name, key, body) in nets.entries() {
                let external = body
                    .get("external")
                    .map(|e| e.as_bool() == Some(true) || e.is_map())
                    .unwrap_or(false);
                if external {
                    let real = body
                        .get("name")
                        .or_else(|| body.get("external").and_then(|e| e.get("name")))
                        .and_then(Node::as_text)
                        .unwrap_or(name);
                    if !is_unknown(real) {
                        model.external_networks.push(real.to_owned());
                    }
                }
                model.networks.push((Spanned::new(name.to_owned(), key.span), external));
            }
        }
        model
    }

    fn service(&mut self, name: &str, key: &Node, body: &Node) -> Option<Service> {
        if body.is_null() {
            return Some(Service::new(Spanned::new(name.to_owned(), key.span)));
        }
        if !body.is_map() {
            self.wrong_type(body, &format!("services.{name}"), "a mapping");
            return None;
        }
        Some(self.service_entries(name, key, body.entries()))
    }

    /// A service mapping given as its `(key, key node, value)` entries.
    fn service_entries<'n>(
        &mut self,
        name: &str,
        key: &Node,
        entries: impl Iterator<Item = (&'n str, &'n Node, &'n Node)> + Clone,
    ) -> Service {
        let mut s = Service::new(Spanned::new(name.to_owned(), key.span));
        self.check_entry_keys(entries.clone(), schema::SERVICE_KEYS, &format!("service `{name}`"));
        for (k, _, v) in entries {
            match k {
                "image" => s.image = self.string(v, "image"),
                "build" => s.build = self.build(v),
                "command" => s.command = self.command(v, "command"),
                "entrypoint" => s.entrypoint = self.command(v, "entrypoint"),
                "environment" => s.environment = self.environment(v),
                "env_file" => s.env_files = self.env_files(v),
                "ports" => s.ports = self.ports(v),
                "expose" => s.expose = self.expose(v),
                "healthcheck" => s.healthcheck = self.healthcheck(v),
                "depends_on" => s.depends_on = self.depends_on(v),
                "restart" => s.restart = self.restart(v),
                "container_name" => s.container_name = self.string(v, "container_name"),
                "hostname" => s.hostname = self.string(v, "hostname"),
                "profiles" => s.profiles = self.string_list(v, "profiles"),
                "networks" => s.networks = self.networks(v),
                "network_mode" => s.network_mode = self.string(v, "network_mode"),
                "links" => {
                    s.links = self
                        .string_list(v, "links")
                        .into_iter()
                        .map(|l| {
                            let name = l.value.split(':').next().unwrap_or("").to_owned();
                            Spanned::new(name, l.span)
                        })
                        .collect()
                }
                "volumes_from" => s.volumes_from = self.string_list(v, "volumes_from"),
                "volumes" => s.bind_sources = bind_sources(v),
                "extends" => s.extends = self.extends(v),
                _ => {}
            }
        }
        s
    }

    fn string(&mut self, v: &Node, what: &str) -> Option<Spanned<String>> {
        if v.is_null() {
            return None;
        }
        match &v.kind {
            NodeKind::Scalar(..) => spanned(v),
            _ => {
                self.wrong_type(v, what, "a string");
                None
            }
        }
    }

    fn string_list(&mut self, v: &Node, what: &str) -> Vec<Spanned<String>> {
        match v.as_seq() {
            Some(items) => items
                .iter()
                .filter_map(|i| {
                    if i.as_str().is_none() {
                        self.wrong_type(i, what, "a list of strings");
                    }
                    spanned(i)
                })
                .collect(),
            None if v.is_null() => Vec::new(),
            None => {
                self.wrong_type(v, what, "a list");
                Vec::new()
            }
        }
    }

    fn build(&mut self, v: &Node) -> Option<Build> {
        if let Some(ctx) = spanned(v) {
            return Some(Build {
                context: ctx,
                dockerfile: None,
                inline: false,
                target: None,
                additional_contexts: Vec::new(),
                span: v.span,
            });
        }
        if !v.is_map() {
            self.wrong_type(v, "build", "a string or a mapping");
            return None;
        }
        self.check_keys(v, schema::BUILD_KEYS, "`build`");
        let context = v
            .get("context")
            .and_then(spanned)
            .unwrap_or_else(|| Spanned::new(".".to_owned(), v.span));
        Some(Build {
            context,
            dockerfile: v.get("dockerfile").and_then(spanned),
            inline: v.get("dockerfile_inline").is_some(),
            target: v.get("target").and_then(spanned),
            additional_contexts: match v.get("additional_contexts") {
                Some(m) if m.is_map() => m.entries().filter_map(|(_, _, c)| spanned(c)).collect(),
                Some(l) => l
                    .as_seq()
                    .unwrap_or(&[])
                    .iter()
                    .filter_map(|i| {
                        let s = spanned(i)?;
                        let (_, path) = s.value.split_once('=')?;
                        Some(Spanned::new(path.to_owned(), s.span))
                    })
                    .collect(),
                None => Vec::new(),
            },
            span: v.span,
        })
    }

    fn command(&mut self, v: &Node, what: &str) -> Option<CommandLine> {
        if v.is_null() {
            return None;
        }
        if let Some(items) = v.as_seq() {
            let args = items.iter().map(|i| i.as_str().unwrap_or("").to_owned()).collect();
            return Some(CommandLine {
                args,
                arg_spans: items.iter().map(|i| Some(i.span)).collect(),
                shell: false,
                span: v.span,
            });
        }
        match v.as_str() {
            Some(t) => Some(shell_command(t, v)),
            None => {
                self.wrong_type(v, what, "a string or a list");
                None
            }
        }
    }

    fn environment(&mut self, v: &Node) -> Vec<EnvVar> {
        let mut out = Vec::with_capacity(items_in(v));
        if let Some(items) = v.as_seq() {
            for i in items {
                let Some(t) = i.as_str() else {
                    self.wrong_type(i, "environment", "a list of `NAME=value` strings");
                    continue;
                };
                match t.split_once('=') {
                    Some((name, value)) => {
                        let name_span = i.span.sub(0..name.len());
                        // The value's span: the scalar's span minus the name and `=` when the text
                        // was written plainly; quoted scalars keep the whole span.
                        let value_span = if i.span.range().len() == t.len() {
                            i.span.sub(name.len() + 1..t.len())
                        } else {
                            i.span
                        };
                        out.push(EnvVar {
                            name: Spanned::new(name.to_owned(), name_span),
                            value: Some(Spanned::new(value.to_owned(), value_span)),
                        });
                    }
                    None => out.push(EnvVar {
                        name: Spanned::new(t.to_owned(), i.span),
                        value: None,
                    }),
                }
            }
        } else if v.is_map() {
            for (name, key, value) in v.entries() {
                if value.as_seq().is_some() || value.is_map() {
                    self.wrong_type(value, &format!("environment.{name}"), "a string, number or boolean");
                    continue;
                }
                out.push(EnvVar {
                    name: Spanned::new(name.to_owned(), key.span),
                    value: value.as_text().map(|t| Spanned::new(t.to_owned(), value.span)),
                });
            }
        } else if !v.is_null() {
            self.wrong_type(v, "environment", "a mapping or a list");
        }
        out
    }

    fn env_files(&mut self, v: &Node) -> Vec<EnvFileRef> {
        let one = |r: &mut Reader, n: &Node| -> Option<EnvFileRef> {
            if let Some(path) = spanned(n) {
                return Some(EnvFileRef { path, required: true });
            }
            if n.is_map() {
                r.check_keys(n, schema::ENV_FILE_KEYS, "`env_file`");
                let path = n.get("path").and_then(spanned)?;
                let required = n.get("required").and_then(Node::as_bool).unwrap_or(true);
                return Some(EnvFileRef { path, required });
            }
            r.wrong_type(n, "env_file", "a path, a list of paths or `{path, required}`");
            None
        };
        if let Some(items) = v.as_seq() {
            items.iter().filter_map(|i| one(self, i)).collect()
        } else if v.is_null() {
            Vec::new()
        } else {
            one(self, v).into_iter().collect()
        }
    }

    fn ports(&mut self, v: &Node) -> Vec<PortMapping> {
        let Some(items) = v.as_seq() else {
            if !v.is_null() {
                self.wrong_type(v, "ports", "a list");
            }
            return Vec::new();
        };
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            if item.is_map() {
                if let Some(m) = self.long_port(item) {
                    out.push(m);
                }
                continue;
            }
            let Some(text) = item.as_str() else {
                self.wrong_type(item, "ports", "a list of strings, numbers or mappings");
                continue;
            };
            if is_unknown(text) {
                continue;
            }
            if item.style() == Some(crate::yaml::ScalarStyle::Plain) && is_sexagesimal(text) {
                self.diagnostics.push(
                    Diagnostic::new(
                        RULE,
                        item.span,
                        format!("unquoted port mapping `{text}` is a base-60 number to YAML 1.1 parsers"),
                    )
                    .severity(crate::diagnostic::Severity::Warning)
                    .label("quote this")
                    .help(format!("write it quoted: \"{text}\""))
                    .subject(format!("sexagesimal {text}"))
                    .fix("quote the port mapping", item.span, format!("\"{text}\"")),
                );
            }
            match parse_short(text, item.span) {
                Ok(m) => out.push(m),
                Err(e) => self.report(
                    item.span,
                    format!("invalid port mapping: {e}"),
                    Some("write `[HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL]`, quoted".to_owned()),
                ),
            }
        }
        out
    }

    fn long_port(&mut self, item: &Node) -> Option<PortMapping> {
        self.check_keys(item, schema::PORT_KEYS, "a port mapping");
        let target_node = item.get("target")?;
        let target_text = target_node.as_text()?;
        if is_unknown(target_text) {
            return None;
        }
        let target = match PortRange::parse(target_text) {
            Ok(t) => t,
            Err(e) => {
                self.report(target_node.span, format!("invalid `target`: {e}"), None);
                return None;
            }
        };
        let published = match item.get("published").and_then(Node::as_text) {
            None => None,
            Some(p) if is_unknown(p) => return None,
            Some(p) => match PortRange::parse(p) {
                Ok(r) => Some(r),
                Err(e) => {
                    let span = item.get("published").map_or(item.span, |n| n.span);
                    self.report(span, format!("invalid `published`: {e}"), None);
                    return None;
                }
            },
        };
        let protocol = item
            .get("protocol")
            .and_then(Node::as_text)
            .unwrap_or("tcp")
            .to_ascii_lowercase();
        Some(PortMapping {
            host_ip: item.get("host_ip").and_then(Node::as_text).map(str::to_owned),
            published,
            target,
            protocol,
            // Point at the host port, the part that clashes; else at the container port.
            span: item.get("published").map_or(target_node.span, |n| n.span),
        })
    }

    fn expose(&mut self, v: &Node) -> Vec<Spanned<PortRange>> {
        let mut out = Vec::new();
        for item in self.string_list(v, "expose") {
            let text = item.value.split('/').next().unwrap_or("");
            if is_unknown(text) {
                continue;
            }
            match PortRange::parse(text) {
                Ok(r) => out.push(Spanned::new(r, item.span)),
                Err(e) => self.report(item.span, format!("invalid `expose` entry: {e}"), None),
            }
        }
        out
    }

    fn healthcheck(&mut self, v: &Node) -> Option<Healthcheck> {
        if !v.is_map() {
            if !v.is_null() {
                self.wrong_type(v, "healthcheck", "a mapping");
            }
            return None;
        }
        self.check_keys(v, schema::HEALTHCHECK_KEYS, "`healthcheck`");
        let disable = v.get("disable").and_then(Node::as_bool).unwrap_or(false);
        let test = v.get("test").and_then(|t| self.health_test(t));
        Some(Healthcheck {
            test,
            disable,
            span: v.span,
        })
    }

    fn health_test(&mut self, t: &Node) -> Option<HealthTest> {
        if let Some(text) = t.as_text() {
            return Some(HealthTest::Command(shell_command(text, t)));
        }
        let items = t.as_seq()?;
        let words: Vec<String> = items.iter().map(|i| i.as_str().unwrap_or("").to_owned()).collect();
        match words.first().map(String::as_str) {
            Some("NONE") => Some(HealthTest::None),
            Some("CMD") => Some(HealthTest::Command(CommandLine {
                args: words.get(1..).unwrap_or(&[]).to_vec(),
                arg_spans: items.iter().skip(1).map(|i| Some(i.span)).collect(),
                shell: false,
                span: t.span,
            })),
            Some("CMD-SHELL") => match items.get(1) {
                Some(body) if items.len() == 2 => {
                    Some(HealthTest::Command(shell_command(body.as_str().unwrap_or(""), body)))
                }
                _ => Some(HealthTest::Command(CommandLine {
                    args: split_words(&words.get(1..).unwrap_or(&[]).join(" ")),
                    arg_spans: Vec::new(),
                    shell: true,
                    span: t.span,
                })),
            },
            _ => {
                self.report(
                    t.span,
                    "healthcheck `test` list must start with `CMD`, `CMD-SHELL` or `NONE`".to_owned(),
                    None,
                );
                None
            }
        }
    }

    fn depends_on(&mut self, v: &Node) -> Vec<Dependency> {
        if v.as_seq().is_some() {
            return self
                .string_list(v, "depends_on")
                .into_iter()
                .map(|service| Dependency {
                    service,
                    condition: Condition::Started,
                    required: true,
                })
                .collect();
        }
        if !v.is_map() {
            if !v.is_null() {
                self.wrong_type(v, "depends_on", "a list or a mapping");
            }
            return Vec::new();
        }
        let mut out = Vec::with_capacity(items_in(v));
        for (name, key, body) in v.entries() {
            let mut condition = Condition::Started;
            if body.is_map() {
                self.check_keys(body, schema::DEPENDS_ON_KEYS, "a `depends_on` entry");
            }
            if let Some(c) = body.get("condition") {
                match c.as_text() {
                    Some("service_started") => condition = Condition::Started,
                    Some("service_healthy") => condition = Condition::Healthy,
                    Some("service_completed_successfully") => condition = Condition::CompletedSuccessfully,
                    Some(other) => {
                        let help = crate::suggest::nearest(other, schema::CONDITIONS.iter().copied())
                            .map(|s| format!("did you mean `{s}`?"));
                        self.report(
                            c.span,
                            format!(
                                "unknown condition `{other}` (expected service_started, service_healthy or service_completed_successfully)"
                            ),
                            help,
                        );
                    }
                    None => {}
                }
            }
            let required = body.get("required").and_then(Node::as_bool).unwrap_or(true);
            out.push(Dependency {
                service: Spanned::new(name.to_owned(), key.span),
                condition,
                required,
            });
        }
        out
    }

    fn restart(&mut self, v: &Node) -> Option<Spanned<String>> {
        let s = self.string(v, "restart")?;
        let policy = s.value.split(':').next().unwrap_or("");
        if !is_unknown(&s.value) && !schema::RESTART_POLICIES.contains(&policy) {
            let help = crate::suggest::nearest(policy, schema::RESTART_POLICIES.iter().copied()).map_or_else(
                || "use one of `no`, `always`, `on-failure[:N]`, `unless-stopped`".to_owned(),
                |n| format!("did you mean `{n}`?"),
            );
            self.report(
                s.span,
                format!(
                    "invalid restart policy `{}` (expected no, always, on-failure[:N] or unless-stopped)",
                    s.value
                ),
                Some(help),
            );
        }
        Some(s)
    }

    fn networks(&mut self, v: &Node) -> Vec<ServiceNetwork> {
        if v.as_seq().is_some() {
            return self
                .string_list(v, "networks")
                .into_iter()
                .map(|name| ServiceNetwork {
                    name,
                    aliases: Vec::new(),
                })
                .collect();
        }
        let mut out = Vec::with_capacity(items_in(v));
        for (name, key, body) in v.entries() {
            let aliases = body
                .get("aliases")
                .map(|a| self.string_list(a, "aliases"))
                .unwrap_or_default();
            out.push(ServiceNetwork {
                name: Spanned::new(name.to_owned(), key.span),
                aliases,
            });
        }
        out
    }

    fn extends(&mut self, v: &Node) -> Option<Extends> {
        if let Some(service) = spanned(v) {
            return Some(Extends { service, file: None });
        }
        if !v.is_map() {
            self.wrong_type(v, "extends", "a service name or a mapping");
            return None;
        }
        self.check_keys(v, schema::EXTENDS_KEYS, "`extends`");
        Some(Extends {
            service: v.get("service").and_then(spanned)?,
            file: v.get("file").and_then(spanned),
        })
    }
}

impl Default for Reader {
    fn default() -> Self {
        Reader::new()
    }
}

/// A command written as one string: words split shell-style, each located in the source when the
/// scalar's text is its source (plain, or quoted without escapes).
fn shell_command(text: &str, node: &Node) -> CommandLine {
    let words = split_words_at(text);
    let len = node.span.range().len();
    let shift = if len == text.len() {
        Some(0)
    } else if len == text.len() + 2 && node.style() != Some(crate::yaml::ScalarStyle::Plain) {
        Some(1)
    } else {
        None
    };
    CommandLine {
        arg_spans: words
            .iter()
            .map(|(_, r)| shift.map(|s| node.span.sub(r.start + s..r.end + s)))
            .collect(),
        args: words.into_iter().map(|(w, _)| w).collect(),
        shell: true,
        span: node.span,
    }
}

/// `2122:22`, `5000:50`: what YAML 1.1 (PyYAML, docker-compose v1, many editors' tooling) reads
/// as a base-60 integer (`[1-9][0-9]*(:[0-5]?[0-9])+`).
fn is_sexagesimal(text: &str) -> bool {
    let mut parts = text.split(':');
    let head = parts.next().unwrap_or("");
    let rest: Vec<&str> = parts.collect();
    !rest.is_empty()
        && head.starts_with(|c: char| ('1'..='9').contains(&c))
        && head.chars().all(|c| c.is_ascii_digit())
        && rest.iter().all(|p| {
            (1..=2).contains(&p.len()) && p.chars().all(|c| c.is_ascii_digit()) && p.parse::<u8>().is_ok_and(|n| n < 60)
        })
}

/// Splits a shell-ish command line into words (quotes grouped, no expansion).
pub fn split_words(text: &str) -> Vec<String> {
    split_words_at(text).into_iter().map(|(w, _)| w).collect()
}

/// [`split_words`], borrowing `text` itself when it is one plain word (no space, no quote): what
/// most arguments of a command line are.
pub fn split_words_borrowed(text: &str) -> Vec<std::borrow::Cow<'_, str>> {
    if text.contains(|c: char| c.is_whitespace() || c == '"' || c == '\'') {
        split_words(text).into_iter().map(Into::into).collect()
    } else if text.is_empty() {
        Vec::new()
    } else {
        vec![text.into()]
    }
}

/// Like [`split_words`], with each word's byte range in `text`.
pub fn split_words_at(text: &str) -> Vec<(String, std::ops::Range<usize>)> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut start: Option<usize> = None;
    for (i, c) in text.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => cur.push(c),
            None if c == '"' || c == '\'' => {
                quote = Some(c);
                start.get_or_insert(i);
            }
            None if c.is_whitespace() => {
                if let Some(s) = start.take() {
                    words.push((std::mem::take(&mut cur), s..i));
                }
            }
            None => {
                cur.push(c);
                start.get_or_insert(i);
            }
        }
    }
    if let Some(s) = start {
        words.push((cur, s..text.len()));
    }
    words
}

/// Host paths of a service's bind mounts: short form `SOURCE:TARGET[:MODE]` whose source is a path
/// (`.`, `/` or `~` first; a bare word is a named volume), and long form `type: bind`. Shapes that
/// are neither are left to the schema check.
fn bind_sources(v: &Node) -> Vec<Spanned<String>> {
    let mut out = Vec::new();
    for item in v.as_seq().unwrap_or(&[]) {
        if let Some(s) = spanned(item) {
            let source = s.value.split(':').next().unwrap_or("");
            if source.starts_with(['.', '/', '~']) {
                out.push(Spanned::new(source.to_owned(), s.span));
            }
        } else if item.get("type").and_then(Node::as_str) == Some("bind") {
            out.extend(item.get("source").and_then(spanned));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn borrowed_split_agrees_with_split_words() {
        for text in [
            "curl",
            "",
            "  ",
            "curl -f http://x",
            "\"curl\"",
            "sh -c 'wget -qO- x'",
            "a\tb",
            "/usr/bin/wget",
        ] {
            let borrowed: Vec<String> = split_words_borrowed(text).into_iter().map(|w| w.into_owned()).collect();
            assert_eq!(borrowed, split_words(text), "{text:?}");
        }
    }
}
