//! Script references that point at nothing: `docker compose -f X`, `docker compose up|logs|… X`,
//! `docker logs X`, `docker build -f PATH` and `systemctl … X` in `*.sh`, Makefiles and
//! `.github/workflows/*.y(a)ml` `run:` steps. Reported as `doc-dead-reference`, and only when sure:
//! words with `$`, globs or quotes-with-variables are skipped, service names are looked up in every
//! project of the repository, and units only when the repository manages units at all.

use crate::diagnostic::Diagnostic;
use crate::discover::FileKind;
use crate::model::project::{dir_of, join};
use crate::model::Stack;
use crate::source::{FileId, Span};
use foldhash::HashSet;

const RULE: &str = "doc-dead-reference";

/// Units every Linux host has (or that distributions ship), never expected in a repository.
const SYSTEM_UNITS: &[&str] = &[
    "docker",
    "containerd",
    "nginx",
    "apache2",
    "httpd",
    "ssh",
    "sshd",
    "cron",
    "crond",
    "rsyslog",
    "postgresql",
    "mysql",
    "mariadb",
    "redis",
    "redis-server",
    "ufw",
    "firewalld",
    "fail2ban",
    "chrony",
    "chronyd",
    "ntp",
    "ntpd",
    "snapd",
    "caddy",
    "haproxy",
    "traefik",
    "k3s",
    "kubelet",
    "podman",
    "tailscaled",
    "avahi-daemon",
    "dbus",
    "polkit",
    "getty",
    "multi-user",
    "cloud-init",
];
const SYSTEM_PREFIXES: &[&str] = &["systemd-", "network", "NetworkManager", "dbus-", "getty", "user@"];

/// Compose subcommands whose operands are service names.
const SERVICE_COMMANDS: &[&str] = &[
    "up", "logs", "restart", "exec", "start", "stop", "run", "build", "pull", "push", "rm", "kill", "pause", "unpause",
    "create", "attach", "port", "top",
];

/// Options of `docker compose` itself (before the subcommand) that take a value as the next word.
const GLOBAL_VALUE_OPTIONS: &[&str] = &[
    "-f",
    "--file",
    "-p",
    "--project-name",
    "--profile",
    "--env-file",
    "--project-directory",
    "--ansi",
    "--progress",
    "--parallel",
];

/// Options of the subcommands that take a value as the next word (`logs -f` follows, takes none).
const SUB_VALUE_OPTIONS: &[&str] = &[
    "--tail",
    "-n",
    "-t",
    "--timeout",
    "-u",
    "--user",
    "-w",
    "--workdir",
    "-e",
    "--env",
    "--scale",
    "--index",
    "--since",
    "--until",
    "--pull",
    "--wait-timeout",
    "--exit-code-from",
    "--attach",
    "--no-attach",
    "--name",
    "-l",
    "--label",
    "-v",
    "--volume",
    "--entrypoint",
    "--build-arg",
    "--signal",
    "-s",
    "-p",
    "--publish",
    "--progress",
];

struct Names {
    services: HashSet<String>,
    containers: HashSet<String>,
    units: HashSet<String>,
    compose_file_names: HashSet<String>,
}

/// One command found in a text, with spans for its words.
struct Words<'a> {
    file: FileId,
    /// The span to report at for word `i` (its own range in a script; the `run:` value in a workflow).
    spans: Vec<Span>,
    words: Vec<String>,
    dir: &'a str,
}

