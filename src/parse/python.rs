//! The module-level imports of a Python file, and the package names a requirements file installs.
//!
//! Only what `import-escape` needs, so deliberately small: a line scanner, not a Python parser.
//! An import counts only when it starts at column 0 (module level). Indented imports sit inside
//! `try:`/`if TYPE_CHECKING:`/functions, where a failing import is often handled on purpose, so
//! they are left out (a missed finding is cheaper than a false one). Lines inside triple-quoted
//! strings (docstrings that show `import x` in an example) are skipped. Relative imports
//! (`from . import x`, `from .db import y`) always resolve inside the package and are dropped.
//! Linear in the input, never panics.

use std::ops::Range;

/// One module named by a module-level `import` or `from … import`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PyImport {
    /// The dotted module path as written (`L01_data_layer.client`).
    pub module: String,
    /// Byte range of the module path in the file.
    pub range: Range<usize>,
}

impl PyImport {
    /// The first component (`L01_data_layer`): the name Python looks up on `sys.path`.
    pub fn top(&self) -> &str {
        self.module.split('.').next().unwrap_or(&self.module)
    }
}

/// The module-level, absolute imports of `text`, in order.
pub fn imports(text: &str) -> Vec<PyImport> {
    let mut out = Vec::new();
    let mut in_string: Option<&str> = None;
    let mut offset = 0;
    for raw in text.split_inclusive('\n') {
        let start = offset;
        offset += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        if let Some(q) = in_string {
            if line.matches(q).count() % 2 == 1 {
                in_string = None;
            }
            continue;
        }
        if let Some(rest) = line.strip_prefix("import ") {
            let base = start + "import ".len();
            // `import a.b as c, d`
            let mut pos = 0;
            for part in rest.split(',') {
                let here = base + pos;
                pos += part.len() + 1;
                let name = part.split_whitespace().next().unwrap_or("");
                if let Some(lead) = part.find(name) {
                    push(&mut out, name, here + lead);
                }
                if part.contains('#') || part.contains(';') {
                    break;
                }
            }
        } else if let Some(rest) = line.strip_prefix("from ") {
            let name = rest.split_whitespace().next().unwrap_or("");
            if let Some(lead) = rest.find(name) {
                push(&mut out, name, start + "from ".len() + lead);
            }
        } else {
            in_string = opens_triple_quote(line);
        }
    }
    out
}

/// Records `name` when it is an absolute dotted module path (relative ones start with `.`).
fn push(out: &mut Vec<PyImport>, name: &str, at: usize) {
    let name = name.trim_end_matches([',', ';', '(', '\\']);
    let valid = !name.is_empty()
        && !name.starts_with('.')
        && name
            .split('.')
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_alphanumeric() || c == '_'))
        && !name.starts_with(|c: char| c.is_ascii_digit());
    if valid && name != "__future__" {
        out.push(PyImport {
            module: name.to_owned(),
            range: at..at + name.len(),
        });
    }
}

/// The triple quote a line leaves open (`"""` or `'''`), if any: an odd number of them.
fn opens_triple_quote(line: &str) -> Option<&'static str> {
    ["\"\"\"", "'''"].into_iter().find(|q| line.matches(q).count() % 2 == 1)
}

/// Whether `name` is a module of Python's standard library (CPython 3.11's
/// `sys.stdlib_module_names`, private ones left out): a repository folder that happens to share
/// such a name (`email/`, `test/`) is never what the import finds.
pub fn is_stdlib(name: &str) -> bool {
    STDLIB.binary_search(&name).is_ok()
}

#[rustfmt::skip]
const STDLIB: &[&str] = &[
    "abc", "aifc", "antigravity", "argparse", "array", "ast", "asynchat", "asyncio", "asyncore", "atexit",
    "audioop", "base64", "bdb", "binascii", "bisect", "builtins", "bz2", "cProfile", "calendar", "cgi",
    "cgitb", "chunk", "cmath", "cmd", "code", "codecs", "codeop", "collections", "colorsys", "compileall",
    "concurrent", "configparser", "contextlib", "contextvars", "copy", "copyreg", "crypt", "csv", "ctypes",
    "curses", "dataclasses", "datetime", "dbm", "decimal", "difflib", "dis", "distutils", "doctest", "email",
    "encodings", "ensurepip", "enum", "errno", "faulthandler", "fcntl", "filecmp", "fileinput", "fnmatch",
    "fractions", "ftplib", "functools", "gc", "genericpath", "getopt", "getpass", "gettext", "glob",
    "graphlib", "grp", "gzip", "hashlib", "heapq", "hmac", "html", "http", "idlelib", "imaplib", "imghdr",
    "imp", "importlib", "inspect", "io", "ipaddress", "itertools", "json", "keyword", "lib2to3", "linecache",
    "locale", "logging", "lzma", "mailbox", "mailcap", "marshal", "math", "mimetypes", "mmap",
    "modulefinder", "msilib", "msvcrt", "multiprocessing", "netrc", "nis", "nntplib", "nt", "ntpath",
    "nturl2path", "numbers", "opcode", "operator", "optparse", "os", "ossaudiodev", "pathlib", "pdb",
    "pickle", "pickletools", "pipes", "pkgutil", "platform", "plistlib", "poplib", "posix", "posixpath",
    "pprint", "profile", "pstats", "pty", "pwd", "py_compile", "pyclbr", "pydoc", "pydoc_data", "pyexpat",
    "queue", "quopri", "random", "re", "readline", "reprlib", "resource", "rlcompleter", "runpy", "sched",
    "secrets", "select", "selectors", "shelve", "shlex", "shutil", "signal", "site", "smtpd", "smtplib",
    "sndhdr", "socket", "socketserver", "spwd", "sqlite3", "sre_compile", "sre_constants", "sre_parse",
    "ssl", "stat", "statistics", "string", "stringprep", "struct", "subprocess", "sunau", "symtable", "sys",
    "sysconfig", "syslog", "tabnanny", "tarfile", "telnetlib", "tempfile", "termios", "textwrap", "this",
    "threading", "time", "timeit", "tkinter", "token", "tokenize", "tomllib", "trace", "traceback",
    "tracemalloc", "tty", "turtle", "turtledemo", "types", "typing", "unicodedata", "unittest", "urllib",
    "uu", "uuid", "venv", "warnings", "wave", "weakref", "webbrowser", "winreg", "winsound", "wsgiref",
    "xdrlib", "xml", "xmlrpc", "zipapp", "zipfile", "zipimport", "zlib", "zoneinfo",
];

