//! Claims read from one Markdown file, each with the byte range it was written at: service/port
//! rows of tables and list items, URLs in prose and code, commands in code blocks, and whole-stack
//! counts in prose. Extraction never guesses: a row or item that does not fit a known shape gives
//! no claim.

use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};
use std::ops::Range;

/// Where a name/port claim was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Origin {
    TableRow,
    ListItem,
}

impl Origin {
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Origin::TableRow => "a table row",
            Origin::ListItem => "a list item",
        }
    }
}

/// "service X is at port P" (a table row or a list item).
#[derive(Clone, Debug)]
pub(crate) struct NamePort {
    pub name: String,
    pub name_range: Range<usize>,
    /// `None`: a row of a service table without a port (a name claim only).
    pub port: Option<u16>,
    pub port_range: Range<usize>,
    pub origin: Origin,
    /// Which table or list the claim belongs to (claims of one group describe one stack).
    pub group: usize,
}

/// A URL or `host:port` in prose or code.
#[derive(Clone, Debug)]
pub(crate) struct UrlClaim {
    pub host: String,
    pub port: Option<u16>,
    pub explicit_port: bool,
    pub range: Range<usize>,
}

/// One shell command line in a code block: words with their ranges.
#[derive(Clone, Debug)]
pub(crate) struct Command {
    pub words: Vec<(String, Range<usize>)>,
    /// Index of the code block (commands of one block run in sequence).
    pub block: usize,
}

/// "N containers running" in prose.
#[derive(Clone, Debug)]
pub(crate) struct Count {
    pub n: usize,
    pub noun: String,
    pub range: Range<usize>,
}

#[derive(Debug, Default)]
pub(crate) struct Claims {
    pub name_ports: Vec<NamePort>,
    pub urls: Vec<UrlClaim>,
    pub commands: Vec<Command>,
    pub counts: Vec<Count>,
    /// Code block text ranges (to tell commands run in a block from prose).
    pub code_blocks: Vec<Range<usize>>,
    /// Files whose content the doc shows for the reader to save: named on the first line of a
    /// code block (`# k8s/01-namespace.yaml`) or on the line that introduces it ("Create
    /// `my_solver.py`:").
    pub shown_files: Vec<String>,
    /// Code blocks that are a script's content (they start with `#!`): their commands run when
    /// the script runs, from wherever it is saved.
    pub script_blocks: Vec<usize>,
}

/// Strips Markdown emphasis and code marks around a cell or item part; returns the inner range.
/// Total: any range (empty, all blanks, off char boundaries) gives a valid, possibly empty range.
fn strip_marks(text: &str, range: Range<usize>) -> Range<usize> {
    let (mut s, mut e) = (range.start.min(text.len()), range.end.min(text.len()));
    loop {
        let Some(t) = text.get(s..e) else {
            return s..s;
        };
        let inner = t.trim();
        if inner.is_empty() {
            return s..s;
        }
        s += t.len() - t.trim_start().len();
        e = s + inner.len();
        let mut changed = false;
        for m in ["**", "__", "`", "*", "_"] {
            if inner.len() >= 2 * m.len() && inner.starts_with(m) && inner.ends_with(m) {
                s += m.len();
                e -= m.len();
                changed = true;
                break;
            }
        }
        if !changed {
            return s..e;
        }
    }
}

/// A port written alone: `8080`, `8080/tcp`, or `8080:80` (host side first).
fn port_value(text: &str) -> Option<(u16, usize)> {
    let digits: String = text.chars().take_while(char::is_ascii_digit).collect();
    if digits.len() < 2 || digits.len() > 5 {
        return None;
    }
    let rest = &text[digits.len()..];
    let ok_rest = rest.is_empty()
        || rest.eq_ignore_ascii_case("/tcp")
        || rest.eq_ignore_ascii_case("/udp")
        || rest
            .strip_prefix(':')
            .or_else(|| rest.strip_prefix('→'))
            .or_else(|| rest.strip_prefix("->"))
            .is_some_and(|r| !r.is_empty() && r.chars().all(|c| c.is_ascii_digit()));
    if !ok_rest {
        return None;
    }
    let p: u16 = digits.parse().ok()?;
    (p > 0).then_some((p, digits.len()))
}