/// Checks every script and workflow of `stack`.
pub(crate) fn check_scripts(stack: &Stack, out: &mut Vec<Diagnostic>) {
    let mut names = Names {
        services: HashSet::default(),
        containers: HashSet::default(),
        units: stack.units.iter().map(|u| u.stem().to_owned()).collect(),
        compose_file_names: HashSet::default(),
    };
    for p in &stack.projects {
        for f in &p.files {
            let path = stack.sources.path(*f);
            names
                .compose_file_names
                .insert(path.rsplit('/').next().unwrap_or(path).to_owned());
        }
        for s in &p.model.services {
            names.services.insert(s.name.value.clone());
            if let Some(c) = &s.container_name {
                names.containers.insert(c.value.clone());
            }
        }
    }
    for (id, kind) in &stack.texts {
        if *kind != FileKind::Script {
            continue;
        }
        let Some(src) = stack.sources.get(*id) else { continue };
        // A line continuation becomes two spaces: offsets stay those of the file.
        let text = src.text.replace("\\\n", "  ");
        let mut at = 0;
        for line in text.split('\n') {
            let words = crate::compose::read::split_words_at(line);
            let cmd = Words {
                file: *id,
                spans: words
                    .iter()
                    .map(|(_, r)| Span::new(*id, at + r.start, at + r.end))
                    .collect(),
                words: words.into_iter().map(|(w, _)| w).collect(),
                dir: dir_of(&src.path),
            };
            check_line(stack, &names, &cmd, out);
            at += line.len() + 1;
        }
    }
    for y in &stack.yaml {
        let path = stack.sources.path(y.file);
        if !is_workflow(path) {
            continue;
        }
        for doc in &y.documents {
            for (_, _, job) in doc
                .get("jobs")
                .map(|j| j.entries().collect::<Vec<_>>())
                .unwrap_or_default()
            {
                for step in job.get("steps").and_then(crate::yaml::Node::as_seq).unwrap_or(&[]) {
                    let Some(run) = step.get("run") else { continue };
                    let Some(text) = run.as_str() else { continue };
                    // Steps run from the repository root unless `working-directory` says otherwise.
                    let dir = match step.get("working-directory").and_then(crate::yaml::Node::as_str) {
                        Some(d) if d.contains("${{") || d.starts_with('/') => continue,
                        Some(d) => d.trim_start_matches("./").trim_end_matches('/'),
                        None => "",
                    };
                    for line in text.replace("\\\n", "  ").lines() {
                        let words = crate::compose::read::split_words(line);
                        let cmd = Words {
                            file: y.file,
                            spans: vec![run.span; words.len()],
                            words,
                            dir,
                        };
                        check_line(stack, &names, &cmd, out);
                    }
                }
            }
        }
    }
}

/// `.github/workflows/*.y(a)ml`.
pub(crate) fn is_workflow(rel: &str) -> bool {
    rel.starts_with(".github/workflows/") && (rel.ends_with(".yml") || rel.ends_with(".yaml"))
}

/// A word stacklint cannot resolve statically.
fn unknowable(w: &str) -> bool {
    w.is_empty() || w.contains(['$', '*', '?', '[', '{', '`', '<', '>', '%']) || w.starts_with('~')
}

fn check_line(stack: &Stack, names: &Names, cmd: &Words<'_>, out: &mut Vec<Diagnostic>) {
    let w: Vec<&str> = cmd
        .words
        .iter()
        .map(|w| w.trim_start_matches(['@', '-', '+']).rsplit('/').next().unwrap_or(""))
        .collect();
    // A shell comment ends the command.
    let end = cmd.words.iter().position(|w| w.starts_with('#')).unwrap_or(w.len());
    let mut k = 0;
    while k < end {
        let start = match (w[k], w.get(k + 1).copied()) {
            ("docker-compose", _) => Some((k + 1, Tool::Compose)),
            ("docker", Some("compose")) => Some((k + 2, Tool::Compose)),
            ("docker", Some("logs")) => Some((k + 2, Tool::Logs)),
            ("docker", Some("build")) => Some((k + 2, Tool::Build)),
            ("systemctl", _) => Some((k + 1, Tool::Systemctl)),
            _ => None,
        };
        let Some((s, tool)) = start else {
            k += 1;
            continue;
        };
        let stop = (s..end)
            .find(|&i| matches!(cmd.words[i].as_str(), "&&" | "||" | ";" | "|" | ")" | "&"))
            .unwrap_or(end);
        let seg = s..stop;
        match tool {
            Tool::Compose => compose(stack, names, cmd, seg, out),
            Tool::Logs => docker_logs(names, cmd, seg, out),
            Tool::Build => docker_build(stack, cmd, seg, out),
            Tool::Systemctl => systemctl(names, cmd, seg, out),
        }
        k = stop + 1;
    }
}

