//! unhealthy-dependency: `depends_on: {x: {condition: service_healthy}}` where `x` has no
//! healthcheck, so `docker compose up` fails at run time. Docs: rules/unhealthy-dependency.md
use crate::model::stack::HealthSource;
use crate::rules::prelude::*;

pub(crate) struct UnhealthyDependency;

impl Rule for UnhealthyDependency {
    fn check(&self, stack: &Stack, out: &mut Vec<Diagnostic>) {
        for project in &stack.projects {
            for s in &project.model.services {
                for dep in s
                    .depends_on
                    .iter()
                    .filter(|d| d.condition == crate::compose::Condition::Healthy)
                {
                    let Some(target) = project.model.service(&dep.service.value) else {
                        continue;
                    };
                    let why = match stack.health_of(project, target) {
                        HealthSource::Compose | HealthSource::Dockerfile(_) | HealthSource::Unknown => continue,
                        HealthSource::DisabledInCompose(_) => "disables its healthcheck".to_owned(),
                        HealthSource::DisabledInDockerfile(_) => "has `HEALTHCHECK NONE` in its Dockerfile".to_owned(),
                        HealthSource::NoneInDockerfile(_) => {
                            "has no healthcheck in compose nor in its Dockerfile".to_owned()
                        }
                        HealthSource::NoneForImage(image) => format!(
                            "has no healthcheck in compose (and its image `{image}` is not known to define one)"
                        ),
                    };
                    let t = &target.name.value;
                    out.push(
                        Diagnostic::new(
                            "unhealthy-dependency",
                            dep.service.span,
                            format!("`{}` waits for `{t}` to be healthy, but `{t}` {why}", s.name.value),
                        )
                        .label("condition: service_healthy")
                        .related(target.name.span, format!("`{t}` defined here without a healthcheck"))
                        .help(format!(
                            "add a healthcheck to `{t}`, or depend on it with `condition: service_started`"
                        ))
                        .subject(format!("{} {} -> {t}", project.name, s.name.value)),
                    );
                }
            }
        }
    }
}
