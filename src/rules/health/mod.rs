pub(crate) mod unhealthy_dependency;
