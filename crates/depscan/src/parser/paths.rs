//! Long identifiers (`M.N.x`, `F(X).t`, `( + )`...) and what `depend.ml`
//! does with them: report the head of the module part (and the heads of
//! functor arguments) unless bound locally, and look up local modules for
//! `open`, `include` and aliases.

use super::{PResult, Parser};
use crate::scope::{BOUND, NodeId};
use crate::token::Kind;

/// A module path as read: tokens `first..end` (`A . B ( C ) . D`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ModPath {
    pub first: usize,
    pub end: usize,
    /// Whether it contains a functor application (then it never names a
    /// local module's node).
    pub apply: bool,
}

impl<'a> Parser<'a> {
    /// `mod_longident`: `A.B.C` (a `.` is taken only before an uppercase
    /// identifier).
    pub(super) fn mod_longident(&mut self) -> PResult<ModPath> {
        let first = self.pos;
        self.expect(Kind::Uident)?;
        while self.peek() == Kind::Dot && self.peek_at(1) == Kind::Uident {
            self.bump();
            self.bump();
        }
        Ok(ModPath {
            first,
            end: self.pos,
            apply: false,
        })
    }

    /// `mod_ext_longident`: like [`Parser::mod_longident`] with functor
    /// applications `F(X).Y`.
    pub(super) fn mod_ext_longident(&mut self) -> PResult<ModPath> {
        self.enter()?;
        let first = self.pos;
        self.expect(Kind::Uident)?;
        let mut apply = false;
        loop {
            match (self.peek(), self.peek_at(1)) {
                (Kind::Dot, Kind::Uident) => {
                    self.bump();
                    self.bump();
                }
                (Kind::LParen, _) => {
                    self.bump();
                    if self.peek() != Kind::Uident {
                        return self.error_at(self.pos, "module path expected");
                    }
                    self.mod_ext_longident()?;
                    self.expect(Kind::RParen)?;
                    apply = true;
                }
                _ => break,
            }
        }
        Ok(ModPath {
            first,
            end: self.pos,
            apply,
        })
    }

    /// Reports every head in tokens `first..end`: the first identifier and
    /// the first identifier of each functor argument. `whole`: the path is
    /// used as a module by itself (see `Qualified::whole`).
    fn report_heads(&mut self, first: usize, end: usize, whole: bool) {
        for i in first..end {
            let is_head = i == first || self.toks[i - 1].kind == Kind::LParen;
            if is_head && self.toks[i].kind == Kind::Uident {
                self.qualify_head(i, end, whole && i == first);
                self.use_token(i);
            }
        }
    }

    /// `add_module_path`: reports the heads of a module path.
    pub(super) fn report_path(&mut self, path: ModPath) {
        self.report_heads(path.first, path.end, false);
    }

    /// `add_parent` on a path whose last component is part of `path`
    /// (`M.C` as a constructor, `M.S` as a module type): reports the heads
    /// of everything before the last component.
    pub(super) fn report_prefix(&mut self, path: ModPath) {
        if path.end >= path.first + 3 && self.toks[path.end - 2].kind == Kind::Dot {
            self.report_heads(path.first, path.end - 2, false);
        }
    }

    /// `lookup_map`: the node of a local module named by `path`.
    pub(super) fn lookup_path(&self, path: ModPath) -> Option<NodeId> {
        if path.apply {
            return None;
        }
        let mut node = self.scope.lookup(self.text(path.first))?;
        let mut i = path.first + 2;
        while i < path.end {
            node = self.scope.child(node, self.text(i))?;
            i += 2;
        }
        Some(node)
    }

    /// `add_module_alias`: reports the path and returns the node of the
    /// module it names.
    pub(super) fn alias_path(&mut self, path: ModPath) -> NodeId {
        let whole = self.open_at != Some(path.first);
        self.report_heads(path.first, path.end, whole);
        self.lookup_path(path).unwrap_or(BOUND)
    }

    /// `open` of a module path: reports it, and brings the submodules of a
    /// local module into scope.
    pub(super) fn open_path(&mut self, path: ModPath) {
        self.report_path(path);
        let node = self.lookup_path(path).unwrap_or(BOUND);
        self.scope.open(node);
    }

    /// `type_longident` / `clty_longident`: `t`, `M.t`, `F(X).t`; reports
    /// the module part.
    pub(super) fn type_longident(&mut self) -> PResult<()> {
        if self.eat(Kind::Lident) {
            return Ok(());
        }
        let path = self.mod_ext_longident()?;
        self.expect(Kind::Dot)?;
        self.expect(Kind::Lident)?;
        self.report_path(path);
        Ok(())
    }

    /// `label_longident` / `class_longident`: `x`, `M.x` (no functor
    /// application); reports the module part.
    pub(super) fn label_longident(&mut self) -> PResult<()> {
        if self.eat(Kind::Lident) {
            return Ok(());
        }
        let path = self.mod_longident()?;
        self.expect(Kind::Dot)?;
        self.expect(Kind::Lident)?;
        self.report_path(path);
        Ok(())
    }

