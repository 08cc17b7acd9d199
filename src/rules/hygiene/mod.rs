pub(crate) mod obsolete_version;
pub(crate) mod undefined_variable;
pub(crate) mod unpinned_image;
