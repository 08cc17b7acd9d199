//! systemd parts of shared rules. `restart_loop` is called by the `restart-loop` rule (whose compose
//! part lives with the rule).

use crate::diagnostic::Diagnostic;
use crate::model::stack::UnitDoc;
use crate::model::Stack;
use crate::parse::systemd::Directive;

/// Whether a start-limit value switches the limit off (`0`, `infinity`).
fn disables_limit(d: &Directive) -> bool {
    let v = d.value.value.trim();
    v == "0" || v.eq_ignore_ascii_case("infinity") || v == "0s"
}

/// `restart-loop`, systemd part: `Restart=always` with no start limit (or a limit switched off),
/// and an `ExecStart` program that is a repository path which does not exist.
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
    if restart.value.value != "always" {
        return;
    }
    let interval = u
        .unit
        .get("Unit", "StartLimitIntervalSec")
        .or_else(|| u.unit.get("Service", "StartLimitInterval"));
    let burst = u
        .unit
        .get("Unit", "StartLimitBurst")
        .or_else(|| u.unit.get("Service", "StartLimitBurst"));
    let (message, label) = match (interval, burst) {
        (Some(i), _) if disables_limit(i) => (
            format!(
                "unit `{}` restarts always and `StartLimitIntervalSec={}` switches the start limit off",
                u.name, i.value.value
            ),
            "restarts forever",
        ),
        (None, None) => (
            format!("unit `{}` restarts always with no start limit", u.name),
            "restarted with no limit",
        ),
        _ => return,
    };
    out.push(
        Diagnostic::new("restart-loop", restart.value.span, message)
            .label(label)
            .help("set `StartLimitIntervalSec=` and `StartLimitBurst=` in `[Unit]`, or use `Restart=on-failure` with `RestartSec=`")
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_without_start_limit_and_missing_program() {
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
                "unit `billing.service` restarts always with no start limit",
                "unit `billing.service` runs `/opt/shop/billing/bin/billingd`, but `billing/bin/billingd` does not exist in the repository",
            ]
        );
        let text = &stack.sources.files()[out[1].primary.span.file.0 as usize].text;
        assert_eq!(&text[out[1].primary.span.range()], "/opt/shop/billing/bin/billingd");
    }
}
