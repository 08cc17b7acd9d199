pub(crate) mod obsolete_version;
pub(crate) mod unpinned_image;
