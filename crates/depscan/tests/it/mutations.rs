//! Differential testing: random token-level mutations of the compiler's
//! sources, scanned by `scan` and by the real `ocamldep`. Whenever
//! `ocamldep` accepts a mutant, `scan` must accept it with the same
//! modules. (Ignored by default: run it with `--ignored`; the number of
//! mutants comes from `DEPSCAN_MUTANTS`, the seed from `DEPSCAN_SEED`.)

use crate::corpus::{compiler_sources, ocaml_files};
use crate::oracle::{Verdict, ocamldep};
use depscan::{SourceKind, scan};
use std::fs;
use std::path::PathBuf;

/// A small deterministic random generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Splits source text into rough tokens: words, runs of symbols, blanks
/// and single other bytes.
fn rough_tokens(text: &str) -> Vec<&str> {
    let bytes = text.as_bytes();
    let class = |b: u8| {
        if b.is_ascii_alphanumeric() || b == b'_' || b == b'\'' {
            0
        } else if b.is_ascii_whitespace() {
            1
        } else if b"!$%&*+-./:<=>?@^|~#".contains(&b) {
            2
        } else {
            3
        }
    };
    let mut tokens = Vec::new();
    let mut start = 0;
    while start < bytes.len() {
        let c = class(bytes[start]);
        let mut end = start + 1;
        if c != 3 {
            while end < bytes.len() && class(bytes[end]) == c {
                end += 1;
            }
        }
        while !text.is_char_boundary(end) {
            end += 1;
        }
        tokens.push(&text[start..end]);
        start = end;
    }
    tokens
}

const VOCABULARY: &[&str] = &[
    " let ",
    " in ",
    " module ",
    " struct ",
    " end ",
    " sig ",
    " open ",
    " include ",
    " M.",
    " N.x ",
    " (",
    ") ",
    " [",
    "] ",
    " {",
    "} ",
    " ; ",
    " ;; ",
    " | ",
    " -> ",
    " = ",
    " : ",
    " fun ",
    " function ",
    " match ",
    " with ",
    " type ",
    " of ",
    " (module X) ",
    " X.",
    " rec ",
    " and ",
    " begin ",
    " ) ",
    " [@a] ",
    " [%e] ",
    " let open M in ",
    " let module X = Y in ",
    " M.(",
    " # ",
    " ' ",
    " `A ",
    " * ",
    " ~x:",
    " ?x ",
    " :: ",
    " , ",
    " . ",
    " .. ",
    " object ",
    " method ",
    " val ",
    " class ",
    " new ",
    " lazy ",
    " exception ",
    " functor ",
    " (X : S) ",
    " if ",
    " then ",
    " else ",
    " \"s\" ",
    " 'c' ",
    " 1 ",
    " _ ",
    " as ",
    " when ",
    " <- ",
    "(*",
    "*)",
    "\"",
    "'",
    "{|",
    "|}",
    "{x|",
    "|x}",
    "'\"'",
    "\\",
    "'\\''",
    "(*)",
    "a'",
];

/// Expression prefixes that bind or open modules.
const EXPRESSION_PREFIXES: &[&str] = &[
    " let module {A} = {B} in ",
    " let open {A} in ",
    " let open! struct module {A} = {B} end in ",
    " let module {A} = struct module {B} = {C} end in ",
    " let module {A} (X : {B}.S) = {C} in ",
    " fun (module {A} : {B}.S) -> ",
    " let ({A} : {B}.t) = {C}.x in ",
    " {A}.x + ",
];

/// Structure items that bind or open modules.
const ITEMS: &[&str] = &[
    "open {A}\n",
    "module {A} = {B}\n",
    "include {A}\n",
    "module {A} = struct module {B} = {C} end\n",
    "module rec {A} : {B}.S = {C} and {C} : {B}.S = {A}\n",
    "let ({A} : {B}.t) = {C}.x\n",
    "module type {A} = module type of {B}\n",
    "open struct module {A} = {B} end\n",
];

/// Fills `{A}`, `{B}`, `{C}` with module names of the file.
fn fill(rng: &mut Rng, template: &str, names: &[&str]) -> String {
    let mut out = template.to_owned();
    for hole in ["{A}", "{B}", "{C}"] {
        let name = names.get(rng.below(names.len())).copied().unwrap_or("M");
        out = out.replace(hole, name);
    }
    out
}

