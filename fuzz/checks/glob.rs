//! Globs: `tags::Glob::new` never panics; a glob it accepts matches any
//! path without panicking and gives the answers of a slow reference matcher
//! written here from the rules in `crates/tags/src/glob.rs`'s header; the
//! same glob written as a pattern (`<glob>`, and scoped to a directory)
//! agrees with it.
//!
//! Input: the glob text, then NUL-separated paths to try.
//!
//! Shared by the fuzz target `fuzz/fuzz_targets/glob.rs` and the test that
//! replays `fuzz/regressions/glob/` in the owning crate.

use tags::{Glob, Pattern};

/// Paths tried on every glob, besides those in the input.
const PATHS: [&[u8]; 8] = [
    b"",
    b"a",
    b"a.ml",
    b"a/b.ml",
    b"a/b/c.mli",
    b"/",
    b"a//b",
    b"toto/",
];

/// The reference matcher works on paths up to this length (positions fit in
/// a `u128`).
const MAX_REFERENCE_PATH: usize = 127;

/// A glob as the reference reads it.
#[derive(Debug)]
enum Reference {
    /// One byte of the set.
    Byte(Box<[bool; 256]>),
    /// Any number of bytes of the set.
    Repeat(Box<[bool; 256]>),
    /// One after the other.
    Seq(Vec<Reference>),
    /// Any of them.
    Alt(Vec<Reference>),
}

fn set_of(f: impl Fn(u8) -> bool) -> Box<[bool; 256]> {
    let mut s = Box::new([false; 256]);
    for b in 0..=255u8 {
        s[usize::from(b)] = f(b);
    }
    s
}

fn byte(b: u8) -> Reference {
    Reference::Byte(set_of(|c| c == b))
}

fn any_but_slash() -> Box<[bool; 256]> {
    set_of(|c| c != b'/')
}

/// Reads glob text from `at` up to one of `ends`; returns the glob, the end
/// met and the position after it. `None` when ocamlbuild would reject the
/// text.
fn read(text: &[u8], mut at: usize, ends: &[u8], depth: usize) -> Option<(Reference, u8, usize)> {
    if depth > 100 {
        return None;
    }
    let mut seq = Vec::new();
    loop {
        let rest = text.get(at..)?;
        let &c = rest.first()?;
        let literal = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.');
        if literal(c) {
            seq.push(byte(c));
            at += 1;
        } else if c == b'{' {
            let mut alts = Vec::new();
            at += 1;
            loop {
                let (alt, end, next) = read(text, at, b",}", depth + 1)?;
                alts.push(alt);
                at = next;
                if end == b'}' {
                    break;
                }
            }
            seq.push(Reference::Alt(alts));
        } else if c == b'[' {
            let negated = rest.get(1) == Some(&b'^');
            at += if negated { 2 } else { 1 };
            let mut set = [false; 256];
            // ocamllex takes the longest token: `x-y` (three bytes) before
            // `-]` before `]`.
            loop {
                let r = text.get(at..)?;
                if r.len() >= 3 && r[1] == b'-' {
                    for b in r[0]..=r[2] {
                        set[usize::from(b)] = true;
                    }
                    at += 3;
                } else if r.starts_with(b"-]") {
                    set[usize::from(b'-')] = true;
                    at += 2;
                    break;
                } else if r.first() == Some(&b']') {
                    at += 1;
                    break;
                } else {
                    set[usize::from(*r.first()?)] = true;
                    at += 1;
                }
            }
            seq.push(Reference::Byte(set_of(|b| set[usize::from(b)] != negated)));
        } else if rest.starts_with(b"/**/") {
            // `/` or `/.../`
            seq.push(byte(b'/'));
            seq.push(Reference::Alt(vec![
                Reference::Seq(vec![]),
                Reference::Seq(vec![Reference::Repeat(set_of(|_| true)), byte(b'/')]),
            ]));
            at += 4;
        } else if rest.starts_with(b"/**") {
            seq.push(Reference::Alt(vec![
                Reference::Seq(vec![]),
                Reference::Seq(vec![byte(b'/'), Reference::Repeat(set_of(|_| true))]),
            ]));
            at += 3;
        } else if rest.starts_with(b"**/") {
            seq.push(Reference::Alt(vec![
                Reference::Seq(vec![]),
                Reference::Seq(vec![Reference::Repeat(set_of(|_| true)), byte(b'/')]),
            ]));
            at += 3;
        } else if rest.starts_with(b"**") {
            return None;
        } else if c == b'*' {
            seq.push(Reference::Repeat(any_but_slash()));
            at += 1;
        } else if c == b'?' {
            seq.push(Reference::Byte(any_but_slash()));
            at += 1;
        } else if c == b'/' {
            seq.push(byte(b'/'));
            at += 1;
        } else if ends.contains(&c) {
            return Some((Reference::Seq(seq), c, at + 1));
        } else {
            return None;
        }
    }
}

