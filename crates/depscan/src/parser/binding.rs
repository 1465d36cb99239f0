//! `let` bindings (in structures, expressions and classes), binding
//! operators (`let*`/`and*`) and function bodies with parameters.
//!
//! Scoping follows `depend.ml`'s `add_bindings`: modules unpacked by a
//! binding's pattern are visible in the later patterns and, after the
//! bindings, in the body; the bound expressions see them only for `let rec`.

use super::{PResult, Parser};
use crate::scope::Mark;
use crate::token::Kind;

/// What [`Parser::let_bindings`] leaves for its caller.
#[derive(Debug, Clone, Copy)]
pub(super) struct LetBindings {
    /// The scope before the bindings: reset to it where they end.
    pub outer: Mark,
    /// Whether `let%ext` made it an extension node (reporting is muted
    /// until the caller calls `end_ext`).
    pub ext: bool,
}

/// Where one binding is read.
#[derive(Clone, Copy)]
struct BindingScope {
    outer: Mark,
    /// Index in `unpacks` of the first module unpacked by these bindings.
    base: usize,
    recursive: bool,
}

impl<'a> Parser<'a> {
    /// `let [%ext] [rec] p1 = e1 and p2 = e2 ...` (without `in`). On return
    /// the modules unpacked by the patterns are in scope.
    pub(super) fn let_bindings(&mut self, allow_ext: bool) -> PResult<LetBindings> {
        self.expect(Kind::Let)?;
        let percent = self.pos;
        let ext = self.ext()?;
        if ext && !allow_ext {
            return self.error_at(percent, "extension not expected");
        }
        self.attributes()?;
        let recursive = self.eat(Kind::Rec);
        let outer = self.scope.mark();
        let base = self.unpacks.len();
        let deps_mark = self.deps.len();
        let scope = BindingScope {
            outer,
            base,
            recursive,
        };
        loop {
            self.let_binding_body(scope, ext)?;
            self.post_item_attributes()?;
            if !self.eat(Kind::And) {
                break;
            }
            self.attributes()?;
        }
        self.scope.reset(outer);
        self.bind_unpacks(base);
        if recursive && self.unpacks.len() > base {
            let names: Vec<&'a [u8]> = self.unpacks[base..].to_vec();
            self.forget_recursive(deps_mark, &names);
        }
        self.unpacks.truncate(base);
        Ok(LetBindings { outer, ext })
    }

    /// Sets the scope for reading a binding's pattern.
    fn enter_pattern_scope(&mut self, scope: BindingScope) {
        self.scope.reset(scope.outer);
        self.bind_unpacks(scope.base);
    }

    /// Sets the scope for reading a binding's expression.
    fn enter_expression_scope(&mut self, scope: BindingScope) {
        self.scope.reset(scope.outer);
        if scope.recursive {
            self.bind_unpacks(scope.base);
        }
    }

    /// `let_binding_body`: `f p1 p2 = e`, `x : t = e`, `x : 'a. t = e`,
    /// `x : type a. t = e`, `p = e`, `p : t = e`, or (under `let%ext`) a
    /// lone `x`.
    fn let_binding_body(&mut self, scope: BindingScope, ext: bool) -> PResult<()> {
        self.enter_pattern_scope(scope);
        if self.at_val_ident() {
            let ident_start = self.pos;
            self.val_ident()?;
            let after_ident = self.pos;
            match self.peek() {
                Kind::Equal => {
                    self.bump();
                    self.enter_expression_scope(scope);
                    return self.seq_expr();
                }
                Kind::Colon => {
                    self.bump();
                    self.binding_type_annotation()?;
                    self.expect(Kind::Equal)?;
                    self.enter_expression_scope(scope);
                    return self.seq_expr();
                }
                Kind::ColonGreater => {
                    self.bump();
                    self.core_type()?;
                    self.expect(Kind::Equal)?;
                    self.enter_expression_scope(scope);
                    return self.seq_expr();
                }
                _ if self.at_parameter() || self.at_newtype() => {
                    self.enter_expression_scope(scope);
                    return self.function_body();
                }
                _ => {}
            }
            // A pattern starting with an identifier, or a pun.
            self.pos = ident_start;
            self.pattern_no_exn()?;
            if self.pos == after_ident && ext && self.peek() != Kind::Equal {
                return Ok(());
            }
        } else {
            self.annotated_pattern()?;
        }
        self.expect(Kind::Equal)?;
        self.enter_expression_scope(scope);
        self.seq_expr()
    }

    /// The pattern of a binding: `p`, or `sp : t` where `sp` must be a
    /// simple pattern (read again as one when a `:` follows).
    fn annotated_pattern(&mut self) -> PResult<()> {
        let checkpoint = self.checkpoint();
        self.pattern_no_exn()?;
        if self.peek() != Kind::Colon {
            return Ok(());
        }
        self.restore(checkpoint);
        self.simple_pattern()?;
        self.expect(Kind::Colon)?;
        self.core_type()
    }

