//! Script units from the merged model: per job `before_script` + `script` (one shell, as
//! the runner runs them), `after_script` apart, `hooks:pre_get_sources_script`. Each
//! item keeps the file bytes it was written in, through `extends`, `!reference`, anchors
//! and includes. Units are plain data (`Send`): they travel to the ShellCheck thread.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use regex::Regex;

use super::posmap;
use crate::data::images;
use crate::load::{FileId, NodeRef, Span};
use crate::model::{Job, Pipeline};
use crate::settings::Settings;

/// The shell ShellCheck is told to expect (first-line directive).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Dialect {
    Bash,
    Sh,
    Busybox,
    /// BusyBox ash checked as `sh` (ShellCheck before 0.10 has no `busybox` dialect).
    BusyboxAsSh,
}

impl Dialect {
    pub fn name(self) -> &'static str {
        match self {
            Dialect::Bash => "bash",
            Dialect::Sh => "sh",
            Dialect::Busybox => "busybox",
            Dialect::BusyboxAsSh => "sh",
        }
    }

    /// Codes that misfire for this shell: BusyBox ash accepts the `function` keyword
    /// (SC2112) and, checked as plain `sh`, many bash extensions (SC3xxx).
    pub fn disabled(self) -> &'static str {
        match self {
            Dialect::Bash | Dialect::Sh => "",
            Dialect::Busybox => " disable=SC2112",
            Dialect::BusyboxAsSh => " disable=SC2112,SC3000-SC3999",
        }
    }
}

/// Which script of the job.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Part {
    /// `before_script` and `script`, one shell.
    Script,
    After,
    PreGetSources,
}

/// One script item (a scalar) as the shell sees it, with the way back to the file.
#[derive(Clone, Debug)]
pub struct Piece {
    pub span: Span,
    /// The decoded text; `$[[ ]]` placeholders are still in it.
    pub text: String,
    /// For each byte of `text`, the file bytes it came from; `None` when the decoding
    /// could not be checked against the parser's value (findings then go to `span.start`).
    pub map: Option<Vec<(u32, u32)>>,
}

/// One shell script handed to ShellCheck.
#[derive(Clone, Debug)]
pub struct Unit {
    /// The jobs running it, in pipeline order.
    pub jobs: Vec<String>,
    pub part: Part,
    pub dialect: Dialect,
    pub pieces: Vec<Piece>,
    /// The text given to ShellCheck: the dialect directive, then the pieces, one per line
    /// (placeholders replaced by same-length text).
    pub text: String,
    /// Byte offset in `text` where each piece starts.
    pub starts: Vec<usize>,
    /// Byte ranges of `$[[ ]]` placeholders in `text`.
    pub placeholders: Vec<(usize, usize)>,
}

/// A job that is not checked, and why.
#[derive(Clone, Debug)]
pub struct Skipped {
    pub job: String,
    pub span: Span,
    pub reason: String,
}

#[derive(Debug, Default)]
pub struct Extracted {
    pub units: Vec<Unit>,
    pub skipped: Vec<Skipped>,
}

pub use crate::load::posmap::{matches_value, placeholder_re};

/// Words of which [`powershell_re`] needs one (lowercase): lines without any are not
/// PowerShell, and the regex (about 1 ms to build) is never built for them.
const POWERSHELL_WORDS: &[&str] = &[
    "$env:",
    "write-",
    "get-childitem",
    "set-location",
    "-item",
    "invoke-",
    "start-process",
    "test-path",
    "$lastexitcode",
    "-erroraction",
    "[environment]::",
];

/// Whether a line is PowerShell: [`POWERSHELL_WORDS`] first, then the regex.
fn is_powershell(line: &str) -> bool {
    let lower = line.to_ascii_lowercase();
    let maybe =
        line.trim_start().starts_with('&') || POWERSHELL_WORDS.iter().any(|w| lower.contains(w));
    maybe && powershell_re().is_match(line)
}

fn powershell_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"(?i-u)\$env:[A-Za-z_]|\b(?:Write-(?:Host|Output|Error|Warning)|Get-ChildItem|Set-Location|New-Item|Remove-Item|Copy-Item|Invoke-(?:WebRequest|RestMethod|Expression)|Start-Process|Test-Path)\b|\$LASTEXITCODE|-ErrorAction\b|\[Environment\]::|^\s*&\s*['\x22$]",
        )
        .expect("valid regex")
    })
}

fn piece(p: &Pipeline, node: &NodeRef) -> Option<Piece> {
    let value = node.scalar_text()?;
    let src = &p.sources.get(node.span.file).text;
    let decoded = posmap::decode(
        src,
        node.span.start as usize,
        node.span.end as usize,
        node.style,
        Some(&value),
    );
    Some(match decoded {
        Some(d) if matches_value(&d.text, &value) => Piece {
            span: node.span,
            text: d.text,
            map: Some(d.map),
        },
        _ => Piece {
            span: node.span,
            text: value,
            map: None,
        },
    })
}