/// A name as teams write it in a table cell or list item: one to three words of letters, digits
/// and `-_.` (no sentences).
fn plausible_name(text: &str) -> bool {
    let words: Vec<&str> = text.split_whitespace().collect();
    !words.is_empty()
        && words.len() <= 3
        && text.chars().any(|c| c.is_alphabetic())
        && text
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | ' ' | '/'))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Column {
    Name,
    Port,
    /// Container/internal port: not what the host sees.
    InnerPort,
    Url,
    Other,
}

fn column_of(header: &str) -> Column {
    let h = header.to_ascii_lowercase();
    let h = h.trim();
    if h.contains("port") {
        if h.contains("container") || h.contains("internal") || h.contains("target") {
            return Column::InnerPort;
        }
        return Column::Port;
    }
    if h.contains("url") || h.contains("endpoint") || h.contains("address") || h == "access" || h == "link" {
        return Column::Url;
    }
    if matches!(
        h,
        "service" | "services" | "name" | "container" | "component" | "app" | "application" | "service name"
    ) {
        return Column::Name;
    }
    Column::Other
}

struct TableState {
    columns: Vec<Column>,
    row: Vec<Range<usize>>,
    in_head: bool,
    head_cells: Vec<Range<usize>>,
}

/// Reads every claim of a Markdown file.
pub(crate) fn extract(text: &str) -> Claims {
    let mut claims = Claims::default();
    let mut table: Option<TableState> = None;
    let mut group = 0usize;
    let mut list_depth = 0usize;
    let mut item_starts: Vec<usize> = Vec::new();
    let mut list_groups: Vec<usize> = Vec::new();
    let mut in_code: Option<(bool, usize)> = None;
    let mut prose: Vec<Range<usize>> = Vec::new();
    let mut url_ranges: Vec<Range<usize>> = Vec::new();
    let parser = Parser::new_ext(text, Options::ENABLE_TABLES).into_offset_iter();
    for (event, range) in parser {
        match event {
            Event::Start(Tag::Table(_)) => {
                group += 1;
                table = Some(TableState {
                    columns: Vec::new(),
                    row: Vec::new(),
                    in_head: false,
                    head_cells: Vec::new(),
                });
            }
            Event::End(TagEnd::Table) => table = None,
            Event::Start(Tag::TableHead) => {
                if let Some(t) = &mut table {
                    t.in_head = true;
                }
            }
            Event::End(TagEnd::TableHead) => {
                if let Some(t) = &mut table {
                    t.in_head = false;
                    t.columns = t.head_cells.iter().map(|r| column_of(&text[r.clone()])).collect();
                }
            }
            Event::Start(Tag::TableRow) => {
                if let Some(t) = &mut table {
                    t.row.clear();
                }
            }
            Event::Start(Tag::TableCell) => {
                if let Some(t) = &mut table {
                    let r = strip_marks(text, range.clone());
                    if t.in_head {
                        t.head_cells.push(r);
                    } else {
                        t.row.push(r);
                    }
                }
            }
            Event::End(TagEnd::TableRow) => {
                if let Some(t) = &table {
                    table_row(text, t, group, &mut claims, &mut url_ranges);
                }
            }
            Event::Start(Tag::List(_)) => {
                if list_depth == 0 {
                    group += 1;
                }
                list_depth += 1;
                list_groups.push(group);
            }
            Event::End(TagEnd::List(_)) => {
                list_depth = list_depth.saturating_sub(1);
                list_groups.pop();
            }
            Event::Start(Tag::Item) => item_starts.push(range.start),
            Event::End(TagEnd::Item) => {
                if let Some(start) = item_starts.pop() {
                    let g = list_groups.last().copied().unwrap_or(group);
                    list_item(text, start, g, &mut claims, &mut url_ranges);
                }
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                let shell = match &kind {
                    CodeBlockKind::Indented => true,
                    CodeBlockKind::Fenced(lang) => {
                        let l = lang.split_whitespace().next().unwrap_or("").to_ascii_lowercase();
                        matches!(
                            l.as_str(),
                            "" | "sh"
                                | "bash"
                                | "shell"
                                | "console"
                                | "zsh"
                                | "shell-session"
                                | "shellsession"
                                | "text"
                        )
                    }
                };
                claims.shown_files.extend(shown_files(text, range.clone()));
                if first_content_line(text, range.clone()).starts_with("#!") {
                    claims.script_blocks.push(claims.code_blocks.len());
                }
                claims.code_blocks.push(range.clone());
                in_code = Some((shell, claims.code_blocks.len() - 1));
            }
            Event::End(TagEnd::CodeBlock) => in_code = None,
            Event::Text(_) if in_code.is_some() => {
                let (shell, block) = in_code.unwrap_or((false, 0));
                scan_urls(text, range.clone(), &mut claims, &mut url_ranges);
                if shell {
                    commands(text, range, block, &mut claims);
                }
            }
            Event::Text(_) => {
                if table.is_none() {
                    prose.push(range.clone());
                }
                scan_urls(text, range, &mut claims, &mut url_ranges);
            }
            Event::Code(_) => scan_urls(text, range, &mut claims, &mut url_ranges),
            Event::Start(Tag::Link { .. }) => scan_urls(text, range, &mut claims, &mut url_ranges),
            _ => {}
        }
    }
    for r in prose {
        counts(text, r, &mut claims);
    }
    // A URL that is a row's or item's port claim is judged as that claim only.
    let owned: Vec<Range<usize>> = claims.name_ports.iter().map(|n| n.port_range.clone()).collect();
    claims
        .urls
        .retain(|u| !owned.iter().any(|o| o.start < u.range.end && u.range.start < o.end));
    let _ = url_ranges;
    claims
}

