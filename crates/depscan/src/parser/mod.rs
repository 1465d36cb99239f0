//! The parser: a recursive-descent reading of the OCaml 4.13 grammar
//! (`parsing/parser.mly`) that builds no syntax tree. As it recognises each
//! construct it applies the rules of `parsing/depend.ml` on the spot:
//! module paths are reported unless their head is bound locally, and local
//! module bindings are tracked in a [`Scope`].
//!
//! This file holds the parser state, token access, error helpers and the
//! dependency actions; each grammar area has its own submodule.

mod attributes;
mod binding;
mod class;
mod expr;
mod module_expr;
mod module_type;
mod paths;
mod pattern;
mod signature;
mod structure;
mod type_decl;
mod types;

use crate::error::RawError;
use crate::scope::{Mark, Scope, same_name};
use crate::token::{Kind, Token};

/// The address of a local variable: where the stack currently is.
#[inline(always)]
fn stack_address() -> usize {
    let marker = 0u8;
    std::hint::black_box(&marker) as *const u8 as usize
}

/// Result of a parsing step.
pub(crate) type PResult<T> = Result<T, RawError>;

/// The parser state.
pub(crate) struct Parser<'a> {
    src: &'a [u8],
    toks: Vec<Token>,
    pos: usize,
    scope: Scope<'a>,
    /// Module names reported so far (each once).
    deps: Vec<&'a [u8]>,
    /// With [`Parser::qualified`]: the paths found beside the names.
    qualified: Option<Qualified<'a>>,
    /// The token where the module expression of the `open` being read
    /// starts: a path there is opened, not used as a whole module.
    open_at: Option<usize>,
    /// Inside attribute payloads, extension nodes and other parts that
    /// `depend.ml` does not visit, nothing is reported.
    muted: u32,
    /// Names bound by `(module M)` patterns, not yet in scope.
    unpacks: Vec<&'a [u8]>,
    /// Where the stack was when parsing started, and how much of it the
    /// parser may use: deeper nesting is an error (retried by the caller
    /// with a bigger stack) rather than a stack overflow.
    stack_base: usize,
    stack_budget: usize,
}

/// What a scan with qualified paths finds beside the names
/// ([`Parser::qualified`]); over-approximations are harmless, as long as
/// no use is missed.
#[derive(Debug, Default)]
pub(crate) struct Qualified<'a> {
    /// `A.B` for every module path whose head `A` is reported and that
    /// goes on with a module component `B` (`A.B.x`, `A.B.C.t`,
    /// `open A.B`, `module M = A.B`).
    pub paths: Vec<(&'a [u8], &'a [u8])>,
    /// Heads used as a module by themselves, where any of their
    /// submodules may be reached later without being written after them:
    /// `module M = A`, `include A`, `module type of A`, `F(A)`, `(module
    /// A : S)`. An `open A` is not one: the names used after it are
    /// reported as heads of their own.
    pub whole: Vec<&'a [u8]>,
}

/// The names a parse reports, and with [`Parser::qualified`] the paths.
pub(crate) type Found<'a> = (Vec<&'a [u8]>, Qualified<'a>);

/// A saved parser state, to try one reading and fall back to another.
#[derive(Debug, Clone, Copy)]
struct Checkpoint {
    pos: usize,
    deps: usize,
    muted: u32,
    mark: Mark,
    unpacks: usize,
}

impl<'a> Parser<'a> {
    /// A parser of `toks`, the tokens of `src`, that may use
    /// `stack_budget` bytes of the stack below the caller's frame.
    pub fn new(src: &'a [u8], toks: Vec<Token>, stack_budget: usize) -> Self {
        Parser {
            src,
            toks,
            pos: 0,
            scope: Scope::new(),
            deps: Vec::new(),
            qualified: None,
            open_at: None,
            muted: 0,
            unpacks: Vec::new(),
            stack_base: stack_address(),
            stack_budget,
        }
    }

    /// Makes the parser also collect qualified paths ([`Qualified`]).
    pub fn qualified(mut self) -> Self {
        self.qualified = Some(Qualified::default());
        self
    }

