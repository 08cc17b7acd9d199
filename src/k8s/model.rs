//! The typed view of Kubernetes objects that rules read. Every value a rule may report on keeps the
//! [`Span`] of the YAML node it came from, so findings point into the manifest even after a
//! kustomization renamed or relabelled the object.

use crate::source::Span;

/// A value and where it was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

impl<T> Spanned<T> {
    pub(crate) fn new(value: T, span: Span) -> Self {
        Spanned { value, span }
    }
}

/// A port given by number or by name (`targetPort`, probe `port`, Ingress backend port).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum PortRef {
    Number(i64),
    Name(String),
}

impl std::fmt::Display for PortRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PortRef::Number(n) => write!(f, "{n}"),
            PortRef::Name(n) => f.write_str(n),
        }
    }
}

/// One object of one rendering. An object reached through two kustomizations appears twice, once per
/// rendering, with that rendering's namespace, name and labels but the same spans.
#[derive(Clone, Debug)]
pub(crate) struct Object {
    pub kind: String,
    /// Effective name (after `namePrefix`/`nameSuffix`); the span is `metadata.name` or the document.
    pub name: Spanned<String>,
    /// The name as written in the manifest (kustomize rewrites references to it within a rendering).
    pub written_name: String,
    /// Effective namespace (kustomization `namespace`, then `metadata.namespace`, then the default).
    pub namespace: String,
    /// Whether the namespace was written (metadata or kustomization); a manifest without one is
    /// often applied with `kubectl -n`, so lookups let it match any namespace.
    pub namespace_explicit: bool,
    /// The whole document (or `List` item).
    pub span: Span,
    /// Which rendering this copy belongs to (see [`super::Rendering`]).
    pub rendering: usize,
    /// A kustomize patch may change this object: rules that assert an absence skip it.
    pub patched: bool,
    /// For custom resources (kinds Kubernetes does not define): names of objects they may create,
    /// such as the Secret of a SealedSecret, ExternalSecret (`spec.target.name`) or cert-manager
    /// Certificate (`spec.secretName`). Empty for built-in kinds.
    pub custom_outputs: Vec<String>,
    pub body: Body,
}

impl Object {
    /// `Kind/name` as written in the manifest (the same in every rendering, so findings dedupe).
    pub(crate) fn display(&self) -> String {
        format!("{}/{}", self.kind, self.written_name)
    }

    pub(crate) fn workload(&self) -> Option<&Workload> {
        match &self.body {
            Body::Workload(w) => Some(w),
            _ => None,
        }
    }

    pub(crate) fn service(&self) -> Option<&Service> {
        match &self.body {
            Body::Service(s) => Some(s),
            _ => None,
        }
    }
}

/// What rules need from each kind; everything else is `Other`.
#[derive(Clone, Debug)]
pub(crate) enum Body {
    Workload(Workload),
    Service(Service),
    Ingress(Ingress),
    Hpa(Hpa),
    /// ConfigMap or Secret (see `Object::kind`).
    Data(DataObject),
    Other,
}

/// A label selector: `matchLabels` and `matchExpressions`, or the plain map of Services and
/// ReplicationControllers.
#[derive(Clone, Debug, Default)]
pub(crate) struct Selector {
    pub match_labels: Vec<(Spanned<String>, String)>,
    pub match_expressions: Vec<Requirement>,
    pub span: Span,
}

impl Selector {
    pub(crate) fn is_empty(&self) -> bool {
        self.match_labels.is_empty() && self.match_expressions.is_empty()
    }
}

#[derive(Clone, Debug)]
pub(crate) struct Requirement {
    pub key: String,
    pub operator: String,
    pub values: Vec<String>,
}

/// Labels by name, in name order: a sorted list rather than a `BTreeMap`, whose first node took a
/// 600-byte allocation for the two or three labels of each of a monorepo's thousands of pod
/// templates. Built like a map: a name given twice keeps its last value.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Labels(Vec<(String, String)>);

impl Labels {
    pub(crate) fn get(&self, name: &str) -> Option<&String> {
        self.0
            .binary_search_by(|(k, _)| k.as_str().cmp(name))
            .ok()
            .and_then(|i| self.0.get(i))
            .map(|(_, v)| v)
    }

    /// Sets `name` to `value`, in place when it is there.
    pub(crate) fn insert(&mut self, name: String, value: String) {
        match self.0.binary_search_by(|(k, _)| k.cmp(&name)) {
            Ok(i) => {
                if let Some(slot) = self.0.get_mut(i) {
                    slot.1 = value;
                }
            }
            Err(i) => self.0.insert(i, (name, value)),
        }
    }
}

impl FromIterator<(String, String)> for Labels {
    fn from_iter<I: IntoIterator<Item = (String, String)>>(items: I) -> Labels {
        let mut all: Vec<(String, String)> = items.into_iter().collect();
        // Stable: of a name given twice, the later entry comes last, and is the one kept.
        all.sort_by(|a, b| a.0.cmp(&b.0));
        let mut kept: Vec<(String, String)> = Vec::with_capacity(all.len());
        for (k, v) in all {
            match kept.last_mut() {
                Some(last) if last.0 == k => last.1 = v,
                _ => kept.push((k, v)),
            }
        }
        Labels(kept)
    }
}

impl<'a> IntoIterator for &'a Labels {
    type Item = (&'a String, &'a String);
    type IntoIter =
        std::iter::Map<std::slice::Iter<'a, (String, String)>, fn(&'a (String, String)) -> (&'a String, &'a String)>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(|(k, v)| (k, v))
    }
}