fn table_row(text: &str, t: &TableState, group: usize, claims: &mut Claims, seen: &mut Vec<Range<usize>>) {
    let Some(name_col) = t.columns.iter().position(|c| *c == Column::Name) else {
        return;
    };
    let port_col = t.columns.iter().position(|c| *c == Column::Port);
    let url_col = t.columns.iter().position(|c| *c == Column::Url);
    if port_col.is_none() && url_col.is_none() {
        return;
    }
    let Some(name_range) = t.row.get(name_col).cloned() else {
        return;
    };
    let name = &text[name_range.clone()];
    if !plausible_name(name) {
        return;
    }
    let mut claim = NamePort {
        name: name.to_owned(),
        name_range: name_range.clone(),
        port: None,
        port_range: name_range.clone(),
        origin: Origin::TableRow,
        group,
    };
    if let Some(r) = port_col.and_then(|c| t.row.get(c)) {
        let cell = &text[r.clone()];
        if let Some((p, len)) = port_value(cell) {
            claim.port = Some(p);
            claim.port_range = r.start..r.start + len;
        } else if !cell.trim().is_empty() && !matches!(cell.trim(), "-" | "—" | "n/a" | "N/A" | "none") {
            // A cell we cannot read (several ports, a variable, words): no claim at all.
            return;
        }
    }
    if claim.port.is_none() {
        if let Some(r) = url_col.and_then(|c| t.row.get(c)) {
            let eps = crate::model::endpoints::endpoints(&text[r.clone()]);
            if let [ep] = eps.as_slice() {
                if is_local(&ep.host) && ep.explicit_port {
                    let abs = r.start + ep.range.start..r.start + ep.range.end;
                    seen.push(abs.clone());
                    claim.port = ep.port;
                    claim.port_range = abs;
                }
            }
        }
    }
    claims.name_ports.push(claim);
}

