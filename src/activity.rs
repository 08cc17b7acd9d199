//! Which files are live and which are set aside.
//!
//! Repositories that grew over years hold copies of their stack (`backups/2024-05-01/`,
//! `archive/`, `docker-compose.yml.bak`), docs that describe the past (changelogs, reports, dated
//! notes) and files that are not about the stack at all (the prompts and memory of coding
//! assistants). A file set aside here is still parsed and checked for what is wrong inside it
//! (syntax, committed secrets), but it never clashes with, defines names for or satisfies claims of
//! live files, and no cross-file or doc rule fires on it. Decided from the path alone, so that the
//! decision is the same whatever else the repository holds; the config's `inactive:` and `live:`
//! globs override it both ways, and a live script or doc that runs a compose file with `-f` makes it
//! live again (see `Stack::build`).

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

/// Why a file is set aside.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Inactive {
    /// A folder of the path says it holds copies (`backups/`, `archive/`, `old/`, `x_backup/`).
    CopyFolder(String),
    /// The file's name says it is a copy (`*.bak`, `*.orig`, `*~`, `x copy.yml`).
    CopyName,
    /// A doc that describes the past or was generated (changelog, report, summary, dated notes).
    HistoricalDoc,
    /// Prompts, commands and memory of coding assistants, and their worktrees.
    Assistant(String),
    /// Matched by the config's `inactive:` globs.
    Config,
}

impl Inactive {
    /// The reason in words, as the JSON report lists it.
    pub fn reason(&self) -> String {
        match self {
            Inactive::CopyFolder(c) => format!("in `{c}/`, a folder of copies"),
            Inactive::CopyName => "named as a copy".to_owned(),
            Inactive::HistoricalDoc => "a historical, generated or planning doc".to_owned(),
            Inactive::Assistant(c) => format!("in `{c}/`, files of a coding assistant"),
            Inactive::Config => "matched by the config's `inactive` globs".to_owned(),
        }
    }

    /// Whether the file is set aside only as a doc (a Markdown file that describes the past):
    /// such files hold no stack definitions, so the distinction only matters for the listing.
    pub fn kind(&self) -> &'static str {
        match self {
            Inactive::CopyFolder(_) | Inactive::CopyName => "copy",
            Inactive::HistoricalDoc => "historical-doc",
            Inactive::Assistant(_) => "assistant",
            Inactive::Config => "config",
        }
    }
}

/// Rules that judge what is written inside one file (syntax, committed secrets): they still report
/// in files set aside. Every other rule compares a file with the rest of the stack, or judges how
/// it runs, and stays silent on a copy.
pub fn checked_when_inactive(rule: &str) -> bool {
    matches!(
        rule,
        "yaml-syntax"
            | "duplicate-key"
            | "compose-schema"
            | "k8s-schema"
            | "plaintext-secret"
            | "unreadable-file"
            | "template-skipped"
            | "unused-suppression"
    )
}

/// Folder names that say "copies live here".
fn copy_folder(component: &str) -> bool {
    let c = component.to_ascii_lowercase();
    if matches!(
        c.as_str(),
        "backup"
            | "backups"
            | "bak"
            | "archive"
            | "archives"
            | "archived"
            | "old"
            | "deprecated"
            | "obsolete"
            | "attic"
            | "legacy-backup"
            | "trash"
            | ".trash"
    ) {
        return true;
    }
    // `docs_backup`, `config-backup`, `backup-2024-05-01`, `backup_20240501`, `old-2023`.
    let words: Vec<&str> = c.split(['_', '-', '.', ' ']).filter(|w| !w.is_empty()).collect();
    let Some(first) = words.first() else {
        return false;
    };
    let dated = words.iter().skip(1).all(|w| w.bytes().all(|b| b.is_ascii_digit()));
    words.len() > 1
        && (words.iter().any(|w| matches!(*w, "backup" | "backups" | "bak"))
            || (matches!(*first, "archive" | "archived" | "old" | "deprecated") && dated))
}

