//! The Kubernetes side of rules shared with compose. Each `pub(crate) fn` takes the [`Cluster`] and
//! pushes findings under the shared rule's id; the shared rule file calls it next to its compose
//! half. Each function dedupes its own findings across renderings.

mod default_credentials;
mod localhost_binding;
mod localhost_reference;
mod missing_healthcheck;
mod plaintext_secret;
mod port_clash;
mod probe_port_mismatch;
pub(crate) mod secrets;
mod unpinned_image;

pub(crate) use default_credentials::default_credentials;
pub(crate) use localhost_binding::localhost_binding;
pub(crate) use localhost_reference::localhost_reference;
pub(crate) use missing_healthcheck::missing_healthcheck;
pub(crate) use plaintext_secret::plaintext_secret;
pub(crate) use port_clash::port_clash;
pub(crate) use probe_port_mismatch::probe_port_mismatch;
pub(crate) use unpinned_image::unpinned_image;

use super::model::{Container, Workload};

/// Containers that run for the pod's life: regular containers and native sidecars.
pub(crate) fn running_containers(w: &Workload) -> impl Iterator<Item = &Container> {
    w.pod
        .containers
        .iter()
        .chain(w.pod.init_containers.iter().filter(|c| c.sidecar))
}

/// Every container, init containers included.
pub(crate) fn all_containers(w: &Workload) -> impl Iterator<Item = &Container> {
    w.pod.containers.iter().chain(w.pod.init_containers.iter())
}
