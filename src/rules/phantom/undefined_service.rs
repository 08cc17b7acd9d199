//! undefined-service: `depends_on`, `links`, `extends`, `network_mode: service:x` or `volumes_from`
//! name a service the compose project does not define. Docs: rules/undefined-service.md
use crate::compose::Spanned;
use crate::rules::prelude::*;

pub(crate) struct UndefinedService;

impl Rule for UndefinedService {
    fn check(&self, stack: &Stack, out: &mut Vec<Diagnostic>) {
        for project in &stack.projects {
            let model = &project.model;
            let names: Vec<&str> = model.services.iter().map(|s| s.name.value.as_str()).collect();
            for s in &model.services {
                let mut refs: Vec<(&Spanned<String>, &str)> = Vec::new();
                refs.extend(
                    s.depends_on
                        .iter()
                        .filter(|d| d.required)
                        .map(|d| (&d.service, "depends on")),
                );
                refs.extend(s.links.iter().map(|l| (l, "links to")));
                if let Some(e) = s.extends.as_ref().filter(|e| e.file.is_none()) {
                    refs.push((&e.service, "extends"));
                }
                let mut owned: Vec<Spanned<String>> = Vec::new();
                if let Some(nm) = &s.network_mode {
                    if let Some(target) = nm.value.strip_prefix("service:") {
                        owned.push(Spanned::new(target.to_owned(), nm.span));
                    }
                }
                for v in &s.volumes_from {
                    if v.value.starts_with("container:") {
                        continue;
                    }
                    let name = v.value.strip_prefix("service:").unwrap_or(&v.value);
                    let name = name.split(':').next().unwrap_or(name);
                    owned.push(Spanned::new(name.to_owned(), v.span));
                }
                let owned_refs: Vec<(&Spanned<String>, &str)> = owned
                    .iter()
                    .map(|o| {
                        (
                            o,
                            if s.network_mode.as_ref().is_some_and(|n| n.span == o.span) {
                                "shares the network of"
                            } else {
                                "mounts volumes from"
                            },
                        )
                    })
                    .collect();
                for (r, verb) in refs.into_iter().chain(owned_refs) {
                    if crate::compose::model::is_unknown(&r.value) || names.contains(&r.value.as_str()) {
                        continue;
                    }
                    let help = match crate::suggest::nearest(&r.value, names.iter().copied()) {
                        Some(n) => format!("did you mean `{n}`?"),
                        None => format!("define a service `{}` or remove the reference", r.value),
                    };
                    out.push(
                        Diagnostic::new(
                            "undefined-service",
                            r.span,
                            format!(
                                "service `{}` {verb} `{}`, which the project does not define",
                                s.name.value, r.value
                            ),
                        )
                        .label("no such service")
                        .help(help)
                        .subject(format!("{} {} {verb} {}", project.name, s.name.value, r.value)),
                    );
                }
            }
        }
    }
}