/// `- **10000**: PostgreSQL`, `- PostgreSQL: 10000`, `- api: http://localhost:8001/health`,
/// `- Grafana — localhost:3000`. Only the item's first line is read.
fn list_item(text: &str, start: usize, group: usize, claims: &mut Claims, seen: &mut Vec<Range<usize>>) {
    let line_end = text[start..].find('\n').map_or(text.len(), |p| start + p);
    let line_end = text[start..line_end].find("<!--").map_or(line_end, |p| start + p);
    let line = &text[start..line_end];
    // Skip the list marker.
    let lead = line.len() - line.trim_start().len();
    let t = line.trim_start();
    let bullet = if t.starts_with(['-', '*', '+']) {
        1
    } else {
        let d = t.chars().take_while(char::is_ascii_digit).count();
        if d > 0 && t[d..].starts_with(['.', ')']) {
            d + 1
        } else {
            0
        }
    };
    let after = &t[bullet..];
    let marker = lead + bullet + (after.len() - after.trim_start().len());
    let body_start = start + marker;
    let body = &text[body_start..line_end];
    if body.starts_with('[') {
        return; // a task list or a link
    }
    let sep = [": ", " - ", " – ", " — ", " → ", " -> ", " = "]
        .iter()
        .filter_map(|s| body.find(s).map(|p| (p, s.len())))
        .min_by_key(|(p, _)| *p);
    let Some((sp, sl)) = sep.or_else(|| body.strip_suffix(':').map(|b| (b.len(), 1))) else {
        return;
    };
    let left = strip_marks(text, body_start..body_start + sp);
    let right_start = body_start + sp + sl;
    let right_text = &text[right_start..line_end];
    // The right side's first token (up to a space or an opening parenthesis).
    let first_end = right_text
        .find(|c: char| c.is_whitespace() || c == '(' || c == ',')
        .unwrap_or(right_text.len());
    let right_first = strip_marks(text, right_start..right_start + first_end);
    let right_whole = {
        let end = right_text.find(['(', ',', ';']).unwrap_or(right_text.len());
        strip_marks(text, right_start..right_start + end)
    };
    let left_text = &text[left.clone()];
    // Port first: `**10000**: PostgreSQL`.
    if let Some((p, len)) = port_value(left_text) {
        if len == left_text.len() && plausible_name(&text[right_whole.clone()]) {
            claims.name_ports.push(NamePort {
                name: text[right_whole.clone()].to_owned(),
                name_range: right_whole,
                port: Some(p),
                port_range: left.start..left.start + len,
                origin: Origin::ListItem,
                group,
            });
        }
        return;
    }
    if !plausible_name(left_text) {
        return;
    }
    let rf = &text[right_first.clone()];
    // Name first: `PostgreSQL: 10000`, `api: http://localhost:8001/health`, `grafana: localhost:3000`.
    if let Some((p, len)) = port_value(rf) {
        if len == rf.len() {
            claims.name_ports.push(NamePort {
                name: left_text.to_owned(),
                name_range: left,
                port: Some(p),
                port_range: right_first.start..right_first.start + len,
                origin: Origin::ListItem,
                group,
            });
        }
        return;
    }
    let eps = crate::model::endpoints::endpoints(rf);
    if let [ep] = eps.as_slice() {
        if is_local(&ep.host) && ep.explicit_port && ep.range.start <= "https://".len() {
            let abs = right_first.start + ep.range.start..right_first.start + ep.range.end;
            seen.push(abs.clone());
            claims.name_ports.push(NamePort {
                name: left_text.to_owned(),
                name_range: left,
                port: ep.port,
                port_range: abs,
                origin: Origin::ListItem,
                group,
            });
        }
    }
}

/// Whether a host means "this machine".
pub(crate) fn is_local(host: &str) -> bool {
    matches!(host, "localhost" | "127.0.0.1" | "0.0.0.0" | "::1")
}