/// File names that say "this is a copy".
fn copy_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with('~') {
        return true;
    }
    let stem = lower.rsplit_once('.').map_or(lower.as_str(), |(s, _)| s);
    [".bak", ".orig", ".old", ".backup", ".save", ".swp", ".rej"]
        .iter()
        .any(|ext| lower.ends_with(ext) || lower.contains(&format!("{ext}.")))
        || stem.ends_with(" copy")
        || stem.contains(" copy ")
        || stem.ends_with(" (copy)")
}

/// Folders of coding assistants' prompts, commands, memory and worktrees.
fn assistant_folder(components: &[&str]) -> Option<String> {
    let mut prev: Option<&str> = None;
    for c in components {
        let lower = c.to_ascii_lowercase();
        let hit = matches!(
            lower.as_str(),
            ".claude" | ".cursor" | ".windsurf" | ".aider" | ".codex" | ".gemini" | ".continue" | "memory" | ".kiro"
        ) || (prev == Some(".github") && lower == "prompts")
            || (prev == Some(".github") && lower == "instructions");
        if hit {
            return Some((*c).to_owned());
        }
        prev = Some(c);
    }
    None
}

/// Whether a Markdown file describes the past, the future or was generated: changelogs, reports,
/// summaries, decision records (ADRs) and roadmaps,
/// completion notes, dated names, and docs under `reports/`, `audit/`, `history/` and the like.
pub fn historical_doc(rel: &str) -> bool {
    let lower = rel.to_ascii_lowercase();
    let name = lower.rsplit('/').next().unwrap_or(&lower);
    let words: Vec<&str> = name
        .trim_end_matches(".md")
        .trim_end_matches(".markdown")
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let has = |w: &str| words.contains(&w);
    if name.starts_with("changelog")
        || name.starts_with("history")
        || name.starts_with("release-notes")
        || name.starts_with("release_notes")
        || has("report")
        || has("reports")
        || has("summary")
        || has("complete")
        || has("completed")
        || has("completion")
        || has("postmortem")
        || has("session")
        || has("progress")
        || has("status")
        || has("audit")
        || has("fixes")
        || has("fixed")
        || has("handoff")
        || has("retrospective")
        || has("roadmap")
        || has("proposal")
        || has("adr")
    {
        return true;
    }
    if lower.split('/').rev().skip(1).any(|c| {
        matches!(
            c,
            "reports"
                | "report"
                | "audit"
                | "audits"
                | "history"
                | "sessions"
                | "changelogs"
                | "postmortems"
                | "adr"
                | "adrs"
                | "decisions"
        )
    }) {
        return true;
    }
    dated_name(name)
}

/// Whether a file name holds a date: 2025-08-07, 20250807.
pub fn dated_name(name: &str) -> bool {
    let digits: Vec<&str> = name
        .split(|c: char| !c.is_ascii_digit())
        .filter(|d| !d.is_empty())
        .collect();
    digits.iter().any(|d| d.len() == 8 && d.starts_with("20"))
        || digits
            .windows(3)
            .any(|w| w[0].len() == 4 && w[0].starts_with("20") && w[1].len() == 2 && w[2].len() == 2)
}

/// Why the file at `rel` (relative to the root, `/`-separated) is set aside by default, if it is.
pub fn by_path(rel: &str) -> Option<Inactive> {
    let components: Vec<&str> = rel.split('/').collect();
    let (name, folders) = components.split_last()?;
    if let Some(c) = folders.iter().find(|c| copy_folder(c)) {
        return Some(Inactive::CopyFolder((*c).to_owned()));
    }
    if copy_name(name) {
        return Some(Inactive::CopyName);
    }
    if let Some(c) = assistant_folder(folders) {
        return Some(Inactive::Assistant(c));
    }
    let lower = name.to_ascii_lowercase();
    if (lower.ends_with(".md") || lower.ends_with(".markdown")) && historical_doc(rel) {
        // A root guide for assistants describes the stack as it is: it stays live.
        return Some(Inactive::HistoricalDoc);
    }
    None
}

/// The default classification with the config's globs applied: `live:` wins over everything,
/// `inactive:` over the defaults.
#[derive(Debug, Default)]
pub struct Activity {
    live: Option<GlobSet>,
    inactive: Option<GlobSet>,
}

