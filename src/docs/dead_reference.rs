//! doc-dead-reference, Markdown part: commands in a doc's code blocks that name a compose file
//! (`docker compose -f F`), a service (`up -d x`, `logs x`, `restart x`), a container
//! (`docker logs x`), a Kubernetes object (`kubectl … svc/x`) or a path (`./scripts/x.sh`,
//! `kubectl apply -f k8s/`) that does not exist. A code block that changes folder or fetches code
//! (`cd`, `git clone`) is not judged, and names the doc itself creates (`cp a b`, `--name x`,
//! `> file`) count as existing.

use super::claims::Command;
use super::MdDoc;
use crate::diagnostic::Diagnostic;
use crate::model::project::{join, Project};
use crate::model::Stack;
use foldhash::{HashMap, HashSet};

const RULE: &str = "doc-dead-reference";

fn uncertain(word: &str) -> bool {
    word.is_empty()
        || word.contains(['$', '<', '>', '{', '}', '*', '?', '[', '~', '%'])
        || word.contains("://")
        || word.starts_with('/')
        || placeholder(word)
}

/// Names a generic how-to writes for the reader to replace: `docker logs service-name`,
/// `your-app`, `my_container`.
fn placeholder(word: &str) -> bool {
    let w = word.to_ascii_lowercase();
    let w = w.trim_start_matches("./");
    ["your-", "your_", "my-", "my_", "example-", "example_"]
        .iter()
        .any(|p| w.starts_with(p))
        || matches!(
            w,
            "service-name"
                | "service_name"
                | "servicename"
                | "container-name"
                | "container_name"
                | "containername"
                | "container-id"
                | "container_id"
                | "app-name"
                | "app_name"
                | "pod-name"
                | "pod_name"
                | "project-name"
                | "name"
                | "service"
                | "container"
                | "foo"
                | "bar"
                | "xxx"
                | "example"
        )
}

/// Shell words that end a command's arguments: redirections (`> /dev/null`, `2>&1`).
fn redirection(word: &str) -> bool {
    word.starts_with(['>', '<'])
        || word
            .trim_start_matches(|c: char| c.is_ascii_digit())
            .starts_with(['>', '<'])
}

/// Where a `docker compose` invocation starts in a command (after `sudo`), and its words after it.
fn compose_args(cmd: &Command) -> Option<usize> {
    let w = &cmd.words;
    let mut k = 0;
    while w.get(k).is_some_and(|x| x.0 == "sudo" || x.0.contains('=')) {
        k += 1;
    }
    match w.get(k).map(|x| x.0.as_str()) {
        Some("docker-compose") => Some(k + 1),
        Some("docker") if w.get(k + 1).is_some_and(|x| x.0 == "compose") => Some(k + 2),
        _ => None,
    }
}

fn docker_args(cmd: &Command) -> Option<usize> {
    let w = &cmd.words;
    let k = usize::from(w.first().is_some_and(|x| x.0 == "sudo"));
    (w.get(k).is_some_and(|x| x.0 == "docker") && w.get(k + 1).is_some_and(|x| x.0 != "compose")).then_some(k + 1)
}

/// Blocks whose commands change folder or bring in other files: their relative names are not ours
/// to judge.
fn moving_blocks(doc: &MdDoc) -> HashSet<usize> {
    doc.claims
        .commands
        .iter()
        .filter(|c| {
            let first = c
                .words
                .iter()
                .map(|w| w.0.as_str())
                .find(|w| *w != "sudo")
                .unwrap_or("");
            matches!(first, "cd" | "pushd" | "helm" | "wget" | "tar" | "unzip")
                || (first == "git" && c.words.iter().any(|w| w.0 == "clone"))
                || c.words.iter().any(|w| w.0 == "--project-directory" || w.0 == "-C")
        })
        .map(|c| c.block)
        .chain(doc.claims.script_blocks.iter().copied())
        .collect()
}

/// Names the doc itself creates: targets of `cp`/`mv`/`touch`/`mkdir`/`tee`/`>`/`-o`, and
/// `--name x` containers.
fn created(doc: &MdDoc) -> HashSet<String> {
    let mut set = HashSet::default();
    for c in &doc.claims.commands {
        let w: Vec<&str> = c.words.iter().map(|w| w.0.as_str()).collect();
        let first = w.iter().copied().find(|x| *x != "sudo").unwrap_or("");
        if matches!(first, "cp" | "mv" | "ln" | "touch" | "mkdir" | "tee" | "install") {
            set.extend(w.last().map(|s| (*s).to_owned()));
            if matches!(first, "touch" | "mkdir" | "tee") {
                set.extend(w.iter().skip(1).map(|s| (*s).to_owned()));
            }
        }
        for (i, x) in w.iter().enumerate() {
            if matches!(*x, ">" | ">>" | "-o" | "--output" | "--name") {
                set.extend(w.get(i + 1).map(|s| (*s).to_owned()));
            }
            if let Some(v) = x.strip_prefix("--name=").or_else(|| x.strip_prefix(">")) {
                set.insert(v.to_owned());
            }
        }
    }
    set.extend(doc.claims.shown_files.iter().cloned());
    set.into_iter()
        .map(|s| s.trim_start_matches("./").trim_end_matches('/').to_owned())
        .collect()
}

