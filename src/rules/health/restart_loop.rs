//! restart-loop (compose part): `restart: always` / `unless-stopped` on a service that cannot
//! start, because its build context, its Dockerfile or a required env file is missing.
//! Docs: rules/restart-loop.md
use crate::model::stack::{BuildGap, EnvFileState};
use crate::rules::prelude::*;

pub(crate) struct RestartLoop;

impl Rule for RestartLoop {
    fn check(&self, stack: &Stack, out: &mut Vec<Diagnostic>) {
        crate::systemd::checks::restart_loop(stack, out);
        for project in &stack.projects {
            for s in &project.model.services {
                let Some(restart) = s
                    .restart
                    .as_ref()
                    .filter(|r| matches!(r.value.as_str(), "always" | "unless-stopped"))
                else {
                    continue;
                };
                let mut missing: Vec<(Span, String)> = Vec::new();
                if let Some((span, gap)) = stack.missing_build(s) {
                    missing.push(match gap {
                        BuildGap::Context(p) => (span, format!("build context `{p}` does not exist")),
                        BuildGap::Dockerfile(p) => (span, format!("Dockerfile `{p}` does not exist")),
                    });
                }
                for e in s.env_files.iter().filter(|e| e.required) {
                    if let EnvFileState::Missing { path, .. } = stack.env_file_state(e) {
                        missing.push((e.path.span, format!("env file `{path}` does not exist")));
                    }
                }
                let Some((_, first)) = missing.first() else {
                    continue;
                };
                let name = &s.name.value;
                let more = if missing.len() > 1 {
                    format!(" (and {} more missing input(s))", missing.len() - 1)
                } else {
                    String::new()
                };
                let mut d = Diagnostic::new(
                    "restart-loop",
                    restart.span,
                    format!(
                        "service `{name}` restarts `{}` but cannot start: {first}{more}",
                        restart.value
                    ),
                )
                .label("restart policy")
                .help("add what is missing (or fix its path); until then use `restart: \"no\"` so the failure is not retried forever")
                .subject(format!("{name} {}", restart.value));
                for (span, what) in &missing {
                    d = d.related(*span, what.clone());
                }
                out.push(d);
            }
        }
    }
}