fn glob_set(globs: &[String]) -> Option<GlobSet> {
    if globs.is_empty() {
        return None;
    }
    let mut b = GlobSetBuilder::new();
    for g in globs {
        for pattern in [g.clone(), format!("{}/**", g.trim_end_matches('/'))] {
            if let Ok(glob) = GlobBuilder::new(&pattern).literal_separator(true).build() {
                b.add(glob);
            }
        }
    }
    b.build().ok()
}

impl Activity {
    pub fn new(live: &[String], inactive: &[String]) -> Activity {
        Activity {
            live: glob_set(live),
            inactive: glob_set(inactive),
        }
    }

    pub fn classify(&self, rel: &str) -> Option<Inactive> {
        if self.live.as_ref().is_some_and(|s| s.is_match(rel)) {
            return None;
        }
        if self.inactive.as_ref().is_some_and(|s| s.is_match(rel)) {
            return Some(Inactive::Config);
        }
        by_path(rel)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_by_folder() {
        for p in [
            "backups/2024-05-01/docker-compose.yml",
            "agents/archive/docker-compose.yml",
            "docs_backup/README.md",
            "backup-2024-05-01/compose.yml",
            "config-backup/app.env",
            "old/docker-compose.yml",
            "x/deprecated/k8s/deploy.yaml",
            "archive_20240101/compose.yml",
        ] {
            assert!(matches!(by_path(p), Some(Inactive::CopyFolder(_))), "{p}");
        }
        for p in [
            "backend/docker-compose.yml",
            "docs/README.md",
            "oldschool/compose.yml",
            "backend-api/compose.yml",
            "holder/compose.yml",
        ] {
            assert_eq!(by_path(p), None, "{p}");
        }
    }

    #[test]
    fn copies_by_name() {
        for p in [
            "docker-compose.yml.bak",
            "a/compose.yml.orig",
            "a/x.old",
            "compose.yml~",
            "docker-compose copy.yml",
            "docker-compose.bak.yml",
        ] {
            assert_eq!(by_path(p), Some(Inactive::CopyName), "{p}");
        }
        assert_eq!(by_path("docker-compose.old-db.yml"), None);
        assert_eq!(by_path("bold.yml"), None);
    }

    #[test]
    fn assistants_and_history() {
        assert!(matches!(
            by_path(".claude/commands/deploy.md"),
            Some(Inactive::Assistant(_))
        ));
        assert!(matches!(
            by_path(".claude/worktrees/x/docker-compose.yml"),
            Some(Inactive::Assistant(_))
        ));
        assert!(matches!(by_path(".github/prompts/a.md"), Some(Inactive::Assistant(_))));
        assert_eq!(by_path("CLAUDE.md"), None);
        assert_eq!(by_path("AGENTS.md"), None);
        assert_eq!(by_path(".github/workflows/ci.yml"), None);
        for p in [
            "CHANGELOG.md",
            "docs/SYSTEM_REPORT_FINAL.md",
            "DEPLOYMENT_SUMMARY.md",
            "PHASE_2_COMPLETE.md",
            "notes/session-2025-08-07.md",
            "reports/ports.md",
            "audit/x.md",
        ] {
            assert_eq!(by_path(p), Some(Inactive::HistoricalDoc), "{p}");
        }
        for p in [
            "README.md",
            "docs/ports-2.md",
            "docs/reporting-api.md",
            "docs/DEPLOYMENT.md",
        ] {
            assert_eq!(by_path(p), None, "{p}");
        }
        // A compose file under `reports/` is not a doc.
        assert_eq!(by_path("reports/docker-compose.yml"), None);
    }

    #[test]
    fn config_globs_override_both_ways() {
        let a = Activity::new(&["backups/keep".to_owned()], &["legacy".to_owned()]);
        assert_eq!(a.classify("backups/keep/compose.yml"), None);
        assert!(a.classify("backups/other/compose.yml").is_some());
        assert_eq!(a.classify("legacy/compose.yml"), Some(Inactive::Config));
        assert_eq!(a.classify("legacy"), Some(Inactive::Config));
        assert_eq!(a.classify("app/compose.yml"), None);
    }
}
