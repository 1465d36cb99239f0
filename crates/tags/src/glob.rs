//! Globs: the text between `<` and `>` in a pattern, parsed with ocamlbuild's
//! rules and compiled to a small byte automaton.
//!
//! Syntax (each rule was checked against ocamlbuild 0.14.1, see
//! `tests/it/glob_vectors.tsv`):
//! - literal characters are `[A-Za-z0-9_.-]` and `/`; anything else outside
//!   the constructs below is an error;
//! - `*` is any run of non-`/` bytes, `?` one non-`/` byte;
//! - `[...]` and `[^...]` are byte classes: `a-z` ranges, `-]` at the end is a
//!   literal dash, `[]` is empty, and a class may contain `/`;
//! - `{a,b,...}` alternation, nesting allowed, `{}` matches the empty string;
//! - `**/` is "nothing or anything ending in `/`", `/**` is "nothing or `/`
//!   followed by anything", `/**/` is "`/` or `/.../`"; any other `**` is the
//!   "Ambiguous ** pattern" error.
//!
//! The lexer follows ocamllex's longest-match rule, which gives a few
//! surprises that are reproduced on purpose: `[]-a]` is the range `]`..`a`,
//! `[a-]` is unterminated (so invalid), and `a/**x` is valid.
//!
//! Matching is anchored and byte-wise. The automaton is a deterministic
//! table over byte equivalence classes (built eagerly, with a fallback to a
//! bit-parallel NFA for pathological globs).

use std::collections::HashMap;

/// How deep `{...}` may nest before the parser gives up (a guard against
/// stack exhaustion on hostile input; ocamlbuild has no such limit).
pub(crate) const MAX_NESTING: usize = 200;

/// Above this many deterministic states the matcher stays non-deterministic.
const MAX_DFA_STATES: usize = 2048;

/// Above this many automaton states (only for very long globs) closures are
/// computed while matching instead of being tabulated, to bound memory.
const MAX_TABULATED_STATES: usize = 2048;

/// A set of bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct ByteSet([u64; 4]);

impl ByteSet {
    pub(crate) const EMPTY: ByteSet = ByteSet([0; 4]);
    pub(crate) const ALL: ByteSet = ByteSet([u64::MAX; 4]);

    fn single(b: u8) -> ByteSet {
        let mut s = ByteSet::EMPTY;
        s.insert(b);
        s
    }

    fn not_slash() -> ByteSet {
        let mut s = ByteSet::ALL;
        s.0[usize::from(b'/' >> 6)] &= !(1u64 << (b'/' & 63));
        s
    }

    fn insert(&mut self, b: u8) {
        self.0[usize::from(b >> 6)] |= 1u64 << (b & 63);
    }

    fn insert_range(&mut self, lo: u8, hi: u8) {
        if lo <= hi {
            for b in lo..=hi {
                self.insert(b);
            }
        }
    }

    fn complement(self) -> ByteSet {
        ByteSet([!self.0[0], !self.0[1], !self.0[2], !self.0[3]])
    }

    pub(crate) fn contains(&self, b: u8) -> bool {
        self.0[usize::from(b >> 6)] & (1u64 << (b & 63)) != 0
    }
}

/// The syntax tree of a glob.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Node {
    /// The empty string.
    Epsilon,
    /// A literal byte string.
    Word(Vec<u8>),
    /// One byte of the set.
    Class(ByteSet),
    /// Any number of bytes of the set.
    Star(ByteSet),
    /// One after the other.
    Concat(Vec<Node>),
    /// Any of them.
    Union(Vec<Node>),
}

fn is_pattern_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.'
}

/// Appends `node` to a concatenation, dropping empty strings.
fn push_concat(items: &mut Vec<Node>, node: Node) {
    if node != Node::Epsilon {
        items.push(node);
    }
}

fn seal(mut items: Vec<Node>) -> Node {
    match items.len() {
        0 => Node::Epsilon,
        1 => items.pop().unwrap_or(Node::Epsilon),
        _ => Node::Concat(items),
    }
}