    /// Parses an implementation (`.ml`, read like `ocamldep` does, as a
    /// toplevel script) and returns the module names it depends on.
    pub fn implementation(mut self) -> PResult<Found<'a>> {
        self.use_file()?;
        Ok((self.deps, self.qualified.unwrap_or_default()))
    }

    /// Parses an interface (`.mli`) and returns the module names it depends
    /// on.
    pub fn interface(mut self) -> PResult<Found<'a>> {
        self.signature_body(Kind::Eof)?;
        self.expect(Kind::Eof)?;
        Ok((self.deps, self.qualified.unwrap_or_default()))
    }

    // ----- token access -----

    fn peek(&self) -> Kind {
        self.toks[self.pos].kind
    }

    fn peek_at(&self, n: usize) -> Kind {
        self.toks.get(self.pos + n).map_or(Kind::Eof, |t| t.kind)
    }

    fn bump(&mut self) {
        if self.pos + 1 < self.toks.len() {
            self.pos += 1;
        }
    }

    fn eat(&mut self, kind: Kind) -> bool {
        if self.peek() == kind {
            self.bump();
            true
        } else {
            false
        }
    }

    fn expect(&mut self, kind: Kind) -> PResult<()> {
        if self.eat(kind) {
            Ok(())
        } else {
            self.syntax_error()
        }
    }

    /// The text of the token at index `idx`.
    fn text(&self, idx: usize) -> &'a [u8] {
        let src = self.src;
        self.toks.get(idx).map_or(&[][..], |t| t.text(src))
    }

    fn syntax_error<T>(&self) -> PResult<T> {
        let tok = self.toks[self.pos];
        Err(RawError::syntax(
            tok.start as usize,
            tok.end as usize,
            "syntax error",
        ))
    }

    fn error_at<T>(&self, idx: usize, message: &'static str) -> PResult<T> {
        let tok = self.toks.get(idx).copied().unwrap_or(self.toks[self.pos]);
        Err(RawError::syntax(
            tok.start as usize,
            tok.end as usize,
            message,
        ))
    }

    /// Guards recursion: fails when the native stack used since parsing
    /// started exceeds the budget.
    fn enter(&mut self) -> PResult<()> {
        if stack_address().abs_diff(self.stack_base) > self.stack_budget {
            let tok = self.toks[self.pos];
            return Err(RawError::too_deep(tok.start as usize, tok.end as usize));
        }
        Ok(())
    }

    fn checkpoint(&self) -> Checkpoint {
        Checkpoint {
            pos: self.pos,
            deps: self.deps.len(),
            muted: self.muted,
            mark: self.scope.mark(),
            unpacks: self.unpacks.len(),
        }
    }

    fn restore(&mut self, cp: Checkpoint) {
        self.pos = cp.pos;
        self.deps.truncate(cp.deps);
        self.muted = cp.muted;
        self.scope.reset(cp.mark);
        self.unpacks.truncate(cp.unpacks);
    }

    // ----- dependency actions -----

    /// Reads the module expression of an `open` (`open M`, `let open M
    /// in`): a plain path there is opened, not used as a whole module.
    fn opened_module_expr(&mut self) -> PResult<crate::scope::NodeId> {
        let outer = self.open_at.replace(self.pos);
        let node = self.module_expr();
        self.open_at = outer;
        node
    }

    /// Reports module `name` unless it is bound locally or reporting is off.
    fn use_name(&mut self, name: &'a [u8]) {
        if self.muted == 0
            && !self.scope.is_bound(name)
            && !self.deps.iter().any(|dep| same_name(dep, name))
        {
            // Skipping a name already reported is safe with rollbacks: they
            // go back to a mark, and the earlier report is either before it
            // (and stays) or after it (and so is this use).
            self.deps.push(name);
        }
    }

    /// Reports the module named by token `idx`.
    fn use_token(&mut self, idx: usize) {
        let name = self.text(idx);
        self.use_name(name);
    }

    /// With [`Parser::qualified`], records what follows the head at token
    /// `idx` of a path ending before token `end`: its next module
    /// component, or, for a head used as a whole module (`whole`, or a
    /// functor argument `F(A)`), the head itself. Only heads that are
    /// reported count (not muted, not bound locally).
    fn qualify_head(&mut self, idx: usize, end: usize, whole: bool) {
        if self.qualified.is_none() || self.muted != 0 {
            return;
        }
        let head = self.text(idx);
        if self.scope.is_bound(head) {
            return;
        }
        let next = if idx + 2 < end
            && self.toks[idx + 1].kind == Kind::Dot
            && self.toks[idx + 2].kind == Kind::Uident
        {
            Some(self.text(idx + 2))
        } else {
            None
        };
        let argument = idx > 0
            && self.toks[idx - 1].kind == Kind::LParen
            && self.toks.get(idx + 1).map(|t| t.kind) == Some(Kind::RParen);
        let Some(q) = self.qualified.as_mut() else {
            return;
        };
        match next {
            Some(next) => q.paths.push((head, next)),
            None if whole || argument => q.whole.push(head),
            None => {}
        }
    }

    fn mute(&mut self) {
        self.muted += 1;
    }

    fn unmute(&mut self) {
        self.muted = self.muted.saturating_sub(1);
    }

    /// Runs `f` with reporting off.
    fn muted<T>(&mut self, f: impl FnOnce(&mut Self) -> PResult<T>) -> PResult<T> {
        self.mute();
        let result = f(self);
        self.unmute();
        result
    }

    /// Binds the names of `(module M)` patterns read since `from`.
    fn bind_unpacks(&mut self, from: usize) {
        for i in from..self.unpacks.len() {
            let name = self.unpacks[i];
            self.scope.bind(name, crate::scope::BOUND);
        }
    }

    /// The names a `module rec` group defines, found by reading the whole
    /// group (with `body` reading each definition after its name) and
    /// rewinding: every name must be in scope in every body.
    fn rec_module_names(&mut self, body: fn(&mut Self) -> PResult<()>) -> PResult<Vec<&'a [u8]>> {
        let checkpoint = self.checkpoint();
        self.mute();
        let mut names = Vec::new();
        let result = loop {
            match self.module_name() {
                Ok(Some(name)) => names.push(name),
                Ok(None) => {}
                Err(err) => break Err(err),
            }
            if let Err(err) = body(self).and_then(|()| self.post_item_attributes()) {
                break Err(err);
            }
            if !self.eat(Kind::And) {
                break Ok(());
            }
            if let Err(err) = self.attributes() {
                break Err(err);
            }
        };
        self.restore(checkpoint);
        result.map(|()| names)
    }

    /// After a group of recursive definitions (`let rec`)
    /// whose names were not all known while their bodies were read: drops
    /// the reports, made since `deps_mark`, of names the group defines.
    fn forget_recursive(&mut self, deps_mark: usize, names: &[&'a [u8]]) {
        if names.is_empty() || deps_mark >= self.deps.len() {
            return;
        }
        let mut kept = deps_mark;
        for i in deps_mark..self.deps.len() {
            let dep = self.deps[i];
            if !names.contains(&dep) {
                self.deps[kept] = dep;
                kept += 1;
            }
        }
        self.deps.truncate(kept);
    }

    // ----- toplevel -----

    /// `use_file`: an optional expression, then structure items, `;;`
    /// separated expressions and toplevel directives, up to the end.
    fn use_file(&mut self) -> PResult<()> {
        self.structure_body(Kind::Eof, true)?;
        self.expect(Kind::Eof)
    }
}

