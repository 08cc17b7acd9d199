//! missing-build-context: a service's `build` context folder or its Dockerfile does not exist.
//! Docs: rules/missing-build-context.md
use crate::model::stack::BuildGap;
use crate::rules::prelude::*;

pub(crate) struct MissingBuildContext;

impl Rule for MissingBuildContext {
    fn check(&self, stack: &Stack, out: &mut Vec<Diagnostic>) {
        for project in &stack.projects {
            for s in &project.model.services {
                let Some((span, gap)) = stack.missing_build(s) else {
                    continue;
                };
                let name = &s.name.value;
                let d = match &gap {
                    BuildGap::Context(path) => Diagnostic::new(
                        "missing-build-context",
                        span,
                        format!("build context `{path}` of service `{name}` does not exist"),
                    )
                    .label("no such folder")
                    .help("fix the path (it is relative to the compose file) or add the folder"),
                    BuildGap::Dockerfile(path) => Diagnostic::new(
                        "missing-build-context",
                        span,
                        format!("build of service `{name}` needs Dockerfile `{path}`, which does not exist"),
                    )
                    .label("no such file")
                    .help("fix `build.dockerfile` (it is relative to the build context) or add the Dockerfile"),
                };
                let path = match &gap {
                    BuildGap::Context(p) | BuildGap::Dockerfile(p) => p,
                };
                out.push(d.subject(format!("{name} {path}")));
            }
        }
    }
}