/// The positions of `path` reachable after `r` from the positions `from`
/// (bit `i`: `i` bytes read).
fn after(r: &Reference, path: &[u8], from: u128) -> u128 {
    let step = |set: &[bool; 256], from: u128| {
        let mut to = 0u128;
        for (i, &b) in path.iter().enumerate() {
            if from & (1 << i) != 0 && set[usize::from(b)] {
                to |= 1 << (i + 1);
            }
        }
        to
    };
    match r {
        Reference::Byte(set) => step(set, from),
        Reference::Repeat(set) => {
            let mut reached = from;
            loop {
                let more = reached | step(set, reached);
                if more == reached {
                    return reached;
                }
                reached = more;
            }
        }
        Reference::Seq(items) => items.iter().fold(from, |at, item| after(item, path, at)),
        Reference::Alt(alts) => alts.iter().fold(0, |acc, alt| acc | after(alt, path, from)),
    }
}

fn reference_match(r: &Reference, path: &[u8]) -> bool {
    after(r, path, 1) & (1 << path.len()) != 0
}

/// Runs `data` through the parser and checks the invariants above; panics
/// when one does not hold.
pub fn check(data: &[u8]) {
    let mut parts = data.split(|&b| b == 0);
    let text = String::from_utf8_lossy(parts.next().unwrap_or_default()).into_owned();
    let paths: Vec<&[u8]> = parts.chain(PATHS).collect();

    let glob = Glob::new(&text);
    // The text is read as ocamlbuild reads it in `<text>`: up to the first
    // `>` outside a class, which must be the closing one (so `[a]-` is
    // invalid: `]->` is a range).
    let body = format!("{text}>");
    let reference = read(body.as_bytes(), 0, b">", 0)
        .filter(|&(_, _, end)| end == body.len())
        .map(|(r, _, _)| r);
    // The reference gives up on nesting that the crate still accepts.
    if text.bytes().filter(|&b| b == b'{').count() <= 100 {
        assert_eq!(glob.is_ok(), reference.is_some(), "validity of {text:?}");
    }
    let pattern = Pattern::parse(&format!("<{text}>"));
    // With a `>` outside a class the text may be several patterns
    // (`a> or <b`), so only an accepted glob must be an accepted pattern.
    if glob.is_ok() || !text.contains('>') {
        assert_eq!(glob.is_ok(), pattern.is_ok(), "as a pattern: {text:?}");
    }
    let Ok(glob) = glob else {
        return;
    };
    assert_eq!(glob.as_str(), text);
    let scoped = Pattern::parse_in_dir(&format!("<{text}>"), "d");

    for path in paths {
        let m = glob.is_match_bytes(path);
        if let Ok(path_str) = std::str::from_utf8(path) {
            assert_eq!(glob.is_match(path_str), m);
        }
        if let (Some(r), true) = (&reference, path.len() <= MAX_REFERENCE_PATH) {
            assert_eq!(
                reference_match(r, path),
                m,
                "{text:?} on {:?}",
                String::from_utf8_lossy(path)
            );
        }
        if let Ok(p) = &pattern {
            assert_eq!(p.matches_bytes(path), m);
        }
        if let Ok(p) = &scoped {
            let mut inside = b"d/".to_vec();
            inside.extend_from_slice(path);
            assert_eq!(p.matches_bytes(&inside), m);
            if !path.starts_with(b"d/") {
                assert!(!p.matches_bytes(path));
            }
        }
    }
}