/// The folders a relative path in a doc may be written against: the doc's folder and each folder
/// above it up to the root (a README inside `k8s/` writes `k8s/x.yaml` from its project's folder),
/// and the folders the doc `cd`s into anywhere (later blocks run where an earlier one went).
fn bases(doc: &MdDoc) -> Vec<String> {
    let mut out = Vec::new();
    let mut dir = doc.dir();
    loop {
        out.push(dir.to_owned());
        if dir.is_empty() {
            break;
        }
        dir = crate::model::project::dir_of(dir);
    }
    let above = out.clone();
    for c in &doc.claims.commands {
        let w = &c.words;
        let k = usize::from(w.first().is_some_and(|x| x.0 == "sudo"));
        if !w.get(k).is_some_and(|x| x.0 == "cd" || x.0 == "pushd") {
            continue;
        }
        let Some(target) = w.get(k + 1).map(|x| x.0.as_str()) else {
            continue;
        };
        if uncertain(target) || target.starts_with(['/', '-']) {
            continue;
        }
        out.extend(above.iter().filter_map(|b| join(b, target)));
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// Candidate relative paths for a path written in a doc, one per base folder. Absolute paths name
/// someone's machine, not the repository: they have none.
fn candidates(bases: &[String], path: &str) -> Vec<String> {
    if path.starts_with('/') {
        return Vec::new();
    }
    let mut out: Vec<String> = bases.iter().filter_map(|b| join(b, path)).collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// Paths the doc's commands name (for the stack to check once, without I/O in rules).
pub(crate) fn referenced_paths(doc: &MdDoc) -> Vec<String> {
    let bases = bases(doc);
    let mut out = Vec::new();
    for c in &doc.claims.commands {
        for (p, _) in named_paths(c) {
            out.extend(candidates(&bases, &p));
        }
        if let Some(k) = compose_args(c) {
            for (f, _) in compose_files(c, k) {
                out.extend(candidates(&bases, &f));
            }
        }
    }
    out
}

/// `-f F` of a compose invocation, with ranges.
fn compose_files(cmd: &Command, start: usize) -> Vec<(String, std::ops::Range<usize>)> {
    let mut out = Vec::new();
    let w = &cmd.words;
    let mut k = start;
    while k < w.len() {
        let x = w[k].0.as_str();
        if matches!(x, "-f" | "--file") {
            if let Some(f) = w.get(k + 1) {
                out.push(f.clone());
            }
            k += 2;
            continue;
        }
        if let Some(f) = x.strip_prefix("--file=") {
            let r = &w[k].1;
            out.push((f.to_owned(), r.end - f.len()..r.end));
        }
        if !x.starts_with('-') {
            break;
        }
        k += 1;
    }
    out
}

/// Script and manifest paths a command runs: `./x.sh`, `bash x.sh`, `python x.py`,
/// `kubectl apply -f dir/`.
fn named_paths(cmd: &Command) -> Vec<(String, std::ops::Range<usize>)> {
    let w = &cmd.words;
    let k = usize::from(w.first().is_some_and(|x| x.0 == "sudo"));
    let Some(first) = w.get(k) else { return Vec::new() };
    let mut out = Vec::new();
    let is_pathy = |p: &str| {
        !uncertain(p)
            && !p.starts_with('-')
            && p != "."
            && (p.contains('/') || [".sh", ".py", ".yaml", ".yml"].iter().any(|e| p.ends_with(e)))
    };
    if first.0.starts_with("./") && first.0.len() > 2 && !uncertain(&first.0) {
        out.push(first.clone());
    } else if matches!(first.0.as_str(), "bash" | "sh" | "python" | "python3") {
        if let Some(p) = w.get(k + 1).filter(|p| is_pathy(&p.0)) {
            out.push(p.clone());
        }
    } else if first.0 == "kubectl" && w.iter().any(|x| matches!(x.0.as_str(), "apply" | "create" | "delete")) {
        for (i, x) in w.iter().enumerate() {
            if matches!(x.0.as_str(), "-f" | "--filename" | "-k" | "--kustomize") {
                if let Some(p) = w.get(i + 1).filter(|p| is_pathy(&p.0) || !p.0.contains('.')) {
                    if !uncertain(&p.0) && p.0 != "-" {
                        out.push(p.clone());
                    }
                }
            }
        }
    }
    out
}

/// Flags that take a value, per `docker compose` subcommand (and globally).
fn takes_value(sub: &str, flag: &str) -> bool {
    if flag.contains('=') {
        return false;
    }
    let common = [
        "-f",
        "--file",
        "-p",
        "--project-name",
        "--profile",
        "--env-file",
        "--ansi",
        "--progress",
    ];
    if sub.is_empty() && common.contains(&flag) {
        return true;
    }
    match sub {
        "logs" => matches!(flag, "--tail" | "-n" | "--since" | "--until"),
        "up" => matches!(
            flag,
            "--scale"
                | "-t"
                | "--timeout"
                | "--wait-timeout"
                | "--exit-code-from"
                | "--attach"
                | "--no-attach"
                | "--pull"
        ),
        "exec" => matches!(flag, "-e" | "--env" | "-u" | "--user" | "-w" | "--workdir" | "--index"),
        "run" => matches!(
            flag,
            "-e" | "--env"
                | "-u"
                | "--user"
                | "-w"
                | "--workdir"
                | "-p"
                | "--publish"
                | "-v"
                | "--volume"
                | "--name"
                | "--entrypoint"
                | "-l"
                | "--label"
        ),
        "restart" | "stop" => matches!(flag, "-t" | "--timeout"),
        "build" => matches!(flag, "--build-arg" | "--progress" | "--ssh" | "-m" | "--memory"),
        _ => false,
    }
}

/// Projects a command run from the doc's folder acts on: those its `-f` files belong to, else the
/// nearest folder at or above the doc's that holds compose projects.
fn projects_for<'a>(stack: &'a Stack, doc: &MdDoc, bases: &[String], files: &[String]) -> Vec<&'a Project> {
    if !files.is_empty() {
        let ids: Vec<_> = files
            .iter()
            .filter_map(|f| {
                candidates(bases, f)
                    .into_iter()
                    .find_map(|c| stack.sources.by_path(&c).map(|s| s.id))
            })
            .collect();
        if ids.len() != files.len() {
            return Vec::new();
        }
        return ids
            .first()
            .map_or_else(Vec::new, |id| stack.projects_reading(*id).collect());
    }
    let mut dir = doc.dir();
    loop {
        let here: Vec<&Project> = stack.projects_in(dir).filter(|p| !stack.project_inactive(p)).collect();
        if !here.is_empty() || dir.is_empty() {
            return here;
        }
        dir = crate::model::project::dir_of(dir);
    }
}

/// Whether any live project of the repository names a container `x`: containers are host-wide,
/// so a runbook anywhere may reach one that another folder's compose file starts.
fn container_anywhere(stack: &Stack, x: &str) -> bool {
    stack
        .projects
        .iter()
        .filter(|p| !stack.project_inactive(p))
        .flat_map(|p| p.model.services.iter())
        .any(|s| container_named(s, x, false))
}

/// Whether service `s` runs as container `x`: its `container_name`, its name, or the generated
/// `<project>-<service>-<n>`. A templated `container_name` may be anything: it matches only when
/// `templated` says so (in the doc's own projects, not across the repository).
fn container_named(s: &crate::compose::Service, x: &str, templated: bool) -> bool {
    let n = &s.name.value;
    s.container_name
        .as_ref()
        .is_some_and(|c| c.value == x || (templated && uncertain(&c.value)))
        || n == x
        || (s.container_name.is_none()
            && [format!("-{n}-"), format!("_{n}_")].iter().any(|m| {
                x.rsplit_once(m.as_str())
                    .is_some_and(|(_, idx)| !idx.is_empty() && idx.chars().all(|c| c.is_ascii_digit()))
            }))
}

pub(crate) fn check_markdown(stack: &Stack, out: &mut Vec<Diagnostic>) {
    for doc in &stack.docs {
        let moving = moving_blocks(doc);
        let made = created(doc);
        let bases = bases(doc);
        let is_made = |p: &str| {
            let p = p.trim_start_matches("./").trim_end_matches('/');
            made.contains(p) || p.rsplit('/').next().is_some_and(|name| made.contains(name))
        };
        let exists = |p: &str| candidates(&bases, p).iter().any(|c| stack.exists(c));
        let mut found = Vec::new();
        for cmd in &doc.claims.commands {
            if moving.contains(&cmd.block) {
                continue;
            }
            for (p, r) in named_paths(cmd) {
                if !exists(&p) && !is_made(&p) {
                    found.push(
                        Diagnostic::new(RULE, doc.span(&r), format!("the doc runs `{p}`, which does not exist"))
                            .label("no such file or folder")
                            .help("fix the path, or remove the command from the doc")
                            .subject(format!("path {p}")),
                    );
                }
            }
            if let Some(k) = compose_args(cmd) {
                check_compose(stack, doc, &bases, cmd, k, &is_made, &mut found);
            } else if let Some(k) = docker_args(cmd) {
                check_container(stack, doc, &bases, cmd, k, &mut found);
            } else if cmd.words.first().is_some_and(|w| w.0 == "kubectl") {
                check_kubectl(stack, doc, cmd, &mut found);
            }
        }
        once_per_name(found, out);
    }
}

/// One finding per missing name and doc: a runbook that runs `docker logs x` seven times states
/// one fact. The first mention is reported, saying how many there are.
fn once_per_name(found: Vec<Diagnostic>, out: &mut Vec<Diagnostic>) {
    // The subject is "<kind> [<subcommand>] <name>": `logs x` and `restart x` name one thing.
    let key = |d: &Diagnostic| {
        let mut w = d.subject.split(' ');
        format!("{} {}", w.next().unwrap_or(""), w.next_back().unwrap_or(""))
    };
    let mut count: HashMap<String, usize> = HashMap::default();
    for d in &found {
        *count.entry(key(d)).or_default() += 1;
    }
    let mut seen = HashSet::default();
    for mut d in found {
        let k = key(&d);
        if !seen.insert(k.clone()) {
            continue;
        }
        if let Some(n) = count.get(&k).filter(|n| **n > 1) {
            d.message = format!("{} (named {n} times in this doc)", d.message);
        }
        out.push(d);
    }
}

fn check_compose(
    stack: &Stack,
    doc: &MdDoc,
    bases: &[String],
    cmd: &Command,
    k: usize,
    is_made: &dyn Fn(&str) -> bool,
    out: &mut Vec<Diagnostic>,
) {
    let files = compose_files(cmd, k);
    let mut all_found = true;
    for (f, r) in &files {
        if uncertain(f) {
            return;
        }
        let found = candidates(bases, f).iter().any(|c| stack.exists(c));
        if !found {
            all_found = false;
            if !is_made(f) {
                out.push(
                    Diagnostic::new(
                        RULE,
                        doc.span(r),
                        format!("the doc runs compose with `-f {f}`, but `{f}` does not exist"),
                    )
                    .label("no such compose file")
                    .help(format!(
                        "name an existing compose file{}",
                        stack
                            .projects
                            .iter()
                            .filter(|p| !p.name.contains('+'))
                            .map(|p| format!(", such as `{}`", p.name))
                            .next()
                            .unwrap_or_default()
                    ))
                    .subject(format!("compose file {f}")),
                );
            }
        }
    }
    if !all_found || cmd.words.iter().any(|w| uncertain(&w.0) && w.0.contains('$')) {
        return;
    }
    let names: Vec<String> = files.iter().map(|f| f.0.clone()).collect();
    let projects = projects_for(stack, doc, bases, &names);
    if projects.is_empty() {
        return;
    }
    // Find the subcommand.
    let w = &cmd.words;
    let mut i = k;
    while i < w.len() && w[i].0.starts_with('-') {
        i += if takes_value("", &w[i].0) { 2 } else { 1 };
    }
    let Some(sub) = w.get(i).map(|x| x.0.as_str()) else {
        return;
    };
    let (all, first_only) = match sub {
        "up" | "start" | "stop" | "restart" | "logs" | "build" | "pull" | "ps" | "rm" | "kill" | "create" | "pause"
        | "unpause" | "top" | "push" => (true, false),
        "exec" | "run" | "port" | "attach" => (false, true),
        _ => return,
    };
    let _ = all;
    let mut j = i + 1;
    while j < w.len() {
        let x = w[j].0.as_str();
        if x.starts_with('-') {
            j += if takes_value(sub, x) { 2 } else { 1 };
            continue;
        }
        if redirection(x) {
            break;
        }
        let nearby = || {
            names.is_empty()
                && bases
                    .iter()
                    .flat_map(|b| stack.projects_in(b))
                    .any(|p| !stack.project_inactive(p) && p.model.service(x).is_some())
        };
        if !uncertain(x) && !projects.iter().any(|p| p.model.service(x).is_some()) && !nearby() {
            let defined: Vec<&str> = projects
                .iter()
                .flat_map(|p| p.model.services.iter().map(|s| s.name.value.as_str()))
                .collect();
            let hint = crate::suggest::nearest(x, defined.iter().copied())
                .map(|s| format!("did you mean `{s}`? "))
                .unwrap_or_default();
            let file = projects[0].name.split('+').next().unwrap_or("").to_owned();
            out.push(
                Diagnostic::new(
                    RULE,
                    doc.span(&w[j].1),
                    format!("the doc runs `docker compose {sub} {x}`, but `{file}` defines no service `{x}`"),
                )
                .label("no such service")
                .help(format!("{hint}use a service the compose file defines"))
                .subject(format!("compose service {sub} {x}")),
            );
        }
        if first_only {
            break;
        }
        j += 1;
    }
}

fn check_container(stack: &Stack, doc: &MdDoc, bases: &[String], cmd: &Command, k: usize, out: &mut Vec<Diagnostic>) {
    let w = &cmd.words;
    let Some(sub) = w.get(k).map(|x| x.0.as_str()) else {
        return;
    };
    let value_flags: &[&str] = match sub {
        "logs" => &["--tail", "-n", "--since", "--until"],
        "exec" => &["-e", "--env", "-u", "--user", "-w", "--workdir", "--env-file"],
        "restart" | "stop" => &["-t", "--time", "--timeout", "-s", "--signal"],
        "start" | "inspect" | "rm" | "kill" | "top" | "stats" | "pause" | "unpause" => {
            &["-f", "--format", "-s", "--signal"]
        }
        _ => return,
    };
    let projects = projects_for(stack, doc, bases, &[]);
    if projects.is_empty() {
        return;
    }
    let mut j = k + 1;
    while j < w.len() && w[j].0.starts_with('-') {
        j += if value_flags.contains(&w[j].0.as_str()) { 2 } else { 1 };
    }
    let Some((x, r)) = w.get(j) else { return };
    if uncertain(x) || redirection(x) || x.chars().all(|c| c.is_ascii_hexdigit()) {
        return;
    }
    let known = projects
        .iter()
        .flat_map(|p| p.model.services.iter())
        .any(|s| container_named(s, x, true))
        || container_anywhere(stack, x);
    if known || created(doc).contains(x.as_str()) {
        return;
    }
    out.push(
        Diagnostic::new(
            RULE,
            doc.span(r),
            format!("the doc runs `docker {sub} {x}`, but no service or container is named `{x}`"),
        )
        .label("no such container")
        .help("use a `container_name` or a service's generated container name (`<project>-<service>-1`)")
        .subject(format!("container {sub} {x}")),
    );
}

fn check_kubectl(stack: &Stack, doc: &MdDoc, cmd: &Command, out: &mut Vec<Diagnostic>) {
    let cluster = &stack.k8s;
    if cluster.objects().is_empty() {
        return;
    }
    let w = &cmd.words;
    for (i, x) in w.iter().enumerate() {
        if matches!(x.0.as_str(), "-n" | "--namespace") {
            if let Some(ns) = w.get(i + 1) {
                if !cluster.namespaces.contains(&ns.0) {
                    return;
                }
            }
        }
        if let Some(ns) = x.0.strip_prefix("--namespace=") {
            if !cluster.namespaces.contains(ns) {
                return;
            }
        }
        if x.0 == "-A" || x.0 == "--all-namespaces" || x.0 == "--context" {
            return;
        }
    }
    for (word, r) in w {
        let Some((kind, name)) = word.split_once('/') else {
            continue;
        };
        let kind = match kind {
            "svc" | "service" | "services" => "Service",
            "deploy" | "deployment" | "deployments" => "Deployment",
            "sts" | "statefulset" | "statefulsets" => "StatefulSet",
            _ => continue,
        };
        if uncertain(name) || name.is_empty() || name.contains('/') || name.contains(':') {
            continue;
        }
        let found =
            cluster.objects().iter().any(|o| o.kind == kind && o.name.value == name) || cluster.is_known(kind, name);
        if !found {
            let start = r.end - name.len();
            out.push(
                Diagnostic::new(
                    RULE,
                    doc.span(&(start..r.end)),
                    format!("the doc runs `kubectl` on {kind} `{name}`, which no manifest defines"),
                )
                .label(format!("no such {kind}"))
                .help(format!("name a {kind} the manifests define"))
                .subject(format!("kubectl {kind} {name}")),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn dir_of_doc() {
        assert_eq!(super::join("docs", "../a.md").as_deref(), Some("a.md"));
    }
}
