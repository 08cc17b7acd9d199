//! systemd checks of rules. `restart_loop` is the whole of the `restart-loop` rule (which checks no
//! compose file); `phantom_dependencies` is the systemd part of `phantom-service`.

use crate::diagnostic::Diagnostic;
use crate::model::stack::UnitDoc;
use crate::model::Stack;
use crate::parse::systemd::Directive;

/// Whether a systemd time span is zero (`0`, `0s`, `0ms`, `0 sec`).
fn is_zero_time(v: &str) -> bool {
    let v: String = v.chars().filter(|c| !c.is_whitespace()).collect();
    let digits = v.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    !digits.is_empty() && digits.chars().all(|c| c == '0' || c == '.') && digits.starts_with('0')
}

/// `Restart=` values that restart a unit that fails to start.
const RESTARTS_ON_FAILURE: &[&str] = &["always", "on-failure", "on-abnormal", "on-abort", "on-watchdog"];

/// The directive that wins among `keys` in `[Unit]` and `[Service]` (where older units write the
/// start-limit settings): the last one written.
fn last_of<'a>(u: &'a UnitDoc, keys: &[&str]) -> Option<&'a Directive> {
    ["Unit", "Service"]
        .iter()
        .flat_map(|section| keys.iter().filter_map(move |k| u.unit.get(section, k)))
        .max_by_key(|d| d.value.span.start)
}

/// `restart-loop`, systemd part: a unit that restarts on failure with systemd's start limit
/// switched off (so a unit that cannot start is retried forever; with `RestartSec=0`, at once), and
/// an `ExecStart` program that is a repository path which does not exist. A plain `Restart=always`
/// is not reported: the default start limit (5 starts in 10 s) stops a unit that keeps failing.
pub fn restart_loop(stack: &Stack, out: &mut Vec<Diagnostic>) {
    for u in &stack.units {
        no_start_limit(u, out);
        missing_program(stack, u, out);
    }
}

fn no_start_limit(u: &UnitDoc, out: &mut Vec<Diagnostic>) {
    let Some(restart) = u.unit.get("Service", "Restart") else {
        return;
    };
    let policy = restart.value.value.trim();
    if !RESTARTS_ON_FAILURE.contains(&policy) {
        return;
    }
    let interval =
        last_of(u, &["StartLimitIntervalSec", "StartLimitInterval"]).filter(|d| is_zero_time(&d.value.value));
    let burst = last_of(u, &["StartLimitBurst"]).filter(|d| d.value.value.trim() == "0");
    let Some(off) = interval.or(burst) else {
        return;
    };
    let setting = format!("{}={}", off.key.value, off.value.value.trim());
    let at_once = u
        .unit
        .get("Service", "RestartSec")
        .filter(|d| is_zero_time(&d.value.value))
        .map_or("", |_| ", and `RestartSec=0` retries at once");
    out.push(
        Diagnostic::new(
            "restart-loop",
            restart.value.span,
            format!(
                "unit `{}` restarts `{policy}` without end: `{setting}` switches systemd's start limit off{at_once}",
                u.name
            ),
        )
        .label("restarts forever")
        .related(off.value.span, "start limit switched off here")
        .help(format!(
            "remove `{setting}` to keep systemd's default limit (5 starts in 10 s), or set a limit with `StartLimitIntervalSec=` and `StartLimitBurst=` in `[Unit]`"
        ))
        .subject(format!("{} start limit", u.name)),
    );
}

/// The program (or a script argument) is under `WorkingDirectory`, whose first folder exists in the
/// repository beside the unit or at the root, but the file itself does not.
fn missing_program(stack: &Stack, u: &UnitDoc, out: &mut Vec<Diagnostic>) {
    let Some(wd) = u.unit.get("Service", "WorkingDirectory") else {
        return;
    };
    let Some(exec) = u.unit.get("Service", "ExecStart") else {
        return;
    };
    let wd = wd.value.value.trim_start_matches('-').trim_end_matches('/');
    if !wd.starts_with('/') || wd.len() < 2 {
        return;
    }
    let unit_path = stack.sources.path(u.file);
    let unit_dir = crate::model::project::dir_of(unit_path);
    let words = crate::model::units::exec_words(&u.unit);
    for w in &words {
        let Some(rel) = w.strip_prefix(wd).and_then(|r| r.strip_prefix('/')) else {
            continue;
        };
        let Some((first, _)) = rel.split_once('/') else {
            continue;
        };
        let bases = [unit_dir.to_owned(), String::new()];
        let Some(base) = bases.iter().find(|b| {
            let p = if b.is_empty() {
                first.to_owned()
            } else {
                format!("{b}/{first}")
            };
            stack.exists(&p)
        }) else {
            continue;
        };
        let repo_path = if base.is_empty() {
            rel.to_owned()
        } else {
            format!("{base}/{rel}")
        };
        if stack.exists(&repo_path) {
            continue;
        }
        let text = &exec.value.value;
        let span = match text.find(w.as_str()) {
            Some(p) if exec.value.span.range().len() == text.len() => exec.value.span.sub(p..p + w.len()),
            _ => exec.value.span,
        };
        out.push(
            Diagnostic::new(
                "restart-loop",
                span,
                format!(
                    "unit `{}` runs `{w}`, but `{repo_path}` does not exist in the repository",
                    u.name
                ),
            )
            .label("program not in the repository")
            .help(format!(
                "fix the path, or add `{repo_path}`; the unit fails at every start"
            ))
            .subject(format!("{} program {w}", u.name)),
        );
    }
}

