pub(crate) mod localhost_binding;
pub(crate) mod localhost_reference;