/// A Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob or Pod.
#[derive(Clone, Debug)]
pub(crate) struct Workload {
    /// `None` for Pods, CronJobs and Jobs without `manualSelector`.
    pub selector: Option<Selector>,
    /// Pod template labels (for a Pod, its own labels), after kustomize label transforms.
    pub template_labels: Labels,
    /// Where the template labels are written (or the template / document when there are none).
    pub template_labels_span: Span,
    /// A long-running workload: not a Job or CronJob, nor a Pod that does not restart.
    pub long_running: bool,
    /// StatefulSet `volumeClaimTemplates` names: PVCs the controller creates.
    pub claim_templates: Vec<String>,
    pub pod: PodSpec,
}

#[derive(Clone, Debug, Default)]
pub(crate) struct PodSpec {
    pub containers: Vec<Container>,
    pub init_containers: Vec<Container>,
    pub volumes: Vec<ObjectRef>,
    pub service_account: Option<Spanned<String>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ProbeKind {
    Readiness,
    Liveness,
    Startup,
}

impl ProbeKind {
    pub(crate) fn field(self) -> &'static str {
        match self {
            ProbeKind::Readiness => "readinessProbe",
            ProbeKind::Liveness => "livenessProbe",
            ProbeKind::Startup => "startupProbe",
        }
    }
}

#[derive(Clone, Debug)]
pub(crate) struct Probe {
    pub kind: ProbeKind,
    /// Port of an `httpGet`, `tcpSocket` or `grpc` probe (`exec` probes have none).
    pub port: Option<Spanned<PortRef>>,
    /// `httpGet.host` when set: the probe then targets another address.
    pub host: Option<String>,
}

#[derive(Clone, Debug)]
pub(crate) struct ContainerPort {
    pub number: Option<i64>,
    pub name: Option<String>,
    /// Upper case, `TCP` when omitted.
    pub protocol: String,
    pub host_port: Option<Spanned<i64>>,
    pub host_ip: Option<String>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub(crate) struct EnvVar {
    pub name: Spanned<String>,
    /// A literal `value` (never set together with `value_from`).
    pub value: Option<Spanned<String>>,
    /// Boxed: few variables have one, and every rule that reads env values walks all of them
    /// (152 bytes a variable inline, 88 boxed).
    pub value_from: Option<Box<ObjectRef>>,
}

#[derive(Clone, Debug)]
pub(crate) struct Container {
    pub name: Spanned<String>,
    pub image: Option<Spanned<String>>,
    pub ports: Vec<ContainerPort>,
    pub probes: Vec<Probe>,
    pub env: Vec<EnvVar>,
    pub env_from: Vec<ObjectRef>,
    pub command: Vec<Spanned<String>>,
    pub args: Vec<Spanned<String>>,
    /// An init container with `restartPolicy: Always` (a native sidecar) runs for the pod's life.
    pub sidecar: bool,
}

impl Container {
    pub(crate) fn probe(&self, kind: ProbeKind) -> Option<&Probe> {
        self.probes.iter().find(|p| p.kind == kind)
    }

    pub(crate) fn declares_port_number(&self, n: i64) -> bool {
        self.ports.iter().any(|p| p.number == Some(n))
    }

    pub(crate) fn declares_port_name(&self, name: &str) -> bool {
        self.ports.iter().any(|p| p.name.as_deref() == Some(name))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RefKind {
    ConfigMap,
    Secret,
    PersistentVolumeClaim,
}

impl RefKind {
    pub(crate) fn kind(self) -> &'static str {
        match self {
            RefKind::ConfigMap => "ConfigMap",
            RefKind::Secret => "Secret",
            RefKind::PersistentVolumeClaim => "PersistentVolumeClaim",
        }
    }
}

/// A reference from a pod to a ConfigMap, Secret or PVC, with the keys it needs.
#[derive(Clone, Debug)]
pub(crate) struct ObjectRef {
    pub kind: RefKind,
    pub name: Spanned<String>,
    pub keys: Vec<Spanned<String>>,
    pub optional: bool,
}

#[derive(Clone, Debug)]
pub(crate) struct ServicePort {
    pub name: Option<String>,
    pub port: Spanned<i64>,
    /// `targetPort`; `None` means "same as port".
    pub target_port: Option<Spanned<PortRef>>,
    pub node_port: Option<Spanned<i64>>,
    pub protocol: String,
}

#[derive(Clone, Debug)]
pub(crate) struct Service {
    pub service_type: String,
    /// `None` when the Service has no selector (endpoints managed by hand or by a controller).
    pub selector: Option<Selector>,
    pub ports: Vec<ServicePort>,
    /// `clusterIP: None`: DNS answers with pod addresses, so clients use container ports.
    pub headless: bool,
}

impl Service {
    pub(crate) fn exposes(&self, port: i64) -> bool {
        self.ports.iter().any(|p| p.port.value == port)
    }
}

#[derive(Clone, Debug)]
pub(crate) struct Backend {
    pub service: Spanned<String>,
    pub port: Option<Spanned<PortRef>>,
}

#[derive(Clone, Debug)]
pub(crate) struct Ingress {
    pub backends: Vec<Backend>,
}

#[derive(Clone, Debug)]
pub(crate) struct Hpa {
    pub target_kind: String,
    pub target_name: Spanned<String>,
}

/// ConfigMap or Secret contents: the keys, and (for ConfigMaps) the literal values.
#[derive(Clone, Debug, Default)]
pub(crate) struct DataObject {
    /// `None` when the keys cannot be known (a generator reading an env file).
    pub keys: Option<Vec<String>>,
    /// ConfigMap `data` entries as (key, value) with spans; empty for Secrets.
    pub values: Vec<(Spanned<String>, Spanned<String>)>,
}