/// Directives that name other units a unit needs or is ordered with.
const DEPENDENCY_KEYS: &[&str] = &["Wants", "Requires", "Requisite", "BindsTo", "PartOf", "After", "Before"];

/// Services that distributions install: a unit depending on them is not naming a repository unit,
/// however close the spelling is to one of ours.
const SYSTEM_SERVICES: &[&str] = &[
    "apache2",
    "containerd",
    "cron",
    "crond",
    "dbus",
    "docker",
    "firewalld",
    "grafana-server",
    "httpd",
    "mariadb",
    "memcached",
    "mongod",
    "mysql",
    "mysqld",
    "network",
    "networking",
    "nginx",
    "postgresql",
    "rabbitmq-server",
    "redis",
    "redis-server",
    "rsyslog",
    "ssh",
    "sshd",
    "syslog",
];

/// `phantom-service`, systemd part: a `Wants=`/`Requires=`/`After=`… entry naming a `.service` that no
/// unit file of the repository defines, when the name is clearly meant to be one of ours: within two
/// edits of a repository unit (a typo), or sharing the naming prefix (`revflow-`) of at least two
/// repository units. Anything else (`postgresql.service`, `network-online.target`) may be installed
/// by the system and stays silent.
pub fn phantom_dependencies(stack: &Stack, out: &mut Vec<Diagnostic>) {
    if stack.units.is_empty() {
        return;
    }
    let ours: std::collections::BTreeSet<&str> = stack.units.iter().map(UnitDoc::stem).collect();
    let mut prefixes: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for stem in &ours {
        if let Some((prefix, _)) = stem.split_once('-') {
            *prefixes.entry(prefix).or_default() += 1;
        }
    }
    for u in &stack.units {
        for key in DEPENDENCY_KEYS {
            for dep in u.unit.names("Unit", key) {
                let Some(stem) = dep.value.strip_suffix(".service") else {
                    continue;
                };
                if ours.contains(stem)
                    || stem.contains(['@', '%', '$'])
                    || SYSTEM_SERVICES.contains(&stem)
                    || stem.starts_with("systemd-")
                {
                    continue;
                }
                let typo = crate::suggest::nearest(stem, ours.iter().copied())
                    .filter(|s| stem.len() >= 6 && strsim::levenshtein(stem, s) <= 2);
                let family = stem
                    .split_once('-')
                    .map(|(p, _)| p)
                    .filter(|p| p.len() >= 3 && prefixes.get(p).copied().unwrap_or(0) >= 2);
                if typo.is_none() && family.is_none() {
                    continue;
                }
                let mut d = Diagnostic::new(
                    "phantom-service",
                    dep.span,
                    format!(
                        "unit `{}` names `{}` in `{key}=`, but no unit file of the repository defines it",
                        u.name, dep.value
                    ),
                )
                .label("no such unit in the repository");
                d = match (typo, family) {
                    (Some(s), _) => d.help(format!("did you mean `{s}.service`?")),
                    (None, Some(p)) => d.help(format!(
                        "the other `{p}-*` units are defined in the repository; add `{}` beside them or fix the name",
                        dep.value
                    )),
                    (None, None) => d,
                };
                out.push(d.subject(format!("{} {key} {}", u.name, dep.value)));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_time_spans() {
        for v in ["0", "0s", "0ms", " 0 sec", "00", "0.0s"] {
            assert!(is_zero_time(v), "{v}");
        }
        for v in ["", "5", "10s", "0.5s", "infinity", "s", "1min 0s"] {
            assert!(!is_zero_time(v), "{v}");
        }
    }

    #[test]
    fn plain_restart_always_is_silent_and_missing_program_is_reported() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/stacks/port-claims");
        let filters = crate::discover::Filters::new(&[], &[]).expect("no globs");
        let files = crate::discover::walk(&root, &filters).files;
        let stack = Stack::build(&root, &files, &crate::config::Config::default());
        let mut out = Vec::new();
        restart_loop(&stack, &mut out);
        let msgs: Vec<&str> = out.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            msgs,
            vec![
                "unit `billing.service` runs `/opt/shop/billing/bin/billingd`, but `billing/bin/billingd` does not exist in the repository",
            ]
        );
        let text = &stack.sources.files()[out[0].primary.span.file.0 as usize].text;
        assert_eq!(&text[out[0].primary.span.range()], "/opt/shop/billing/bin/billingd");
    }
}
