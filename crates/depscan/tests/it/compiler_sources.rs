//! `scan` agrees with `ocamldep -modules` on every `.ml` and `.mli` file of
//! the OCaml compiler's sources.

use crate::compare::compare;
use crate::corpus::{compiler_sources, ocaml_files};

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
    let report = compare(&root, &files);
    report.print("OCaml compiler sources");
    assert!(
        report.disagreements.is_empty(),
        "{} disagreements",
        report.disagreements.len()
    );
    assert!(
        report.excluded.len() * 100 < files.len(),
        "too many excluded files: {}",
        report.excluded.len()
    );
}

/// The same on whatever OCaml libraries are installed with their sources
/// (ignored by default: it depends on the machine).
#[test]
#[ignore]
fn agrees_with_ocamldep_on_installed_libraries() {
    let root = std::path::Path::new("/usr/lib/ocaml");
    let files = ocaml_files(root);
    let report = compare(root, &files);
    report.print("installed libraries");
    assert!(
        report.disagreements.is_empty(),
        "{} disagreements",
        report.disagreements.len()
    );
}

/// The same on the directory named by `DEPSCAN_DIR` (ignored by default:
/// a tool for investigating a tree of sources).
#[test]
#[ignore]
fn agrees_with_ocamldep_on_a_directory() {
    let Some(dir) = std::env::var_os("DEPSCAN_DIR") else {
        println!("set DEPSCAN_DIR to the directory to compare");
        return;
    };
    let root = std::path::PathBuf::from(dir);
    let files = ocaml_files(&root);
    let report = compare(&root, &files);
    report.print(&root.display().to_string());
    assert!(
        report.disagreements.is_empty(),
        "{} disagreements",
        report.disagreements.len()
    );
}
