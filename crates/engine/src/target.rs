//! `Target`: the name of something the build can produce or read.
//!
//! A target is a path relative to the build directory, written with `/`
//! separators and without `./` (for example `src/a.cmo`). Targets are cheap to
//! clone: the text is shared.

use std::fmt;
use std::sync::Arc;

/// A file in the build directory, named by its path relative to that directory.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Target(Arc<str>);

impl Target {
    /// Makes a target from a relative path, normalising `./` prefixes, repeated
    /// slashes and `.` components.
    pub fn new(path: &str) -> Target {
        if is_normal(path) {
            return Target(Arc::from(path));
        }
        let parts: Vec<&str> = path
            .split('/')
            .filter(|p| !p.is_empty() && *p != ".")
            .collect();
        Target(Arc::from(parts.join("/")))
    }

    /// The path relative to the build directory.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The directory part (`""` for a file at the root).
    pub fn dir(&self) -> &str {
        match self.0.rfind('/') {
            Some(i) => &self.0[..i],
            None => "",
        }
    }

    /// The file name part.
    pub fn file_name(&self) -> &str {
        match self.0.rfind('/') {
            Some(i) => &self.0[i + 1..],
            None => &self.0,
        }
    }
}

fn is_normal(path: &str) -> bool {
    !path.is_empty()
        && !path.starts_with('/')
        && !path.ends_with('/')
        && path.split('/').all(|p| !p.is_empty() && p != ".")
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", &*self.0)
    }
}

impl From<&str> for Target {
    fn from(s: &str) -> Target {
        Target::new(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_dot_prefixes_and_slashes() {
        assert_eq!(Target::new("./a//b/./c.ml").as_str(), "a/b/c.ml");
        assert_eq!(Target::new("a.ml").as_str(), "a.ml");
    }

    #[test]
    fn splits_dir_and_file_name() {
        let t = Target::new("src/sub/a.cmo");
        assert_eq!(t.dir(), "src/sub");
        assert_eq!(t.file_name(), "a.cmo");
        assert_eq!(Target::new("a.cmo").dir(), "");
    }
}
