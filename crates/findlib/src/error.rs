//! Errors of this crate: every failure names the package and, where there
//! is one, the META (or configuration) file and line it comes from.

use std::fmt;
use std::io;
use std::path::PathBuf;

/// A place in a META or configuration file, printed the way the OCaml
/// compiler prints locations so that editors can jump to it:
/// `File "/usr/lib/ocaml/foo/META", line 3, characters 5-9:`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Location {
    /// The file.
    pub file: PathBuf,
    /// Line number, counted from 1.
    pub line: usize,
    /// First byte of the span, counted from 0 at the start of `line`.
    pub start: usize,
    /// One past the last byte of the span, counted from the start of `line`
    /// (a span that runs over several lines ends past the line's length).
    pub end: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "File \"{}\", line {}, characters {}-{}:",
            self.file.display(),
            self.line,
            self.start,
            self.end
        )
    }
}

/// Who asked for a package that could not be found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequiredBy {
    /// The package whose `requires` names the missing package.
    pub package: String,
    /// Where in that package's META file the name is written.
    pub location: Option<Location>,
}

/// Everything that can go wrong while configuring findlib, reading META
/// files or resolving packages.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file or directory could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: io::Error,
    },

    /// A META or configuration file is not well-formed.
    #[error("{location}\nError: {message}")]
    Syntax {
        /// Where the problem is.
        location: Location,
        /// What is wrong, in words.
        message: String,
    },

    /// Neither the configuration file nor its `.d` directory exists.
    #[error(
        "findlib configuration not found: neither the file {} nor the directory {}.d exists \
         (set OCAMLFIND_CONF to the right file)",
        file.display(),
        file.display()
    )]
    ConfigNotFound {
        /// The configuration file that was looked for.
        file: PathBuf,
    },

    /// No META file defines this package in the search path.
    #[error("{}", describe_missing(.name, .required_by.as_deref(), .suggestion.as_deref(), .search_path))]
    NoSuchPackage {
        /// The package name as asked for.
        name: String,
        /// The package whose `requires` names it, if any.
        required_by: Option<Box<RequiredBy>>,
        /// The nearest existing package name, if one is close.
        suggestion: Option<String>,
        /// The directories that were searched.
        search_path: Vec<PathBuf>,
    },

    /// The main package exists but has no such sub-package.
    #[error("{}", describe_missing_sub(.name, .parent, .location, .available, .required_by.as_deref()))]
    NoSuchSubpackage {
        /// The full name asked for (`a.b.c`).
        name: String,
        /// The deepest package of the name that does exist (`a.b`).
        parent: String,
        /// The block of `parent` in its META file (line 1 for a main
        /// package).
        location: Box<Location>,
        /// The sub-packages that `parent` does define.
        available: Vec<String>,
        /// The package whose `requires` names it, if any.
        required_by: Option<Box<RequiredBy>>,
    },

    /// The package is declared but hidden by `exists_if`: none of the files
    /// it names is in the package directory.
    #[error(
        "{location}\nError: package `{name}' is not installed{}: none of the files named by \
         exists_if ({}) is in {}",
        required_by.as_ref().map(|r| format!(" (required by `{}')", r.package)).unwrap_or_default(),
        files.join(", "),
        directory.display()
    )]
    PackageHidden {
        /// The package name.
        name: String,
        /// The `exists_if` definition.
        location: Box<Location>,
        /// The files `exists_if` names.
        files: Vec<String>,
        /// The package directory they were looked for in.
        directory: PathBuf,
        /// The package whose `requires` names it, if any.
        required_by: Option<Box<RequiredBy>>,
    },

    /// Packages require each other in a cycle.
    #[error("{}", describe_cycle(.cycle, .location.as_ref()))]
    Cycle {
        /// The packages of the cycle, the first one repeated at the end
        /// (`a -> b -> a`).
        cycle: Vec<String>,
        /// The `requires` that closes the cycle.
        location: Option<Location>,
    },

    /// A package's `error` variable applies under the current predicates.
    #[error("{}package `{package}' reports an error: {message}", prefix(.location.as_ref()))]
    PackageError {
        /// The package.
        package: String,
        /// The text of its `error` variable.
        message: String,
        /// Where the variable is defined.
        location: Option<Location>,
    },

    /// A `META.name` file has no `directory` for its main package.
    #[error(
        "{}: the `directory' directive is required in a META.{package} file \
         (package `{package}')",
        meta.display()
    )]
    DirectoryRequired {
        /// The package.
        package: String,
        /// The META file.
        meta: PathBuf,
    },

    /// A `ppxopt` variable or `-ppxopt` option is not of the form
    /// `package,option,...`, or names a package that does not exist.
    #[error("{}{message}", prefix(.location.as_ref()))]
    BadPpxopt {
        /// What is wrong.
        message: String,
        /// Where the variable is defined (none for a command-line option).
        location: Option<Location>,
    },

    /// `-syntax` was asked for, but the selected packages do not define
    /// exactly one preprocessor.
    #[error("{message}")]
    Preprocessor {
        /// What is wrong.
        message: String,
    },

    /// Threads were asked for, but the `threads` package says this platform
    /// has none.
    #[error("threading is not supported on this platform")]
    ThreadsUnsupported,

    /// The requested combination is not supported (e.g. `-vmthread` with
    /// `ocamlopt`).
    #[error("{message}")]
    Unsupported {
        /// What is not supported.
        message: String,
    },

    /// A package name is empty or made only of dots.
    #[error("invalid package name `{name}'")]
    InvalidPackageName {
        /// The name.
        name: String,
    },

    /// A `query -format` string is malformed.
    #[error("bad format string `{format}'")]
    BadFormat {
        /// The format.
        format: String,
    },
}

