//! undefined-variable: `${VAR}` without a default, defined in no `.env` of the project and
//! documented in the nearest `.env.example` (beside it, or in a folder above it). Docs: rules/undefined-variable.md
use crate::model::interpolate::{interpolate, Lookup};
use crate::model::project::join;
use crate::model::stack::TEMPLATE_SUFFIXES;
use crate::rules::prelude::*;
use std::collections::BTreeSet;

pub(crate) struct UndefinedVariable;

/// Variables every shell that runs `docker compose` exports, and the one Compose sets itself.
const ALWAYS_SET: &[&str] = &["HOME", "PATH", "PWD", "USER", "SHELL", "COMPOSE_PROJECT_NAME"];

impl Rule for UndefinedVariable {
    fn check(&self, stack: &Stack, out: &mut Vec<Diagnostic>) {
        for project in &stack.projects {
            // The nearest folder, from the project's up, that holds a template: a project with a
            // template of its own is documented there, not by the repository-wide one.
            let documented: BTreeSet<&str> = folders_up(&project.dir)
                .map(|dir| {
                    TEMPLATE_SUFFIXES
                        .iter()
                        .filter_map(|sfx| join(dir, &format!(".env{sfx}")))
                        .filter_map(|p| stack.env_files.get(&p))
                        .collect::<Vec<_>>()
                })
                .find(|templates| !templates.is_empty())
                .unwrap_or_default()
                .into_iter()
                .flat_map(|e| e.doc.entries.iter().map(|en| en.key.as_str()))
                .collect();
            let mut seen: BTreeSet<(&str, Span)> = BTreeSet::new();
            for (name, scalar) in &project.undefined_vars {
                if ALWAYS_SET.contains(&name.as_str())
                    || documented.contains(name.as_str())
                    || project.env.contains_key(name)
                    || !seen.insert((name, *scalar))
                {
                    continue;
                }
                for span in places(stack, name, *scalar) {
                    out.push(
                        Diagnostic::new(
                            "undefined-variable",
                            span,
                            format!("variable `{name}` has no default and is not defined in `.env` nor documented in `.env.example`"),
                        )
                        .label("empty unless the shell exports it")
                        .help(format!(
                            "define `{name}` in `.env`, document it in `.env.example`, or give it a default: `${{{name}:-value}}`"
                        ))
                        .subject(name.clone()),
                    );
                }
            }
        }
    }
}

/// The project's folder and every folder above it. A template up there documents the variables of
/// a project without one: a repository-wide `.env.example` at the root is how monorepos describe
/// the one `.env` their Makefiles and scripts pass with `--env-file ../../.env`.
fn folders_up(dir: &str) -> impl Iterator<Item = &str> {
    std::iter::successors(Some(dir), |d| {
        (!d.is_empty()).then(|| d.rfind('/').map_or("", |i| &d[..i]))
    })
}

/// Each plain reference to `name` inside the scalar at `scalar`, read from the source text (so a
/// quoted scalar works too); the whole scalar when the source does not show one.
fn places(stack: &Stack, name: &str, scalar: Span) -> Vec<Span> {
    let Some(file) = stack.sources.get(scalar.file) else {
        return vec![scalar];
    };
    let raw = file.slice(scalar);
    let unknown = |_: &str| -> Option<Lookup> { None };
    let found: Vec<Span> = interpolate(raw, &unknown)
        .vars
        .into_iter()
        .filter(|v| v.name == name && !v.has_default)
        .filter(|v| {
            raw.get(v.range.clone())
                .is_some_and(|t| t.starts_with('$') && t.contains(name))
        })
        .map(|v| scalar.sub(v.range))
        .collect();
    if found.is_empty() {
        vec![scalar]
    } else {
        found
    }
}
