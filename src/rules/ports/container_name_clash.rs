//! container-name-clash: two services of one project that may run together set the same
//! `container_name`. Docs: rules/container-name-clash.md
use crate::rules::prelude::*;

pub(crate) struct ContainerNameClash;

impl Rule for ContainerNameClash {
    fn check(&self, stack: &Stack, out: &mut Vec<Diagnostic>) {
        for project in &stack.projects {
            let services = &project.model.services;
            for (i, s) in services.iter().enumerate() {
                let Some(cn) = s
                    .container_name
                    .as_ref()
                    .filter(|c| !crate::compose::model::is_unknown(&c.value))
                else {
                    continue;
                };
                // Report the later service once, against the first earlier one that clashes.
                let first = services
                    .iter()
                    .take(i)
                    .find(|o| o.may_run_with(s) && o.container_name.as_ref().is_some_and(|c| c.value == cn.value));
                let Some(first) = first else { continue };
                let Some(first_cn) = &first.container_name else {
                    continue;
                };
                out.push(
                    Diagnostic::new(
                        "container-name-clash",
                        cn.span,
                        format!(
                            "container name `{}` of service `{}` is already used by service `{}`",
                            cn.value, s.name.value, first.name.value
                        ),
                    )
                    .label("used again here")
                    .related(first_cn.span, "first used here")
                    .help("give each service its own `container_name`, or drop it and let Compose name the containers")
                    .subject(format!("{} {}", s.name.value, cn.value)),
                );
            }
        }
    }
}
