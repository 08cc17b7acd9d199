//! API versions Kubernetes stopped serving, and the release that removed them, from the official
//! Deprecated API Migration Guide (https://kubernetes.io/docs/reference/using-api/deprecation-guide/).
//! With `kubernetes.version` set below the removal, the object is still served: not reported.

/// (apiVersion, kind, minor version of the Kubernetes 1.x release that stopped serving it).
const REMOVED: &[(&str, &str, u32)] = &[
    // v1.16
    ("extensions/v1beta1", "NetworkPolicy", 16),
    ("extensions/v1beta1", "PodSecurityPolicy", 16),
    ("extensions/v1beta1", "DaemonSet", 16),
    ("apps/v1beta2", "DaemonSet", 16),
    ("extensions/v1beta1", "Deployment", 16),
    ("apps/v1beta1", "Deployment", 16),
    ("apps/v1beta2", "Deployment", 16),
    ("apps/v1beta1", "StatefulSet", 16),
    ("apps/v1beta2", "StatefulSet", 16),
    ("extensions/v1beta1", "ReplicaSet", 16),
    ("apps/v1beta1", "ReplicaSet", 16),
    ("apps/v1beta2", "ReplicaSet", 16),
    // v1.22
    (
        "admissionregistration.k8s.io/v1beta1",
        "MutatingWebhookConfiguration",
        22,
    ),
    (
        "admissionregistration.k8s.io/v1beta1",
        "ValidatingWebhookConfiguration",
        22,
    ),
    ("apiextensions.k8s.io/v1beta1", "CustomResourceDefinition", 22),
    ("apiregistration.k8s.io/v1beta1", "APIService", 22),
    ("authentication.k8s.io/v1beta1", "TokenReview", 22),
    ("authorization.k8s.io/v1beta1", "LocalSubjectAccessReview", 22),
    ("authorization.k8s.io/v1beta1", "SelfSubjectAccessReview", 22),
    ("authorization.k8s.io/v1beta1", "SubjectAccessReview", 22),
    ("certificates.k8s.io/v1beta1", "CertificateSigningRequest", 22),
    ("coordination.k8s.io/v1beta1", "Lease", 22),
    ("extensions/v1beta1", "Ingress", 22),
    ("networking.k8s.io/v1beta1", "Ingress", 22),
    ("networking.k8s.io/v1beta1", "IngressClass", 22),
    ("rbac.authorization.k8s.io/v1beta1", "ClusterRole", 22),
    ("rbac.authorization.k8s.io/v1beta1", "ClusterRoleBinding", 22),
    ("rbac.authorization.k8s.io/v1beta1", "Role", 22),
    ("rbac.authorization.k8s.io/v1beta1", "RoleBinding", 22),
    ("scheduling.k8s.io/v1beta1", "PriorityClass", 22),
    ("storage.k8s.io/v1beta1", "CSIDriver", 22),
    ("storage.k8s.io/v1beta1", "CSINode", 22),
    ("storage.k8s.io/v1beta1", "StorageClass", 22),
    ("storage.k8s.io/v1beta1", "VolumeAttachment", 22),
    // v1.25
    ("batch/v1beta1", "CronJob", 25),
    ("discovery.k8s.io/v1beta1", "EndpointSlice", 25),
    ("events.k8s.io/v1beta1", "Event", 25),
    ("autoscaling/v2beta1", "HorizontalPodAutoscaler", 25),
    ("policy/v1beta1", "PodDisruptionBudget", 25),
    ("policy/v1beta1", "PodSecurityPolicy", 25),
    ("node.k8s.io/v1beta1", "RuntimeClass", 25),
    // v1.26
    ("flowcontrol.apiserver.k8s.io/v1beta1", "FlowSchema", 26),
    ("flowcontrol.apiserver.k8s.io/v1beta1", "PriorityLevelConfiguration", 26),
    ("autoscaling/v2beta2", "HorizontalPodAutoscaler", 26),
    // v1.27
    ("storage.k8s.io/v1beta1", "CSIStorageCapacity", 27),
    // v1.29
    ("flowcontrol.apiserver.k8s.io/v1beta2", "FlowSchema", 29),
    ("flowcontrol.apiserver.k8s.io/v1beta2", "PriorityLevelConfiguration", 29),
    // v1.32
    ("flowcontrol.apiserver.k8s.io/v1beta3", "FlowSchema", 32),
    ("flowcontrol.apiserver.k8s.io/v1beta3", "PriorityLevelConfiguration", 32),
];

/// The minor version of the Kubernetes 1.x release that stopped serving `kind` at `api_version`.
pub(super) fn removed_in(api_version: &str, kind: &str) -> Option<u32> {
    REMOVED
        .iter()
        .find(|(av, k, _)| *av == api_version && *k == kind)
        .map(|&(_, _, minor)| minor)
}
