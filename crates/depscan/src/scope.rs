//! Which module names are bound locally, and what is known of their
//! submodules: the `bound_map` of the compiler's `parsing/depend.ml`.
//!
//! `depend.ml` keeps, for every local module, a tree of its submodules so
//! that `open M` or `include M` of a local `M` brings `M`'s submodules into
//! scope. The sets of free names it also stores in that tree are always
//! already reported in the default (non `-no-alias-deps`) mode, so only the
//! tree shape is kept here. Modules whose contents are unknown (functor
//! parameters, first-class module unpackings, functor applications...) get
//! the empty node [`BOUND`].
//!
//! Scopes nest like a stack: a name pushed later shadows earlier ones, and a
//! scope is left by truncating back to a [`Mark`].

/// A module node: the submodules a local module is known to have.
pub(crate) type NodeId = u32;

/// The node of a module with no known submodules.
pub(crate) const BOUND: NodeId = 0;

/// A saved height of the stack of bound names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Mark(usize);

/// A saved height of the stack of exported names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ExportMark(usize);

type Entry<'a> = (&'a [u8], NodeId);

/// Name equality, rejecting most different names before comparing bytes.
pub(crate) fn same_name(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.first() == b.first() && a.last() == b.last() && a == b
}

/// The local module environment.
#[derive(Debug)]
pub(crate) struct Scope<'a> {
    /// Names in scope, innermost last.
    bound: Vec<Entry<'a>>,
    /// Names defined by the structures and signatures being read, innermost
    /// last; they become a node's children when the structure ends.
    exports: Vec<Entry<'a>>,
    /// Each node's range in `children`.
    nodes: Vec<(u32, u32)>,
    children: Vec<Entry<'a>>,
}

impl<'a> Scope<'a> {
    pub fn new() -> Self {
        Scope {
            bound: Vec::new(),
            exports: Vec::new(),
            nodes: vec![(0, 0)],
            children: Vec::new(),
        }
    }

    pub fn mark(&self) -> Mark {
        Mark(self.bound.len())
    }

    /// Leaves every binding made since `mark`.
    pub fn reset(&mut self, mark: Mark) {
        self.bound.truncate(mark.0);
    }

    pub fn bind(&mut self, name: &'a [u8], node: NodeId) {
        self.bound.push((name, node));
    }

    /// The node of the innermost module called `name`, if it is local.
    pub fn lookup(&self, name: &[u8]) -> Option<NodeId> {
        self.bound
            .iter()
            .rev()
            .find(|(n, _)| same_name(n, name))
            .map(|&(_, node)| node)
    }

    pub fn is_bound(&self, name: &[u8]) -> bool {
        self.bound.iter().any(|(n, _)| same_name(n, name))
    }

    /// The submodule `name` of `node`, if known.
    pub fn child(&self, node: NodeId, name: &[u8]) -> Option<NodeId> {
        let (start, len) = self.nodes.get(node as usize).copied().unwrap_or((0, 0));
        self.children[start as usize..(start + len) as usize]
            .iter()
            .rev()
            .find(|(n, _)| *n == name)
            .map(|&(_, child)| child)
    }

    /// Brings the submodules of `node` into scope (`open` of a local module).
    pub fn open(&mut self, node: NodeId) {
        let (start, len) = self.nodes.get(node as usize).copied().unwrap_or((0, 0));
        self.bound
            .extend_from_slice(&self.children[start as usize..(start + len) as usize]);
    }

    /// Starts collecting the names a structure or signature defines.
    pub fn export_mark(&self) -> ExportMark {
        ExportMark(self.exports.len())
    }

    /// Records that the structure being read defines module `name`.
    pub fn export(&mut self, name: &'a [u8], node: NodeId) {
        self.exports.push((name, node));
    }

    /// Defines `name` both in scope and as a component of the structure
    /// being read.
    pub fn define(&mut self, name: &'a [u8], node: NodeId) {
        self.bind(name, node);
        self.export(name, node);
    }

    /// `include` of a module: its submodules are both in scope and
    /// components of the structure being read.
    pub fn include(&mut self, node: NodeId) {
        let (start, len) = self.nodes.get(node as usize).copied().unwrap_or((0, 0));
        let range = start as usize..(start + len) as usize;
        self.bound.extend_from_slice(&self.children[range.clone()]);
        self.exports.extend_from_slice(&self.children[range]);
    }

    /// Ends a structure: its exported names become a new node.
    pub fn close_exports(&mut self, mark: ExportMark) -> NodeId {
        if self.exports.len() == mark.0 {
            self.exports.truncate(mark.0);
            return BOUND;
        }
        let start = self.children.len() as u32;
        self.children.extend_from_slice(&self.exports[mark.0..]);
        let len = self.children.len() as u32 - start;
        self.exports.truncate(mark.0);
        self.nodes.push((start, len));
        (self.nodes.len() - 1) as NodeId
    }

    /// Forgets the names exported since `mark` without making a node.
    pub fn drop_exports(&mut self, mark: ExportMark) {
        self.exports.truncate(mark.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shadowing_open_and_include() {
        let mut scope = Scope::new();
        let outer = scope.mark();
        let em = scope.export_mark();
        scope.define(b"A", BOUND);
        scope.define(b"B", BOUND);
        let node = scope.close_exports(em);
        scope.reset(outer);
        assert!(!scope.is_bound(b"A"));
        scope.bind(b"M", node);
        assert_eq!(scope.child(node, b"B"), Some(BOUND));
        assert_eq!(scope.child(node, b"C"), None);
        let before_open = scope.mark();
        scope.open(node);
        assert!(scope.is_bound(b"A"));
        scope.reset(before_open);
        assert!(!scope.is_bound(b"A"));
        let em = scope.export_mark();
        scope.include(node);
        let copy = scope.close_exports(em);
        assert_eq!(scope.child(copy, b"A"), Some(BOUND));
        assert_eq!(scope.close_exports(scope.export_mark()), BOUND);
    }
}
