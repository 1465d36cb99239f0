//! Every line of `glob_vectors.tsv` (a copy of the reference table answered
//! by ocamlbuild 0.14.1's own `Glob` and `Resource` modules) as a check.

use crate::support::ocaml_string;
use tags::{PathScheme, Pattern};

const TABLE: &str = include_str!("glob_vectors.tsv");

fn rows(kind: &str) -> Vec<(usize, Vec<&str>)> {
    TABLE
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.starts_with('#') && !l.is_empty())
        .map(|(i, l)| (i + 1, l.split('\t').collect::<Vec<_>>()))
        .filter(|(_, f)| f[0] == kind)
        .collect()
}

fn report(kind: &str, total: usize, failures: &[String]) {
    println!(
        "glob vectors [{kind}]: {} of {total} pass",
        total - failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} {kind} vectors fail:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn the_table_has_the_expected_number_of_vectors() {
    let counts: Vec<usize> = ["parse", "eval", "evaldir", "scheme"]
        .iter()
        .map(|k| rows(k).len())
        .collect();
    println!(
        "glob vectors: parse {}, eval {}, evaldir {}, scheme {}",
        counts[0], counts[1], counts[2], counts[3]
    );
    assert_eq!(counts, [36, 168, 17, 30]);
    let all = TABLE
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .count();
    assert_eq!(all, counts.iter().sum::<usize>());
}

#[test]
fn parse_vectors_agree_on_validity() {
    let rows = rows("parse");
    let mut failures = Vec::new();
    for (line, f) in &rows {
        let valid = f[1] == "valid";
        let got = Pattern::parse(f[2]);
        if got.is_ok() != valid {
            failures.push(format!(
                "line {line}: {} expected {} got {got:?}",
                f[2], f[1]
            ));
        }
    }
    report("parse", rows.len(), &failures);
}

#[test]
fn eval_vectors_agree_on_matching() {
    let rows = rows("eval");
    let mut failures = Vec::new();
    for (line, f) in &rows {
        let path = ocaml_string(f[3]);
        let expected = f[2] == "match";
        match Pattern::parse(f[1]) {
            Ok(p) if p.matches_bytes(&path) == expected => {}
            Ok(_) => failures.push(format!("line {line}: {} on {} should {}", f[1], f[3], f[2])),
            Err(e) => failures.push(format!("line {line}: {} does not parse: {e}", f[1])),
        }
    }
    report("eval", rows.len(), &failures);
}

#[test]
fn evaldir_vectors_agree_on_scoped_matching() {
    let rows = rows("evaldir");
    let mut failures = Vec::new();
    for (line, f) in &rows {
        let dir = f[1].strip_prefix("dir=").unwrap_or(f[1]);
        let path = ocaml_string(f[4]);
        let expected = f[3] == "match";
        match Pattern::parse_in_dir(f[2], dir) {
            Ok(p) if p.matches_bytes(&path) == expected => {}
            Ok(_) => failures.push(format!(
                "line {line}: {} in {dir} on {} should {}",
                f[2], f[4], f[3]
            )),
            Err(e) => failures.push(format!("line {line}: {} does not parse: {e}", f[2])),
        }
    }
    report("evaldir", rows.len(), &failures);
}

#[test]
fn scheme_vectors_agree_on_matching_and_bindings() {
    let rows = rows("scheme");
    let mut failures = Vec::new();
    for (line, f) in &rows {
        let target = String::from_utf8(ocaml_string(f[3])).unwrap();
        let scheme = match PathScheme::parse(f[1]) {
            Ok(s) => s,
            Err(e) => {
                failures.push(format!("line {line}: {} does not parse: {e}", f[1]));
                continue;
            }
        };
        let got = scheme.matches(&target);
        match (f[2], got) {
            ("match", Some(b)) if b.to_string() == f[4] => {}
            ("nomatch", None) => {}
            (_, got) => failures.push(format!(
                "line {line}: {} on {target}: expected {} {:?}, got {:?}",
                f[1],
                f[2],
                f.get(4),
                got.map(|b| b.to_string())
            )),
        }
    }
    report("scheme", rows.len(), &failures);
}
