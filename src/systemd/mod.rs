//! Checks over systemd units that belong to rules shared with compose (see [`checks`]).
pub mod checks;
