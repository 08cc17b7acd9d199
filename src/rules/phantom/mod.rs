pub(crate) mod dangling_reference;
pub(crate) mod import_escape;
pub(crate) mod missing_build_context;
pub(crate) mod missing_env_file;
pub(crate) mod phantom_service;
pub(crate) mod selector_mismatch;
pub(crate) mod undefined_service;