/// Parses glob text starting at `pos` until one of `stops` (not consumed
/// into the glob) and returns the tree, the stop byte and the position
/// after it. Errors carry ocamlbuild's wording of the cause.
pub(crate) fn parse_until(
    input: &[u8],
    mut pos: usize,
    stops: &[u8],
    depth: usize,
) -> Result<(Node, u8, usize), String> {
    if depth > MAX_NESTING {
        return Err("glob nesting is too deep".to_string());
    }
    let mut items = Vec::new();
    loop {
        let Some(&c) = input.get(pos) else {
            return Err("lexing: empty token".to_string());
        };
        let rest = &input[pos..];
        if is_pattern_char(c) {
            let n = rest.iter().take_while(|&&b| is_pattern_char(b)).count();
            push_concat(&mut items, Node::Word(rest[..n].to_vec()));
            pos += n;
        } else if c == b'{' {
            let mut alternatives = Vec::new();
            pos += 1;
            loop {
                let (alt, stop, next) = parse_until(input, pos, b"},", depth + 1)?;
                alternatives.push(alt);
                pos = next;
                if stop != b',' {
                    break;
                }
            }
            push_concat(&mut items, Node::Union(alternatives));
        } else if rest.starts_with(b"[^") {
            let (set, next) = parse_class(input, pos + 2)?;
            push_concat(&mut items, Node::Class(set.complement()));
            pos = next;
        } else if c == b'[' {
            let (set, next) = parse_class(input, pos + 1)?;
            push_concat(&mut items, Node::Class(set));
            pos = next;
        } else if rest.starts_with(b"/**/") {
            // `/` or `/` anything `/`
            push_concat(
                &mut items,
                Node::Union(vec![
                    Node::Word(b"/".to_vec()),
                    Node::Concat(vec![
                        Node::Word(b"/".to_vec()),
                        Node::Star(ByteSet::ALL),
                        Node::Word(b"/".to_vec()),
                    ]),
                ]),
            );
            pos += 4;
        } else if rest.starts_with(b"/**") {
            push_concat(
                &mut items,
                Node::Union(vec![
                    Node::Epsilon,
                    Node::Concat(vec![Node::Word(b"/".to_vec()), Node::Star(ByteSet::ALL)]),
                ]),
            );
            pos += 3;
        } else if rest.starts_with(b"**/") {
            push_concat(
                &mut items,
                Node::Union(vec![
                    Node::Epsilon,
                    Node::Concat(vec![Node::Star(ByteSet::ALL), Node::Word(b"/".to_vec())]),
                ]),
            );
            pos += 3;
        } else if rest.starts_with(b"**") {
            return Err(
                "Ambiguous ** pattern not allowed unless surrounded by one or more slashes"
                    .to_string(),
            );
        } else if c == b'*' {
            push_concat(&mut items, Node::Star(ByteSet::not_slash()));
            pos += 1;
        } else if c == b'/' {
            push_concat(&mut items, Node::Word(b"/".to_vec()));
            pos += 1;
        } else if c == b'?' {
            push_concat(&mut items, Node::Class(ByteSet::not_slash()));
            pos += 1;
        } else if stops.contains(&c) {
            return Ok((seal(items), c, pos + 1));
        } else {
            return Err(format!(
                "Unexpected character '{}' in glob pattern",
                crate::location::escape_bytes(&[c])
            ));
        }
    }
}

/// Parses the inside of a class after `[` or `[^`, up to and including `]`.
fn parse_class(input: &[u8], mut pos: usize) -> Result<(ByteSet, usize), String> {
    let mut set = ByteSet::EMPTY;
    loop {
        let rest = input.get(pos..).unwrap_or_default();
        // Longest match first: a three-byte range beats `]` and `-]`.
        if rest.len() >= 3 && rest[1] == b'-' {
            set.insert_range(rest[0], rest[2]);
            pos += 3;
        } else if rest.starts_with(b"-]") {
            set.insert(b'-');
            return Ok((set, pos + 2));
        } else if let Some(&c) = rest.first() {
            if c == b']' {
                return Ok((set, pos + 1));
            }
            set.insert(c);
            pos += 1;
        } else {
            return Err("lexing: empty token".to_string());
        }
    }
}

