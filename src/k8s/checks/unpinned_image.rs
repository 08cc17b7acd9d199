//! unpinned-image (Kubernetes side): an image with no tag, or the `latest` tag. A digest pins.
//! Kustomize `images:` overrides are already applied to the rendering's containers.

use super::all_containers;
use crate::diagnostic::Diagnostic;
use crate::k8s::{dedupe, Cluster};

/// The tag of an image reference (`None` without one); `Err(())` when pinned by digest.
fn tag(image: &str) -> Result<Option<&str>, ()> {
    if image.contains('@') {
        return Err(());
    }
    let last = image.rsplit('/').next().unwrap_or(image);
    Ok(last.split_once(':').map(|(_, t)| t))
}

pub(crate) fn unpinned_image(cluster: &Cluster, out: &mut Vec<Diagnostic>) {
    let start = out.len();
    for (o, w) in cluster.workloads() {
        for c in all_containers(w) {
            let Some(image) = &c.image else { continue };
            let v = image.value.as_str();
            if v.is_empty() || v.contains(['$', '{']) {
                continue;
            }
            let message = match tag(v) {
                Ok(None) => format!("image `{v}` of container `{}` has no tag", c.name.value),
                Ok(Some("latest")) => {
                    format!("image `{v}` of container `{}` uses the `latest` tag", c.name.value)
                }
                _ => continue,
            };
            out.push(
                Diagnostic::new("unpinned-image", image.span, message)
                    .label("unpinned image")
                    .help("pin a version tag (or a digest `@sha256:…`) so every rollout runs the same image")
                    .subject(format!("{} container {} image", o.display(), c.name.value)),
            );
        }
    }
    dedupe(out, start);
}

#[cfg(test)]
mod tests {
    #[test]
    fn tags() {
        assert_eq!(super::tag("nginx"), Ok(None));
        assert_eq!(super::tag("registry:5000/app"), Ok(None));
        assert_eq!(super::tag("registry:5000/app:1.2"), Ok(Some("1.2")));
        assert_eq!(super::tag("app@sha256:abc"), Err(()));
    }
}
