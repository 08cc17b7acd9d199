//! The typed compose model. Every value a rule may report keeps its [`Span`], which points at the
//! file where the value was written, even after overrides are merged.

use super::ports::{PortMapping, PortRange};
use crate::source::Span;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

impl<T> Spanned<T> {
    pub fn new(value: T, span: Span) -> Self {
        Spanned { value, span }
    }
}

/// A value that may still hold an unresolved `${VAR}`: rules stay silent on unknown values.
pub fn is_unknown(text: &str) -> bool {
    crate::model::interpolate::has_interpolation(text)
}

#[derive(Clone, Debug, Default)]
pub struct ComposeModel {
    pub services: Vec<Service>,
    /// Top-level network names with whether they are `external`.
    pub networks: Vec<(Spanned<String>, bool)>,
    /// The names external networks have on the host (`name:`, else the key): projects that join
    /// one of them run on one machine. Names with an unresolved `${VAR}` are left out.
    pub external_networks: Vec<String>,
    /// The top-level `name:`, the Compose project name: files that set one name make one project
    /// on one machine. `None` when unset or holding an unresolved `${VAR}`.
    pub name: Option<String>,
}

impl ComposeModel {
    pub fn service(&self, name: &str) -> Option<&Service> {
        self.services.iter().find(|s| s.name.value == name)
    }
}

#[derive(Clone, Debug)]
pub struct Service {
    /// The service key, spanned at the key.
    pub name: Spanned<String>,
    pub image: Option<Spanned<String>>,
    pub build: Option<Build>,
    pub command: Option<CommandLine>,
    pub entrypoint: Option<CommandLine>,
    pub environment: Vec<EnvVar>,
    pub env_files: Vec<EnvFileRef>,
    pub ports: Vec<PortMapping>,
    pub expose: Vec<Spanned<PortRange>>,
    pub healthcheck: Option<Healthcheck>,
    pub depends_on: Vec<Dependency>,
    pub restart: Option<Spanned<String>>,
    pub container_name: Option<Spanned<String>>,
    pub hostname: Option<Spanned<String>>,
    pub profiles: Vec<Spanned<String>>,
    pub networks: Vec<ServiceNetwork>,
    pub network_mode: Option<Spanned<String>>,
    pub links: Vec<Spanned<String>>,
    pub volumes_from: Vec<Spanned<String>>,
    /// Host paths of bind mounts (`./src:/app`, long form `type: bind`), as written.
    pub bind_sources: Vec<Spanned<String>>,
    pub extends: Option<Extends>,
}

#[derive(Clone, Debug)]
pub struct Build {
    pub context: Spanned<String>,
    pub dockerfile: Option<Spanned<String>>,
    /// `dockerfile_inline`: the Dockerfile text itself.
    pub inline: bool,
    pub target: Option<Spanned<String>>,
    /// `additional_contexts` values (folders or `service:`/`docker-image:` sources), as written.
    pub additional_contexts: Vec<Spanned<String>>,
    pub span: Span,
}

/// `command`/`entrypoint`/healthcheck `test`: list form or a string run by a shell.
#[derive(Clone, Debug)]
pub struct CommandLine {
    pub args: Vec<String>,
    /// The span of each argument where it can be located exactly in the source.
    pub arg_spans: Vec<Option<Span>>,
    pub shell: bool,
    pub span: Span,
}

impl CommandLine {
    /// The whole command as one line of text.
    pub fn text(&self) -> String {
        self.args.join(" ")
    }

    /// The span of argument `i`, or the whole command's.
    pub fn arg_span(&self, i: usize) -> Span {
        self.arg_spans.get(i).copied().flatten().unwrap_or(self.span)
    }
}

#[derive(Clone, Debug)]
pub struct EnvVar {
    pub name: Spanned<String>,
    /// `None` for `- NAME` / `NAME:` (taken from the shell at run time).
    pub value: Option<Spanned<String>>,
}

#[derive(Clone, Debug)]
pub struct EnvFileRef {
    pub path: Spanned<String>,
    pub required: bool,
}

#[derive(Clone, Debug)]
pub enum HealthTest {
    /// `["NONE"]`: disables a healthcheck inherited from the image.
    None,
    /// `["CMD", ...]` (exec) or `["CMD-SHELL", "..."]` / a string (shell).
    Command(CommandLine),
}

#[derive(Clone, Debug)]
pub struct Healthcheck {
    pub test: Option<HealthTest>,
    pub disable: bool,
    pub span: Span,
}

impl Healthcheck {
    /// Whether this healthcheck actually checks something.
    pub fn is_active(&self) -> bool {
        !self.disable && !matches!(self.test, Some(HealthTest::None))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Condition {
    Started,
    Healthy,
    CompletedSuccessfully,
}

#[derive(Clone, Debug)]
pub struct Dependency {
    pub service: Spanned<String>,
    pub condition: Condition,
    pub required: bool,
}

#[derive(Clone, Debug)]
pub struct ServiceNetwork {
    pub name: Spanned<String>,
    pub aliases: Vec<Spanned<String>>,
}

#[derive(Clone, Debug)]
pub struct Extends {
    pub service: Spanned<String>,
    pub file: Option<Spanned<String>>,
}

impl Service {
    pub fn new(name: Spanned<String>) -> Service {
        Service {
            name,
            image: None,
            build: None,
            command: None,
            entrypoint: None,
            environment: Vec::new(),
            env_files: Vec::new(),
            ports: Vec::new(),
            expose: Vec::new(),
            healthcheck: None,
            depends_on: Vec::new(),
            restart: None,
            container_name: None,
            hostname: None,
            profiles: Vec::new(),
            networks: Vec::new(),
            network_mode: None,
            links: Vec::new(),
            volumes_from: Vec::new(),
            bind_sources: Vec::new(),
            extends: None,
        }
    }

    /// Whether two services can run at the same time given their profiles: a service without
    /// profiles always runs; two services in disjoint profiles are alternatives.
    pub fn may_run_with(&self, other: &Service) -> bool {
        self.profiles.is_empty()
            || other.profiles.is_empty()
            || self
                .profiles
                .iter()
                .any(|p| other.profiles.iter().any(|q| q.value == p.value))
    }

    pub fn env(&self, name: &str) -> Option<&EnvVar> {
        self.environment.iter().find(|e| e.name.value == name)
    }
}
