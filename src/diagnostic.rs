//! The one diagnostic type every parser and rule produces, and every report renders.

use crate::source::Span;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "info" => Some(Severity::Info),
            "warning" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A place in a file and what that place is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

/// One finding. The severity is the rule's (or the config's) unless the rule states one for this
/// finding (e.g. an info for a skipped oversized file under a rule that is otherwise a warning).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub rule: &'static str,
    pub severity: Option<Severity>,
    pub message: String,
    pub primary: Label,
    pub related: Vec<Label>,
    pub help: Option<String>,
    /// The logical subject (e.g. `service api port 8000/tcp`): with the rule and file it makes the
    /// fingerprint, which must not change when unrelated lines move.
    pub subject: String,
    /// Byte ranges whose text must never be shown (secret values): renderers that print source
    /// snippets mask them. Messages, labels, help and subject never hold such text in the first place.
    pub redact: Vec<Span>,
    /// A text edit that resolves the finding, if the rule knows one.
    pub fix: Option<Fix>,
}

/// Replace the text of `span` with `replacement`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub span: Span,
    pub replacement: String,
}

/// Edits that resolve one finding. Safe fixes keep the stack's meaning apart from the fault;
/// unsafe ones need `--unsafe-fixes`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    pub title: String,
    pub edits: Vec<Edit>,
    pub safe: bool,
}

impl Diagnostic {
    pub fn new(rule: &'static str, span: Span, message: impl Into<String>) -> Diagnostic {
        let message = message.into();
        Diagnostic {
            rule,
            severity: None,
            subject: message.clone(),
            message,
            primary: Label {
                span,
                message: String::new(),
            },
            related: Vec::new(),
            help: None,
            redact: Vec::new(),
            fix: None,
        }
    }

    /// What the primary place is.
    pub fn label(mut self, message: impl Into<String>) -> Self {
        self.primary.message = message.into();
        self
    }

    /// Another place involved, in this file or any other.
    pub fn related(mut self, span: Span, message: impl Into<String>) -> Self {
        self.related.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = Some(severity);
        self
    }

    /// A range of source text to mask in rendered snippets (a secret value).
    /// A safe fix that replaces `span` with `replacement`.
    pub fn fix(mut self, title: impl Into<String>, span: Span, replacement: impl Into<String>) -> Self {
        self.fix = Some(Fix {
            title: title.into(),
            edits: vec![Edit {
                span,
                replacement: replacement.into(),
            }],
            safe: true,
        });
        self
    }

    pub fn redact(mut self, span: Span) -> Self {
        self.redact.push(span);
        self
    }

    pub fn subject(mut self, subject: impl Into<String>) -> Self {
        self.subject = subject.into();
        self
    }
}

/// A stable 64-bit FNV-1a hash, rendered as 16 hex digits (stable across platforms and releases,
/// unlike `std`'s `DefaultHasher`).
pub fn fingerprint(parts: &[&str]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in part.bytes().chain(std::iter::once(0u8)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}
