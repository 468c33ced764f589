//! How generated files are put together: data is serialized by serde-saphyr (so a value
//! with `:`, `#`, quotes or `on` can never break the YAML), and comments are reviewed text
//! placed between serialized blocks, or inline after a scalar with `Commented`.

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_saphyr::{Commented, FlowSeq, LitString};

/// A generated file being assembled.
#[derive(Default)]
pub struct Doc {
    out: String,
}

impl Doc {
    /// Comment lines (`# ...`), one per line of `text`.
    pub fn comment(&mut self, text: &str) -> &mut Self {
        for line in text.lines() {
            let line = line.trim_end();
            if line.is_empty() {
                self.out.push_str("#\n");
            } else {
                self.out.push_str("# ");
                self.out.push_str(line);
                self.out.push('\n');
            }
        }
        self
    }

    pub fn blank(&mut self) -> &mut Self {
        self.out.push('\n');
        self
    }

    /// One top-level `key: value` block.
    pub fn entry<T: Serialize>(&mut self, key: &str, value: &T) -> Result<&mut Self, String> {
        self.out.push_str(&to_yaml(&One(key, value))?);
        Ok(self)
    }

    /// A whole document (a Kubernetes object).
    pub fn document<T: Serialize>(&mut self, value: &T) -> Result<&mut Self, String> {
        self.out.push_str(&to_yaml(value)?);
        Ok(self)
    }

    /// The `---` line between two YAML documents.
    pub fn separator(&mut self) -> &mut Self {
        self.out.push_str("---\n");
        self
    }

    pub fn finish(self) -> String {
        self.out
    }
}

/// Serialize with GitLab's documentation style (`  - item` under a key) and YAML 1.1
/// quoting (GitLab reads YAML with Ruby's Psych: `on`, `yes`, `0777` must be quoted).
/// Long strings stay on one line: a script line is easier to read unfolded.
pub fn to_yaml<T: Serialize>(value: &T) -> Result<String, String> {
    let options = serde_saphyr::ser_options! {
        compact_list_indent: false,
        prefer_block_scalars: false,
    };
    serde_saphyr::to_string_with_options(value, options)
        .map_err(|e| format!("cannot serialize the output: {e}"))
}

/// A one-entry mapping.
struct One<'a, T>(&'a str, &'a T);

impl<T: Serialize> Serialize for One<'_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(1))?;
        m.serialize_entry(self.0, self.1)?;
        m.end()
    }
}

/// A scalar with an optional inline comment (`value # why`).
#[derive(Clone, Debug)]
pub struct Note<T> {
    pub value: T,
    pub note: Option<&'static str>,
}

impl<T> Note<T> {
    pub fn new(value: T) -> Self {
        Note { value, note: None }
    }
    pub fn with(value: T, note: &'static str) -> Self {
        Note {
            value,
            note: Some(note),
        }
    }
}

impl<T: Serialize + Clone> Serialize for Note<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.note {
            Some(n) => Commented(self.value.clone(), n.to_string()).serialize(s),
            None => self.value.serialize(s),
        }
    }
}

/// One script line: a command, a command with a comment, or a multi-line command
/// (`|` block, lines joined with `\`).
#[derive(Clone, Debug)]
pub enum Line {
    Cmd(Note<String>),
    Block(String),
}

impl Line {
    pub fn cmd(text: impl Into<String>) -> Line {
        Line::Cmd(Note::new(text.into()))
    }
    pub fn noted(text: impl Into<String>, note: &'static str) -> Line {
        Line::Cmd(Note::with(text.into(), note))
    }
    /// The command's text.
    pub fn text(&self) -> &str {
        match self {
            Line::Cmd(n) => &n.value,
            Line::Block(t) => t,
        }
    }
    /// A long command split over several lines with `\`.
    pub fn block(parts: &[&str]) -> Line {
        Line::Block(parts.join(" \\\n  "))
    }
}

impl Serialize for Line {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Line::Cmd(n) => n.serialize(s),
            Line::Block(text) => LitString(text.clone()).serialize(s),
        }
    }
}

/// A CI/CD variable's value.
#[derive(Clone, Debug)]
pub enum Var {
    /// GitLab expands `$OTHER` references in it.
    Expand(Note<String>),
    /// Taken literally (`expand: false`): free text where `$` is just a character.
    Raw(String),
}

impl Serialize for Var {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Var::Expand(n) => n.serialize(s),
            Var::Raw(v) => {
                let mut m = s.serialize_map(Some(2))?;
                m.serialize_entry("value", v)?;
                m.serialize_entry("expand", &false)?;
                m.end()
            }
        }
    }
}

/// `variables:` in key order.
#[derive(Clone, Debug, Default)]
pub struct Vars(pub Vec<(String, Var)>);

impl Vars {
    pub fn set(&mut self, name: &str, value: impl Into<String>) -> &mut Self {
        self.0
            .push((name.to_string(), Var::Expand(Note::new(value.into()))));
        self
    }
    pub fn noted(&mut self, name: &str, value: impl Into<String>, note: &'static str) -> &mut Self {
        self.0.push((
            name.to_string(),
            Var::Expand(Note::with(value.into(), note)),
        ));
        self
    }
    pub fn raw(&mut self, name: &str, value: impl Into<String>) -> &mut Self {
        self.0.push((name.to_string(), Var::Raw(value.into())));
        self
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Serialize for Vars {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

/// A job's `image`: a name, or `{name, entrypoint: [""]}`.
#[derive(Clone, Debug)]
pub struct Image {
    pub name: String,
    pub clear_entrypoint: bool,
}

impl Serialize for Image {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if !self.clear_entrypoint {
            return self.name.serialize(s);
        }
        let mut m = s.serialize_map(Some(2))?;
        m.serialize_entry("name", &self.name)?;
        m.serialize_entry(
            "entrypoint",
            &Commented(
                FlowSeq(vec![String::new()]),
                "the image's ENTRYPOINT is a program: clear it so the runner can start a shell"
                    .into(),
            ),
        )?;
        m.end()
    }
}

/// One `rules:` item.
#[derive(Clone, Debug, serde::Serialize)]
pub struct RuleItem {
    #[serde(rename = "if")]
    pub if_: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub when: Option<&'static str>,
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct Dashboard {
    pub namespace: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flux_resource_path: Option<String>,
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct Kubernetes {
    pub agent: String,
    pub dashboard: Dashboard,
}

#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Environment {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub on_stop: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auto_stop_in: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deployment_tier: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kubernetes: Option<Kubernetes>,
}

/// A CI job, keys in the order GitLab's documentation writes them.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Job {
    pub stage: String,
    pub image: Image,
    #[serde(skip_serializing_if = "Vars::is_empty")]
    pub variables: Vars,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub before_script: Vec<Line>,
    pub script: Vec<Line>,
    pub environment: Environment,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_group: Option<Note<String>>,
    pub rules: Vec<RuleItem>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allow_failure: Option<Note<bool>>,
}
