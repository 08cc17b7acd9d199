//! missing-env-file: an `env_file` that does not exist (unless `required: false`). One that is
//! provided at deploy time (a committed template beside it, or git-ignored) and an absolute path
//! outside the repository are infos. Docs: rules/missing-env-file.md
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
                            format!("env file `{written}` of service `{name}` is not checked: outside the repository"),
                        )
                        .severity(Severity::Info)
                        .label("absolute path, not checked")
                        .help("document where the file comes from on the host, or commit a template of it"),
                        EnvFileState::DeployTime { path, template: Some(t), .. } => Diagnostic::new(
                            "missing-env-file",
                            e.path.span,
                            format!("`{path}` is not committed; it is provided at deploy time from `{t}`"),
                        )
                        .severity(Severity::Info)
                        .label("created from the template where the stack runs")
                        .help(format!("create it before `docker compose up` (`cp {t} {path}`)")),
                        EnvFileState::DeployTime { path, template: None, .. } => Diagnostic::new(
                            "missing-env-file",
                            e.path.span,
                            format!("`{path}` is not committed (git-ignored); it is provided at deploy time"),
                        )
                        .severity(Severity::Info)
                        .label("git-ignored, created where the stack runs")
                        .help(format!("commit a template of it (`{path}.example`) so a new host knows what to put in it")),
                        EnvFileState::Missing { path } => Diagnostic::new(
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
