//! Helpers shared by unit tests.

use std::path::Path;

/// Every file under `dir`, as `(relative path, text)` in path order, skipping files that are not
/// UTF-8.
pub(crate) fn files_in(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                dirs.push(p);
            } else if let (Ok(text), Ok(rel)) = (std::fs::read_to_string(&p), p.strip_prefix(dir)) {
                out.push((rel.to_string_lossy().replace('\\', "/"), text));
            }
        }
    }
    out.sort();
    out
}
