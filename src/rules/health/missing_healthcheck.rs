//! missing-healthcheck: a long-running service that others depend on, or that publishes ports,
//! with no healthcheck in compose nor in its Dockerfile. Docs: rules/missing-healthcheck.md
use crate::compose::Condition;
use crate::model::images;
use crate::model::stack::HealthSource;
use crate::rules::prelude::*;
use foldhash::HashMap;

pub(crate) struct MissingHealthcheck;

impl Rule for MissingHealthcheck {
    fn check(&self, stack: &Stack, out: &mut Vec<Diagnostic>) {
        crate::k8s::checks::missing_healthcheck(&stack.k8s, out);
        for project in &stack.projects {
            let mut dependents: HashMap<&str, Vec<(&str, Condition)>> = HashMap::default();
            for s in &project.model.services {
                for d in &s.depends_on {
                    dependents
                        .entry(d.service.value.as_str())
                        .or_default()
                        .push((s.name.value.as_str(), d.condition));
                }
            }
            for s in &project.model.services {
                let deps = dependents.get(s.name.value.as_str()).map(Vec::as_slice).unwrap_or(&[]);
                // One-shot jobs never need a healthcheck.
                if deps.iter().any(|(_, c)| *c == Condition::CompletedSuccessfully) {
                    continue;
                }
                let restart = s.restart.as_ref().map(|r| r.value.as_str()).unwrap_or("no");
                if (restart == "no" || restart.starts_with("on-failure")) && s.ports.is_empty() {
                    continue;
                }
                let waited_by = deps
                    .iter()
                    .find(|(_, c)| *c != Condition::CompletedSuccessfully)
                    .map(|(n, _)| *n);
                if waited_by.is_none() && s.ports.is_empty() {
                    continue;
                }
                let (why, related) = match stack.health_of(project, s) {
                    HealthSource::NoneInDockerfile(file) => (
                        "no healthcheck in compose nor a `HEALTHCHECK` in its Dockerfile".to_owned(),
                        Some(file),
                    ),
                    HealthSource::NoneForImage(image) if images::defines_healthcheck(&image) == Some(false) => (
                        format!("no healthcheck in compose, and image `{image}` defines none"),
                        None,
                    ),
                    _ => continue,
                };
                let role = match waited_by {
                    Some(d) => format!("`{d}` depends on it"),
                    None => "it publishes ports".to_owned(),
                };
                let name = &s.name.value;
                let mut d = Diagnostic::new(
                    "missing-healthcheck",
                    s.name.span,
                    format!("service `{name}` has {why}, yet {role}"),
                )
                .label("no healthcheck")
                .help(format!(
                    "add a `healthcheck` to `{name}` so Compose knows when it is ready and when it is broken"
                ))
                .subject(name.clone());
                if let Some(file) = related {
                    d = d.related(Span::file_start(file), "no `HEALTHCHECK` in this Dockerfile");
                }
                out.push(d);
            }
        }
    }
}