#[cfg(test)]
mod tests {
    use super::Parser;
    use crate::scope::BOUND;

    fn parser(src: &[u8]) -> Parser<'_> {
        let toks = crate::lexer::tokenize(src).unwrap_or_default();
        Parser::new(src, toks, 1 << 20)
    }

    #[test]
    fn names_are_reported_once_unless_bound_or_muted() {
        let mut p = parser(b"");
        p.use_name(b"List");
        p.use_name(b"List");
        p.scope.bind(b"Local", BOUND);
        p.use_name(b"Local");
        p.mute();
        p.use_name(b"Hidden");
        p.unmute();
        p.use_name(b"Map");
        assert_eq!(p.deps, [&b"List"[..], b"Map"]);
    }

    #[test]
    fn recursive_groups_forget_their_own_names() {
        let mut p = parser(b"");
        p.use_name(b"A");
        let mark = p.deps.len();
        p.use_name(b"B");
        p.use_name(b"C");
        p.forget_recursive(mark, &[b"B"]);
        assert_eq!(p.deps, [&b"A"[..], b"C"]);
    }

    #[test]
    fn nesting_beyond_the_stack_budget_is_an_error() {
        let src = format!("let x = {}1{}", "(".repeat(5000), ")".repeat(5000));
        let toks = crate::lexer::tokenize(src.as_bytes()).unwrap_or_default();
        let result = Parser::new(src.as_bytes(), toks, 64 << 10).implementation();
        assert!(result.is_err());
    }
}
