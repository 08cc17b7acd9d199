pub(crate) mod restart_loop;
pub(crate) mod unhealthy_dependency;