    /// `mty_longident`: `S`, `M.S`, `M.s`, `F(X).S`; reports the module
    /// part.
    pub(super) fn mty_longident(&mut self) -> PResult<()> {
        if self.eat(Kind::Lident) {
            return Ok(());
        }
        let path = self.mod_ext_longident()?;
        if self.peek() == Kind::Dot && self.peek_at(1) == Kind::Lident {
            self.bump();
            self.bump();
            self.report_path(path);
            return Ok(());
        }
        if self.toks[path.end - 1].kind != Kind::Uident {
            return self.syntax_error();
        }
        self.report_prefix(path);
        Ok(())
    }

    /// `constr_longident` starting with an uppercase identifier: `C`,
    /// `M.C`, `M.(::)`; reports the module part.
    pub(super) fn constr_path(&mut self) -> PResult<()> {
        let path = self.mod_longident()?;
        if self.peek() == Kind::Dot
            && self.peek_at(1) == Kind::LParen
            && self.peek_at(2) == Kind::ColonColon
            && self.peek_at(3) == Kind::RParen
        {
            for _ in 0..4 {
                self.bump();
            }
            self.report_path(path);
        } else {
            self.report_prefix(path);
        }
        Ok(())
    }

    /// Whether the tokens from `at` are a parenthesised operator name
    /// without its parentheses (`+`, `.%()`, `let*`...) followed by `)`;
    /// returns the operator's length in tokens.
    pub(super) fn operator_len(&self, at: usize) -> Option<usize> {
        let kind = |n: usize| self.toks.get(at + n).map_or(Kind::Eof, |t| t.kind);
        let len = match kind(0) {
            Kind::PrefixOp
            | Kind::LetOp
            | Kind::AndOp
            | Kind::HashOp
            | Kind::Bang
            | Kind::Infix0
            | Kind::Infix1
            | Kind::Infix2
            | Kind::Infix3
            | Kind::Infix4
            | Kind::Plus
            | Kind::PlusDot
            | Kind::PlusEq
            | Kind::Minus
            | Kind::MinusDot
            | Kind::Star
            | Kind::Percent
            | Kind::Equal
            | Kind::Less
            | Kind::Greater
            | Kind::Or
            | Kind::BarBar
            | Kind::Ampersand
            | Kind::AmperAmper
            | Kind::ColonEqual => 1,
            Kind::DotOp => {
                let close = match kind(1) {
                    Kind::LParen => Kind::RParen,
                    Kind::LBracket => Kind::RBracket,
                    Kind::LBrace => Kind::RBrace,
                    _ => return None,
                };
                let mut n = 2;
                if kind(n) == Kind::Semi && kind(n + 1) == Kind::DotDot {
                    n += 2;
                }
                if kind(n) != close {
                    return None;
                }
                n += 1;
                if kind(n) == Kind::LessMinus {
                    n += 1;
                }
                n
            }
            _ => return None,
        };
        (kind(len) == Kind::RParen).then_some(len)
    }

    /// `val_ident`: a lowercase identifier or a parenthesised operator.
    pub(super) fn val_ident(&mut self) -> PResult<()> {
        if self.eat(Kind::Lident) {
            return Ok(());
        }
        if self.peek() == Kind::LParen
            && let Some(len) = self.operator_len(self.pos + 1)
        {
            self.pos += len + 2;
            return Ok(());
        }
        self.syntax_error()
    }

    /// Whether a `val_ident` starts here.
    pub(super) fn at_val_ident(&self) -> bool {
        match self.peek() {
            Kind::Lident => true,
            Kind::LParen => self.operator_len(self.pos + 1).is_some(),
            _ => false,
        }
    }

    /// `attr_id`: `a.b.c` where each part may be a keyword; returns the
    /// token range.
    pub(super) fn attr_id(&mut self) -> PResult<(usize, usize)> {
        let first = self.pos;
        loop {
            let k = self.peek();
            if !(k == Kind::Lident || k == Kind::Uident || k.is_keyword()) {
                return self.syntax_error();
            }
            self.bump();
            if self.peek() == Kind::Dot {
                self.bump();
            } else {
                return Ok((first, self.pos));
            }
        }
    }

    /// Whether the attribute id in tokens `first..end` spells `name`
    /// (`name` given with its dots, like `ocaml.error`).
    pub(super) fn attr_id_is(&self, (first, end): (usize, usize), name: &[u8]) -> bool {
        let mut rest = name;
        for i in first..end {
            let part = self.text(i);
            match rest.strip_prefix(part) {
                Some(r) => rest = r,
                None => return false,
            }
        }
        rest.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::ml;

    // Expected modules checked with the real `ocamldep -modules` (4.13.1).

    #[test]
    fn functor_application_paths_report_every_head() {
        assert_eq!(ml(r##"type t = A.F(B.C)(D).t"##), "A B D");
    }

    #[test]
    fn long_paths_report_their_head() {
        assert_eq!(ml(r##"let x = A.B.C.d"##), "A");
    }
}