fn scan_urls(text: &str, range: Range<usize>, claims: &mut Claims, seen: &mut Vec<Range<usize>>) {
    for ep in crate::model::endpoints::endpoints(&text[range.clone()]) {
        // `0.0.0.0:P` without a scheme is a bind address (log output, flags), not a place to go.
        if ep.scheme.is_none() && ep.host == "0.0.0.0" {
            continue;
        }
        let abs = range.start + ep.range.start..range.start + ep.range.end;
        if seen
            .iter()
            .any(|s| s.start <= abs.start && abs.start < s.end.max(s.start + 1))
        {
            continue;
        }
        seen.push(abs.clone());
        claims.urls.push(UrlClaim {
            host: ep.host,
            port: ep.port,
            explicit_port: ep.explicit_port,
            range: abs,
        });
    }
}

/// Splits a code block into command lines (continuations joined, prompts and comments dropped),
/// each word with its byte range.
fn commands(text: &str, range: Range<usize>, block: usize, claims: &mut Claims) {
    let mut words: Vec<(String, Range<usize>)> = Vec::new();
    let mut pos = range.start;
    for line in text[range.clone()].split_inclusive('\n') {
        let line_start = pos;
        pos += line.len();
        let body = line.trim_end_matches(['\n', '\r']);
        // An HTML comment is not shell (docs annotate commands with them).
        let body = body.find("<!--").map_or(body, |p| &body[..p]);
        let (body, continued) = match body.trim_end().strip_suffix('\\') {
            Some(b) => (b, true),
            None => (body, false),
        };
        let mut offset = line_start;
        let mut b = body;
        if words.is_empty() {
            let lead = b.len() - b.trim_start().len();
            let t = b.trim_start();
            let t2 = t
                .strip_prefix("$ ")
                .or_else(|| t.strip_prefix("> "))
                .or_else(|| t.strip_prefix("# "));
            let cut = match t2 {
                // `# ` starts a root prompt only when a command follows; a comment otherwise.
                Some(rest) if t.starts_with('#') && !looks_like_command(rest) => t.len(),
                Some(rest) => t.len() - rest.len(),
                None => 0,
            };
            offset += lead + cut;
            b = &b[lead + cut..];
        }
        for (w, r) in split_shell(b) {
            if w.starts_with('#') {
                break;
            }
            words.push((w, offset + r.start..offset + r.end));
        }
        if !continued {
            flush(&mut words, block, claims);
        }
    }
    flush(&mut words, block, claims);
}

/// The first line inside a code block (after its fence), without leading blanks.
fn first_content_line(text: &str, block: Range<usize>) -> &str {
    let body = text.get(block).unwrap_or("");
    let mut lines = body.lines();
    let fence = lines.next().unwrap_or("");
    let first = if fence.trim_start().starts_with("```") || fence.trim_start().starts_with("~~~") {
        lines.next().unwrap_or("")
    } else {
        fence
    };
    first.trim_start()
}

/// File names on the line before a code block and on its first line of content when that line is
/// a comment: the doc is showing the file, so commands that later run it do not name a dead file.
fn shown_files(text: &str, block: Range<usize>) -> Vec<String> {
    let before = text.get(..block.start).unwrap_or("");
    let intro = before.trim_end().rsplit('\n').next().unwrap_or("");
    // "Run `./x.sh`:" introduces a command; only a line that says a file is written counts.
    let lower = intro.to_ascii_lowercase();
    let intro = if ["create", "save", "write", "add ", "file", "content"]
        .iter()
        .any(|w| lower.contains(w))
    {
        intro
    } else {
        ""
    };
    let first = first_content_line(text, block);
    let comment = ["#", "//", "--", "<!--", ";"].iter().any(|c| first.starts_with(c));
    let mut out: Vec<String> = intro
        .split(|c: char| c.is_whitespace() || "`*\"'(),:".contains(c))
        .chain(
            comment
                .then_some(first)
                .into_iter()
                .flat_map(|l| l.split(|c: char| c.is_whitespace() || "`*\"'(),:".contains(c))),
        )
        .map(|w| w.trim_start_matches("./").trim_end_matches('.'))
        .filter(|w| {
            w.rsplit_once('.').is_some_and(|(stem, ext)| {
                !stem.is_empty()
                    && matches!(
                        ext,
                        "sh" | "py" | "yaml" | "yml" | "json" | "toml" | "env" | "conf" | "js" | "ts" | "service"
                    )
            })
        })
        .map(str::to_owned)
        .collect();
    out.dedup();
    out
}

