pub(crate) mod missing_build_context;
pub(crate) mod missing_env_file;
pub(crate) mod undefined_service;
