//! Baselines: `--write-baseline FILE` records today's findings; `--baseline FILE`
//! reports only new ones. A finding is matched by rule, file, job and symbolic key path
//! (`deploy.script[2]`), not by line, so edits elsewhere do not resurrect old findings.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::report::{Diagnostic, FileReport};

pub const VERSION: u32 = 1;

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Key {
    pub rule: String,
    pub file: String,
    pub job: Option<String>,
    pub path: Option<String>,
}

#[derive(Serialize, Deserialize, Debug)]
pub struct Entry {
    #[serde(flatten)]
    pub key: Key,
    /// How many findings share the key.
    pub count: usize,
}

#[derive(Serialize, Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    pub version: u32,
    pub findings: Vec<Entry>,
}

fn key(report: &FileReport, d: &Diagnostic) -> Key {
    Key {
        rule: d.code().to_string(),
        file: report.sources.get(d.primary.file).name.clone(),
        job: d.job.clone(),
        path: d.path.clone(),
    }
}

pub fn build(reports: &[FileReport]) -> Baseline {
    let mut counts: BTreeMap<Key, usize> = BTreeMap::new();
    for r in reports {
        for d in &r.diagnostics {
            *counts.entry(key(r, d)).or_default() += 1;
        }
    }
    Baseline {
        version: VERSION,
        findings: counts
            .into_iter()
            .map(|(key, count)| Entry { key, count })
            .collect(),
    }
}

pub fn write(path: &Path, reports: &[FileReport]) -> Result<usize, String> {
    let baseline = build(reports);
    let n = baseline.findings.iter().map(|e| e.count).sum();
    let mut text = serde_json::to_string_pretty(&baseline).map_err(|e| e.to_string())?;
    text.push('\n');
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(n)
}

pub fn load(path: &Path) -> Result<Baseline, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let b: Baseline = serde_json::from_str(&text)
        .map_err(|e| format!("{}: not a kaslint baseline: {e}", path.display()))?;
    if b.version != VERSION {
        return Err(format!(
            "{}: baseline version {} is not {VERSION}",
            path.display(),
            b.version
        ));
    }
    Ok(b)
}

/// Drop the findings the baseline records; returns how many were dropped.
pub fn filter(baseline: &Baseline, reports: &mut [FileReport]) -> usize {
    let mut left: BTreeMap<&Key, usize> = baseline
        .findings
        .iter()
        .map(|e| (&e.key, e.count))
        .collect();
    let mut dropped = 0;
    for r in reports.iter_mut() {
        let keys: Vec<Key> = r.diagnostics.iter().map(|d| key(r, d)).collect();
        let mut keep = keys.iter().map(|k| match left.get_mut(k) {
            Some(n) if *n > 0 => {
                *n -= 1;
                dropped += 1;
                false
            }
            _ => true,
        });
        r.diagnostics.retain(|_| keep.next().unwrap_or(true));
    }
    dropped
}