fn looks_like_command(rest: &str) -> bool {
    let first = rest.split_whitespace().next().unwrap_or("");
    matches!(
        first,
        "docker" | "docker-compose" | "kubectl" | "curl" | "make" | "sudo" | "cd" | "./" | "bash" | "sh"
    )
}

fn flush(words: &mut Vec<(String, Range<usize>)>, block: usize, claims: &mut Claims) {
    if words.is_empty() {
        return;
    }
    // Split on command separators.
    let mut cur: Vec<(String, Range<usize>)> = Vec::new();
    for w in words.drain(..) {
        // Shell keywords that start a command list are not the command (`if …; then x`).
        if cur.is_empty()
            && matches!(
                w.0.as_str(),
                "then" | "do" | "else" | "elif" | "if" | "while" | "until" | "!"
            )
        {
            continue;
        }
        if matches!(w.0.as_str(), "&&" | "||" | ";" | "|" | "&") {
            if !cur.is_empty() {
                claims.commands.push(Command {
                    words: std::mem::take(&mut cur),
                    block,
                });
            }
        } else {
            cur.push(w);
        }
    }
    if !cur.is_empty() {
        claims.commands.push(Command { words: cur, block });
    }
}

/// Shell-like word split with ranges: quotes group (and are removed), separators stand alone.
fn split_shell(s: &str) -> Vec<(String, Range<usize>)> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut start = None;
    let mut quote: Option<char> = None;
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if let Some(q) = quote {
            if c == q {
                quote = None;
            } else {
                cur.push(c);
            }
            continue;
        }
        match c {
            '"' | '\'' => {
                start.get_or_insert(i);
                quote = Some(c);
            }
            c if c.is_whitespace() => {
                if let Some(st) = start.take() {
                    out.push((std::mem::take(&mut cur), st..i));
                }
            }
            ';' | '|' | '&' => {
                if let Some(st) = start.take() {
                    out.push((std::mem::take(&mut cur), st..i));
                }
                let mut op = c.to_string();
                if chars.peek().is_some_and(|(_, n)| *n == c) {
                    chars.next();
                    op.push(c);
                }
                out.push((op.clone(), i..i + op.len()));
            }
            _ => {
                start.get_or_insert(i);
                cur.push(c);
            }
        }
    }
    if let Some(st) = start {
        out.push((cur, st..s.len()));
    }
    out
}

const NUMBER_WORDS: &[&str] = &[
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
];

/// Whole-stack counts in prose: "11 containers running", "5 services defined", "three pods are
/// healthy". Qualified counts ("four long-running services", "plus a one-shot job", "5/11") are
/// not claims.
fn counts(text: &str, range: Range<usize>, claims: &mut Claims) {
    let seg = &text[range.clone()];
    let mut start = 0;
    for (i, c) in seg.char_indices() {
        let end_of_sentence = matches!(c, '.' | '!' | '?') && seg[i + 1..].starts_with(char::is_whitespace);
        if end_of_sentence || c == '\n' {
            sentence_counts(text, range.start + start..range.start + i + 1, claims);
            start = i + 1;
        }
    }
    sentence_counts(text, range.start + start..range.end, claims);
}

