//! healthcheck-tool-missing: a healthcheck runs curl or wget in an image known not to ship it, so
//! the check fails forever and the service never becomes healthy. Docs: rules/healthcheck-tool-missing.md
use crate::compose::HealthTest;
use crate::model::images;
use crate::parse::dockerfile;
use crate::rules::prelude::*;

pub(crate) struct HealthcheckToolMissing;

const TOOLS: &[&str] = &["curl", "wget"];

/// Whether a command line installs `tool` (`apk add curl`, `apt-get install -y wget`).
fn installs(text: &str, tool: &str) -> bool {
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || c == ';' || c == '&')
        .collect();
    words.iter().any(|w| matches!(*w, "install" | "add")) && words.contains(&tool)
}

impl Rule for HealthcheckToolMissing {
    fn check(&self, stack: &Stack, out: &mut Vec<Diagnostic>) {
        for project in &stack.projects {
            for s in &project.model.services {
                // The check that runs: compose's test, else the Dockerfile's HEALTHCHECK.
                let built = stack.built_dockerfile(project, s);
                let effective = built.as_deref().map(|b| (b.file, &b.effective));
                let words: Vec<(&str, Span)> = match s.healthcheck.as_ref().and_then(|h| h.test.as_ref()) {
                    Some(HealthTest::Command(c)) => c
                        .args
                        .iter()
                        .enumerate()
                        .map(|(i, a)| (a.as_str(), c.arg_span(i)))
                        .collect(),
                    Some(HealthTest::None) => continue,
                    None => match effective {
                        Some((file, e)) => match &e.healthcheck {
                            Some(dockerfile::Healthcheck::Cmd { command, range }) => {
                                let span = Span::new(file, range.start, range.end);
                                command.args.iter().map(|a| (a.as_str(), span)).collect()
                            }
                            _ => continue,
                        },
                        None => continue,
                    },
                };
                let Some(image) = stack.effective_image(project, s) else {
                    continue;
                };
                // Words that are command lines themselves (`sh -c "curl …"`) are split into theirs,
                // only once a tool the image lacks may be run (most images ship what they probe with).
                let flat = std::cell::OnceCell::new();
                let flat = || -> &Vec<(std::borrow::Cow<'_, str>, Span)> {
                    flat.get_or_init(|| {
                        words
                            .iter()
                            .flat_map(|&(w, sp)| {
                                crate::compose::read::split_words_borrowed(w)
                                    .into_iter()
                                    .map(move |x| (x, sp))
                            })
                            .collect()
                    })
                };
                for tool in TOOLS {
                    if !words.iter().any(|(w, _)| w.contains(tool)) || images::ships_tool(&image, tool) != Some(false) {
                        continue;
                    }
                    let Some((_, span)) = flat().iter().find(|(w, _)| w.rsplit('/').next() == Some(*tool)) else {
                        continue;
                    };
                    let installed_by_build = effective.is_some_and(|(_, e)| e.installs.iter().any(|p| p == tool));
                    let installed_by_command = [&s.command, &s.entrypoint]
                        .into_iter()
                        .flatten()
                        .any(|c| installs(&c.text(), tool));
                    if installed_by_build || installed_by_command {
                        continue;
                    }
                    let alt = if *tool == "curl" && images::ships_tool(&image, "wget") == Some(true) {
                        "use `wget -qO- …` (busybox ships it) or install curl".to_owned()
                    } else {
                        format!("install {tool} in the image, or probe with a program the image has (e.g. the app's own runtime)")
                    };
                    out.push(
                        Diagnostic::new(
                            "healthcheck-tool-missing",
                            *span,
                            format!(
                                "the healthcheck of `{}` runs `{tool}`, which image `{image}` does not ship",
                                s.name.value
                            ),
                        )
                        .label(format!("`{tool}` not found in the container"))
                        .help(alt)
                        .subject(format!("{} {tool}", s.name.value)),
                    );
                }
            }
        }
    }
}
