//! Module names and the file names that hold them.
//!
//! `foo.ml` and `Foo.ml` both hold module `Foo`. OCaml capitalises only the
//! first byte (ASCII), and so do we.

/// `foo` → `Foo`.
pub fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
        None => String::new(),
    }
}

/// `Foo` → `foo`.
pub fn uncapitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_ascii_lowercase().to_string() + c.as_str(),
        None => String::new(),
    }
}

/// The module a path holds: basename without any extension, capitalised
/// (`src/foo.ml` → `Foo`, `a.b.ml` → `A`).
pub fn of_path(path: &str) -> String {
    let base = path.rsplit('/').next().unwrap_or(path);
    let stem = base.split('.').next().unwrap_or(base);
    capitalize(stem)
}

/// Whether `s` is a valid module name.
pub fn is_valid(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_uppercase())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '\'')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_of_path_drops_dirs_and_every_extension() {
        assert_eq!(of_path("src/foo.ml"), "Foo");
        assert_eq!(of_path("a.b.mli"), "A");
        assert_eq!(of_path("Bar.ml"), "Bar");
    }

    #[test]
    fn case_changes_touch_the_first_letter_only() {
        assert_eq!(capitalize("fooBar"), "FooBar");
        assert_eq!(uncapitalize("FOO"), "fOO");
        assert!(is_valid("Foo_bar'"));
        assert!(!is_valid("foo"));
    }
}
