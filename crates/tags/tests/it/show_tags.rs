//! `-show-tags` output, compared with what ocamlbuild 0.14.1 printed for
//! random tag sets and paths (`show_tags_vectors.txt`, made by
//! `tools/generate_vectors.py show-tags`): long tags, long and deep paths,
//! applied tags with blanks and commas in their parameters.

use crate::support::{cases, project_configuration};

const TABLE: &[u8] = include_bytes!("show_tags_vectors.txt");

#[test]
fn show_tags_output_matches_ocamlbuild_on_every_generated_case() {
    let all = cases(TABLE);
    let mut failures = Vec::new();
    for case in &all {
        assert_eq!(case.exit, 0, "case {}", case.index);
        let config = match project_configuration(&case.tags) {
            Ok(c) => c,
            Err(e) => {
                failures.push(format!("case {}: {e}", case.index));
                continue;
            }
        };
        let got = config.tags_of(&case.path).show_tags_form(&case.path);
        if got.as_bytes() != case.stdout.as_slice() {
            failures.push(format!(
                "case {} ({}):\n--- expected\n{}--- got\n{}",
                case.index,
                case.path,
                String::from_utf8_lossy(&case.stdout),
                got
            ));
        }
    }
    println!(
        "show-tags vectors: {} of {} pass",
        all.len() - failures.len(),
        all.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(all.len(), 250);
}