fn mutate(rng: &mut Rng, text: &str) -> String {
    let mut tokens: Vec<String> = rough_tokens(text).into_iter().map(str::to_owned).collect();
    let names: Vec<String> = {
        let mut names: Vec<String> = tokens
            .iter()
            .filter(|t| t.as_bytes().first().is_some_and(u8::is_ascii_uppercase))
            .cloned()
            .collect();
        names.sort();
        names.dedup();
        names
    };
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let rounds = 1 + rng.below(3);
    for _ in 0..rounds {
        if tokens.is_empty() {
            break;
        }
        let i = rng.below(tokens.len());
        match rng.below(9) {
            6 => {
                // A module name replaced by another of the file.
                if tokens[i]
                    .as_bytes()
                    .first()
                    .is_some_and(u8::is_ascii_uppercase)
                    && !names.is_empty()
                {
                    tokens[i] = names[rng.below(names.len())].to_owned();
                }
            }
            7 => {
                // An expression prefix after a token that starts an expression.
                let starts: Vec<usize> = tokens
                    .iter()
                    .enumerate()
                    .filter(|(_, t)| {
                        matches!(t.as_str(), "=" | "->" | "in" | "then" | "else" | "(" | ";")
                    })
                    .map(|(j, _)| j + 1)
                    .collect();
                if !starts.is_empty() {
                    let at = starts[rng.below(starts.len())];
                    let prefix = EXPRESSION_PREFIXES[rng.below(EXPRESSION_PREFIXES.len())];
                    tokens.insert(at, fill(rng, prefix, &names));
                }
            }
            8 => {
                // An item at the start of a line.
                let starts: Vec<usize> = tokens
                    .iter()
                    .enumerate()
                    .filter(|(_, t)| t.ends_with('\n'))
                    .map(|(j, _)| j + 1)
                    .collect();
                if !starts.is_empty() {
                    let at = starts[rng.below(starts.len())];
                    let item = ITEMS[rng.below(ITEMS.len())];
                    tokens.insert(at, fill(rng, item, &names));
                }
            }
            0 => {
                tokens.remove(i);
            }
            1 => {
                let t = tokens[i].clone();
                tokens.insert(i, t);
            }
            2 if i + 1 < tokens.len() => tokens.swap(i, i + 1),
            3 => {
                let j = rng.below(tokens.len());
                tokens[i] = tokens[j].clone();
            }
            _ => {
                let word = VOCABULARY[rng.below(VOCABULARY.len())];
                tokens.insert(i, word.to_owned());
            }
        }
    }
    tokens.concat()
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[test]
#[ignore]
fn mutants_agree_with_ocamldep() {
    let root = std::env::var_os("DEPSCAN_MUTANT_ROOT")
        .map(PathBuf::from)
        .unwrap_or_else(compiler_sources);
    let files: Vec<PathBuf> = ocaml_files(&root)
        .into_iter()
        .filter(|f| {
            fs::metadata(root.join(f))
                .map(|m| m.len() < 60_000)
                .unwrap_or(false)
        })
        .collect();
    let count = env_number("DEPSCAN_MUTANTS", 2000) as usize;
    let mut rng = Rng(env_number("DEPSCAN_SEED", 0x9E37_79B9_7F4A_7C15) | 1);
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("depscan-mutants");
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("cannot create the mutants directory");

    let mut mutants = Vec::new();
    for n in 0..count {
        let original = &files[rng.below(files.len())];
        let Ok(text) = fs::read_to_string(root.join(original)) else {
            continue;
        };
        let ext = original
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("ml");
        let name = PathBuf::from(format!("m{n:05}.{ext}"));
        fs::write(dir.join(&name), mutate(&mut rng, &text)).expect("cannot write a mutant");
        mutants.push((name, original.clone()));
    }
    let names: Vec<PathBuf> = mutants.iter().map(|(n, _)| n.clone()).collect();
    let verdicts = ocamldep(&dir, &names);

    let (mut accepted, mut both_rejected, mut lenient, mut bad) = (0, 0, 0, Vec::new());
    for (name, original) in &mutants {
        let source = fs::read(dir.join(name)).expect("cannot read a mutant");
        let kind = SourceKind::from_path(name).expect("not an OCaml file");
        match (&verdicts[name], scan(&source, kind)) {
            (Verdict::Modules(theirs), Ok(ours)) if *theirs == ours => accepted += 1,
            (Verdict::Rejected, Err(_)) => both_rejected += 1,
            (Verdict::Rejected, Ok(_)) => {
                lenient += 1;
                println!("lenient: {} (from {})", name.display(), original.display());
            }
            (Verdict::Modules(theirs), ours) => bad.push(format!(
                "{} (from {}): ocamldep {:?}, scan {:?}",
                name.display(),
                original.display(),
                theirs,
                ours
            )),
        }
    }
    for line in &bad {
        println!("DISAGREE: {line}");
    }
    println!(
        "mutants: {count}, agreed accepted {accepted}, both rejected {both_rejected}, \
         scan more lenient {lenient}, disagreements {}",
        bad.len()
    );
    assert!(bad.is_empty(), "{} disagreements", bad.len());
}
