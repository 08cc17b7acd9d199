//! Shell scripts, Makefiles and CI workflow `run:` steps, read for the compose files, services,
//! containers, Dockerfiles and systemd units they name.

pub(crate) mod dead_reference;
