//! Walks the checked tree and classifies each file by name (and, for YAML, later by content).
//!
//! Uses the `ignore` walker so `.gitignore` and `.ignore` are honoured (without needing a `.git`
//! folder), never enters `.git`, and classifies with our own name rules rather than `ignore`'s
//! type filter (which lets hidden files through). Symlinks are followed only when they resolve to a
//! regular file inside the checked root; symlinked folders are never entered, so loops cannot hang.

use globset::{Glob, GlobSet, GlobSetBuilder};
use std::path::{Path, PathBuf};

/// What a file is, by its name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FileKind {
    /// `compose*.y(a)ml`, `docker-compose*.y(a)ml`.
    Compose,
    /// `kustomization.y(a)ml`.
    Kustomization,
    /// Any other YAML or JSON: classified by content after parsing.
    Yaml,
    Dockerfile,
    Env,
    Markdown,
    /// Shell scripts, Makefiles, justfiles: read for the compose files and services they name.
    Script,
    /// systemd units (`*.service`).
    Systemd,
    /// `*.conf`: read as nginx configuration when it looks like one.
    Conf,
    /// `*.py`: read for its module-level imports (`import-escape`).
    Python,
    /// What installs Python packages: `*requirements*.txt`, `pyproject.toml`, `setup.cfg`, `Pipfile`.
    PyDeps,
}

#[derive(Clone, Debug)]
pub struct Found {
    /// Relative to the root, `/`-separated.
    pub rel: String,
    pub path: PathBuf,
    pub kind: FileKind,
}

/// Name-based classification. `None`: not a file stacklint reads.
pub fn classify(rel: &str) -> Option<FileKind> {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let lower = name.to_ascii_lowercase();
    let yaml = lower.ends_with(".yml") || lower.ends_with(".yaml");
    if yaml
        && (lower.starts_with("docker-compose")
            || lower.starts_with("compose.")
            || lower == "compose.yml"
            || lower == "compose.yaml")
    {
        return Some(FileKind::Compose);
    }
    if lower == "kustomization.yaml" || lower == "kustomization.yml" {
        return Some(FileKind::Kustomization);
    }
    if yaml || lower.ends_with(".json") {
        if lower == "package.json"
            || lower == "package-lock.json"
            || lower == "tsconfig.json"
            || lower.ends_with(".lock.json")
        {
            return None;
        }
        return Some(FileKind::Yaml);
    }
    if lower == "dockerfile" || lower.starts_with("dockerfile.") || lower.ends_with(".dockerfile") {
        return Some(FileKind::Dockerfile);
    }
    if lower == ".env" || lower.starts_with(".env.") || lower.ends_with(".env") {
        return Some(FileKind::Env);
    }
    if lower.ends_with(".md") || lower.ends_with(".markdown") {
        return Some(FileKind::Markdown);
    }
    if lower.ends_with(".sh")
        || lower.ends_with(".bash")
        || lower.ends_with(".mk")
        || matches!(lower.as_str(), "makefile" | "gnumakefile" | "justfile")
    {
        return Some(FileKind::Script);
    }
    if lower.ends_with(".service") {
        return Some(FileKind::Systemd);
    }
    if lower.ends_with(".conf") {
        return Some(FileKind::Conf);
    }
    if lower.ends_with(".py") {
        return Some(FileKind::Python);
    }
    if (lower.ends_with(".txt") && lower.contains("requirements"))
        || matches!(lower.as_str(), "pyproject.toml" | "setup.cfg" | "pipfile")
    {
        return Some(FileKind::PyDeps);
    }
    None
}

pub struct Walk {
    pub files: Vec<Found>,
    /// Paths that could not be visited, with why.
    pub errors: Vec<(String, String)>,
}

pub struct Filters {
    pub include: Option<GlobSet>,
    pub exclude: Option<GlobSet>,
}

impl Filters {
    pub fn new(include: &[String], exclude: &[String]) -> Result<Filters, String> {
        Ok(Filters {
            include: build_set(include)?,
            exclude: build_set(exclude)?,
        })
    }
}

fn build_set(globs: &[String]) -> Result<Option<GlobSet>, String> {
    if globs.is_empty() {
        return Ok(None);
    }
    let mut b = GlobSetBuilder::new();
    for g in globs {
        let glob = Glob::new(g).map_err(|e| format!("invalid glob `{g}`: {e}"))?;
        b.add(glob);
        // A folder glob also excludes what is inside it.
        if !g.ends_with("/**") {
            if let Ok(inner) = Glob::new(&format!("{}/**", g.trim_end_matches('/'))) {
                b.add(inner);
            }
        }
    }
    b.build().map(Some).map_err(|e| e.to_string())
}

/// Relative `/`-separated path of `path` under `root`.
pub fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    parts.join("/")
}

