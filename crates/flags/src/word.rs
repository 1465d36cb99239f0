//! Raw shell text among flag words.
//!
//! The flag table holds command-line words, but ocamlbuild's specs also
//! carry raw shell text (`Sh`: the `-pp`/`-ppflag` values, a plugin's
//! `flag [...] (Sh "...")`), which ocamlbuild pastes into a command's shell
//! text unquoted. The difference shows where a command's flags become one
//! string: `-pp` takes the preprocessor's words as one argument, each
//! ordinary word quoted as ocamlbuild quotes it and each raw text as it is.
//! A raw text is kept in the table as one word behind a NUL byte, which no
//! command-line word can contain; [`argv`] splits it as a shell would when
//! the words go into an argv, [`shell_text`] pastes it when they become
//! shell text.
//!
//! A plugin flag may also hold `T tags`, which ocamlbuild replaces by the
//! flags of `tags` when a command is written, not when the flag is
//! declared. It stays in the table as one word behind a byte 1 ([`tags()`]);
//! [`expand_tags`] replaces it when a command's flags are asked for.

const RAW: char = '\u{0}';
const TAGS: char = '\u{1}';

/// How deep `T` specs may refer to flags holding `T` specs (ocamlbuild
/// would loop forever on a cycle).
const MAX_TAG_DEPTH: usize = 16;

/// A `T tags` spec as a flag word.
pub fn tags(tags: &[String]) -> String {
    let mut w = String::new();
    for t in tags {
        w.push(TAGS);
        w.push_str(t);
    }
    if w.is_empty() {
        w.push(TAGS);
    }
    w
}

/// The tags of a `T` word, `None` for any other word.
pub fn as_tags(word: &str) -> Option<Vec<&str>> {
    word.strip_prefix(TAGS)
        .map(|rest| rest.split(TAGS).filter(|t| !t.is_empty()).collect())
}

/// Replaces each `T` word by the flags `flags_of` gives its tags, again
/// for the `T` words those hold (to a bounded depth).
pub fn expand_tags(words: Vec<String>, flags_of: &dyn Fn(&[&str]) -> Vec<String>) -> Vec<String> {
    fn go(
        words: Vec<String>,
        flags_of: &dyn Fn(&[&str]) -> Vec<String>,
        depth: usize,
        out: &mut Vec<String>,
    ) {
        for w in words {
            match as_tags(&w) {
                Some(tags) if depth < MAX_TAG_DEPTH => {
                    go(flags_of(&tags), flags_of, depth + 1, out)
                }
                Some(_) => {}
                None => out.push(w),
            }
        }
    }
    if !words.iter().any(|w| w.starts_with(TAGS)) {
        return words;
    }
    let mut out = Vec::with_capacity(words.len());
    go(words, flags_of, 0, &mut out);
    out
}

/// A raw shell text as a flag word.
pub fn raw(text: &str) -> String {
    format!("{RAW}{text}")
}

/// The shell text of a raw word, `None` for an ordinary word.
pub fn as_raw(word: &str) -> Option<&str> {
    word.strip_prefix(RAW)
}

/// The words as argv entries: a raw text is split the way `sh` would
/// split it (caravan runs compilers without a shell).
pub fn argv(words: Vec<String>) -> Vec<String> {
    if !words.iter().any(|w| as_raw(w).is_some()) {
        return words;
    }
    let mut out = Vec::with_capacity(words.len());
    for w in words {
        match as_raw(&w) {
            Some(text) => match shlex::split(text) {
                Some(split) => out.extend(split),
                None => out.push(text.to_string()),
            },
            None => out.push(w),
        }
    }
    out
}

/// The words as ocamlbuild's `string_of_command_spec` writes them: ordinary
/// words quoted when they need it, raw texts as they are, separated by
/// spaces.
pub fn shell_text(words: &[String]) -> String {
    words
        .iter()
        .map(|w| match as_raw(w) {
            Some(text) => text.to_string(),
            None => engine::shell_quote(w),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The words for display (documentation): raw texts without their mark,
/// `T` words as `T(tag, ...)`.
pub fn display(words: &[String]) -> String {
    words
        .iter()
        .map(|w| match (as_raw(w), as_tags(w)) {
            (Some(text), _) => text.to_string(),
            (None, Some(tags)) => format!("T({})", tags.join(", ")),
            (None, None) => w.clone(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_words_are_pasted_into_shell_text_and_split_for_an_argv() {
        let words = vec![
            "./pp.exe".to_string(),
            "with space".to_string(),
            raw("-I 'a b' | cat"),
        ];
        assert_eq!(shell_text(&words), "./pp.exe 'with space' -I 'a b' | cat");
        assert_eq!(
            argv(words.clone()),
            ["./pp.exe", "with space", "-I", "a b", "|", "cat"]
        );
        assert_eq!(display(&words), "./pp.exe with space -I 'a b' | cat");
        assert_eq!(as_raw("plain"), None);
    }

    #[test]
    fn tag_words_expand_to_the_flags_of_their_tags_when_asked() {
        let inner = tags(&["ppinner".to_string()]);
        let outer = tags(&["outer".to_string(), "x".to_string()]);
        assert_eq!(as_tags(&outer), Some(vec!["outer", "x"]));
        let flags_of = |t: &[&str]| -> Vec<String> {
            match t {
                ["ppinner"] => vec!["in ner".to_string(), raw("raw text")],
                ["outer", "x"] => vec!["-o".to_string(), inner.clone()],
                _ => vec![tags(&["loop".to_string()])],
            }
        };
        let words = expand_tags(vec!["a".into(), outer.clone()], &flags_of);
        assert_eq!(shell_text(&words), "a -o 'in ner' raw text");
        assert_eq!(display(&[outer]), "T(outer, x)");
        // A cycle ends at the depth bound instead of looping.
        assert!(expand_tags(vec![tags(&["loop".into()])], &flags_of).is_empty());
    }
}
