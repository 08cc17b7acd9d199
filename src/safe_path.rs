//! The one gate for paths that the checked repository controls.
//!
//! Everything in a checked folder is hostile input when stacklint runs on pull requests: a config
//! value (`kubernetes.schemas`), a symlink committed under a known name, a FIFO, a huge file. Every
//! read that such a path decides goes through here: the path is resolved and canonicalised inside
//! the repository root, symlinks may only lead to regular files inside it, special files (FIFOs,
//! devices, sockets, kernel pseudo-files) are refused before they are opened, and sizes are capped
//! before and while reading. A refusal is a value the caller turns into a diagnostic; no content of
//! a refused file is ever returned.

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Why a path was not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// Absolute, or resolves (through `..` or a symlink) outside the repository root.
    Outside,
    /// Not a regular file: what it is instead.
    Special(&'static str),
    /// Larger than the limit.
    TooLarge { size: u64, limit: u64 },
    /// Nothing there.
    Missing,
    /// Not valid UTF-8 where text was asked for.
    NotText,
    /// Any other I/O error, as the operating system words it.
    Io(String),
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refused::Outside => f.write_str("it is outside the repository root"),
            Refused::Special(what) => write!(f, "it is {what}, not a regular file"),
            Refused::TooLarge { size, limit } => write!(f, "it is {size} bytes, over the {limit}-byte limit"),
            Refused::Missing => f.write_str("it does not exist"),
            Refused::NotText => f.write_str("it is not valid UTF-8"),
            Refused::Io(e) => f.write_str(e),
        }
    }
}

fn io_refusal(e: &std::io::Error) -> Refused {
    if e.kind() == std::io::ErrorKind::NotFound {
        Refused::Missing
    } else {
        Refused::Io(e.to_string())
    }
}

/// Kernel pseudo-file systems: their files call themselves regular and empty, and hold the
/// process's environment and the machine's state.
const PSEUDO: &[&str] = &["/proc", "/sys", "/dev"];

/// What a non-regular file is, in words.
fn kind_of(ft: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            return "a FIFO";
        }
        if ft.is_socket() {
            return "a socket";
        }
        if ft.is_block_device() || ft.is_char_device() {
            return "a device";
        }
    }
    if ft.is_dir() {
        "a folder"
    } else if ft.is_symlink() {
        "a symlink"
    } else {
        "a special file"
    }
}

/// Reads a regular file of at most `limit` bytes. Special files and kernel pseudo-files are refused
/// before `open` (and the opened file is checked again before reading); the read itself stops at
/// `limit + 1` bytes whatever the size claimed.
/// Symlinks are followed: callers that must stay inside a root resolve through [`Root`] first.
pub fn read_file(path: &Path, limit: u64) -> Result<Vec<u8>, Refused> {
    let canonical = path.canonicalize().map_err(|e| io_refusal(&e))?;
    if PSEUDO.iter().any(|p| canonical.starts_with(p)) {
        return Err(Refused::Special("a kernel pseudo-file"));
    }
    let meta = std::fs::metadata(&canonical).map_err(|e| io_refusal(&e))?;
    if !meta.is_file() {
        return Err(Refused::Special(kind_of(meta.file_type())));
    }
    if meta.len() > limit {
        return Err(Refused::TooLarge {
            size: meta.len(),
            limit,
        });
    }
    // The type was checked just above; a repository does not change under a CI job, and the opened
    // file is checked again before a byte is read.
    let file = std::fs::File::open(&canonical).map_err(|e| io_refusal(&e))?;
    let meta = file.metadata().map_err(|e| io_refusal(&e))?;
    if !meta.is_file() {
        return Err(Refused::Special(kind_of(meta.file_type())));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| io_refusal(&e))?;
    let size = bytes.len() as u64;
    if size > limit {
        return Err(Refused::TooLarge { size, limit });
    }
    Ok(bytes)
}

/// [`read_file`] for text.
pub fn read_text(path: &Path, limit: u64) -> Result<String, Refused> {
    String::from_utf8(read_file(path, limit)?).map_err(|_| Refused::NotText)
}

/// The repository root that repository-controlled paths must stay inside.
#[derive(Clone, Debug)]
pub struct Root {
    canonical: PathBuf,
}

