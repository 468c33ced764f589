//! ShellCheck processes: unit texts written to a private temporary folder as `u<i>.sh`,
//! checked by one `shellcheck -f json1` process, or by several at once (one per core)
//! when there is enough to check, each over a contiguous share of the texts. Comments
//! come back grouped by text, in text order, whatever the number of processes.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};

use super::units::Unit;
use super::{Binary, EXCLUDED};

/// ShellCheck's options (part of every cache key).
pub const ARGS: [&str; 4] = ["-f", "json1", "-e", EXCLUDED];

/// Below this many bytes of script per process, one more process costs more than it
/// saves: ShellCheck 0.11 starts in about 4-7 ms and checks a 200-byte unit in about 3 ms.
pub const BYTES_PER_PROCESS: usize = 1024;
/// At most this many ShellCheck processes at once, whatever the core count.
pub const MAX_PROCESSES: usize = 8;

/// One ShellCheck comment (json1). The file name is not stored in the cache: an entry
/// belongs to a unit text, whatever file it was written to.
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
pub struct Comment {
    #[serde(default, skip_serializing)]
    pub file: String,
    pub line: usize,
    #[serde(rename = "endLine")]
    pub end_line: usize,
    pub column: usize,
    #[serde(rename = "endColumn")]
    pub end_column: usize,
    pub level: String,
    pub code: u32,
    pub message: String,
    /// ShellCheck's own fix (see [`super::fix`]), kept in the cache with the comment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix: Option<super::fix::RawFix>,
}

#[derive(Debug, serde::Deserialize)]
struct Json1 {
    comments: Vec<Comment>,
}

static RUN: AtomicU64 = AtomicU64::new(0);

/// A fresh private folder for the unit files.
fn temp_dir() -> std::io::Result<PathBuf> {
    let base = std::env::temp_dir();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    for _ in 0..16 {
        let n = RUN.fetch_add(1, Ordering::Relaxed);
        let dir = base.join(format!("kaslint-sc-{}-{n}-{nanos}", std::process::id()));
        match std::fs::create_dir(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::other("no unique temporary folder"))
}

/// The distinct texts of `units` and, per text, the units that have it.
pub fn distinct(units: &[Unit]) -> (Vec<&str>, Vec<Vec<usize>>) {
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut texts = Vec::new();
    let mut users: Vec<Vec<usize>> = Vec::new();
    for (i, u) in units.iter().enumerate() {
        let k = *index.entry(u.text.as_str()).or_insert_with(|| {
            texts.push(u.text.as_str());
            users.push(Vec::new());
            texts.len() - 1
        });
        users[k].push(i);
    }
    (texts, users)
}

/// Write each text to `dir/u<i>.sh`; the file names.
pub fn write_units(dir: &Path, texts: &[&str]) -> std::io::Result<Vec<String>> {
    let mut names = Vec::with_capacity(texts.len());
    for (i, t) in texts.iter().enumerate() {
        let name = format!("u{i}.sh");
        std::fs::write(dir.join(&name), t)?;
        names.push(name);
    }
    Ok(names)
}

/// How long ShellCheck may run over a whole pipeline before kaslint gives up on it.
pub const RUN_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(120);

/// `Command::output` with a deadline: a ShellCheck that hangs is killed, never waited
/// for forever. Output is read on threads so a full pipe cannot stall the child; the end
/// of its output (the child exiting) wakes the caller at once, no polling interval lost.
pub fn output_within(
    mut cmd: Command,
    limit: std::time::Duration,
) -> std::io::Result<std::process::Output> {
    wait_within(cmd.spawn()?, limit)
}

/// [`output_within`] for a child already started (its output piped).
pub fn wait_within(
    mut child: std::process::Child,
    limit: std::time::Duration,
) -> std::io::Result<std::process::Output> {
    use std::io::Read;
    use std::time::{Duration, Instant};
    let deadline = Instant::now() + limit;
    let (tx, rx) = std::sync::mpsc::channel();
    let pipes: [Option<Box<dyn Read + Send>>; 2] = [
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    ];
    for (i, pipe) in pipes.into_iter().enumerate() {
        let tx = tx.clone();
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut p) = pipe {
                let _ = p.read_to_end(&mut buf);
            }
            let _ = tx.send((i, buf));
        });
    }
    drop(tx);
    let timed_out = |child: &mut std::process::Child| {
        let _ = child.kill();
        let _ = child.wait();
        std::io::Error::other(format!("timed out after {} s", limit.as_secs()))
    };
    let mut out: [Vec<u8>; 2] = [Vec::new(), Vec::new()];
    for _ in 0..2 {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok((i, buf)) => out[i] = buf,
            Err(_) => return Err(timed_out(&mut child)),
        }
    }
    // Both pipes are closed: the child has exited, or (rarely) closed them and runs on.
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if Instant::now() >= deadline {
            return Err(timed_out(&mut child));
        }
        std::thread::sleep(Duration::from_micros(200));
    };
    let [stdout, stderr] = out;
    Ok(std::process::Output {
        status,
        stdout,
        stderr,
    })
}

