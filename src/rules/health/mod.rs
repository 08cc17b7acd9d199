pub(crate) mod healthcheck_tool_missing;
pub(crate) mod missing_healthcheck;
pub(crate) mod probe_port_mismatch;
pub(crate) mod restart_loop;
pub(crate) mod unhealthy_dependency;