/// Walks `root` (a folder) and returns the files stacklint reads, sorted by relative path.
pub fn walk(root: &Path, filters: &Filters) -> Walk {
    let canonical_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let root_owned = root.to_path_buf();
    let exclude = filters.exclude.clone();
    // Folders are listed on as many threads as the worker pool has (`--jobs`): on a monorepo the
    // walk was a serial 20 ms in front of the parallel parse. Entries arrive in any order; both
    // lists are sorted at the end, so the result does not depend on the threads.
    let walker = ignore::WalkBuilder::new(root)
        .hidden(false)
        .git_ignore(true)
        .git_exclude(true)
        .git_global(false)
        .ignore(true)
        .parents(false)
        .require_git(false)
        .follow_links(false)
        .threads(rayon::current_num_threads())
        .filter_entry(move |e| {
            let name = e.file_name();
            if name == ".git" || name == "node_modules" {
                return false;
            }
            match &exclude {
                Some(ex) if e.depth() > 0 => !ex.is_match(relative(&root_owned, e.path())),
                _ => true,
            }
        })
        .build_parallel();
    let found = std::sync::Mutex::new(Walk {
        files: Vec::new(),
        errors: Vec::new(),
    });
    walker.run(|| {
        Box::new(|entry| {
            let item = visit(entry, root, &canonical_root, filters);
            if let Some(item) = item {
                // A poisoned lock means another visitor panicked: keep what was found.
                let mut w = found.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                match item {
                    Ok(f) => w.files.push(f),
                    Err(e) => w.errors.push(e),
                }
            }
            ignore::WalkState::Continue
        })
    });
    let mut walk = found.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner);
    walk.files.sort_by(|a, b| a.rel.cmp(&b.rel));
    walk.errors.sort();
    walk
}

/// One entry of the walk: a file stacklint reads, an error to report, or nothing (a folder, a
/// symlink leaving the root, a FIFO, a file of no known kind, one `include` leaves out).
fn visit(
    entry: Result<ignore::DirEntry, ignore::Error>,
    root: &Path,
    canonical_root: &Path,
    filters: &Filters,
) -> Option<Result<Found, (String, String)>> {
    let entry = match entry {
        Ok(e) => e,
        Err(err) => {
            let path = error_path(&err).map_or_else(|| relative(root, root), |p| relative(root, p));
            return Some(Err((path, err.to_string())));
        }
    };
    let ft = entry.file_type()?;
    if ft.is_dir() {
        return None;
    }
    let path = entry.path();
    if ft.is_symlink() {
        // Follow only to a regular file inside the root.
        match path.canonicalize() {
            Ok(target) if target.starts_with(canonical_root) && target.is_file() => {}
            _ => return None,
        }
    } else if !ft.is_file() {
        return None; // FIFOs, sockets, devices: never opened.
    }
    let rel = relative(root, path);
    let kind = classify(&rel)?;
    if filters.include.as_ref().is_some_and(|inc| !inc.is_match(&rel)) {
        return None;
    }
    Some(Ok(Found {
        rel,
        path: path.to_path_buf(),
        kind,
    }))
}

/// The path a walk error is about, looking through the wrappers that `ignore` puts around it (an
/// error without one was reported as `skipped : …` with an empty path).
fn error_path(err: &ignore::Error) -> Option<&Path> {
    let mut err = err;
    // The wrappers nest a few levels at most; the bound keeps a malformed chain finite.
    for _ in 0..16 {
        match err {
            ignore::Error::WithPath { path, .. } => return Some(path),
            ignore::Error::Loop { child, .. } => return Some(child),
            ignore::Error::WithDepth { err: inner, .. } | ignore::Error::WithLineNumber { err: inner, .. } => {
                err = inner;
            }
            ignore::Error::Partial(errs) => match errs.first() {
                Some(inner) => err = inner,
                None => return None,
            },
            _ => return None,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walk_errors_name_their_path_through_wrappers() {
        let io = || Box::new(ignore::Error::Io(std::io::Error::other("denied")));
        let wrapped = ignore::Error::WithDepth {
            depth: 2,
            err: Box::new(ignore::Error::WithPath {
                path: PathBuf::from("a/b"),
                err: io(),
            }),
        };
        assert_eq!(error_path(&wrapped), Some(Path::new("a/b")));
        let looped = ignore::Error::Loop {
            ancestor: PathBuf::from("a"),
            child: PathBuf::from("a/l"),
        };
        assert_eq!(error_path(&looped), Some(Path::new("a/l")));
        assert_eq!(error_path(&ignore::Error::Partial(vec![])), None);
    }

    #[test]
    fn names() {
        assert_eq!(classify("a/docker-compose.prod.yml"), Some(FileKind::Compose));
        assert_eq!(classify("compose.yaml"), Some(FileKind::Compose));
        assert_eq!(classify("compose.override.yaml"), Some(FileKind::Compose));
        assert_eq!(classify("k/deploy.yaml"), Some(FileKind::Yaml));
        assert_eq!(classify("Dockerfile"), Some(FileKind::Dockerfile));
        assert_eq!(classify("api/Dockerfile.dev"), Some(FileKind::Dockerfile));
        assert_eq!(classify(".env"), Some(FileKind::Env));
        assert_eq!(classify("x/.env.example"), Some(FileKind::Env));
        assert_eq!(classify("README.md"), Some(FileKind::Markdown));
        assert_eq!(classify("main.rs"), None);
        assert_eq!(classify("Makefile"), Some(FileKind::Script));
        assert_eq!(classify("scripts/deploy.sh"), Some(FileKind::Script));
        assert_eq!(classify("deploy/billing.service"), Some(FileKind::Systemd));
        assert_eq!(classify("nginx/default.conf"), Some(FileKind::Conf));
    }
}