    /// After `x :` in a binding: `type a b. t`, `'a 'b. t`, or `t [:> u]`.
    fn binding_type_annotation(&mut self) -> PResult<()> {
        if self.eat(Kind::Type) {
            return self.newtypes_and_type();
        }
        if self.typevar_list_end() > self.pos {
            return self.poly_type();
        }
        self.core_type()?;
        if self.eat(Kind::ColonGreater) {
            self.core_type()?;
        }
        Ok(())
    }

    /// `a b. t` after `: type` (in a binding or a method): the locally
    /// abstract types may not also appear as type variables `'a` in `t`.
    pub(super) fn newtypes_and_type(&mut self) -> PResult<()> {
        let names_start = self.pos;
        self.expect(Kind::Lident)?;
        while self.eat(Kind::Lident) {}
        let names_end = self.pos;
        self.expect(Kind::Dot)?;
        let type_start = self.pos;
        self.core_type()?;
        for i in type_start..self.pos {
            let is_variable = self.toks[i].kind == Kind::Quote
                && matches!(self.toks[i + 1].kind, Kind::Lident | Kind::Uident);
            if is_variable && (names_start..names_end).any(|n| self.text(n) == self.text(i + 1)) {
                return self.error_at(i, "variable reserved for a locally abstract type");
            }
        }
        Ok(())
    }

    /// Whether `(type a b)` starts here.
    pub(super) fn at_newtype(&self) -> bool {
        self.peek() == Kind::LParen && self.peek_at(1) == Kind::Type
    }

    /// `(type a b)`.
    pub(super) fn newtype(&mut self) -> PResult<()> {
        self.pos += 2;
        self.expect(Kind::Lident)?;
        while self.eat(Kind::Lident) {}
        self.expect(Kind::RParen)
    }

    /// `strict_binding`: parameters, an optional return type annotation,
    /// `=` and the body. Parameters are in scope in what follows them.
    pub(super) fn function_body(&mut self) -> PResult<()> {
        let mark = self.scope.mark();
        let mut parameters = 0;
        loop {
            match self.peek() {
                Kind::Equal => {
                    self.bump();
                    self.seq_expr()?;
                    break;
                }
                Kind::Colon | Kind::ColonGreater if parameters > 0 => {
                    self.type_constraint()?;
                    self.expect(Kind::Equal)?;
                    self.seq_expr()?;
                    break;
                }
                _ if self.at_newtype() => self.newtype()?,
                _ if self.at_parameter() => self.bound_parameter()?,
                _ => return self.syntax_error(),
            }
            parameters += 1;
        }
        self.scope.reset(mark);
        Ok(())
    }

    /// `type_constraint`: `: t`, `: t :> u`, `:> u`.
    pub(super) fn type_constraint(&mut self) -> PResult<()> {
        if self.eat(Kind::Colon) {
            self.core_type()?;
            if self.eat(Kind::ColonGreater) {
                self.core_type()?;
            }
            Ok(())
        } else {
            self.expect(Kind::ColonGreater)?;
            self.core_type()
        }
    }

    /// `let* p1 = e1 and* p2 = e2 in body`.
    pub(super) fn letop_expr(&mut self) -> PResult<()> {
        self.bump();
        let outer = self.scope.mark();
        let base = self.unpacks.len();
        let scope = BindingScope {
            outer,
            base,
            recursive: false,
        };
        loop {
            self.letop_binding_body(scope)?;
            if !self.eat(Kind::AndOp) {
                break;
            }
        }
        self.expect(Kind::In)?;
        self.scope.reset(outer);
        self.bind_unpacks(base);
        self.unpacks.truncate(base);
        self.seq_expr()?;
        self.scope.reset(outer);
        Ok(())
    }

    /// `letop_binding_body`: `f params = e`, `x` (a pun), `p : t = e`,
    /// `p = e`.
    fn letop_binding_body(&mut self, scope: BindingScope) -> PResult<()> {
        self.enter_pattern_scope(scope);
        if self.at_val_ident() {
            let ident_start = self.pos;
            self.val_ident()?;
            if self.peek() == Kind::Equal || self.at_parameter() || self.at_newtype() {
                self.enter_expression_scope(scope);
                return self.function_body();
            }
            if matches!(self.peek(), Kind::AndOp | Kind::In) {
                return Ok(());
            }
            self.pos = ident_start;
        }
        self.annotated_pattern()?;
        self.expect(Kind::Equal)?;
        self.enter_expression_scope(scope);
        self.seq_expr()
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::ml;

    // Expected modules checked with the real `ocamldep -modules` (4.13.1).

    #[test]
    fn patterns_see_earlier_unpacks_expressions_do_not() {
        assert_eq!(
            ml(r##"let (module M : S) = A.x and (y : M.t) = M.z"##),
            "A M"
        );
    }

    #[test]
    fn let_rec_expressions_see_unpacks() {
        assert_eq!(ml(r##"let rec f = M.x and (module M : S) = y in 1"##), "");
    }

    #[test]
    fn function_bindings() {
        assert_eq!(
            ml(r##"let f (type a) (x : a A.t) : B.t = C.g x
let h : D.t = E.x
let i :> F.t = G.x"##),
            "A B C D E F G"
        );
    }

    #[test]
    fn punning_needs_an_extension() {
        assert_eq!(ml(r##"let x in x"##), "error");
    }
}
