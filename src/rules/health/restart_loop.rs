//! restart-loop: a systemd unit that restarts without limit, or whose program is a repository path
//! that does not exist. The checks live with the other systemd checks (`crate::systemd::checks`).
//! Compose services are not checked: one that cannot start (a missing build context, Dockerfile or
//! env file) fails `docker compose up` before its container exists, so its restart policy never
//! runs; `missing-build-context` and `missing-env-file` report the cause. Docs: rules/restart-loop.md
use crate::rules::prelude::*;

pub(crate) struct RestartLoop;

impl Rule for RestartLoop {
    fn check(&self, stack: &Stack, out: &mut Vec<Diagnostic>) {
        crate::systemd::checks::restart_loop(stack, out);
    }
}
