//! systemd unit files (`*.service`): a small hand-written reader that keeps a span for every key
//! and value (rust-ini and friends keep no positions). Sections, `Key=Value` lines, `#`/`;`
//! comments and `\` continuation lines; later assignments of a key are kept in order.

use crate::compose::model::Spanned;
use crate::source::{FileId, Span};

#[derive(Clone, Debug)]
pub struct Directive {
    pub section: String,
    pub key: Spanned<String>,
    pub value: Spanned<String>,
}

#[derive(Clone, Debug, Default)]
pub struct UnitFile {
    pub directives: Vec<Directive>,
}

impl UnitFile {
    /// The last assignment of `key` in `section` (systemd lets later lines override).
    pub fn get(&self, section: &str, key: &str) -> Option<&Directive> {
        self.directives
            .iter()
            .rev()
            .find(|d| d.section.eq_ignore_ascii_case(section) && d.key.value == key)
    }

    pub fn all<'a>(&'a self, section: &'a str, key: &'a str) -> impl Iterator<Item = &'a Directive> + 'a {
        self.directives
            .iter()
            .filter(move |d| d.section.eq_ignore_ascii_case(section) && d.key.value == key)
    }

    /// Space-separated unit names of a list directive (`Wants=a.service b.service`).
    pub fn names(&self, section: &str, key: &str) -> Vec<Spanned<String>> {
        let mut out = Vec::new();
        for d in self.all(section, key) {
            let mut pos = 0;
            for w in d.value.value.split(' ') {
                if !w.is_empty() {
                    let start = d.value.span.start as usize + pos;
                    out.push(Spanned::new(
                        w.to_owned(),
                        Span::new(d.value.span.file, start, start + w.len()),
                    ));
                }
                pos += w.len() + 1;
            }
        }
        out
    }
}

pub fn parse(file: FileId, text: &str) -> UnitFile {
    let mut unit = UnitFile::default();
    let mut section = String::new();
    let mut offset = 0;
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let mut i = 0;
    while i < lines.len() {
        let raw = lines[i];
        let start = offset;
        offset += raw.len();
        i += 1;
        let line = raw.trim_end_matches(['\n', '\r']);
        let trimmed = line.trim_start();
        let lead = line.len() - trimmed.len();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with(';') {
            continue;
        }
        if let Some(rest) = trimmed.strip_prefix('[') {
            section = rest.split(']').next().unwrap_or("").to_owned();
            continue;
        }
        let Some(eq) = trimmed.find('=') else { continue };
        let key = trimmed[..eq].trim_end();
        let key_start = start + lead;
        let mut value_start = start + lead + eq + 1;
        let mut value = trimmed[eq + 1..].to_owned();
        let skipped = value.len() - value.trim_start().len();
        value_start += skipped;
        value = value.trim_start().to_owned();
        let mut end = start + line.len();
        // `\` at the end of a line continues the value on the next line.
        while value.ends_with('\\') && i < lines.len() {
            value.pop();
            let next = lines[i];
            let next_start = offset;
            offset += next.len();
            i += 1;
            let nl = next.trim_end_matches(['\n', '\r']);
            value.push(' ');
            value.push_str(nl.trim());
            end = next_start + nl.len();
        }
        let value = value.trim_end().to_owned();
        unit.directives.push(Directive {
            section: section.clone(),
            key: Spanned::new(key.to_owned(), Span::new(file, key_start, key_start + key.len())),
            value: Spanned::new(value, Span::new(file, value_start, end.max(value_start))),
        });
    }
    unit
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_with_spans() {
        let text = "[Unit]\nWants=a.service b.service\n# c\n[Service]\nExecStart=/opt/x/run \\\n  --port 8004\nRestart=always\n";
        let u = parse(FileId(0), text);
        let e = u.get("Service", "ExecStart").map(|d| d.value.value.clone());
        assert_eq!(e.as_deref(), Some("/opt/x/run  --port 8004"));
        let r = u.get("Service", "Restart").map(|d| d.value.span);
        assert_eq!(r.map(|s| &text[s.range()]), Some("always"));
        let w: Vec<String> = u.names("Unit", "Wants").into_iter().map(|n| n.value).collect();
        assert_eq!(w, vec!["a.service", "b.service"]);
        let s = u.names("Unit", "Wants")[1].span;
        assert_eq!(&text[s.range()], "b.service");
    }
}
