//! Splitting values into words and joining file names the way findlib does
//! it: on strings, so that the paths handed to the compiler are
//! byte-for-byte the ones ocamlfind would pass.

/// Words separated by blanks and/or commas (`requires`, `archive`).
pub fn words(s: &str) -> Vec<&str> {
    s.split([' ', '\t', '\n', '\r', ','])
        .filter(|w| !w.is_empty())
        .collect()
}

/// Words separated by blanks only (`linkopts`, `ppxopt` parts).
pub fn words_ws(s: &str) -> Vec<&str> {
    s.split([' ', '\t', '\n', '\r'])
        .filter(|w| !w.is_empty())
        .collect()
}

/// The components of a search path separated by `:` (empty ones dropped).
pub fn search_path(s: &str) -> Vec<&str> {
    s.split(':').filter(|w| !w.is_empty()).collect()
}

/// The dot-separated components of a package name (empty ones dropped;
/// the name `.` is the package `.`).
pub fn package_name(s: &str) -> Vec<&str> {
    if s == "." {
        return vec!["."];
    }
    s.split('.').filter(|w| !w.is_empty()).collect()
}

/// `dir/file` as OCaml's `Filename.concat` makes it: a `/` is put between
/// them unless `dir` is empty or already ends with one. `file` is appended
/// even when it is absolute.
pub fn concat(dir: &str, file: &str) -> String {
    if dir.is_empty() || dir.ends_with('/') {
        format!("{dir}{file}")
    } else {
        format!("{dir}/{file}")
    }
}

/// Whether a file name is relative (does not start with `/`).
pub fn is_relative(p: &str) -> bool {
    !p.starts_with('/')
}

/// Whether a file name is relative and does not start with `./` or `../`
/// (a bare command or file name, looked up elsewhere).
pub fn is_implicit(p: &str) -> bool {
    is_relative(p) && !p.starts_with("./") && !p.starts_with("../")
}

/// A directory name with repeated `/` collapsed and a trailing `/` removed,
/// as findlib normalizes directories before comparing them.
pub fn norm_dir(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    for (k, c) in s.char_indices() {
        if k > 0 && c == '/' && (bytes[k - 1] == b'/' || k == bytes.len() - 1) {
            continue;
        }
        out.push(c);
    }
    out
}

/// Removes duplicates keeping the last occurrence of each element, as
/// ocamlfind does for the directory lists it passes with `-I`.
pub fn dedup_keep_last<T: PartialEq + Clone>(items: &[T]) -> Vec<T> {
    let mut out = Vec::with_capacity(items.len());
    for (i, x) in items.iter().enumerate() {
        if !items[i + 1..].contains(x) {
            out.push(x.clone());
        }
    }
    out
}

/// OCaml's `Filename.quote`: single quotes, with embedded single quotes
/// written as `'\''`.
pub fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_split_on_blanks_and_commas() {
        assert_eq!(words(" a,b\tc ,, d\n"), vec!["a", "b", "c", "d"]);
    }

    #[test]
    fn words_ws_keep_commas() {
        assert_eq!(words_ws("-ccopt -L/x,y  z"), vec!["-ccopt", "-L/x,y", "z"]);
    }

    #[test]
    fn search_path_drops_empty_components() {
        assert_eq!(search_path(":/a::/b:"), vec!["/a", "/b"]);
    }

    #[test]
    fn package_names_split_on_dots() {
        assert_eq!(package_name("a.b..c"), vec!["a", "b", "c"]);
        assert_eq!(package_name("."), vec!["."]);
        assert!(package_name("..").is_empty());
    }

    #[test]
    fn concat_adds_one_slash() {
        assert_eq!(concat("/a", "b"), "/a/b");
        assert_eq!(concat("/a/", "b"), "/a/b");
        assert_eq!(concat("", "b"), "b");
        assert_eq!(concat("/a", "/b"), "/a//b");
        assert_eq!(concat("/a", "./b"), "/a/./b");
    }

    #[test]
    fn implicit_names_are_bare() {
        assert!(is_implicit("ppx.exe"));
        assert!(is_implicit("sub/ppx.exe"));
        assert!(!is_implicit("./ppx.exe"));
        assert!(!is_implicit("../ppx.exe"));
        assert!(!is_implicit("/ppx.exe"));
    }

    #[test]
    fn norm_dir_collapses_and_trims_slashes() {
        assert_eq!(norm_dir("/usr//lib/ocaml/"), "/usr/lib/ocaml");
        assert_eq!(norm_dir("/"), "/");
        assert_eq!(norm_dir("//"), "/");
        assert_eq!(norm_dir(""), "");
    }

    #[test]
    fn dedup_keeps_last_occurrence() {
        assert_eq!(dedup_keep_last(&["a", "b", "a", "c"]), vec!["b", "a", "c"]);
    }

    #[test]
    fn quote_uses_single_quotes() {
        assert_eq!(quote("a b"), "'a b'");
        assert_eq!(quote("it's"), "'it'\\''s'");
    }
}