impl Root {
    /// The root at `dir` (canonicalised; as given when that fails, so that nothing resolves
    /// inside it by accident).
    pub fn new(dir: &Path) -> Root {
        Root {
            canonical: dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf()),
        }
    }

    pub fn path(&self) -> &Path {
        &self.canonical
    }

    /// The canonical path of `rel` (a repository path, `/`-separated) if it exists inside the
    /// root. Absolute paths are refused as they stand; `..` and symlinks are followed and must end
    /// inside the root.
    pub fn resolve(&self, rel: &str) -> Result<PathBuf, Refused> {
        let rel_path = Path::new(rel);
        if rel_path.has_root() || rel_path.is_absolute() || rel.starts_with('~') {
            return Err(Refused::Outside);
        }
        let canonical = self
            .canonical
            .join(rel_path)
            .canonicalize()
            .map_err(|e| io_refusal(&e))?;
        self.inside(canonical)
    }

    /// `path` (already canonical) if it lies inside the root.
    pub fn inside(&self, canonical: PathBuf) -> Result<PathBuf, Refused> {
        if canonical.starts_with(&self.canonical) {
            Ok(canonical)
        } else {
            Err(Refused::Outside)
        }
    }

    /// Whether `rel` names something (file or folder) inside the root. A path that leaves the
    /// root counts as absent: what exists out there is none of the repository's business.
    pub fn exists(&self, rel: &str) -> bool {
        self.resolve(rel).is_ok()
    }

    /// Reads the regular file `rel` inside the root (see [`read_file`]).
    pub fn read_text(&self, rel: &str, limit: u64) -> Result<String, Refused> {
        read_text(&self.resolve(rel)?, limit)
    }

    /// The regular files under the folder `rel`, as repository paths, at most `max_depth` folders
    /// down and at most `max_files` of them (sorted). Symlinked folders are not entered and
    /// symlinked files count only when they resolve to a regular file inside the root.
    pub fn files_under(&self, rel: &str, max_depth: usize, max_files: usize) -> Result<Vec<String>, Refused> {
        let start = self.resolve(rel)?;
        if !start.is_dir() {
            return Err(Refused::Special("not a folder"));
        }
        let mut out = Vec::new();
        let mut dirs = vec![(start, 0usize)];
        while let Some((dir, depth)) = dirs.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else { continue };
            for e in entries.flatten() {
                let Ok(ft) = e.file_type() else { continue };
                let p = e.path();
                let regular = if ft.is_symlink() {
                    p.canonicalize()
                        .ok()
                        .and_then(|c| self.inside(c).ok())
                        .is_some_and(|c| c.is_file())
                } else if ft.is_dir() {
                    if depth < max_depth {
                        dirs.push((p.clone(), depth + 1));
                    }
                    false
                } else {
                    ft.is_file()
                };
                if regular {
                    if out.len() >= max_files {
                        return Err(Refused::TooLarge {
                            size: out.len() as u64 + 1,
                            limit: max_files as u64,
                        });
                    }
                    out.push(self.relative(&p));
                }
            }
        }
        out.sort();
        Ok(out)
    }

    /// The repository path of `path` (which lies under the root).
    fn relative(&self, path: &Path) -> String {
        let rel = path.strip_prefix(&self.canonical).unwrap_or(path);
        rel.components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/")
    }
}

/// The folder where config lookup stops for a check of `start`: the nearest folder at or above it
/// that holds `.git`, or `start` itself when none does. A config above the repository (in `/tmp`
/// of a shared runner, in `/`) is someone else's.
pub fn repository_root(start: &Path) -> PathBuf {
    let start = start.canonicalize().unwrap_or_else(|_| start.to_path_buf());
    let start = if start.is_dir() {
        start
    } else {
        start.parent().map_or_else(|| start.clone(), Path::to_path_buf)
    };
    start
        .ancestors()
        .find(|d| d.join(".git").exists())
        .map_or_else(|| start.clone(), Path::to_path_buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_escapes_and_special_files() {
        let root = Root::new(Path::new(env!("CARGO_MANIFEST_DIR")));
        assert!(root
            .read_text("Cargo.toml", 1 << 20)
            .is_ok_and(|t| t.contains("[package]")));
        assert!(matches!(
            root.read_text("Cargo.toml", 1),
            Err(Refused::TooLarge { limit: 1, .. })
        ));
        assert_eq!(root.resolve("/etc/passwd"), Err(Refused::Outside));
        assert_eq!(
            root.resolve("../../../../../../proc/self/environ"),
            Err(Refused::Outside)
        );
        assert_eq!(root.resolve("src/../../.."), Err(Refused::Outside));
        assert_eq!(root.resolve("missing-file"), Err(Refused::Missing));
        assert_eq!(
            read_file(Path::new("/proc/self/environ"), 1 << 20),
            Err(Refused::Special("a kernel pseudo-file"))
        );
        assert!(matches!(
            read_file(Path::new("/dev/zero"), 1 << 20),
            Err(Refused::Special(_))
        ));
    }
}