/// A compiled glob.
#[derive(Debug, Clone)]
pub struct Glob {
    text: String,
    matcher: Matcher,
}

impl PartialEq for Glob {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl Eq for Glob {}

impl Glob {
    /// Parses and compiles the glob text that appears between `<` and `>`
    /// (without the brackets), e.g. `**/*.ml`.
    ///
    /// ```
    /// let g = tags::Glob::new("**/*.ml").unwrap();
    /// assert!(g.is_match("a/b.ml") && g.is_match("b.ml") && !g.is_match("b.mli"));
    /// assert!(tags::Glob::new("**").is_err());
    /// ```
    pub fn new(text: &str) -> crate::Result<Glob> {
        let mut body = text.as_bytes().to_vec();
        body.push(b'>');
        match parse_until(&body, 0, b">", 0) {
            Ok((node, _, end)) if end == body.len() => Ok(Glob::from_node(text.to_string(), &node)),
            Ok(_) => Err(crate::Error::InvalidPattern {
                text: format!("<{text}>").into_bytes(),
                reason: "Unexpected character '>' in glob pattern".to_string(),
            }),
            Err(reason) => Err(crate::Error::InvalidPattern {
                text: format!("<{text}>").into_bytes(),
                reason,
            }),
        }
    }

    /// Compiles an already parsed tree; `text` is kept for display.
    pub(crate) fn from_node(text: String, node: &Node) -> Glob {
        Glob {
            text,
            matcher: Matcher::compile(node),
        }
    }

    /// The text the glob was written with.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Does the whole of `path` match?
    pub fn is_match(&self, path: &str) -> bool {
        self.matcher.is_match(path.as_bytes())
    }

    /// Does the whole of `bytes` match?
    pub fn is_match_bytes(&self, bytes: &[u8]) -> bool {
        self.matcher.is_match(bytes)
    }
}

/// Thompson automaton: each state has at most one byte-set transition and
/// any number of empty transitions.
#[derive(Debug, Clone)]
struct Nfa {
    step: Vec<Option<(ByteSet, usize)>>,
    empty: Vec<Vec<usize>>,
}

impl Nfa {
    fn add(&mut self) -> usize {
        self.step.push(None);
        self.empty.push(Vec::new());
        self.step.len() - 1
    }

    /// Adds the states for `node` so that they lead to `next`; returns the entry.
    fn build(&mut self, node: &Node, next: usize) -> usize {
        match node {
            Node::Epsilon => next,
            Node::Word(bytes) => {
                let mut target = next;
                for &b in bytes.iter().rev() {
                    let s = self.add();
                    self.step[s] = Some((ByteSet::single(b), target));
                    target = s;
                }
                target
            }
            Node::Class(set) => {
                let s = self.add();
                self.step[s] = Some((*set, next));
                s
            }
            Node::Star(set) => {
                let s = self.add();
                self.step[s] = Some((*set, s));
                self.empty[s].push(next);
                s
            }
            Node::Concat(items) => {
                let mut target = next;
                for item in items.iter().rev() {
                    target = self.build(item, target);
                }
                target
            }
            Node::Union(alternatives) => {
                let s = self.add();
                for alt in alternatives {
                    let entry = self.build(alt, next);
                    self.empty[s].push(entry);
                }
                s
            }
        }
    }
}

/// A set of automaton states.
type Bits = Vec<u64>;

fn bits_new(n: usize) -> Bits {
    vec![0; n.div_ceil(64).max(1)]
}

fn bits_set(b: &mut Bits, i: usize) {
    if let Some(w) = b.get_mut(i / 64) {
        *w |= 1u64 << (i % 64);
    }
}

fn bits_has(b: &Bits, i: usize) -> bool {
    b.get(i / 64).is_some_and(|w| w & (1u64 << (i % 64)) != 0)
}

fn bits_or(into: &mut Bits, from: &Bits) {
    for (a, b) in into.iter_mut().zip(from) {
        *a |= *b;
    }
}

fn bits_iter(b: &Bits) -> impl Iterator<Item = usize> + '_ {
    b.iter().enumerate().flat_map(|(wi, &w)| {
        let mut w = w;
        std::iter::from_fn(move || {
            if w == 0 {
                None
            } else {
                let t = w.trailing_zeros() as usize;
                w &= w - 1;
                Some(wi * 64 + t)
            }
        })
    })
}

