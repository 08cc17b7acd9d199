pub(crate) mod port_clash;
