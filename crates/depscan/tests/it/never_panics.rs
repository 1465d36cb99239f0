//! `scan` returns (an answer or an error) on any input: random bytes,
//! random sequences of OCaml tokens, and random edits of real sources.

use crate::corpus::{compiler_sources, ocaml_files};
use depscan::{SourceKind, scan};
use proptest::prelude::*;
use proptest::sample::{Index, select};
use std::sync::OnceLock;

/// A sample of the compiler's sources, loaded once.
fn samples() -> &'static [Vec<u8>] {
    static SAMPLES: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    SAMPLES.get_or_init(|| {
        let root = compiler_sources();
        ocaml_files(&root)
            .iter()
            .step_by(7)
            .filter_map(|file| std::fs::read(root.join(file)).ok())
            .filter(|text| text.len() < 40_000)
            .collect()
    })
}

fn kind(interface: bool) -> SourceKind {
    if interface {
        SourceKind::Interface
    } else {
        SourceKind::Implementation
    }
}

const PIECES: &[&str] = &[
    "let",
    "in",
    "module",
    "struct",
    "sig",
    "end",
    "open",
    "include",
    "M.",
    "N",
    "x",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    "[|",
    "|]",
    "{<",
    ">}",
    ";",
    ";;",
    "|",
    "->",
    "=",
    ":",
    ":=",
    "::",
    "fun",
    "function",
    "match",
    "with",
    "type",
    "of",
    "(module",
    "rec",
    "and",
    "begin",
    "[@",
    "[@@",
    "[%",
    "[%%",
    "%",
    "#",
    "'",
    "`",
    "*",
    "~x:",
    "?y",
    ",",
    ".",
    "..",
    ".(",
    ".%[",
    "object",
    "method",
    "val",
    "class",
    "new",
    "lazy",
    "exception",
    "functor",
    "if",
    "then",
    "else",
    "\"s\"",
    "'c'",
    "1",
    "_",
    "as",
    "when",
    "<-",
    "(*",
    "*)",
    "{|",
    "|}",
    "let*",
    "and+",
    "\n",
    " ",
    "#1 \"f\"\n",
    "\\",
    "\"",
    "'\\'",
    "0x1p3",
    "1e",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..600), interface: bool) {
        let _ = scan(&bytes, kind(interface));
    }

    #[test]
    fn random_tokens(pieces in proptest::collection::vec(select(PIECES), 0..200), interface: bool) {
        let text = pieces.join(" ");
        let _ = scan(text.as_bytes(), kind(interface));
    }

    #[test]
    fn edited_sources(
        file: Index,
        edits in proptest::collection::vec((any::<Index>(), 0..4u8, any::<Index>(), select(PIECES)), 1..6),
        interface: bool,
    ) {
        let samples = samples();
        let mut text = samples[file.index(samples.len())].clone();
        for (at, op, other, piece) in edits {
            if text.is_empty() {
                break;
            }
            let at = at.index(text.len());
            match op {
                0 => {
                    let end = (at + 1 + other.index(16)).min(text.len());
                    text.drain(at..end);
                }
                1 => {
                    let from = other.index(text.len());
                    let end = (from + 1 + at % 16).min(text.len());
                    let copy = text[from..end].to_vec();
                    text.splice(at..at, copy);
                }
                2 => text[at] = text[other.index(text.len())],
                _ => {
                    text.splice(at..at, piece.bytes());
                }
            }
        }
        let _ = scan(&text, kind(interface));
    }
}

#[test]
fn deep_nesting_is_an_answer_not_a_crash() {
    for depth in [100, 5_000, 100_000] {
        let parens = format!("let x = {}1{}", "(".repeat(depth), ")".repeat(depth));
        let result = scan(parens.as_bytes(), SourceKind::Implementation);
        assert!(
            depth > 10_000 || result.is_ok(),
            "depth {depth}: {result:?}"
        );
        let lets = format!("let x = {} A.x", "let y = 1 in ".repeat(depth));
        let result = scan(lets.as_bytes(), SourceKind::Implementation);
        assert!(
            depth > 10_000 || result.is_ok(),
            "depth {depth}: {result:?}"
        );
        let modules = format!("{} end", "module M = struct ".repeat(depth))
            .replace(" end", &" end".repeat(depth));
        let _ = scan(modules.as_bytes(), SourceKind::Implementation);
    }
}
