pub(crate) mod undefined_service;
