//! Root `_tags` files built from near-valid random lines (odd blanks,
//! escaped newlines, every newline kind, signs, parameters, quotes, bad
//! patterns), compared with ocamlbuild 0.14.1 (`tags_file_vectors.txt`,
//! made by `tools/generate_vectors.py errors`): the same error message and
//! location when it fails, the same tags for `a.ml` when it succeeds.

use crate::support::{cases, project_configuration};

const TABLE: &[u8] = include_bytes!("tags_file_vectors.txt");

#[test]
fn tags_files_give_the_same_error_or_the_same_tags_as_ocamlbuild() {
    let all = cases(TABLE);
    let mut failures = Vec::new();
    let (mut errors, mut successes) = (0, 0);
    for case in &all {
        let got = match project_configuration(&case.tags) {
            Ok(c) => {
                successes += 1;
                (0, c.tags_of(&case.path).show_tags_form(&case.path))
            }
            Err(e) => {
                errors += 1;
                (e.exit_code(), format!("{e}\n"))
            }
        };
        let got_bytes = got.1.as_bytes();
        if got.0 != case.exit || got_bytes != case.stdout.as_slice() {
            failures.push(format!(
                "case {} {:?}:\n--- expected (exit {})\n{}--- got (exit {})\n{}",
                case.index,
                String::from_utf8_lossy(&case.tags),
                case.exit,
                String::from_utf8_lossy(&case.stdout),
                got.0,
                got.1
            ));
        }
    }
    println!(
        "_tags vectors: {} of {} pass ({errors} errors, {successes} successes)",
        all.len() - failures.len(),
        all.len()
    );
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
