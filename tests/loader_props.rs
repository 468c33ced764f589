//! Property tests: arbitrary YAML-ish input never panics the loader or the model, and
//! every span lies inside its file on character boundaries.

use kaslint::load::{self, yaml, Sources};
use kaslint::model::{BuildOptions, Pipeline, Role};
use proptest::prelude::*;

fn yamlish() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        Just("a".to_string()),
        Just("job".to_string()),
        Just("script".to_string()),
        Just("extends".to_string()),
        Just("include".to_string()),
        Just(": ".to_string()),
        Just(":".to_string()),
        Just("- ".to_string()),
        Just("\n".to_string()),
        Just("\n  ".to_string()),
        Just("\n    ".to_string()),
        Just("&x ".to_string()),
        Just("*x".to_string()),
        Just("<<: ".to_string()),
        Just("!reference ".to_string()),
        Just("[".to_string()),
        Just("]".to_string()),
        Just("{".to_string()),
        Just("}".to_string()),
        Just(", ".to_string()),
        Just("\"q\\té\"".to_string()),
        Just("'s'".to_string()),
        Just("|\n  ".to_string()),
        Just(">-\n  ".to_string()),
        Just("# c".to_string()),
        Just("---\n".to_string()),
        Just("é".to_string()),
        Just("\t".to_string()),
        "[a-z0-9$]{1,4}",
    ];
    proptest::collection::vec(token, 0..60).prop_map(|v| v.concat())
}

fn check_spans(node: &yaml::Node, len: usize, text: &str) {
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        assert!(
            n.span.start <= n.span.end && (n.span.end as usize) <= len,
            "span {:?} outside {len}",
            n.span
        );
        assert!(
            text.is_char_boundary(n.span.start as usize)
                && text.is_char_boundary(n.span.end as usize)
        );
        match &n.value {
            yaml::Value::Seq(items) => stack.extend(items.iter().map(|i| &**i)),
            yaml::Value::Map(m) => {
                for (_, e) in m.iter() {
                    assert!((e.key_span.end as usize) <= len);
                    stack.push(&e.value);
                }
            }
            _ => {}
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, .. ProptestConfig::default() })]

    #[test]
    fn loader_never_panics_and_spans_fit(src in yamlish()) {
        match yaml::parse(0, &src) {
            Ok(loaded) => {
                for doc in &loaded.documents {
                    check_spans(doc, src.len(), &src);
                }
                for c in &loaded.comments {
                    prop_assert!((c.span.end as usize) <= src.len());
                }
            }
            Err(e) => prop_assert!((e.span.end as usize) <= src.len()),
        }
    }

    #[test]
    fn model_never_panics(src in yamlish()) {
        let mut sources = Sources::default();
        let (id, problem) = load::decode(&mut sources, "t.yml".into(), None, src.clone().into_bytes());
        let opts = BuildOptions { root: None, root_certain: false, display_root: String::new(), role: Role::Entry };
        let pipeline = Pipeline::build(sources, id, problem, &opts);
        for p in &pipeline.problems {
            let len = pipeline.sources.get(p.span.file).text.len();
            prop_assert!((p.span.end as usize) <= len);
        }
        let _ = kaslint::rules::check(&pipeline, &kaslint::settings::Settings::default().rule_run());
    }
}
