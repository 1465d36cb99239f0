//! Actual predicates: the set of conditions (`byte`, `native`, `mt`,
//! `pkg_foo`, ...) under which META variables are evaluated.

use std::collections::HashSet;
use std::fmt;

/// Compiling to bytecode.
pub const BYTE: &str = "byte";
/// Compiling to native code.
pub const NATIVE: &str = "native";
/// The program uses threads.
pub const MT: &str = "mt";
/// Threads are POSIX threads.
pub const MT_POSIX: &str = "mt_posix";
/// Threads are the bytecode VM's threads.
pub const MT_VM: &str = "mt_vm";
/// The compiler links the C libraries an archive names by itself.
pub const AUTOLINK: &str = "autolink";
/// A toplevel is being built (`ocamlmktop`).
pub const CREATE_TOPLOOP: &str = "create_toploop";
/// Running inside a toplevel.
pub const TOPLOOP: &str = "toploop";
/// Profiling (`-p`).
pub const GPROF: &str = "gprof";
/// A camlp4 `-syntax` is in use.
pub const SYNTAX: &str = "syntax";
/// Evaluating for the camlp4 preprocessor.
pub const PREPROCESSOR: &str = "preprocessor";
/// The ppx driver is linked into the program (ppxlib drivers).
pub const PPX_DRIVER: &str = "ppx_driver";
/// A custom ppx driver is used (ppxlib).
pub const CUSTOM_PPX: &str = "custom_ppx";

/// The predicate that findlib sets for every package taking part in a
/// command: `pkg_` followed by the full package name.
pub fn package_predicate(package: &str) -> String {
    format!("pkg_{package}")
}

/// A set of actual predicates that keeps the order in which they were
/// given (ocamlfind's own order, which shows in generated code and verbose
/// output). Membership is what counts for evaluation.
#[derive(Clone, Default)]
pub struct Predicates {
    order: Vec<String>,
    set: HashSet<String>,
}

impl Predicates {
    /// No predicates.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether `name` is set.
    pub fn contains(&self, name: &str) -> bool {
        self.set.contains(name)
    }

    /// Adds `name` at the end (kept once in the order).
    pub fn push(&mut self, name: impl Into<String>) {
        let name = name.into();
        if self.set.insert(name.clone()) {
            self.order.push(name);
        }
    }

    /// Adds `name` at the front, as ocamlfind does for the predicates it
    /// adds itself (kept once in the order).
    pub fn push_front(&mut self, name: impl Into<String>) {
        let name = name.into();
        if self.set.insert(name.clone()) {
            self.order.insert(0, name);
        } else if let Some(i) = self.order.iter().position(|p| *p == name) {
            let p = self.order.remove(i);
            self.order.insert(0, p);
        }
    }

    /// The predicates in order.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.order.iter().map(String::as_str)
    }

    /// How many predicates are set.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// Whether no predicate is set.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// Whether this is a thread-enabled evaluation (`mt` is set), which
    /// makes every package depend on `threads`.
    pub fn multithreaded(&self) -> bool {
        self.contains(MT)
    }
}

impl PartialEq for Predicates {
    fn eq(&self, other: &Self) -> bool {
        self.set == other.set
    }
}

impl Eq for Predicates {}

impl fmt::Debug for Predicates {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.order.iter()).finish()
    }
}

impl fmt::Display for Predicates {
    /// Comma-separated, as ocamlfind's `-predicates` takes them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.order.join(","))
    }
}

impl<S: Into<String>> FromIterator<S> for Predicates {
    fn from_iter<I: IntoIterator<Item = S>>(iter: I) -> Self {
        let mut p = Predicates::new();
        for s in iter {
            p.push(s);
        }
        p
    }
}

impl<S: Into<String>> Extend<S> for Predicates {
    fn extend<I: IntoIterator<Item = S>>(&mut self, iter: I) {
        for s in iter {
            self.push(s);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn membership_ignores_order_and_duplicates() {
        let a: Predicates = ["byte", "mt", "byte"].into_iter().collect();
        let b: Predicates = ["mt", "byte"].into_iter().collect();
        assert_eq!(a, b);
        assert_eq!(a.len(), 2);
        assert!(a.contains("mt"));
        assert!(!a.contains("native"));
    }

    #[test]
    fn push_front_puts_predicate_first() {
        let mut p: Predicates = ["byte"].into_iter().collect();
        p.push_front(AUTOLINK);
        p.push_front("byte");
        assert_eq!(p.iter().collect::<Vec<_>>(), vec!["byte", "autolink"]);
    }

    #[test]
    fn display_is_comma_separated() {
        let p: Predicates = ["native", "mt"].into_iter().collect();
        assert_eq!(p.to_string(), "native,mt");
    }

    #[test]
    fn package_predicates_carry_the_full_name() {
        assert_eq!(package_predicate("lwt.unix"), "pkg_lwt.unix");
    }
}
