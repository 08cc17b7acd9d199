pub(crate) mod container_name_clash;
pub(crate) mod nodeport_out_of_range;
pub(crate) mod port_clash;
pub(crate) mod registry_drift;
pub(crate) mod target_port_mismatch;
