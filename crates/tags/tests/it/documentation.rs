//! The flag table of `ocamlbuild -documentation` (a copy of the reference
//! output of 0.14.1 in both findlib modes): every entry, re-rendered from its
//! header, tags and flag string, must come out with the same line breaks.
//! This exercises the Format re-implementation on its 628 entries.

use crate::support::ocaml_string;
use tags::{TagSet, documentation_entry};

const OUTPUT: &str = include_str!("documentation_output.txt");

/// The entries of the flag sections, as (text, header, tags, flag string).
fn entries() -> Vec<(String, String, Vec<String>, String)> {
    let flags_part = OUTPUT.split("# ===== rule").next().unwrap_or_default();
    let mut out = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for line in flags_part.lines().chain(std::iter::once("")) {
        if line.starts_with('#') {
            continue;
        }
        if !line.is_empty() {
            current.push(line);
            continue;
        }
        if current.is_empty() {
            continue;
        }
        let text = current.join("\n");
        let flat = current
            .iter()
            .map(|l| l.trim())
            .collect::<Vec<_>>()
            .join(" ");
        current.clear();
        let (header, rest) = flat.split_once(" {. ").unwrap();
        let (tags, literal) = rest.split_once(" .} ").unwrap();
        let flags = String::from_utf8(ocaml_string(literal)).unwrap();
        out.push((
            text,
            header.to_string(),
            tags.split(", ").map(str::to_string).collect(),
            flags,
        ));
    }
    out
}

#[test]
fn every_documentation_entry_is_wrapped_like_ocamlbuild() {
    let all = entries();
    let mut failures = Vec::new();
    for (text, header, tags, flags) in &all {
        let set: TagSet = tags.iter().collect();
        let got = documentation_entry(header, &set, flags);
        if got != format!("{text}\n\n") {
            failures.push(format!("--- expected\n{text}\n--- got\n{got}"));
        }
    }
    println!(
        "documentation entries: {} of {} rendered identically",
        all.len() - failures.len(),
        all.len()
    );
    assert_eq!(all.len(), 628);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_documentation_lists_parametrised_then_deprecated_then_plain_flags_newest_first() {
    let mut d: tags::Declarations = tags::Declarations::new();
    let w = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    d.flag(["ocaml", "compile", "debug"], w(&["-g"]));
    d.deprecated_flag(["ocaml", "compile", "warn_a"], w(&["-w", "a"]));
    d.flag(["ocaml", "link", "debug"], w(&["-g"]));
    d.pflag(["ocaml", "compile"], "warn", |p| {
        vec!["-w".into(), p.into()]
    });
    d.pflag_checked(["ocaml", "compile", "native"], "inline", Some("5"), |p| {
        Ok(vec!["-inline".into(), p.into()])
    });
    let doc = d.documentation(|v| v.join(" "));
    assert_eq!(
        doc,
        "parametrized flag {. inline(5), compile, native, ocaml .} \"-inline 5\"\n\n\
         parametrized flag {. warn(X), compile, ocaml .} \"-w X\"\n\n\
         deprecated flag {. compile, ocaml, warn_a .} \"-w a\"\n\n\
         flag {. debug, link, ocaml .} \"-g\"\n\n\
         flag {. compile, debug, ocaml .} \"-g\"\n\n\n"
    );
}