#[derive(Clone, Copy)]
enum Tool {
    Compose,
    Logs,
    Build,
    Systemctl,
}

fn push(out: &mut Vec<Diagnostic>, span: Span, message: String, label: &str, help: String, subject: String) {
    out.push(
        Diagnostic::new(RULE, span, message)
            .label(label)
            .help(help)
            .subject(subject),
    );
}

fn compose(stack: &Stack, names: &Names, cmd: &Words<'_>, seg: std::ops::Range<usize>, out: &mut Vec<Diagnostic>) {
    let mut i = seg.start;
    let mut sub: Option<&str> = None;
    let mut operands = 0;
    while i < seg.end {
        let word = cmd.words[i].as_str();
        let (opt, inline) = match word.split_once('=') {
            Some((o, v)) if o.starts_with('-') => (o, Some(v)),
            _ => (word, None),
        };
        if opt.starts_with('-') {
            let takes_value = match sub {
                None => GLOBAL_VALUE_OPTIONS.contains(&opt),
                Some(_) => SUB_VALUE_OPTIONS.contains(&opt),
            };
            if takes_value {
                let value = match inline {
                    Some(v) => Some((v.to_owned(), i)),
                    None => {
                        i += 1;
                        cmd.words.get(i).map(|v| (v.clone(), i))
                    }
                };
                if let (Some((file, at)), true, None) = (value, matches!(opt, "-f" | "--file"), sub) {
                    compose_file(stack, names, cmd, &file, at, out);
                }
            }
            i += 1;
            continue;
        }
        match sub {
            None => sub = Some(word),
            Some(s) if SERVICE_COMMANDS.contains(&s) && !names.services.is_empty() => {
                // `exec` and `run` take one service, then the command to run in it.
                if matches!(s, "exec" | "run") && operands == 1 {
                    return;
                }
                operands += 1;
                if !unknowable(word) && !names.services.contains(word) {
                    push(
                        out,
                        cmd.spans.get(i).copied().unwrap_or(Span::file_start(cmd.file)),
                        format!("`docker compose {s}` names service `{word}`, which no compose file defines"),
                        "no such service",
                        match crate::suggest::nearest(word, names.services.iter().map(String::as_str)) {
                            Some(n) => format!("did you mean `{n}`? fix the name or define the service"),
                            None => "fix the name or define the service in a compose file".to_owned(),
                        },
                        format!("service {word}"),
                    );
                }
            }
            Some(_) => return,
        }
        i += 1;
    }
}

fn compose_file(stack: &Stack, names: &Names, cmd: &Words<'_>, file: &str, at: usize, out: &mut Vec<Diagnostic>) {
    if unknowable(file) || file == "-" || file.starts_with('/') {
        return;
    }
    let found = [join(cmd.dir, file), join("", file)]
        .into_iter()
        .flatten()
        .any(|p| stack.exists(&p) || stack.sources.by_path(&p).is_some());
    let base = file.rsplit('/').next().unwrap_or(file);
    // Scripts often `cd` first: a compose file of that name anywhere in the repository is enough.
    if found || names.compose_file_names.contains(base) {
        return;
    }
    push(
        out,
        cmd.spans.get(at).copied().unwrap_or(Span::file_start(cmd.file)),
        format!("compose file `{file}` does not exist"),
        "no such file",
        "fix the path or add the compose file".to_owned(),
        format!("compose file {file}"),
    );
}

