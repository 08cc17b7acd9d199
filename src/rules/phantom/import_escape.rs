//! import-escape: Python code inside a service's build context imports a package of the repository
//! that lives outside that context, and nothing installs it: the image never contains it, and the
//! container dies with `ModuleNotFoundError` (incident 002). Docs: rules/import-escape.md
//!
//! Everything that could make the import work keeps the rule silent: a folder or module of that
//! name anywhere inside the context, a requirements file, `pyproject.toml`, `setup.cfg`, `setup.py`
//! or `Pipfile` in the context that mentions the name, a Dockerfile that mentions it, a bind mount or
//! an `additional_contexts` entry that covers the package, a standard-library name. Only packages
//! count (a folder with `__init__.py` whose parent is not a package, or `pkg/mod.py` for a dotted
//! import), never loose modules such as `utils.py`, and only module-level imports.
use crate::model::project;
use crate::parse::python;
use crate::rules::prelude::*;
use foldhash::HashMap;
use std::collections::BTreeSet;

pub(crate) struct ImportEscape;

/// One service that builds from a context folder.
struct Context<'a> {
    /// Repository path of the folder (never the root: everything is inside the root).
    dir: String,
    service: &'a crate::compose::Service,
    /// Build span to point at, and the Dockerfile's repository path.
    span: Span,
    dockerfile: Option<String>,
}

impl Rule for ImportEscape {
    fn check(&self, stack: &Stack, out: &mut Vec<Diagnostic>) {
        if stack.python.is_empty() {
            return;
        }
        let contexts = contexts(stack);
        if contexts.is_empty() {
            return;
        }
        let by_name = Basenames::new(stack);
        let mut by_dir: HashMap<&str, Vec<usize>> = HashMap::default();
        for (i, c) in contexts.iter().enumerate() {
            by_dir.entry(c.dir.as_str()).or_default().push(i);
        }
        let mut reported: BTreeSet<Span> = BTreeSet::new();
        for py in &stack.python {
            let path = stack.sources.path(py.file);
            for dir in ancestors(path) {
                for &ci in by_dir.get(dir).map_or(&[][..], Vec::as_slice) {
                    let Some(ctx) = contexts.get(ci) else { continue };
                    let mut seen: BTreeSet<&str> = BTreeSet::new();
                    for imp in &py.imports {
                        let top = imp.top();
                        if !seen.insert(top) || python::is_stdlib(top) {
                            continue;
                        }
                        let Some(package) = escaped_package(stack, &by_name, ctx, imp) else {
                            continue;
                        };
                        let span = Span::new(py.file, imp.range.start, imp.range.end);
                        if reported.insert(span) {
                            out.push(finding(stack, ctx, span, top, &package));
                        }
                    }
                }
            }
        }
    }
}

/// Every service with a local build context other than the repository root.
fn contexts(stack: &Stack) -> Vec<Context<'_>> {
    let mut out = Vec::new();
    for p in &stack.projects {
        for s in &p.model.services {
            let (Some(b), Some(paths)) = (&s.build, stack.build_paths(s)) else {
                continue;
            };
            if paths.context.is_empty() || !stack.exists(&paths.context) {
                continue;
            }
            out.push(Context {
                dir: paths.context.clone(),
                service: s,
                span: b.context.span,
                dockerfile: paths.dockerfile,
            });
        }
    }
    out
}

/// The folders containing `path`, innermost first (`a/b/c.py` → `a/b`, `a`).
fn ancestors(path: &str) -> impl Iterator<Item = &str> {
    let mut cur = path;
    std::iter::from_fn(move || {
        let (dir, _) = cur.rsplit_once('/')?;
        cur = dir;
        Some(dir)
    })
}

/// Every repository path by its last component, for "is there a `name` inside this folder" lookups
/// without a scan per question.
struct Basenames<'a> {
    map: HashMap<&'a str, Vec<&'a str>>,
}

impl<'a> Basenames<'a> {
    fn new(stack: &'a Stack) -> Self {
        let mut map: HashMap<&str, Vec<&str>> = HashMap::default();
        for p in &stack.paths {
            let base = p.rsplit('/').next().unwrap_or(p);
            map.entry(base).or_default().push(p.as_str());
        }
        for v in map.values_mut() {
            v.sort_unstable();
        }
        Basenames { map }
    }

    fn get(&self, name: &str) -> &[&'a str] {
        self.map.get(name).map_or(&[], Vec::as_slice)
    }
}

/// Whether `path` is `dir` or inside it.
fn within(path: &str, dir: &str) -> bool {
    path == dir || path.strip_prefix(dir).is_some_and(|r| r.starts_with('/'))
}

