//! Repository-relative paths as kustomize resolves them (`/` separators, `./` and `..` folded).

/// The directory part of a repo-relative file path (`""` for a file at the root).
pub(crate) fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

/// The last component of a path.
pub(crate) fn base_name(path: &str) -> &str {
    path.rsplit_once('/').map_or(path, |(_, b)| b)
}

/// `dir` joined with `rel`, normalised; `None` when `rel` is absolute or climbs above the root.
pub(crate) fn join(dir: &str, rel: &str) -> Option<String> {
    if rel.starts_with('/') {
        return None;
    }
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty() && *p != ".").collect();
    for p in rel.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            _ => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// A remote kustomize resource (git URL or `github.com/...`), which stacklint cannot read.
pub(crate) fn is_remote(rel: &str) -> bool {
    rel.contains("://") || rel.starts_with("github.com/") || rel.starts_with("git@") || rel.contains("?ref=")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_and_normalises() {
        assert_eq!(join("k8s/overlays/prod", "../../base").as_deref(), Some("k8s/base"));
        assert_eq!(join("k8s", "./app.yaml").as_deref(), Some("k8s/app.yaml"));
        assert_eq!(join("", "a/./b/../c.yaml").as_deref(), Some("a/c.yaml"));
        assert_eq!(join("k8s", "../../x"), None);
        assert_eq!(parent("a/b/c.yaml"), "a/b");
        assert_eq!(parent("c.yaml"), "");
        assert!(is_remote("https://github.com/x/y//base?ref=v1"));
    }
}