#[derive(Debug, Clone)]
enum Matcher {
    /// `table[state * classes + class_of[byte]]`; state 0 is dead.
    Dfa {
        class_of: Box<[u8; 256]>,
        classes: usize,
        table: Vec<u32>,
        accept: Vec<bool>,
        start: u32,
    },
    /// Bit-parallel simulation.
    Nfa {
        /// Closure of each state's transition target, by state.
        step: Vec<Option<(ByteSet, Bits)>>,
        start: Bits,
        accept: usize,
    },
    /// Simulation computing empty-transition closures on the fly.
    Lazy {
        nfa: Nfa,
        entry: usize,
        accept: usize,
    },
}

/// Adds `s` and everything reachable from it by empty transitions.
fn close_into(nfa: &Nfa, set: &mut Bits, stack: &mut Vec<usize>, s: usize) {
    if bits_has(set, s) {
        return;
    }
    bits_set(set, s);
    stack.push(s);
    while let Some(q) = stack.pop() {
        for &r in nfa.empty.get(q).map(Vec::as_slice).unwrap_or_default() {
            if !bits_has(set, r) {
                bits_set(set, r);
                stack.push(r);
            }
        }
    }
}

impl Matcher {
    fn compile(node: &Node) -> Matcher {
        let mut nfa = Nfa {
            step: Vec::new(),
            empty: Vec::new(),
        };
        let accept = nfa.add();
        let entry = nfa.build(node, accept);
        let n = nfa.step.len();
        if n > MAX_TABULATED_STATES {
            return Matcher::Lazy { nfa, entry, accept };
        }

        // Empty-transition closures.
        let mut closure: Vec<Bits> = Vec::with_capacity(n);
        for s in 0..n {
            let mut set = bits_new(n);
            let mut stack = vec![s];
            bits_set(&mut set, s);
            while let Some(q) = stack.pop() {
                for &r in &nfa.empty[q] {
                    if !bits_has(&set, r) {
                        bits_set(&mut set, r);
                        stack.push(r);
                    }
                }
            }
            closure.push(set);
        }
        let start = closure[entry].clone();
        let step: Vec<Option<(ByteSet, Bits)>> = nfa
            .step
            .iter()
            .map(|t| t.map(|(set, target)| (set, closure[target].clone())))
            .collect();

        // Byte equivalence classes: bytes that every transition treats alike.
        let mut sets: Vec<ByteSet> = Vec::new();
        for (set, _) in step.iter().flatten() {
            if !sets.contains(set) {
                sets.push(*set);
            }
        }
        let mut class_of = Box::new([0u8; 256]);
        let mut signatures: Vec<Vec<u64>> = Vec::new();
        for b in 0..=255u8 {
            let mut sig = vec![0u64; sets.len().div_ceil(64).max(1)];
            for (k, set) in sets.iter().enumerate() {
                if set.contains(b) {
                    bits_set(&mut sig, k);
                }
            }
            let id = match signatures.iter().position(|s| *s == sig) {
                Some(id) => id,
                None => {
                    signatures.push(sig);
                    signatures.len() - 1
                }
            };
            // At most 256 classes, so the id always fits.
            class_of[usize::from(b)] = u8::try_from(id).unwrap_or(u8::MAX);
        }
        let classes = signatures.len();
        let mut representative: Vec<u8> = vec![0; classes];
        for b in (0..=255u8).rev() {
            representative[usize::from(class_of[usize::from(b)])] = b;
        }

        let nfa_matcher = |step: Vec<Option<(ByteSet, Bits)>>, start: Bits| Matcher::Nfa {
            step,
            start,
            accept,
        };
        // Subset construction, eagerly, with a size cap.
        let mut ids: HashMap<Bits, u32> = HashMap::new();
        let mut sets_by_id: Vec<Bits> = Vec::new();
        let dead = bits_new(n);
        ids.insert(dead.clone(), 0);
        sets_by_id.push(dead);
        ids.insert(start.clone(), 1);
        sets_by_id.push(start.clone());
        let mut table: Vec<u32> = Vec::new();
        let mut i = 0;
        while i < sets_by_id.len() {
            if sets_by_id.len() > MAX_DFA_STATES {
                return nfa_matcher(step, start);
            }
            let current = sets_by_id[i].clone();
            for &b in &representative {
                let mut next = bits_new(n);
                for s in bits_iter(&current) {
                    if let Some(Some((set, target))) = step.get(s)
                        && set.contains(b)
                    {
                        bits_or(&mut next, target);
                    }
                }
                let id = match ids.get(&next) {
                    Some(&id) => id,
                    None => {
                        let id = u32::try_from(sets_by_id.len()).unwrap_or(0);
                        ids.insert(next.clone(), id);
                        sets_by_id.push(next);
                        id
                    }
                };
                table.push(id);
            }
            i += 1;
        }
        let accept_by_id = sets_by_id.iter().map(|s| bits_has(s, accept)).collect();
        Matcher::Dfa {
            class_of,
            classes,
            table,
            accept: accept_by_id,
            start: 1,
        }
    }