/// Normalises a distribution or module name as PEP 503 does (`L01-Data_Layer` → `l01-data-layer`),
/// so that a requirement `l01-data-layer` and an import `L01_data_layer` compare equal.
pub fn normalize(name: &str) -> String {
    name.chars()
        .map(|c| match c {
            '_' | '.' => '-',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

/// Every word of a requirements-like text (requirements*.txt, pyproject.toml, setup.cfg, setup.py,
/// Pipfile, a Dockerfile's `pip install` line), normalised. Deliberately generous: any mention of
/// a name counts as installing it, because a wrong "installed" only costs a missed finding.
pub fn mentioned_names(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !(c.is_alphanumeric() || matches!(c, '_' | '-' | '.')))
        .filter(|w| !w.is_empty())
        .flat_map(|w| {
            // `pkg.sub` and `pkg` both, `pkg==1.0` split above on `=`; and every part of a
            // distribution name (`acme-common` may well install the package `common`).
            let top = w.split('.').next().unwrap_or(w);
            let normal = normalize(w);
            let parts: Vec<String> = normal.split('-').filter(|p| !p.is_empty()).map(str::to_owned).collect();
            [normal, normalize(top)].into_iter().chain(parts)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn modules(text: &str) -> Vec<String> {
        imports(text).into_iter().map(|i| i.module).collect()
    }

    #[test]
    fn module_level_absolute_imports_only() {
        let src = "import os, sys as system\nfrom L01_data_layer.client import L01Client\nfrom . import db\nfrom .models import User\n\ntry:\n    import ujson\nexcept ImportError:\n    pass\ndef f():\n    import yaml\nfrom __future__ import annotations\n";
        assert_eq!(modules(src), ["os", "sys", "L01_data_layer.client"]);
    }

    #[test]
    fn ranges_point_at_the_module() {
        let src = "x = 1\nfrom   shared.db import x\nimport a.b ,  c\n";
        for i in imports(src) {
            assert_eq!(&src[i.range.clone()], i.module);
        }
        assert_eq!(modules(src), ["shared.db", "a.b", "c"]);
    }

    #[test]
    fn docstrings_are_skipped() {
        let src = "\"\"\"Usage:\n\nimport fake_module\n\"\"\"\nimport real\n'''one line''' \nimport also_real\n";
        assert_eq!(modules(src), ["real", "also_real"]);
    }

    #[test]
    fn parenthesised_and_continued_forms() {
        let src = "from pkg.mod import (\n    a,\n    b,\n)\nimport one, \\\n    two\n";
        assert_eq!(modules(src), ["pkg.mod", "one"]);
    }

    #[test]
    fn names_normalise_like_pep_503() {
        assert_eq!(normalize("L01_Data.layer"), "l01-data-layer");
        let words: Vec<String> = mentioned_names("fastapi==0.110\nl01-data-layer @ file:./x\n").collect();
        assert!(words.contains(&"l01-data-layer".to_owned()));
        assert!(words.contains(&"fastapi".to_owned()));
        let words: Vec<String> = mentioned_names("acme-common==2.1\n").collect();
        assert!(words.contains(&"common".to_owned()), "{words:?}");
    }

    #[test]
    fn stdlib_list_is_sorted_for_binary_search() {
        assert!(STDLIB.windows(2).all(|w| w[0] < w[1]));
        assert!(is_stdlib("email") && is_stdlib("os") && !is_stdlib("L01_data_layer"));
    }

    #[test]
    fn hostile_text_never_panics() {
        for s in [
            "import",
            "from",
            "import ,,,",
            "from .",
            "import é.ü",
            "\"\"\"",
            "import a\u{0}b",
            "from \u{2028} import x",
        ] {
            let _ = imports(s);
        }
    }
}
