//! Files that list modules (`.mlypack`, `.odocl`, and ocamlbuild's other
//! list files): words separated by blanks or newlines, `#` at the start of
//! a word beginning a comment to the end of the line. An entry may be a
//! path (`sub/Foo`).

/// The entries of a list file, in order.
pub fn entries(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        for word in line.split_whitespace() {
            if word.starts_with('#') {
                break;
            }
            out.push(word.to_string());
        }
    }
    out
}

/// The files `entry` may name with extension `ext`, seen from a list file
/// whose include directories are `dirs` (its own first): for each
/// directory, `dir/sub/m.ext` then `dir/sub/M.ext`, as ocamlbuild's
/// `expand_module` tries them.
pub fn candidates(dirs: &[&str], entry: &str, ext: &str) -> Vec<String> {
    let (sub, name) = match entry.rsplit_once('/') {
        Some((s, n)) => (Some(s), n),
        None => (None, entry),
    };
    let mut out = Vec::new();
    for dir in dirs {
        let mut prefix = dir.to_string();
        if let Some(s) = sub {
            if !prefix.is_empty() {
                prefix.push('/');
            }
            prefix.push_str(s);
        }
        for base in [
            crate::module_name::uncapitalize(name),
            crate::module_name::capitalize(name),
        ] {
            let path = if prefix.is_empty() {
                format!("{base}.{ext}")
            } else {
                format!("{prefix}/{base}.{ext}")
            };
            if !out.contains(&path) {
                out.push(path);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_and_comments() {
        assert_eq!(
            entries("A B\n# all of this\nsub/C #D\n  E\n"),
            ["A", "B", "sub/C", "E"]
        );
    }

    #[test]
    fn candidates_follow_expand_module() {
        assert_eq!(
            candidates(&["", "lib"], "Foo", "mly"),
            ["foo.mly", "Foo.mly", "lib/foo.mly", "lib/Foo.mly"]
        );
        assert_eq!(
            candidates(&["src"], "sub/Bar", "odoc"),
            ["src/sub/bar.odoc", "src/sub/Bar.odoc"]
        );
    }
}