fn sentence_counts(text: &str, range: Range<usize>, claims: &mut Claims) {
    let seg = &text[range.clone()];
    let lower = seg.to_ascii_lowercase();
    // A sentence that adds or excepts something does not state the whole number.
    if [
        " plus ",
        " + ",
        " besides ",
        " except ",
        " excluding ",
        " including ",
        " of which ",
        " out of ",
    ]
    .iter()
    .any(|w| lower.contains(w))
    {
        return;
    }
    let words: Vec<(usize, &str)> = lower
        .split(|c: char| c.is_whitespace())
        .scan(0usize, |pos, w| {
            let at = *pos;
            *pos += w.len() + 1;
            Some((at, w))
        })
        .filter(|(_, w)| !w.is_empty())
        .collect();
    for k in 0..words.len() {
        let (at, w) = words[k];
        let n = match w.parse::<usize>() {
            Ok(n) => n,
            Err(_) => match NUMBER_WORDS.iter().position(|x| *x == w) {
                Some(n) => n,
                None => continue,
            },
        };
        let Some(&(_, noun)) = words.get(k + 1) else { continue };
        let noun = noun.trim_end_matches([',', '.', ':', ';', ')']);
        if !matches!(noun, "containers" | "services" | "pods") {
            continue;
        }
        let mut next = k + 2;
        if words
            .get(next)
            .is_some_and(|(_, w)| matches!(*w, "are" | "were" | "is"))
        {
            next += 1;
        }
        let verb_ok = words.get(next).is_some_and(|(_, v)| {
            let v = v.trim_end_matches([',', '.', ':', ';', ')']);
            matches!(v, "running" | "healthy" | "defined" | "up")
        });
        let prev = k.checked_sub(1).map(|p| words[p].1);
        if !verb_ok || prev.is_some_and(|p| p.ends_with('/') || matches!(p, "of" | "the" | "first" | "last" | "only")) {
            continue;
        }
        let end = words[next].0 + words[next].1.trim_end_matches([',', '.', ':', ';', ')']).len();
        claims.counts.push(Count {
            n,
            noun: noun.to_owned(),
            range: range.start + at..range.start + end,
        });
    }
}

#[cfg(test)]
mod strip_tests {
    use super::strip_marks;

    #[test]
    fn total_on_blanks_and_marks() {
        assert_eq!(strip_marks("   ", 0..3), 0..0);
        assert_eq!(strip_marks("| **api** |", 1..10), 4..7);
        assert_eq!(strip_marks("``", 0..2), 1..1);
        assert_eq!(strip_marks("x", 5..9), 1..1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_lists_urls_commands_counts() {
        let md = "| Service | Port |\n|---|---|\n| **PostgreSQL** | `10000` |\n| api | 8000:80 |\n| many | 1, 2 |\n\n- **10001**: Redis\n- api: http://localhost:8001/health\n- see [docs](http://localhost:9/x)\n\nAll 11 containers running. Four long-running services plus a one-shot job.\n\n```bash\n$ docker compose -f x.yml \\\n   up -d api && curl localhost:3000 # note\n```\n";
        let c = extract(md);
        let np: Vec<(String, Option<u16>)> = c.name_ports.iter().map(|n| (n.name.clone(), n.port)).collect();
        assert_eq!(
            np,
            vec![
                ("PostgreSQL".to_owned(), Some(10000)),
                ("api".to_owned(), Some(8000)),
                ("Redis".to_owned(), Some(10001)),
                ("api".to_owned(), Some(8001)),
            ]
        );
        assert_eq!(&md[c.name_ports[0].port_range.clone()], "10000");
        assert_eq!(&md[c.name_ports[3].port_range.clone()], "localhost:8001");
        let urls: Vec<Option<u16>> = c.urls.iter().map(|u| u.port).collect();
        assert_eq!(urls, vec![Some(9), Some(3000)]);
        assert_eq!(c.counts.len(), 1);
        assert_eq!(&md[c.counts[0].range.clone()], "11 containers running");
        let cmds: Vec<Vec<String>> = c
            .commands
            .iter()
            .map(|c| c.words.iter().map(|w| w.0.clone()).collect())
            .collect();
        assert_eq!(
            cmds,
            vec![
                vec!["docker", "compose", "-f", "x.yml", "up", "-d", "api"],
                vec!["curl", "localhost:3000"]
            ]
        );
        assert_eq!(&md[c.commands[0].words[6].1.clone()], "api");
    }
}