/// The ShellCheck command over the unit files in `dir`.
pub fn command(binary: &Binary, dir: &Path, names: &[String]) -> Command {
    let mut cmd = Command::new(&binary.path);
    cmd.args(ARGS)
        .args(names)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

/// How many processes to check `texts` with: one per core, each with at least
/// [`BYTES_PER_PROCESS`] bytes, at most [`MAX_PROCESSES`]; one for a small pipeline.
pub fn processes_for(texts: &[&str], cores: usize) -> usize {
    let bytes: usize = texts.iter().map(|t| t.len()).sum();
    (bytes / BYTES_PER_PROCESS)
        .min(cores)
        .min(MAX_PROCESSES)
        .min(texts.len())
        .max(1)
}

/// `texts` cut into `n` contiguous shares of about the same size (in bytes).
pub fn shares(texts: &[&str], n: usize) -> Vec<std::ops::Range<usize>> {
    let n = n.clamp(1, texts.len().max(1));
    let total: usize = texts.iter().map(|t| t.len() + 1).sum();
    let mut out = Vec::with_capacity(n);
    let (mut start, mut acc) = (0, 0);
    for (i, t) in texts.iter().enumerate() {
        acc += t.len() + 1;
        let left = texts.len() - i - 1;
        let wanted = n - out.len() - 1;
        // Close the share at its fair end, or when each later share needs its text.
        if wanted > 0 && (acc * n >= total * (out.len() + 1) || left == wanted) {
            out.push(start..i + 1);
            start = i + 1;
        }
    }
    out.push(start..texts.len());
    out.retain(|r| !r.is_empty());
    out
}

/// Check `texts` with `processes` ShellCheck processes; the comments of each text, in
/// text order (`None` for texts whose process failed), and the first failure.
pub fn check(
    binary: &Binary,
    texts: &[&str],
    processes: usize,
) -> (Vec<Option<Vec<Comment>>>, Option<String>) {
    let mut out: Vec<Option<Vec<Comment>>> = vec![None; texts.len()];
    if texts.is_empty() {
        return (out, None);
    }
    let dir = match temp_dir() {
        Ok(d) => d,
        Err(e) => {
            return (
                out,
                Some(format!("shellcheck not run: temporary folder: {e}")),
            )
        }
    };
    let names = match write_units(&dir, texts) {
        Ok(n) => n,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&dir);
            return (
                out,
                Some(format!("shellcheck not run: temporary file: {e}")),
            );
        }
    };
    let ranges = shares(texts, processes);
    let results: Vec<Result<Vec<Comment>, String>> = std::thread::scope(|s| {
        let running: Vec<_> = ranges
            .iter()
            .map(|r| {
                let (dir, names) = (&dir, &names[r.clone()]);
                s.spawn(move || one_process(binary, dir, names))
            })
            .collect();
        running
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err("shellcheck thread failed".into()))
            })
            .collect()
    });
    let _ = std::fs::remove_dir_all(&dir);
    let mut failure = None;
    for (range, result) in ranges.into_iter().zip(results) {
        match result {
            Ok(comments) => {
                for i in range.clone() {
                    out[i] = Some(Vec::new());
                }
                for c in comments {
                    let at = c
                        .file
                        .strip_prefix('u')
                        .and_then(|f| f.strip_suffix(".sh"))
                        .and_then(|f| f.parse::<usize>().ok())
                        .filter(|i| range.contains(i));
                    if let Some(list) = at.and_then(|i| out[i].as_mut()) {
                        list.push(c);
                    }
                }
            }
            Err(e) => failure = failure.or(Some(e)),
        }
    }
    (out, failure)
}

/// One ShellCheck process over the files `names` of `dir`.
fn one_process(binary: &Binary, dir: &Path, names: &[String]) -> Result<Vec<Comment>, String> {
    let output = output_within(command(binary, dir, names), RUN_TIMEOUT).map_err(|e| {
        format!(
            "shellcheck `{}` could not be run: {e}",
            binary.path.display()
        )
    })?;
    match serde_json::from_slice::<Json1>(&output.stdout) {
        Ok(j) => Ok(j.comments),
        Err(_) => {
            let err = String::from_utf8_lossy(&output.stderr);
            let first_line = err.lines().next().unwrap_or("no output").trim().to_string();
            Err(format!(
                "shellcheck {} failed ({}): {first_line}",
                binary.version_text(),
                output.status
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_cover_every_text_once_in_order() {
        let texts = ["aaaa", "b", "cc", "dddddd", "e", "ff", "g"];
        for n in 1..=9 {
            let s = shares(&texts, n);
            assert_eq!(s.len(), n.min(texts.len()), "{n}: {s:?}");
            let flat: Vec<usize> = s.iter().flat_map(|r| r.clone()).collect();
            assert_eq!(flat, (0..texts.len()).collect::<Vec<_>>(), "{n}: {s:?}");
        }
        assert_eq!(shares(&[], 3), Vec::<std::ops::Range<usize>>::new());
    }

    #[test]
    fn small_pipelines_get_one_process() {
        assert_eq!(processes_for(&["echo hi"; 40], 16), 1);
        let big = "x".repeat(BYTES_PER_PROCESS);
        let texts: Vec<&str> = vec![big.as_str(); 40];
        assert_eq!(processes_for(&texts, 2), 2);
        assert_eq!(processes_for(&texts, 64), MAX_PROCESSES);
        assert_eq!(processes_for(&texts[..3], 64), 3);
    }
}
