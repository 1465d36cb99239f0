//! `scan` agrees with `ocamldep -modules` on every `.ml` and `.mli` file of
//! the OCaml compiler's sources.

use crate::corpus::{compiler_sources, ocaml_files};
use crate::oracle::{Verdict, ocamldep};
use depscan::{SourceKind, scan};
use std::fs;

#[test]
fn agrees_with_ocamldep_on_the_compiler_sources() {
    let root = compiler_sources();
    let files = ocaml_files(&root);
    assert!(
        files.len() > 1000,
        "only {} files under {}",
        files.len(),
        root.display()
    );
    let verdicts = ocamldep(&root, &files);

    let mut agreed = 0;
    let mut excluded = Vec::new();
    let mut disagreements = Vec::new();
    for file in &files {
        let source = fs::read(root.join(file)).expect("cannot read a source file");
        let kind = SourceKind::from_path(file).expect("not an OCaml file");
        let ours = scan(&source, kind);
        match (&verdicts[file], ours) {
            (Verdict::Modules(theirs), Ok(ours)) if *theirs == ours => agreed += 1,
            (Verdict::Rejected, Err(_)) => agreed += 1,
            (Verdict::Rejected, Ok(_)) => excluded.push(format!(
                "{}: ocamldep rejects it, scan accepts it",
                file.display()
            )),
            (Verdict::Modules(theirs), Ok(ours)) => disagreements.push(format!(
                "{}: ocamldep {:?}, scan {:?}; missing {:?}, extra {:?}",
                file.display(),
                theirs,
                ours,
                theirs.difference(&ours).collect::<Vec<_>>(),
                ours.difference(theirs).collect::<Vec<_>>(),
            )),
            (Verdict::Modules(_), Err(err)) => {
                disagreements.push(format!("{}: scan fails: {err}", file.display()))
            }
        }
    }

    for line in &excluded {
        println!("excluded: {line}");
    }
    for line in &disagreements {
        println!("DISAGREE: {line}");
    }
    println!(
        "summary: {} files compared, {} agreed, {} disagreed, {} excluded",
        files.len() - excluded.len(),
        agreed,
        disagreements.len(),
        excluded.len()
    );
    assert!(
        disagreements.is_empty(),
        "{} disagreements",
        disagreements.len()
    );
    assert!(
        excluded.len() * 100 < files.len(),
        "too many excluded files: {}",
        excluded.len()
    );
}
