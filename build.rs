//! Registers each rule family's rules, so that adding a rule is adding its file.
//!
//! Every file in `src/rules/<family>/` that declares a rule (`declare_rule!(Type, "KASnnn",
//! ...)`) becomes a module of that family and a line of its `RULES` list, in code order:
//! `$OUT_DIR/rules/<family>.rs`, included by the family's `mod.rs`. A family's other files
//! (shared helpers such as `on_stop.rs`) are declared by hand in its `mod.rs`.

use std::fmt::Write as _;
use std::path::Path;
use std::{env, fs};

/// The families whose rules live one a file.
const FAMILIES: &[&str] = &["deploy", "security"];

fn main() {
    link_without_pie();
    let root = env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let out = env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    let out = Path::new(&out).join("rules");
    fs::create_dir_all(&out).unwrap_or_else(|e| panic!("{}: {e}", out.display()));
    for family in FAMILIES {
        let dir = Path::new(&root).join("src/rules").join(family);
        // A directory here makes cargo re-run the script when any file below it changes.
        println!("cargo:rerun-if-changed={}", dir.display());
        let text = family_list(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        let path = out.join(format!("{family}.rs"));
        // Unchanged text is not written again, so the crate is not rebuilt for nothing.
        if fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            fs::write(&path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        }
    }
}

/// One rule file: its module, the type `declare_rule!` declares and the rule's code.
struct Declared {
    code: String,
    module: String,
    ty: String,
    path: String,
}

/// The Rust text that declares the family's rule modules and lists them as `RULES`.
fn family_list(dir: &Path) -> Result<String, String> {
    let mut rules = Vec::new();
    for entry in fs::read_dir(dir).map_err(|e| e.to_string())? {
        let path = entry.map_err(|e| e.to_string())?.path();
        let Some(module) = path.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        if path.extension().is_none_or(|e| e != "rs") || module == "mod" {
            continue;
        }
        let text = fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let Some((ty, code)) = declaration(&text) else {
            continue;
        };
        let path = path.to_str().ok_or("a path that is not UTF-8")?.to_string();
        rules.push(Declared {
            code,
            module: module.to_string(),
            ty,
            path,
        });
    }
    rules.sort_by(|a, b| a.code.cmp(&b.code));
    if let Some(w) = rules.windows(2).find(|w| w[0].code == w[1].code) {
        return Err(format!(
            "{} and {} both declare {}",
            w[0].module, w[1].module, w[0].code
        ));
    }
    let mut text =
        String::from("// Written by build.rs: the rule files of this family, in code order.\n");
    for r in &rules {
        let _ = writeln!(text, "#[path = {:?}]\npub mod {};", r.path, r.module);
    }
    text.push_str("\n/// This family's rules, in code order.\npub const RULES: &[&dyn crate::rules::Rule] = &[\n");
    for r in &rules {
        let _ = writeln!(text, "    &{}::{},", r.module, r.ty);
    }
    text.push_str("];\n");
    Ok(text)
}

/// The type and code of the file's `declare_rule!(Type, "KASnnn", ...)`, if it declares a
/// rule.
fn declaration(text: &str) -> Option<(String, String)> {
    let at = text.find("declare_rule!(")? + "declare_rule!(".len();
    let mut args = text[at..].splitn(3, ',');
    let ty = args.next()?.trim();
    let code = args.next()?.trim().strip_prefix('"')?.strip_suffix('"')?;
    let ident = !ty.is_empty() && ty.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    let code_ok = code.len() == 6 && code.starts_with("KAS");
    (ident && code_ok).then(|| (ty.to_string(), code.to_string()))
}

/// On Linux the `kaslint` executable is linked at a fixed address (`-no-pie`): a PIE
/// binary makes the dynamic loader apply ~13,500 relative relocations (every `&str` and
/// vtable in a static table) at each start, faulting in the pages they land on, which cost
/// a third of a bare start (`LD_DEBUG=statistics`). Libraries and tests are unchanged.
fn link_without_pie() {
    if env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}