/// The repository folder of the package `imp` names, when it lives outside `ctx` and nothing in
/// or around the context makes it importable; `None` otherwise.
fn escaped_package(stack: &Stack, names: &Basenames<'_>, ctx: &Context<'_>, imp: &python::PyImport) -> Option<String> {
    let top = imp.top();
    let own = ctx.dir.rsplit('/').next().unwrap_or(&ctx.dir);
    if own == top {
        return None; // the context is the package itself (`COPY . /app/<top>`)
    }
    let py_file = format!("{top}.py");
    let inside = |n: &str| names.get(n).iter().any(|p| within(p, &ctx.dir));
    if inside(top) || inside(&py_file) {
        return None;
    }
    let sub = imp.module.split('.').nth(1);
    let packages: Vec<&str> = names
        .get(top)
        .iter()
        .copied()
        .filter(|dir| {
            let parent = dir.rsplit_once('/').map_or("", |(d, _)| d);
            let regular = stack.exists(&format!("{dir}/__init__.py"))
                && (parent.is_empty() || !stack.exists(&format!("{parent}/__init__.py")));
            let namespace = sub.is_some_and(|s| {
                stack.exists(&format!("{dir}/{s}.py")) || stack.exists(&format!("{dir}/{s}/__init__.py"))
            });
            !within(dir, &ctx.dir) && (regular || namespace)
        })
        .collect();
    if packages.is_empty() || installed(stack, ctx, top) || packages.iter().any(|p| mounted(stack, ctx, p)) {
        return None;
    }
    // Several copies: name the one nearest the root.
    packages
        .into_iter()
        .min_by_key(|p| (p.matches('/').count(), *p))
        .map(str::to_owned)
}

/// Whether a requirements-like file in the context, or the service's Dockerfile, mentions `top`.
fn installed(stack: &Stack, ctx: &Context<'_>, top: &str) -> bool {
    let want = python::normalize(top);
    let mentions = |id: crate::source::FileId| {
        stack
            .sources
            .get(id)
            .is_some_and(|src| python::mentioned_names(&src.text).any(|w| w == want))
    };
    let deps = stack
        .texts
        .iter()
        .filter(|(_, k)| *k == crate::discover::FileKind::PyDeps)
        .map(|(id, _)| *id);
    let setup = stack
        .python
        .iter()
        .map(|p| p.file)
        .filter(|id| stack.sources.path(*id).ends_with("setup.py"));
    if deps
        .chain(setup)
        .filter(|id| within(stack.sources.path(*id), &ctx.dir))
        .any(mentions)
    {
        return true;
    }
    let dockerfile = ctx.dockerfile.as_ref().and_then(|d| stack.dockerfiles.get(d));
    // An inline or unresolvable Dockerfile might install anything.
    dockerfile.is_none_or(|d| mentions(d.file))
}

/// Whether a bind mount or an additional build context of the service brings `package` in.
fn mounted(stack: &Stack, ctx: &Context<'_>, package: &str) -> bool {
    let covers =
        |src: &crate::compose::model::Spanned<String>| match project::join(stack.base_dir(src.span), &src.value) {
            Some(dir) => within(package, &dir),
            None => true, // absolute or climbing out of the root: cannot tell
        };
    let s = ctx.service;
    let extra = s.build.as_ref().map_or(&[][..], |b| b.additional_contexts.as_slice());
    s.bind_sources.iter().any(covers)
        || extra.iter().any(|c| {
            // An image, another service's image or a remote source may hold anything.
            c.value.contains("://") || c.value.starts_with("service:") || c.value.starts_with("git@") || covers(c)
        })
}

fn finding(stack: &Stack, ctx: &Context<'_>, span: Span, top: &str, package: &str) -> Diagnostic {
    let service = &ctx.service.name.value;
    let mut d = Diagnostic::new(
        "import-escape",
        span,
        format!(
            "`{top}` is imported here, but the package lives in `{package}/`, outside the build context `{}` of service `{service}`",
            ctx.dir
        ),
    )
    .label("not in the image: ModuleNotFoundError at start")
    .related(ctx.span, format!("build context of `{service}`: only `{}/` is sent to the builder", ctx.dir));
    // An empty `__init__.py` has no line to carry a label.
    if let Some(init) = stack
        .sources
        .by_path(&format!("{package}/__init__.py"))
        .filter(|f| !f.text.trim().is_empty())
    {
        d = d.related(Span::file_start(init.id), format!("package `{top}` is defined here"));
    }
    d.help(format!(
        "install `{top}` through the context's requirements, copy it into `{}/`, or build from a wider context (`context: .` with `dockerfile: {}/Dockerfile`)",
        ctx.dir, ctx.dir
    ))
    .subject(format!("{service} {top}"))
}
