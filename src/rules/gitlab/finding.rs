//! What the GitLab validation walks produce, computed once per pipeline and shared by
//! the rules of this folder (each reports one [`Class`]).

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use crate::load::{Node, Span};
use crate::model::Pipeline;
use crate::report::diagnostic::Diagnostic;
use crate::rules::RuleMeta;

/// Which rule reports a finding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    UnknownKey,
    Invalid,
    MissingScript,
    NoVisibleJob,
    UndefinedStage,
    Needs,
    Dependencies,
    NeedsCycle,
    OnStop,
    Deprecated,
    InputSpec,
}

#[derive(Clone, Debug)]
pub struct Finding {
    pub class: Class,
    pub span: Span,
    pub message: String,
    pub help: Option<String>,
    pub job: Option<String>,
    pub related: Vec<(Span, String)>,
}

impl Finding {
    pub fn new(class: Class, span: Span, message: impl Into<String>) -> Self {
        Finding {
            class,
            span,
            message: message.into(),
            help: None,
            job: None,
            related: Vec::new(),
        }
    }
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
    pub fn job(mut self, job: &str) -> Self {
        self.job = Some(job.to_string());
        self
    }
    pub fn related(mut self, span: Span, label: impl Into<String>) -> Self {
        self.related.push((span, label.into()));
        self
    }
}

/// Rails' `String#humanize` as ActiveModel uses it for attribute names.
pub fn humanize(attr: &str) -> String {
    let s = attr.replace('.', "_");
    let s = s.trim_start_matches('_');
    let s = s.strip_suffix("_id").unwrap_or(s);
    s.replace('_', " ")
}

type Cached = (Weak<Node>, Rc<Vec<Finding>>);

thread_local! {
    // Holding a `Weak` keeps the root's allocation alive, so its address cannot be
    // reused by another pipeline while the entry is cached.
    static CACHE: RefCell<Option<Cached>> = const { RefCell::new(None) };
}

/// Every finding of the GitLab validation for `pipeline`, computed once.
pub fn all(pipeline: &Pipeline) -> Rc<Vec<Finding>> {
    let Some(root) = pipeline.root.as_ref() else {
        return Rc::new(Vec::new());
    };
    let key = Rc::downgrade(root);
    if let Some(hit) = CACHE.with(|c| {
        c.borrow()
            .as_ref()
            .filter(|(w, _)| Weak::ptr_eq(w, &key))
            .map(|(_, f)| f.clone())
    }) {
        return hit;
    }
    let mut out = super::entries::check(pipeline);
    out.extend(super::logic::check(pipeline));
    out.extend(super::spec::check(pipeline));
    let out = Rc::new(out);
    CACHE.with(|c| *c.borrow_mut() = Some((key, out.clone())));
    out
}

/// Push the findings of one class as diagnostics of `meta`.
pub fn report(
    pipeline: &Pipeline,
    class: Class,
    meta: &'static RuleMeta,
    out: &mut Vec<Diagnostic>,
) {
    for f in all(pipeline).iter().filter(|f| f.class == class) {
        let mut d = Diagnostic::new(meta, f.span, f.message.clone())
            .help_opt(f.help.clone())
            .job_opt(f.job.clone());
        for (span, label) in &f.related {
            d = d.related(*span, label.clone());
        }
        out.push(d);
    }
}

/// Declares a rule of this folder: a unit struct reporting one [`Class`].
macro_rules! gitlab_rule {
    ($ty:ident, $class:ident, $code:literal, $name:literal, $sev:ident, $summary:literal) => {
        pub struct $ty;

        pub static META: $crate::rules::RuleMeta = $crate::rules::RuleMeta {
            code: $code,
            name: $name,
            severity: $crate::rules::Severity::$sev,
            summary: $summary,
            doc: include_str!(concat!("../../../rules/", $code, ".md")),
        };

        impl $crate::rules::Rule for $ty {
            fn meta(&self) -> &'static $crate::rules::RuleMeta {
                &META
            }
            fn check_pipeline(
                &self,
                cx: &$crate::rules::Context<'_>,
                out: &mut Vec<$crate::report::diagnostic::Diagnostic>,
            ) {
                super::finding::report(cx.pipeline, super::finding::Class::$class, &META, out);
            }
        }
    };
}
pub(crate) use gitlab_rule;