fn alpine_like(repo: &str, tag: Option<&str>) -> bool {
    let base = repo.rsplit('/').next().unwrap_or(repo);
    matches!(repo, "alpine" | "busybox" | "docker")
        || matches!(base, "alpine" | "busybox")
        || tag.is_some_and(|t| t.contains("alpine") || t.contains("busybox"))
}

/// The dialect for a job, or why it is skipped.
fn dialect(p: &Pipeline, s: &Settings, job: &Job, busybox: bool) -> Result<Dialect, String> {
    if let Some(tags) = p.job_value(job, "tags").and_then(|t| t.as_seq()) {
        for t in tags.iter().filter_map(|t| t.scalar_text()) {
            let l = t.to_ascii_lowercase();
            if ["windows", "powershell", "pwsh"]
                .iter()
                .any(|w| l.contains(w))
            {
                return Err(format!("PowerShell runner (tag `{t}`)"));
            }
        }
    }
    let Some(image) = p.image(job).and_then(|i| i.name.scalar_text()) else {
        return Ok(Dialect::Bash);
    };
    let lower = image.to_ascii_lowercase();
    if [
        "mcr.microsoft.com/windows",
        "powershell",
        "pwsh",
        "servercore",
        "nanoserver",
    ]
    .iter()
    .any(|w| lower.contains(w))
    {
        return Err(format!("PowerShell image `{image}`"));
    }
    let r = images::parse_ref(&image);
    let row = images::lookup_with(&s.images, &r.repo);
    let sh_only = if busybox {
        Dialect::Busybox
    } else {
        Dialect::BusyboxAsSh
    };
    Ok(match row.map(|i| i.shell) {
        Some(None) => return Err(format!("image `{image}` has no shell")),
        Some(Some("bash")) => Dialect::Bash,
        Some(Some("busybox" | "ash")) => sh_only,
        Some(Some(_)) => Dialect::Sh,
        None if alpine_like(&r.repo, r.tag.as_deref()) => sh_only,
        None => Dialect::Bash,
    })
}

/// The unit text: directive, pieces one after the other (each ending in a line break).
fn assemble(pieces: &[Piece], dialect: Dialect) -> (String, Vec<usize>, Vec<(usize, usize)>) {
    let mut text = format!(
        "# shellcheck shell={}{}\n",
        dialect.name(),
        dialect.disabled()
    );
    let mut starts = Vec::with_capacity(pieces.len());
    let mut placeholders = Vec::new();
    for piece in pieces {
        let at = text.len();
        starts.push(at);
        let mut last = 0;
        let placeholders_in = piece.text.contains("$[[").then(|| placeholder_re());
        for m in placeholders_in
            .into_iter()
            .flat_map(|re| re.find_iter(&piece.text))
        {
            text.push_str(&piece.text[last..m.start()]);
            placeholders.push((at + m.start(), at + m.end()));
            text.extend(std::iter::repeat_n('x', m.end() - m.start()));
            last = m.end();
        }
        text.push_str(&piece.text[last..]);
        if !text.ends_with('\n') {
            text.push('\n');
        }
    }
    (text, starts, placeholders)
}

/// `units` as [`extract`] gives them for a ShellCheck without the `busybox` dialect
/// (before 0.10): BusyBox ash checked as `sh`.
pub fn without_busybox(units: Vec<Unit>) -> Vec<Unit> {
    units
        .into_iter()
        .map(|mut u| {
            if u.dialect == Dialect::Busybox {
                u.dialect = Dialect::BusyboxAsSh;
                (u.text, u.starts, u.placeholders) = assemble(&u.pieces, u.dialect);
            }
            u
        })
        .collect()
}

/// Units are the same when they run the same items (by place) in the same way.
type UnitKey = (Part, Dialect, Vec<(FileId, u32, u32)>);