/// The result type of this crate.
pub type Result<T> = std::result::Result<T, Error>;

/// The location line and `Error: ` before a message, as the OCaml compiler
/// prints them; nothing when there is no location.
fn prefix(location: Option<&Location>) -> String {
    match location {
        Some(l) => format!("{l}\nError: "),
        None => String::new(),
    }
}

fn describe_missing(
    name: &str,
    required_by: Option<&RequiredBy>,
    suggestion: Option<&str>,
    search_path: &[PathBuf],
) -> String {
    let mut s = String::new();
    if let Some(r) = required_by {
        s.push_str(&prefix(r.location.as_ref()));
    }
    s.push_str(&format!("package `{name}' not found"));
    if let Some(r) = required_by {
        s.push_str(&format!(" (required by `{}')", r.package));
    }
    if let Some(sugg) = suggestion {
        s.push_str(&format!("; did you mean `{sugg}'?"));
    } else {
        let dirs: Vec<String> = search_path
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        s.push_str(&format!(" in the search path {}", dirs.join(":")));
    }
    s
}

fn describe_missing_sub(
    name: &str,
    parent: &str,
    location: &Location,
    available: &[String],
    required_by: Option<&RequiredBy>,
) -> String {
    let local = name.rsplit('.').next().unwrap_or(name);
    let mut s = match required_by.and_then(|r| r.location.as_ref()) {
        Some(l) => prefix(Some(l)),
        None => prefix(Some(location)),
    };
    s.push_str(&format!(
        "package `{name}' not found: {} defines no sub-package `{local}' in `{parent}'",
        location.file.display(),
    ));
    if let Some(r) = required_by {
        s.push_str(&format!(" (required by `{}')", r.package));
    }
    if let Some(best) = crate::suggest::nearest(local, available.iter().map(String::as_str)) {
        s.push_str(&format!("; did you mean `{parent}.{best}'?"));
    } else if available.is_empty() {
        s.push_str(&format!("; `{parent}' has no sub-packages"));
    } else {
        s.push_str(&format!("; its sub-packages are: {}", available.join(", ")));
    }
    s
}

fn describe_cycle(cycle: &[String], location: Option<&Location>) -> String {
    format!(
        "{}packages require each other in a cycle: {}",
        prefix(location),
        cycle.join(" -> ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loc() -> Location {
        Location {
            file: PathBuf::from("/usr/lib/ocaml/foo/META"),
            line: 3,
            start: 5,
            end: 9,
        }
    }

    #[test]
    fn location_prints_like_the_ocaml_compiler() {
        assert_eq!(
            loc().to_string(),
            "File \"/usr/lib/ocaml/foo/META\", line 3, characters 5-9:"
        );
    }

    #[test]
    fn syntax_error_starts_with_the_location_line() {
        let e = Error::Syntax {
            location: loc(),
            message: "expected `='".into(),
        };
        let text = e.to_string();
        assert!(text.starts_with("File \"/usr/lib/ocaml/foo/META\", line 3, characters 5-9:\n"));
        assert!(text.ends_with("expected `='"));
    }

    #[test]
    fn missing_package_names_requirer_and_suggestion() {
        let e = Error::NoSuchPackage {
            name: "yojsn".into(),
            required_by: Some(Box::new(RequiredBy {
                package: "app".into(),
                location: Some(loc()),
            })),
            suggestion: Some("yojson".into()),
            search_path: vec![],
        };
        let text = e.to_string();
        assert!(text.contains("line 3"));
        assert!(
            text.contains("package `yojsn' not found (required by `app'); did you mean `yojson'?")
        );
    }

    #[test]
    fn missing_package_without_suggestion_lists_search_path() {
        let e = Error::NoSuchPackage {
            name: "zzz".into(),
            required_by: None,
            suggestion: None,
            search_path: vec![PathBuf::from("/a"), PathBuf::from("/b")],
        };
        assert_eq!(
            e.to_string(),
            "package `zzz' not found in the search path /a:/b"
        );
    }

    #[test]
    fn missing_sub_package_suggests_a_sibling() {
        let e = Error::NoSuchSubpackage {
            name: "lwt.unx".into(),
            parent: "lwt".into(),
            location: Box::new(Location {
                file: PathBuf::from("/usr/lib/ocaml/lwt/META"),
                line: 1,
                start: 0,
                end: 0,
            }),
            available: vec!["unix".into(), "ppx".into()],
            required_by: None,
        };
        assert!(e.to_string().ends_with("did you mean `lwt.unix'?"));
    }

    #[test]
    fn cycle_is_printed_as_a_chain() {
        let e = Error::Cycle {
            cycle: vec!["a".into(), "b".into(), "a".into()],
            location: None,
        };
        assert_eq!(
            e.to_string(),
            "packages require each other in a cycle: a -> b -> a"
        );
    }
}
