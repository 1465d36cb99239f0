//! Properties over random input: nothing panics, whatever the bytes; and the
//! compiled glob matcher agrees with a naive backtracking matcher written
//! independently here.

use proptest::prelude::*;
use std::collections::BTreeSet;
use tags::{Configuration, Declarations, Glob, PathScheme, Pattern, Source, TagSet, parse};

// ---------------------------------------------------------------------------
// Nothing panics.

fn near_valid_line() -> impl Strategy<Value = String> {
    let pattern = prop::sample::select(vec![
        "<a.ml>",
        "true",
        "<*.ml> or <*.mli>",
        "\"a.ml\"",
        "not <b.ml>",
        "<**/*.ml>",
        "a.ml",
        "<a b>",
        "<**>",
        "<{a,b}.ml>",
        "(<a.ml>)",
        "false | 1",
        "<a.ml",
        "",
        "  ",
        "~<x>",
        "<[a-]>",
        "<[]-a]>",
        "((<a>)",
        "\"a\\\"",
        "#x",
    ]);
    let colon = prop::sample::select(vec![":", ": ", " : ", ":\\\n ", " \\\r\n: ", ":\t", ""]);
    let tag = prop::sample::select(vec![
        "debug",
        "-debug",
        "+debug",
        "-",
        "+",
        "file:a.ml",
        "a:b:c",
        "pp(a b, c)",
        "pp(x",
        "warn(+a-4)",
        "x#y",
        "q\"t",
        "it's",
        "t\t",
        "(x)",
        "+(x)",
        "a\\",
        "é",
        "x)",
        "",
        "p(\n)",
        "p(\r\n",
        "\\",
    ]);
    let sep = prop::sample::select(vec![", ", ",", " ,", ", \\\n ", "\\\r,", " ", ";", ",,"]);
    let end = prop::sample::select(vec!["\n", "\r\n", "\r", "", " \n", "\\\n", "\\"]);
    (pattern, colon, prop::collection::vec((tag, sep), 0..5), end).prop_map(|(p, c, tags, e)| {
        let mut s = format!("{p}{c}");
        for (i, (t, sep)) in tags.iter().enumerate() {
            if i > 0 {
                s.push_str(sep);
            }
            s.push_str(t);
        }
        s.push_str(e);
        s
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn parsing_random_bytes_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        match parse(Source::file("_tags"), &bytes, None) {
            Ok(lines) => {
                for l in &lines {
                    let _ = l.pattern.matches("a.ml");
                }
            }
            Err(e) => prop_assert!(e.to_string().starts_with("File \"_tags\", line")),
        }
    }

    #[test]
    fn parsing_near_valid_files_never_panics(lines in prop::collection::vec(near_valid_line(), 1..6), dir in "(|sub|a/b)") {
        let text = lines.concat();
        let mut c = Configuration::new();
        match c.add_tags_file(&dir, text.as_bytes()) {
            Ok(()) => {
                let _ = c.tags_of("a.ml").show_tags_form("a.ml");
                let mut d: Declarations = Declarations::new();
                d.pflag(["x"], "pp", |p| vec![p.to_string()]);
                let mut w = Vec::new();
                let _ = tags::startup_checks(&c, &mut d, &mut w);
                for w in &w {
                    let _ = w.to_string();
                }
            }
            Err(e) => {
                let s = e.to_string();
                prop_assert!(s.contains("\nLexing error: "), "{}", s);
            }
        }
        let mut c = Configuration::new();
        let _ = c.add_command_line(&text);
    }

    #[test]
    fn random_patterns_never_panic(text in "[<>{}\\[\\]^*?/.,a-c \"\\\\()|&~!-]{0,24}", path in "[a-c/.]{0,12}") {
        if let Ok(p) = Pattern::parse(&text) {
            let _ = p.matches(&path);
        }
        if let Ok(p) = Pattern::parse_in_dir(&text, "sub") {
            let _ = p.matches(&path);
        }
        if let Ok(g) = Glob::new(&text) {
            let _ = g.is_match(&path);
        }
    }

    #[test]
    fn random_schemes_never_panic(text in "[%()a-c:<>*./\\\\]{0,20}", path in "[a-c/.]{0,12}") {
        if let Ok(s) = PathScheme::parse(&text)
            && let Some(b) = s.matches(&path)
        {
            let _ = s.substitute(&b);
            let _ = b.to_string();
        }
        let _ = PathScheme::parse_without_patterns(&text);
    }

    #[test]
    fn show_tags_keeps_every_tag_and_indents_continuations(
        tags in prop::collection::btree_set("[a-z(),:.]{1,30}", 0..30),
        path in "[a-z/.]{0,90}",
    ) {
        let set: TagSet = tags.iter().map(String::as_str).collect();
        let out = set.show_tags_form(&path);
        prop_assert!(out.ends_with(" .}\n"), "{}", out);
        let flat: String = out
            .lines()
            .map(str::trim_start)
            .collect::<Vec<_>>()
            .join(" ");
        for t in &set {
            prop_assert!(flat.contains(t.as_str()));
        }
    }
}

// ---------------------------------------------------------------------------
// The compiled matcher against a naive one.

#[derive(Debug, Clone)]
enum Tok {
    Lit(String),
    Star,
    Quest,
    Class(Vec<u8>, bool),
    Alt(Vec<Vec<Tok>>),
    /// `**/`
    AnyDirs,
    /// `/**`
    Below,
    /// `/**/`
    Between,
}

fn render(seq: &[Tok]) -> String {
    let mut s = String::new();
    for t in seq {
        match t {
            Tok::Lit(l) => s.push_str(l),
            Tok::Star => s.push('*'),
            Tok::Quest => s.push('?'),
            Tok::Class(set, neg) => {
                s.push('[');
                if *neg {
                    s.push('^');
                }
                s.extend(set.iter().map(|&b| char::from(b)));
                s.push(']');
            }
            Tok::Alt(alts) => {
                s.push('{');
                let parts: Vec<String> = alts.iter().map(|a| render(a)).collect();
                s.push_str(&parts.join(","));
                s.push('}');
            }
            Tok::AnyDirs => s.push_str("**/"),
            Tok::Below => s.push_str("/**"),
            Tok::Between => s.push_str("/**/"),
        }
    }
    s
}

/// Every position where `seq` can end when started at each of `starts`.
fn ends(seq: &[Tok], s: &[u8], starts: BTreeSet<usize>) -> BTreeSet<usize> {
    let mut current = starts;
    for t in seq {
        let mut next = BTreeSet::new();
        for &j in &current {
            match t {
                Tok::Lit(l) => {
                    if s[j..].starts_with(l.as_bytes()) {
                        next.insert(j + l.len());
                    }
                }
                Tok::Star => {
                    let mut k = j;
                    next.insert(k);
                    while k < s.len() && s[k] != b'/' {
                        k += 1;
                        next.insert(k);
                    }
                }
                Tok::Quest => {
                    if j < s.len() && s[j] != b'/' {
                        next.insert(j + 1);
                    }
                }
                Tok::Class(set, neg) => {
                    if j < s.len() && (set.contains(&s[j]) != *neg) {
                        next.insert(j + 1);
                    }
                }
                Tok::Alt(alts) => {
                    for a in alts {
                        next.extend(ends(a, s, BTreeSet::from([j])));
                    }
                }
                Tok::AnyDirs => {
                    next.insert(j);
                    next.extend((j..s.len()).filter(|&k| s[k] == b'/').map(|k| k + 1));
                }
                Tok::Below => {
                    next.insert(j);
                    if j < s.len() && s[j] == b'/' {
                        next.extend(j + 1..=s.len());
                    }
                }
                Tok::Between => {
                    if j < s.len() && s[j] == b'/' {
                        next.insert(j + 1);
                        next.extend((j + 1..s.len()).filter(|&k| s[k] == b'/').map(|k| k + 1));
                    }
                }
            }
        }
        current = next;
    }
    current
}

fn naive_match(seq: &[Tok], s: &str) -> bool {
    ends(seq, s.as_bytes(), BTreeSet::from([0])).contains(&s.len())
}

fn tok() -> impl Strategy<Value = Tok> {
    let leaf = prop_oneof![
        "[ab./]{1,3}".prop_map(Tok::Lit),
        Just(Tok::Star),
        Just(Tok::Quest),
        (
            prop::collection::vec(prop::sample::select(vec![b'a', b'b', b'.', b'/']), 1..3),
            any::<bool>()
        )
            .prop_map(|(s, n)| Tok::Class(s, n)),
        Just(Tok::AnyDirs),
        Just(Tok::Below),
        Just(Tok::Between),
    ];
    leaf.prop_recursive(2, 12, 3, |inner| {
        prop::collection::vec(prop::collection::vec(inner, 0..3), 1..4).prop_map(Tok::Alt)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn the_compiled_matcher_agrees_with_a_naive_one(
        seq in prop::collection::vec(tok(), 0..5),
        paths in prop::collection::vec("[ab./]{0,10}", 1..12),
    ) {
        let text = render(&seq);
        // Adjacent stars can lex differently from the tokens (`*` + `**/`
        // is the error `***/`); such texts are rejected, not compared.
        if let Ok(glob) = Glob::new(&text) {
            for p in &paths {
                prop_assert_eq!(glob.is_match(p), naive_match(&seq, p), "<{}> on {:?}", text, p);
            }
        }
    }
}
