//! What a systemd unit runs and serves: its `ExecStart` words, the ports its flags and
//! `Environment=PORT=…` name.

use crate::parse::systemd::UnitFile;
use std::collections::BTreeSet;

/// `ExecStart` split into words, with systemd's prefix characters (`-@:+!`) removed from the program.
pub fn exec_words(unit: &UnitFile) -> Vec<String> {
    let Some(d) = unit.get("Service", "ExecStart") else {
        return Vec::new();
    };
    let mut words = crate::compose::read::split_words(&d.value.value);
    if let Some(first) = words.first_mut() {
        *first = first.trim_start_matches(['-', '@', ':', '+', '!']).to_owned();
    }
    words
}

/// `Environment=` assignments (`A=1 "B=two words"`), in order.
pub fn environment(unit: &UnitFile) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for d in unit.all("Service", "Environment") {
        for w in crate::compose::read::split_words(&d.value.value) {
            if let Some((k, v)) = w.split_once('=') {
                out.push((k.to_owned(), v.to_owned()));
            }
        }
    }
    out
}

/// Ports the unit's process listens on, from its command-line flags and a `PORT` variable.
pub fn unit_ports(unit: &UnitFile) -> BTreeSet<u16> {
    let words = exec_words(unit);
    let mut ports: BTreeSet<u16> = super::listen::command_binds(&words).1.into_iter().collect();
    for (k, v) in environment(unit) {
        if k == "PORT" {
            ports.extend(v.parse::<u16>().ok());
        }
    }
    ports
}

/// Paths under `WorkingDirectory` that `ExecStart` names (`/opt/app/bin/serve` with
/// `WorkingDirectory=/opt/app` gives `bin/serve`): where the repository is deployed, these are
/// repository paths.
pub fn repo_paths(unit: &UnitFile) -> Vec<String> {
    let Some(wd) = unit.get("Service", "WorkingDirectory") else {
        return Vec::new();
    };
    let wd = wd.value.value.trim_start_matches('-').trim_end_matches('/');
    if !wd.starts_with('/') || wd.len() < 2 {
        return Vec::new();
    }
    exec_words(unit)
        .iter()
        .filter_map(|w| w.strip_prefix(wd).and_then(|r| r.strip_prefix('/')))
        .filter(|r| r.contains('/') && !r.contains(['$', '%', '*']))
        .map(str::to_owned)
        .collect()
}
