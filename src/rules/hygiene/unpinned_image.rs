//! unpinned-image: an image without a tag, or tagged `latest`. Docs: rules/unpinned-image.md
use crate::rules::prelude::*;

pub(crate) struct UnpinnedImage;

/// The tag of an image reference, if any (`registry:5000/app` has none; a digest pins it).
pub(crate) fn image_tag(image: &str) -> Option<&str> {
    let last = image.rsplit('/').next().unwrap_or(image);
    last.rsplit_once(':').map(|(_, t)| t)
}

pub(crate) fn is_unpinned(image: &str) -> bool {
    !image.contains('@') && matches!(image_tag(image), None | Some("latest"))
}

impl Rule for UnpinnedImage {
    fn check(&self, stack: &Stack, out: &mut Vec<Diagnostic>) {
        crate::k8s::checks::unpinned_image(&stack.k8s, out);
        for project in &stack.projects {
            for s in &project.model.services {
                let Some(image) = &s.image else { continue };
                // With `build`, `image` names the image being built, not one that is pulled.
                if s.build.is_some() || crate::compose::model::is_unknown(&image.value) || image.value.is_empty() {
                    continue;
                }
                if !is_unpinned(&image.value) {
                    continue;
                }
                let what = if image_tag(&image.value).is_some() {
                    "the `latest` tag"
                } else {
                    "no tag"
                };
                out.push(
                    Diagnostic::new(
                        "unpinned-image",
                        image.span,
                        format!("image `{}` of service `{}` has {what}", image.value, s.name.value),
                    )
                    .label("unpinned")
                    .help("pin a version tag (or a digest) so every deploy runs the same image")
                    .subject(format!("{} {}", s.name.value, image.value)),
                );
            }
        }
    }
}
