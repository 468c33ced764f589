//! `kaslint config`: the merged configuration as YAML, deterministic, in GitLab's key order.

use serde::ser::{Serialize, Serializer};
use serde_saphyr::{FlowSeq, LitStr, Tagged};

use crate::load::{Node, Value};

struct Ser<'a>(&'a Node);

impl Serialize for Ser<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match &self.0.value {
            Value::Null => s.serialize_unit(),
            Value::Bool(b) => s.serialize_bool(*b),
            Value::Int(i) => s.serialize_i64(*i),
            Value::Float(f) => s.serialize_f64(*f),
            Value::Str(text)
                if text.contains('\n') && !text.contains('\r') && text.trim_start() == &**text =>
            {
                LitStr(text).serialize(s)
            }
            Value::Str(text) => s.serialize_str(text),
            Value::Seq(items) if self.0.is_reference() => {
                let items: Vec<Ser<'_>> = items.iter().map(|i| Ser(i)).collect();
                Tagged(FlowSeq(items), Some("!reference".to_string())).serialize(s)
            }
            Value::Seq(items) => s.collect_seq(items.iter().map(|i| Ser(i))),
            Value::Map(m) => s.collect_map(m.iter().map(|(k, e)| (k.as_str(), Ser(&e.value)))),
        }
    }
}

pub fn render(header: Option<&Node>, root: &Node) -> Result<String, String> {
    let options = serde_saphyr::ser_options! { compact_list_indent: false };
    let body = serde_saphyr::to_string_with_options(&Ser(root), options.clone())
        .map_err(|e| e.to_string())?;
    Ok(match header {
        Some(h) => {
            let head = serde_saphyr::to_string_with_options(&Ser(h), options)
                .map_err(|e| e.to_string())?;
            format!("{head}---\n{body}")
        }
        None => body,
    })
}
