pub(crate) mod doc_count_drift;
pub(crate) mod doc_dead_reference;
pub(crate) mod doc_port_drift;