fn docker_logs(names: &Names, cmd: &Words<'_>, seg: std::ops::Range<usize>, out: &mut Vec<Diagnostic>) {
    if names.services.is_empty() {
        return;
    }
    let mut i = seg.start;
    while i < seg.end {
        let word = cmd.words[i].as_str();
        if word.starts_with('-') {
            if matches!(word, "--tail" | "-n" | "--since" | "--until") {
                i += 1;
            }
            i += 1;
            continue;
        }
        if unknowable(word) {
            return;
        }
        // Compose names containers `<project>-<service>-<n>` (or with `_`): any service name in it.
        let known = names.containers.contains(word)
            || names.services.contains(word)
            || word.split(['-', '_', '.']).any(|part| names.services.contains(part))
            || names.services.iter().any(|s| word.contains(s.as_str()));
        if !known {
            push(
                out,
                cmd.spans.get(i).copied().unwrap_or(Span::file_start(cmd.file)),
                format!("`docker logs` names container `{word}`, which no compose service or container_name matches"),
                "no such container",
                "fix the name, or give the service this `container_name`".to_owned(),
                format!("container {word}"),
            );
        }
        return;
    }
}

fn docker_build(stack: &Stack, cmd: &Words<'_>, seg: std::ops::Range<usize>, out: &mut Vec<Diagnostic>) {
    let mut i = seg.start;
    while i < seg.end {
        let word = cmd.words[i].as_str();
        let (file, at) = match word {
            "-f" | "--file" => match cmd.words.get(i + 1) {
                Some(f) => (f.as_str(), i + 1),
                None => return,
            },
            _ => match word.strip_prefix("--file=") {
                Some(f) => (f, i),
                None => {
                    i += 1;
                    continue;
                }
            },
        };
        if unknowable(file) || file == "-" || file.starts_with('/') {
            return;
        }
        let found = [join(cmd.dir, file), join("", file)]
            .into_iter()
            .flatten()
            .any(|p| stack.exists(&p) || stack.dockerfiles.contains_key(&p));
        if !found {
            push(
                out,
                cmd.spans.get(at).copied().unwrap_or(Span::file_start(cmd.file)),
                format!("`docker build -f` names `{file}`, which does not exist"),
                "no such Dockerfile",
                "fix the path or add the Dockerfile".to_owned(),
                format!("dockerfile {file}"),
            );
        }
        return;
    }
}

fn systemctl(names: &Names, cmd: &Words<'_>, seg: std::ops::Range<usize>, out: &mut Vec<Diagnostic>) {
    // A repository without unit files does not manage units: their names cannot be judged.
    if names.units.is_empty() {
        return;
    }
    let mut verb: Option<&str> = None;
    for i in seg {
        let word = cmd.words[i].as_str();
        if word.starts_with('-') {
            continue;
        }
        let Some(v) = verb else {
            verb = Some(word);
            continue;
        };
        if !matches!(
            v,
            "start"
                | "stop"
                | "restart"
                | "reload"
                | "enable"
                | "disable"
                | "status"
                | "is-active"
                | "is-enabled"
                | "try-restart"
                | "reload-or-restart"
                | "kill"
                | "mask"
                | "unmask"
        ) {
            return;
        }
        if unknowable(word) || word.contains('@') {
            continue;
        }
        let stem = match word.rsplit_once('.') {
            Some((stem, "service")) => stem,
            Some(_) => continue, // timers, sockets, targets, mounts: not checked
            None => word,
        };
        let system = SYSTEM_UNITS.contains(&stem) || SYSTEM_PREFIXES.iter().any(|p| stem.starts_with(p));
        if system || names.units.contains(stem) {
            continue;
        }
        push(
            out,
            cmd.spans.get(i).copied().unwrap_or(Span::file_start(cmd.file)),
            format!("`systemctl {v}` names unit `{word}`, which has no `.service` file in the repository"),
            "no such unit",
            match crate::suggest::nearest(stem, names.units.iter().map(String::as_str)) {
                Some(n) => format!("did you mean `{n}`? fix the name or add the unit file"),
                None => "fix the name or add the unit file".to_owned(),
            },
            format!("unit {stem}"),
        );
    }
}