/// Every unit of the pipeline; a template run by many jobs is one unit naming them all.
pub fn extract(p: &Pipeline, s: &Settings, busybox: bool) -> Extracted {
    let mut out = Extracted::default();
    let mut index: HashMap<UnitKey, usize> = HashMap::new();
    let mut covered: HashSet<Span> = HashSet::new();
    let visible = p.jobs.iter().filter(|j| !j.hidden);
    let hidden = p.jobs.iter().filter(|j| j.hidden);
    for job in visible.chain(hidden) {
        if job.node.get("trigger").is_some() || job.node.as_map().is_none() {
            continue;
        }
        let scripts = p.scripts(job);
        let parts: [(Part, Vec<Option<&NodeRef>>); 3] = [
            (Part::Script, vec![scripts.before, scripts.script]),
            (Part::After, vec![scripts.after]),
            (Part::PreGetSources, vec![scripts.pre_get_sources()]),
        ];
        let mut job_pieces: Vec<(Part, Vec<Piece>)> = Vec::new();
        for (part, nodes) in parts {
            let mut items = Vec::new();
            for n in nodes.into_iter().flatten() {
                crate::model::job::script_lines(n, &mut items);
            }
            let pieces: Vec<Piece> = items.iter().filter_map(|n| piece(p, n)).collect();
            if pieces.iter().any(|pc| !pc.text.trim().is_empty()) {
                job_pieces.push((part, pieces));
            }
        }
        if job_pieces.is_empty() {
            continue;
        }
        if job.hidden
            && job_pieces
                .iter()
                .all(|(_, ps)| ps.iter().all(|pc| covered.contains(&pc.span)))
        {
            continue;
        }
        let skip = |reason: String| Skipped {
            job: job.name.clone(),
            span: job.key_span,
            reason,
        };
        let d = match dialect(p, s, job, busybox) {
            Ok(d) => d,
            Err(reason) => {
                out.skipped.push(skip(reason));
                continue;
            }
        };
        let ps_line = job_pieces
            .iter()
            .flat_map(|(_, ps)| ps)
            .flat_map(|pc| pc.text.lines())
            .find(|l| is_powershell(l));
        if let Some(line) = ps_line {
            out.skipped.push(skip(format!(
                "PowerShell syntax (`{}`)",
                line.trim().chars().take(40).collect::<String>()
            )));
            continue;
        }
        for (part, pieces) in job_pieces {
            let key: Vec<(FileId, u32, u32)> = pieces
                .iter()
                .map(|pc| (pc.span.file, pc.span.start, pc.span.end))
                .collect();
            let key = (part, d, key);
            if let Some(&i) = index.get(&key) {
                if !out.units[i].jobs.contains(&job.name) {
                    out.units[i].jobs.push(job.name.clone());
                }
                continue;
            }
            covered.extend(pieces.iter().map(|pc| pc.span));
            let (text, starts, placeholders) = assemble(&pieces, d);
            index.insert(key, out.units.len());
            out.units.push(Unit {
                jobs: vec![job.name.clone()],
                part,
                dialect: d,
                pieces,
                text,
                starts,
                placeholders,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_word_filter_never_hides_a_powershell_line() {
        let lines = [
            "Write-Host hello",
            "  & 'C:\\tools\\x.exe'",
            "& \"$tool\"",
            "if ($LASTEXITCODE -ne 0) { exit 1 }",
            "$env:PATH += ';C:\\bin'",
            "Get-ChildItem . | Remove-Item -ErrorAction SilentlyContinue",
            "[Environment]::SetEnvironmentVariable('A', 'b')",
            "INVOKE-WEBREQUEST -Uri $u",
            "echo $env",
            "make test-item",
            "kubectl apply -f k8s/",
            "a && b",
            "echo write-only",
        ];
        for l in lines {
            assert_eq!(is_powershell(l), powershell_re().is_match(l), "{l}");
        }
        assert!(is_powershell("Write-Host hello"));
        assert!(!is_powershell("kubectl apply -f k8s/"));
    }

    #[test]
    fn placeholder_matching() {
        assert!(matches_value(
            "echo $[[ inputs.a ]] b",
            "echo hello world b"
        ));
        assert!(matches_value("$[[ inputs.a ]]", "x"));
        assert!(!matches_value("echo $[[ inputs.a ]] b", "echo hello c"));
        assert!(!matches_value("echo a", "echo b"));
    }

    /// A probe that finds a ShellCheck before 0.10 turns the units extracted for
    /// `busybox` into exactly those extracted without it.
    #[test]
    fn without_busybox_is_extracting_without_it() {
        let p = Pipeline::from_yaml(
            ".gitlab-ci.yml",
            "a:\n  image: alpine:3.20\n  script:\n    - echo \"$[[ inputs.x ]]\"\n    - ls\nb:\n  image: ubuntu\n  script: [ls]\nc:\n  image: busybox\n  script: [echo c]\n",
        );
        let s = Settings::default();
        let summary = |units: &[Unit]| -> Vec<String> {
            units
                .iter()
                .map(|u| {
                    format!(
                        "{:?} {:?} {:?} {:?} {:?}",
                        u.jobs, u.dialect, u.text, u.starts, u.placeholders
                    )
                })
                .collect()
        };
        let with = extract(&p, &s, true).units;
        assert!(
            with.iter().any(|u| u.dialect == Dialect::Busybox),
            "{:?}",
            summary(&with)
        );
        assert_eq!(
            summary(&without_busybox(with)),
            summary(&extract(&p, &s, false).units)
        );
    }
}
