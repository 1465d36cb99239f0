//! Random META text: the parser never panics, its error locations are
//! sane, and (when ocamlfind is installed) it accepts exactly what
//! ocamlfind accepts and evaluates variables to the same values.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use findlib::meta::MetaFile;
use findlib::{Config, Error, Findlib, Predicates};
use proptest::prelude::*;

/// One entry of a generated META file.
#[derive(Debug, Clone)]
enum Item {
    Def {
        var: &'static str,
        preds: Vec<(bool, &'static str)>,
        append: bool,
        value: String,
    },
    Sub(&'static str, Vec<Item>),
    Comment(String),
}

fn value() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just("x".to_string()),
            Just("y z".to_string()),
            Just(" ".to_string()),
            Just("\\\"".to_string()),
            Just("\\\\".to_string()),
            Just("\n".to_string()),
            Just(",".to_string()),
            Just("#".to_string()),
        ],
        0..4,
    )
    .prop_map(|parts| parts.concat())
}

fn def() -> impl Strategy<Value = Item> {
    (
        prop_oneof![Just("a"), Just("b"), Just("c")],
        proptest::collection::vec(
            (any::<bool>(), prop_oneof![Just("p"), Just("q"), Just("r")]),
            0..3,
        ),
        any::<bool>(),
        value(),
    )
        .prop_map(|(var, preds, append, value)| Item::Def {
            var,
            preds,
            append,
            value,
        })
}

fn items() -> impl Strategy<Value = Vec<Item>> {
    let leaf = prop_oneof![
        4 => def(),
        1 => "[a-z \"()=]{0,10}".prop_map(Item::Comment),
    ];
    let item = leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            3 => def(),
            1 => (prop_oneof![Just("s"), Just("t")], proptest::collection::vec(inner, 0..5))
                .prop_map(|(n, body)| Item::Sub(n, body)),
        ]
    });
    proptest::collection::vec(item, 0..10)
}

fn render(items: &[Item], out: &mut String, sep: &str) {
    for item in items {
        match item {
            Item::Def {
                var,
                preds,
                append,
                value,
            } => {
                out.push_str(var);
                if !preds.is_empty() {
                    let list: Vec<String> = preds
                        .iter()
                        .map(|(neg, p)| if *neg { format!("-{p}") } else { p.to_string() })
                        .collect();
                    let _ = write!(out, "({})", list.join(","));
                }
                let _ = writeln!(
                    out,
                    "{sep}{}{sep}\"{value}\"",
                    if *append { "+=" } else { "=" }
                );
            }
            Item::Sub(name, body) => {
                let _ = writeln!(out, "package \"{name}\"{sep}(");
                render(body, out, sep);
                out.push_str(")\n");
            }
            Item::Comment(text) => {
                let _ = writeln!(out, "# {text}");
            }
        }
    }
}

fn meta_text() -> impl Strategy<Value = String> {
    prop_oneof![
        // Structured, mostly valid files.
        (items(), prop_oneof![Just(" "), Just(""), Just("\t")]).prop_map(|(items, sep)| {
            let mut s = String::new();
            render(&items, &mut s, sep);
            s
        }),
        // Token soup.
        "([a-c]|package|\"[a-z ]{0,3}\"|[()=,\\-]|\\+=|\\+|#[a-z]*\n|\n| |\\\\){0,30}",
    ]
}

fn check_error_location(text: &str, e: &Error) {
    if let Error::Syntax { location, .. } = e {
        let lines = text.split('\n').count();
        assert!(
            location.line >= 1 && location.line <= lines,
            "{e} in {text:?}"
        );
        assert!(location.start <= location.end, "{e}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn parser_never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let text = String::from_utf8_lossy(&bytes).into_owned();
        if let Err(e) = MetaFile::parse("/fuzz/META", &bytes) {
            check_error_location(&text, &e);
        }
    }

    #[test]
    fn parser_never_panics_on_meta_like_text(text in meta_text()) {
        match MetaFile::parse("/fuzz/META", text.as_bytes()) {
            Ok(m) => prop_assert!(!m.packages.is_empty()),
            Err(e) => check_error_location(&text, &e),
        }
    }
}

/// What ocamlfind says about package `fuzz` (and `fuzz.s`, `fuzz.s.t`)
/// defined by META text in `dir`.
fn ocamlfind_eval(dir: &Path, packages: &[&str], preds: &str) -> Result<Vec<String>, String> {
    let out = Command::new("ocamlfind")
        .args([
            "query",
            "-predicates",
            preds,
            "-format",
            "%p=%(a)|%(b)|%(c)",
        ])
        .args(packages)
        .env("OCAMLPATH", dir)
        .output()
        .map_err(|e| e.to_string())?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::to_string)
            .collect())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

fn crate_eval(dir: &Path, packages: &[&str], preds: &str) -> Result<Vec<String>, String> {
    let f = Findlib::new(Config::from_parts(
        &[&dir.to_string_lossy()],
        "/usr/lib/ocaml",
    ));
    let preds: Predicates = findlib::split::words(preds).into_iter().collect();
    let answers = f
        .query_format(packages, &preds, "%p=%(a)|%(b)|%(c)")
        .map_err(|e| e.to_string())?;
    // ocamlfind prints the answers separated and ended by newlines; values
    // with line breaks are split the same way.
    let printed = answers.join("\n") + "\n";
    Ok(printed.lines().map(str::to_string).collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn parser_and_evaluation_agree_with_ocamlfind(
        text in meta_text(),
        preds in proptest::sample::subsequence(vec!["p", "q", "r"], 0..=3),
    ) {
        if !crate::oracle::available() {
            return Ok(());
        }
        let t = tempfile::tempdir().expect("temporary directory");
        std::fs::create_dir(t.path().join("fuzz")).expect("package directory");
        std::fs::write(t.path().join("fuzz/META"), &text).expect("META");
        let parsed = MetaFile::parse("/fuzz/META", text.as_bytes());
        // Query the sub-packages that the file defines (when it parses).
        let mut packages = vec!["fuzz".to_string()];
        if let Ok(m) = &parsed {
            for i in 1..m.packages.len() {
                packages.push(format!("fuzz.{}", m.full_local_name(i)));
            }
            packages.dedup();
        }
        let packages: Vec<&str> = packages.iter().map(String::as_str).collect();
        let preds = preds.join(",");
        let theirs = ocamlfind_eval(t.path(), &packages, &preds);
        let ours = crate_eval(t.path(), &packages, &preds);
        match (&theirs, &ours) {
            (Ok(a), Ok(b)) => prop_assert_eq!(a, b, "META:\n{}", text),
            (Err(_), Err(_)) => {}
            _ => prop_assert!(false, "acceptance differs on META:\n{}\nocamlfind: {:?}\ncrate: {:?}", text, theirs, ours),
        }
    }
}
