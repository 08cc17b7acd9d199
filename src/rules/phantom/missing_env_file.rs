//! missing-env-file: an `env_file` that does not exist (unless `required: false`); an absolute
//! path outside the repository is a warning. Docs: rules/missing-env-file.md
use crate::model::stack::EnvFileState;
use crate::rules::prelude::*;

pub(crate) struct MissingEnvFile;

impl Rule for MissingEnvFile {
    fn check(&self, stack: &Stack, out: &mut Vec<Diagnostic>) {
        for project in &stack.projects {
            for s in &project.model.services {
                let name = &s.name.value;
                for e in s.env_files.iter().filter(|e| e.required) {
                    let written = &e.path.value;
                    let d = match stack.env_file_state(e) {
                        EnvFileState::Present | EnvFileState::Unknown => continue,
                        EnvFileState::Absolute => Diagnostic::new(
                            "missing-env-file",
                            e.path.span,
                            format!(
                                "env file `{written}` of service `{name}` is outside the repository; the stack starts only on hosts where it exists"
                            ),
                        )
                        .severity(Severity::Warning)
                        .label("absolute path, not checked")
                        .help("keep the file in the repository (or a template of it), or mark it `required: false`"),
                        EnvFileState::Missing { path, template: Some(t) } => Diagnostic::new(
                            "missing-env-file",
                            e.path.span,
                            format!("env file `{path}` of service `{name}` does not exist (only `{t}` is committed)"),
                        )
                        .label("no such file")
                        .help(format!("create it from the template (`cp {t} {path}`) before `docker compose up`, or mark it `required: false`")),
                        EnvFileState::Missing { path, template: None } => Diagnostic::new(
                            "missing-env-file",
                            e.path.span,
                            format!("env file `{path}` of service `{name}` does not exist"),
                        )
                        .label("no such file")
                        .help("fix the path (it is relative to the compose file), add the file, or mark it `required: false`"),
                    };
                    out.push(d.subject(format!("{name} {written}")));
                }
            }
        }
    }
}
