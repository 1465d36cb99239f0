//! META files: `findlib::meta::MetaFile::parse` never panics; a file it
//! accepts can be written back and read again to the same packages and
//! definitions, its variables evaluate under any predicates, and its
//! locations are inside the text.
//!
//! Shared by the fuzz target `fuzz/fuzz_targets/meta.rs` and the test that
//! replays `fuzz/regressions/meta/` in the owning crate.

use std::path::Path;

use findlib::meta::{FormalPredicate, MetaFile, Operator};
use findlib::{Error, Predicates};

/// A META string constant: only `\\` and `\"` are escapes.
fn quote(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
}

/// Writes block `index` of `meta` and, nested in it, its sub-packages.
fn print_block(meta: &MetaFile, index: usize, out: &mut String) {
    let Some(block) = meta.packages.get(index) else {
        return;
    };
    for d in &block.definitions {
        out.push_str(&d.variable);
        if !d.predicates.is_empty() {
            out.push('(');
            for (i, p) in d.predicates.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                if let FormalPredicate::Negative(_) = p {
                    out.push('-');
                }
                out.push_str(p.name());
            }
            out.push(')');
        }
        out.push_str(match d.operator {
            Operator::Set => " = ",
            Operator::Append => " += ",
        });
        quote(out, &d.value);
        out.push('\n');
    }
    for child in meta.children(index) {
        out.push_str("package ");
        quote(out, &meta.packages[child].name);
        out.push_str(" (\n");
        print_block(meta, child, out);
        out.push_str(")\n");
    }
}

/// The packages and definitions, without the places they were written.
type Shape = Vec<(
    String,
    Option<usize>,
    Vec<(String, Operator, Vec<FormalPredicate>, String)>,
)>;

fn shape(meta: &MetaFile) -> Shape {
    meta.packages
        .iter()
        .map(|p| {
            let defs = p
                .definitions
                .iter()
                .map(|d| {
                    (
                        d.variable.clone(),
                        d.operator,
                        d.predicates.clone(),
                        d.value.clone(),
                    )
                })
                .collect();
            (p.name.clone(), p.parent, defs)
        })
        .collect()
}

/// Runs `data` through the parser and checks the invariants above; panics
/// when one does not hold.
pub fn check(data: &[u8]) {
    let file = Path::new("/fuzz/META");
    let meta = match MetaFile::parse(file, data) {
        Ok(meta) => meta,
        Err(e) => {
            let text = e.to_string();
            assert!(!text.is_empty());
            if let Error::Syntax { location, .. } = &e {
                let lines = data.iter().filter(|&&b| b == b'\n').count() + 1;
                assert!(location.line >= 1 && location.line <= lines, "{text}");
                assert!(location.start <= location.end, "{text}");
            }
            return;
        }
    };

    let mut printed = String::new();
    print_block(&meta, 0, &mut printed);
    match MetaFile::parse(file, printed.as_bytes()) {
        Ok(again) => assert_eq!(shape(&meta), shape(&again), "printed:\n{printed}"),
        Err(e) => panic!("printed form rejected: {e}\n{printed}"),
    }

    let predicate_sets = [
        Predicates::from_iter(["byte"]),
        Predicates::from_iter(["native", "mt", "mt_posix"]),
        Predicates::from_iter(["ppx_driver", "toploop", "create_toploop"]),
    ];
    for (index, block) in meta.packages.iter().enumerate() {
        let _ = meta.full_local_name(index);
        let mentioned: Vec<&str> = block
            .definitions
            .iter()
            .flat_map(|d| d.predicates.iter().map(|p| p.name()))
            .collect();
        let mut sets = predicate_sets.to_vec();
        sets.push(Predicates::from_iter(mentioned.iter().copied()));
        for d in &block.definitions {
            let loc = d.location(file);
            assert!(loc.line >= 1 && loc.start <= loc.end, "{loc}");
            for word in d.value.split([' ', ',']).filter(|w| !w.is_empty()) {
                let at = d.word_location(file, word);
                assert!(at.start <= at.end, "{at}");
            }
            for actual in &sets {
                let has_base = block.definitions.iter().any(|e| {
                    e.variable == d.variable && e.operator == Operator::Set && e.applies(actual)
                });
                let evaluated = block.evaluate(&d.variable, actual);
                assert_eq!(evaluated.is_some(), has_base, "{}", d.variable);
                if let Some(ev) = evaluated {
                    // The base value, then each applicable addition.
                    assert!(ev.definitions.iter().all(|e| e.applies(actual)));
                    let mut expected = String::new();
                    for (i, e) in ev.definitions.iter().enumerate() {
                        assert_eq!(e.operator == Operator::Set, i == 0);
                        if i > 0 {
                            expected.push(' ');
                        }
                        expected.push_str(&e.value);
                    }
                    assert_eq!(ev.value, expected);
                }
            }
            let _ = block.mentions_predicate(d.variable.as_str());
        }
    }
}
