//! `stacklint init`: a commented `.stacklint.yaml` for the repository as it is, listing the compose
//! projects stacklint found and the registry files present, so a team can pin or adjust them.

use crate::Report;

/// The config text for `report`'s repository. It parses and validates as written.
pub fn config_text(report: &Report) -> String {
    let mut t = String::from(
        "# stacklint configuration: see docs/config.md for every key, docs/rules.md for the rules.\n\
         \n\
         # Files and folders to skip (globs relative to this folder).\n\
         exclude: []\n\
         \n\
         # Severity per rule id: off | info | warning | error.\n\
         rules: {}\n\
         \n\
         # Findings accepted on purpose. Every entry needs a reason; unused entries are reported.\n\
         ignore: []\n",
    );
    t.push_str("\n# Compose projects stacklint found. It groups them by itself (a base file, its override,\n");
    t.push_str("# each docker-compose.<env>.yml overlay, -f sets in scripts); uncomment to pin them.\n");
    if report.projects.is_empty() {
        t.push_str("# (none found)\n");
    }
    t.push_str("# projects:\n");
    for (name, files) in &report.projects {
        t.push_str(&format!(
            "#   - name: {}\n#     files: [{}]\n",
            yaml_str(name),
            files
                .iter()
                .map(|f| yaml_str(report.sources.path(*f)))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let registries: Vec<&str> = report
        .sources
        .files()
        .iter()
        .map(|f| f.path.as_str())
        .filter(|p| {
            let name = p.rsplit('/').next().unwrap_or(p).to_ascii_lowercase();
            name == "ports.yaml"
                || name == "ports.yml"
                || name.contains("port-registry")
                || name.contains("port_registry")
        })
        .collect();
    t.push_str("\n# Port registries (files that list which service owns which port).\n");
    if registries.is_empty() {
        t.push_str("# registry: [ports.yaml]\n");
    } else {
        t.push_str(&format!(
            "registry: [{}]\n",
            registries.iter().map(|r| yaml_str(r)).collect::<Vec<_>>().join(", ")
        ));
    }
    t.push_str(
        "\n# Machines that run several compose projects or systemd units: their host ports must not clash.\n\
         # hosts:\n\
         #   - name: prod-1\n\
         #     projects: [docker-compose.yml]\n\
         #     units: [api.service]\n",
    );
    t
}

/// A YAML scalar that stays a string (quoted when it has characters YAML would read otherwise).
fn yaml_str(s: &str) -> String {
    if s.chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '.' | '-' | '_' | '+'))
        && !s.is_empty()
    {
        s.to_owned()
    } else {
        format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
    }
}
