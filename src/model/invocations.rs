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
        // A quoted command (`echo "run: docker compose -f x.yml up"`, `sh -c '...'`) is a command
        // too: its words are read in its place.
        let words: Vec<String> = crate::compose::read::split_words(&logical)
            .into_iter()
            .flat_map(|w| {
                if w.contains(char::is_whitespace) && (w.contains("docker-compose") || w.contains("docker compose")) {
                    crate::compose::read::split_words(&w)
                } else {
                    vec![w]
                }
            })
            .collect();
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

/// The compose files named with `-f`/`--file` in each invocation in `text` (one list per
/// invocation that names at least one), as paths relative to the root. One invocation runs in one
/// folder: its files are resolved all against the script's folder, else all against the root; an
/// invocation whose files exist neither way (`exists`) is left out, so a script that runs its own
/// folder's `docker-compose.yml` never pulls in the root's file of that name.
pub fn compose_file_runs(path: &str, text: &str, exists: &dyn Fn(&str) -> bool) -> Vec<Vec<String>> {
    let dir = dir_of(path);
    let mut runs = Vec::new();
    for (_, words) in compose_commands(text) {
        let mut named = Vec::new();
        let mut it = words.iter();
        while let Some(w) = it.next() {
            let f = match w.as_str() {
                "-f" | "--file" => it.next().cloned(),
                _ => w.strip_prefix("--file=").map(str::to_owned),
            };
            named.extend(f);
        }
        if named.is_empty() {
            continue;
        }
        let resolve =
            |base: &str| -> Option<Vec<String>> { named.iter().map(|f| join(base, f).filter(|p| exists(p))).collect() };
        if let Some(files) = resolve(dir).or_else(|| resolve("")) {
            if !runs.contains(&files) {
                runs.push(files);
            }
        }
    }
    runs
}

/// Every compose file named with `-f`/`--file` in an invocation in `text`, each resolved against
/// the script's folder, then the root (files that do not exist are left out): any file a script
/// may mean, where [`compose_file_runs`] keeps only what one invocation surely runs.
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

    /// The runs of two or more files: the sets Compose merges.
    fn compose_file_sets(path: &str, text: &str, exists: &dyn Fn(&str) -> bool) -> Vec<Vec<String>> {
        let mut sets = compose_file_runs(path, text, exists);
        sets.retain(|files| files.len() >= 2);
        sets
    }

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

    /// A script's files are resolved in one folder: its own `docker-compose.yml` (absent here) is
    /// not swapped for the root's file of that name beside an overlay of its own folder.
    #[test]
    fn one_invocation_resolves_in_one_folder() {
        let exists = |p: &str| {
            matches!(
                p,
                "docker-compose.yml" | "db/dev/docker-compose.dev.yml" | "db/extra.yml"
            )
        };
        let text = "docker compose -f docker-compose.yml -f ./dev/docker-compose.dev.yml down\n";
        assert!(compose_file_sets("db/reset.sh", text, &exists).is_empty());
        let alone = "docker compose -f extra.yml up\ndocker compose -f docker-compose.yml up\n";
        assert_eq!(
            compose_file_runs("db/run.sh", alone, &exists),
            vec![vec!["db/extra.yml".to_owned()], vec!["docker-compose.yml".to_owned()]]
        );
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
        let echoed = compose_commands("echo \"  Command: docker-compose --profile x -f alt.yml up -d\"\n");
        assert_eq!(echoed.len(), 1, "{echoed:?}");
        assert_eq!(echoed[0].1[..4], ["--profile", "x", "-f", "alt.yml"]);
    }
}
