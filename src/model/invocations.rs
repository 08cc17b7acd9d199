//! Compose invocations written in scripts, Makefiles and Markdown code blocks:
//! `docker compose -f a.yml -f b.yml up` tells which files are run together.

use super::project::{dir_of, join};

/// The word lists of every `docker compose` / `docker-compose` invocation in `text`, with line
/// continuations joined.
pub fn compose_commands(text: &str) -> Vec<(usize, Vec<String>)> {
    let mut out = Vec::new();
    let mut logical = String::new();
    let mut start_line = 0;
    for (i, line) in text.lines().enumerate() {
        if logical.is_empty() {
            start_line = i;
        }
        let line = line.trim_end();
        if let Some(body) = line.strip_suffix('\\') {
            logical.push_str(body);
            logical.push(' ');
            continue;
        }
        logical.push_str(line);
        // A `compose` word needs `compose` in the line, or quotes to join it from pieces
        // (`com"pose"`): other lines (nearly all of a doc) are not split into words.
        if !logical.contains("compose") && !logical.contains(['"', '\'']) {
            logical.clear();
            continue;
        }
        let words = crate::compose::read::split_words(&logical);
        let mut k = 0;
        while k < words.len() {
            let w = words[k].rsplit('/').next().unwrap_or("");
            let starts = if w == "docker-compose" {
                Some(k + 1)
            } else if w == "docker" && words.get(k + 1).map(String::as_str) == Some("compose") {
                Some(k + 2)
            } else {
                None
            };
            if let Some(s) = starts {
                let end = words[s..]
                    .iter()
                    .position(|w| matches!(w.as_str(), "&&" | "||" | ";" | "|"))
                    .map_or(words.len(), |p| s + p);
                out.push((start_line + 1, words[s..end].to_vec()));
                k = end;
            }
            k += 1;
        }
        logical.clear();
    }
    out
}

/// Sets of two or more compose files named with `-f`/`--file` in one invocation, as paths relative
/// to the root (resolved against the script's folder, then the root); only sets whose files all
/// exist (`exists`) are returned.
pub fn compose_file_sets(path: &str, text: &str, exists: &dyn Fn(&str) -> bool) -> Vec<Vec<String>> {
    let dir = dir_of(path);
    let mut sets = Vec::new();
    for (_, words) in compose_commands(text) {
        let mut files = Vec::new();
        let mut it = words.iter();
        while let Some(w) = it.next() {
            let f = match w.as_str() {
                "-f" | "--file" => it.next().cloned(),
                _ => w.strip_prefix("--file=").map(str::to_owned),
            };
            let Some(f) = f else { continue };
            let resolved = [join(dir, &f), join("", &f)].into_iter().flatten().find(|p| exists(p));
            match resolved {
                Some(p) => files.push(p),
                None => {
                    files.clear();
                    break;
                }
            }
        }
        if files.len() >= 2 && !sets.contains(&files) {
            sets.push(files);
        }
    }
    sets
}

/// Every compose file named with `-f`/`--file` in an invocation in `text`, resolved as
/// [`compose_file_sets`] does (files that do not exist are left out).
pub fn compose_files_named(path: &str, text: &str, exists: &dyn Fn(&str) -> bool) -> Vec<String> {
    let dir = dir_of(path);
    let mut out = Vec::new();
    for (_, words) in compose_commands(text) {
        let mut it = words.iter();
        while let Some(w) = it.next() {
            let f = match w.as_str() {
                "-f" | "--file" => it.next().cloned(),
                _ => w.strip_prefix("--file=").map(str::to_owned),
            };
            let Some(f) = f else { continue };
            if let Some(p) = [join(dir, &f), join("", &f)].into_iter().flatten().find(|p| exists(p)) {
                out.push(p);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_file_sets() {
        let text = "deploy:\n\tdocker compose -f docker-compose.yml \\\n\t  -f docker-compose.staging.yml up -d\n\tdocker-compose -f a.yml logs api\n";
        let exists = |p: &str| matches!(p, "ops/docker-compose.yml" | "ops/docker-compose.staging.yml" | "a.yml");
        let sets = compose_file_sets("ops/Makefile", text, &exists);
        assert_eq!(
            sets,
            vec![vec![
                "ops/docker-compose.yml".to_owned(),
                "ops/docker-compose.staging.yml".to_owned()
            ]]
        );
        let missing = compose_file_sets("Makefile", "docker compose -f a.yml -f nope.yml up", &exists);
        assert!(missing.is_empty());
    }

    /// Lines are split only when they may hold a `compose` word, which quotes can join from
    /// pieces: such lines are still read.
    #[test]
    fn quoted_pieces_still_make_a_command() {
        let text = "intro line\n\ndocker com\"pose\" -f a.yml up\nrun 'docker-comp'ose -f b.yml ps\n";
        let found: Vec<(usize, Vec<String>)> = compose_commands(text);
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(
            found[0],
            (3, vec!["-f".to_owned(), "a.yml".to_owned(), "up".to_owned()])
        );
        assert_eq!(found[1].0, 4);
        assert!(compose_commands("docker ps\nno invocation here\n").is_empty());
    }
}
