//! A finding: rule, message, where (a primary span and related ones), and help; and the
//! rule metadata it carries. The leaf every layer above the model shares: rules produce
//! these, the report prints them.

use serde::{Deserialize, Serialize};

use crate::load::Span;

mod fix;
pub use fix::{Applicability, Edit, Fix};

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
}

/// A rule's identity and documentation, declared once in the rule's file.
#[derive(Debug)]
pub struct RuleMeta {
    /// Stable code, `KAS` + three digits.
    pub code: &'static str,
    /// Kebab-case name stating the problem.
    pub name: &'static str,
    pub severity: Severity,
    /// One line, lowercase, no trailing period.
    pub summary: &'static str,
    /// The rule's page (`rules/<code>.md`).
    pub doc: &'static str,
}

impl RuleMeta {
    pub fn url(&self) -> String {
        format!("{}/rules/{}.md", crate::DOCS_BASE, self.code)
    }
}

#[derive(Clone, Debug)]
pub struct Label {
    pub span: Span,
    pub text: String,
}

/// A finding of an external tool (ShellCheck) carried by a kaslint rule: its own id
/// (`SC2086`) and documentation link.
#[derive(Clone, Debug)]
pub struct External {
    pub tool: &'static str,
    pub code: String,
    pub url: String,
}

#[derive(Clone, Debug)]
pub struct Diagnostic {
    pub rule: &'static RuleMeta,
    pub severity: Severity,
    pub message: String,
    pub primary: Span,
    /// What to write under the caret (may be empty).
    pub label: String,
    pub related: Vec<Label>,
    pub help: Option<String>,
    /// The job the finding concerns, if any.
    pub job: Option<String>,
    /// Further jobs the same finding concerns: a template, anchor or `!reference` line
    /// shared by several jobs gives one finding naming them all.
    pub also_jobs: Vec<String>,
    /// Set when the finding comes from an external tool.
    pub external: Option<External>,
    /// Symbolic key path (`deploy.script[2]`), computed for baselines.
    pub path: Option<String>,
    /// The edit that fixes it, when one is known (`check --fix`).
    pub fix: Option<Fix>,
}

impl Diagnostic {
    pub fn new(rule: &'static RuleMeta, primary: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            rule,
            severity: rule.severity,
            message: message.into(),
            primary,
            label: String::new(),
            related: Vec::new(),
            help: None,
            job: None,
            also_jobs: Vec::new(),
            external: None,
            path: None,
            fix: None,
        }
    }
    /// The id users see and suppress: the rule's code, or the external tool's (`SC2086`).
    pub fn code(&self) -> &str {
        self.external
            .as_ref()
            .map_or(self.rule.code, |e| e.code.as_str())
    }
    /// The human name: the rule's name, or the external code.
    pub fn name(&self) -> &str {
        self.external
            .as_ref()
            .map_or(self.rule.name, |e| e.code.as_str())
    }
    /// Where the finding's rule is documented.
    pub fn url(&self) -> String {
        self.external
            .as_ref()
            .map_or_else(|| self.rule.url(), |e| e.url.clone())
    }
    pub fn label(mut self, text: impl Into<String>) -> Self {
        self.label = text.into();
        self
    }
    pub fn related(mut self, span: Span, text: impl Into<String>) -> Self {
        self.related.push(Label {
            span,
            text: text.into(),
        });
        self
    }
    pub fn help(mut self, text: impl Into<String>) -> Self {
        self.help = Some(text.into());
        self
    }
    pub fn help_opt(mut self, text: Option<String>) -> Self {
        if text.is_some() {
            self.help = text;
        }
        self
    }
    pub fn job(mut self, job: impl Into<String>) -> Self {
        self.job = Some(job.into());
        self
    }
    /// Every job the finding concerns, the first one first.
    pub fn jobs(&self) -> impl Iterator<Item = &str> {
        self.job
            .iter()
            .chain(self.also_jobs.iter())
            .map(String::as_str)
    }
    pub fn fix(mut self, fix: Fix) -> Self {
        self.fix = Some(fix);
        self
    }
    pub fn fix_opt(mut self, fix: Option<Fix>) -> Self {
        self.fix = fix.or(self.fix);
        self
    }
    pub fn job_opt(mut self, job: Option<String>) -> Self {
        if job.is_some() {
            self.job = job;
        }
        self
    }
}

/// `` `a`, `b` ``: names or patterns for a message.
pub fn quoted_list<S: AsRef<str>>(items: &[S]) -> String {
    items
        .iter()
        .map(|i| format!("`{}`", i.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}
