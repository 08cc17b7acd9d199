pub(crate) mod container_name_clash;
pub(crate) mod port_clash;