    fn is_match(&self, input: &[u8]) -> bool {
        match self {
            Matcher::Dfa {
                class_of,
                classes,
                table,
                accept,
                start,
            } => {
                let mut state = *start as usize;
                for &b in input {
                    let index = state * classes + usize::from(class_of[usize::from(b)]);
                    state = table.get(index).copied().unwrap_or(0) as usize;
                    if state == 0 {
                        return false;
                    }
                }
                accept.get(state).copied().unwrap_or(false)
            }
            Matcher::Nfa {
                step,
                start,
                accept,
            } => {
                let mut current = start.clone();
                for &b in input {
                    let mut next = vec![0; current.len()];
                    for s in bits_iter(&current) {
                        if let Some(Some((set, target))) = step.get(s)
                            && set.contains(b)
                        {
                            bits_or(&mut next, target);
                        }
                    }
                    if next.iter().all(|&w| w == 0) {
                        return false;
                    }
                    current = next;
                }
                bits_has(&current, *accept)
            }
            Matcher::Lazy { nfa, entry, accept } => {
                let n = nfa.step.len();
                let mut stack = Vec::new();
                let mut current = bits_new(n);
                close_into(nfa, &mut current, &mut stack, *entry);
                for &b in input {
                    let mut next = bits_new(n);
                    for s in bits_iter(&current) {
                        if let Some(Some((set, target))) = nfa.step.get(s)
                            && set.contains(b)
                        {
                            close_into(nfa, &mut next, &mut stack, *target);
                        }
                    }
                    if next.iter().all(|&w| w == 0) {
                        return false;
                    }
                    current = next;
                }
                bits_has(&current, *accept)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(glob: &str, path: &str) -> bool {
        match Glob::new(glob) {
            Ok(g) => g.is_match(path),
            Err(e) => panic!("{glob}: {e}"),
        }
    }

    #[test]
    fn star_does_not_cross_slashes_but_double_star_slash_does() {
        assert!(m("*.ml", "a.ml"));
        assert!(!m("*.ml", "d/a.ml"));
        assert!(m("**/*.ml", "d/e/a.ml"));
        assert!(m("**/*", ""));
    }

    #[test]
    fn slash_double_star_matches_the_directory_itself_and_below() {
        assert!(m("toto/**", "toto"));
        assert!(m("toto/**", "toto/"));
        assert!(m("toto/**", "toto/a/b"));
        assert!(!m("toto/**", "toto2/a"));
    }

    #[test]
    fn a_bare_double_star_is_ambiguous() {
        for g in ["**", "x**", "**x", "a/**b/**c**"] {
            let e = Glob::new(g).err().map(|e| e.to_string());
            assert!(e.is_some(), "{g} should be invalid");
        }
    }

    #[test]
    fn slash_double_star_may_be_followed_by_a_literal() {
        // Longest match lexes `/**` then `x`, so this is valid ("a" or "a/…x").
        assert!(m("a/**x", "ax"));
        assert!(m("a/**x", "a/b/x"));
    }

    #[test]
    fn class_ranges_follow_longest_match() {
        // `]-a` is a range from `]` to `a`: `^`, `_` and backquote are inside.
        assert!(m("[]-a]", "_"));
        assert!(Glob::new("[a-]").is_err());
        assert!(m("[-a]", "-"));
        assert!(!m("[]", ""));
        assert!(!m("[]", "a"));
        assert!(m("[^]", "/"));
    }

    #[test]
    fn characters_outside_the_literal_set_are_rejected() {
        for g in ["a b", "a+b", "a@b", "a\"b", "a<b", "a:b"] {
            assert!(Glob::new(g).is_err(), "{g}");
        }
    }

    #[test]
    fn braces_nest_and_may_be_empty() {
        assert!(m("{a,{b,c}}", "c"));
        assert!(m("{}", ""));
        assert!(m("{,a}b", "b"));
        assert!(!m("{,a}b", "aab"));
    }

    #[test]
    fn pathological_globs_still_match_correctly() {
        let g = "*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b";
        assert!(m(g, "aaaaaaaaaaaaaaaaab"));
        assert!(!m(g, "aaaaaaaaaaaaaaaaaa"));
    }

    #[test]
    fn very_long_globs_use_bounded_memory_and_still_match() {
        let long = format!("{}*.ml", "{,a}".repeat(3000));
        assert!(m(&long, "aaa.ml"));
        assert!(!m(&long, "aaa.mli"));
        let literal = "a".repeat(20_000);
        assert!(m(&literal, &literal));
        assert!(!m(&literal, "a"));
    }

    #[test]
    fn the_nfa_fallback_agrees_with_the_dfa() {
        let node = match parse_until(b"{a,b}*[c-e]?**/x>", 0, b">", 0) {
            Ok((node, _, _)) => node,
            Err(e) => panic!("{e}"),
        };
        let dfa = Matcher::compile(&node);
        // Force the NFA representation by rebuilding it by hand.
        let mut nfa = Nfa {
            step: Vec::new(),
            empty: Vec::new(),
        };
        let accept = nfa.add();
        let entry = nfa.build(&node, accept);
        let n = nfa.step.len();
        let closure = |s: usize| {
            let mut set = bits_new(n);
            let mut stack = vec![s];
            bits_set(&mut set, s);
            while let Some(q) = stack.pop() {
                for &r in &nfa.empty[q] {
                    if !bits_has(&set, r) {
                        bits_set(&mut set, r);
                        stack.push(r);
                    }
                }
            }
            set
        };
        let sim = Matcher::Nfa {
            step: nfa
                .step
                .iter()
                .map(|t| t.map(|(set, target)| (set, closure(target))))
                .collect(),
            start: closure(entry),
            accept,
        };
        for p in ["acd/x", "bd?/y/x", "a", "aXcz/x", "bce/x", "b/x", "a/c/x"] {
            assert_eq!(
                dfa.is_match(p.as_bytes()),
                sim.is_match(p.as_bytes()),
                "{p}"
            );
        }
    }
}
