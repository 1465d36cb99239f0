//! Type declarations (`type t = ...`, `type t := ...`), type extensions
//! (`type t += ...`), constructor and record label declarations, and
//! exception declarations.

use super::{PResult, Parser};
use crate::token::Kind;

impl<'a> Parser<'a> {
    /// `type ...` in a structure or (`sig`) a signature: declarations
    /// joined by `and`, or one type extension.
    pub(super) fn type_declarations(&mut self, sig: bool) -> PResult<()> {
        self.bump();
        let ext = self.ext_attributes()?;
        let nonrec = self.eat(Kind::Nonrec);
        self.type_parameters()?;
        let is_extension = self.peek() == Kind::Uident
            || (self.peek() == Kind::Lident && self.peek_at(1) == Kind::PlusEq);
        if is_extension {
            if nonrec {
                return self.error_at(self.pos, "nonrec flag not expected");
            }
            self.type_extension(sig)?;
            self.end_ext(ext);
            return Ok(());
        }
        self.expect(Kind::Lident)?;
        let subst = self.type_kind(sig)?;
        if subst && nonrec {
            return self.syntax_error();
        }
        self.type_constraints()?;
        self.post_item_attributes()?;
        while self.eat(Kind::And) {
            self.attributes()?;
            self.type_parameters()?;
            self.expect(Kind::Lident)?;
            self.type_kind(sig)?;
            self.type_constraints()?;
            self.post_item_attributes()?;
        }
        self.end_ext(ext);
        Ok(())
    }

    /// `type_kind`: nothing, `= ...`, or (in signatures) `:= ...`; returns
    /// whether it was a substitution.
    fn type_kind(&mut self, sig: bool) -> PResult<bool> {
        let subst = sig && self.peek() == Kind::ColonEqual;
        if self.eat(Kind::Equal) || (subst && self.eat(Kind::ColonEqual)) {
            self.nonempty_type_kind()?;
        }
        Ok(subst)
    }

    /// After `=`: `[private] t`, `[t =] [private] | A | B`, `.. `, `{...}`.
    fn nonempty_type_kind(&mut self) -> PResult<()> {
        if self.eat(Kind::Private) {
            if self.at_type_representation() {
                return self.type_representation();
            }
            return self.core_type();
        }
        if self.at_type_representation() {
            return self.type_representation();
        }
        self.core_type()?;
        if self.eat(Kind::Equal) {
            self.eat(Kind::Private);
            if !self.at_type_representation() {
                return self.syntax_error();
            }
            self.type_representation()?;
        }
        Ok(())
    }

    /// Whether a variant, record or open type definition starts here.
    fn at_type_representation(&self) -> bool {
        match self.peek() {
            Kind::Bar | Kind::DotDot | Kind::LBrace | Kind::True | Kind::False => true,
            Kind::Uident => !matches!(self.peek_at(1), Kind::Dot | Kind::LParen),
            Kind::LParen => {
                self.peek_at(1) == Kind::RParen
                    || (self.peek_at(1) == Kind::ColonColon && self.peek_at(2) == Kind::RParen)
            }
            Kind::LBracket => self.peek_at(1) == Kind::RBracket,
            _ => false,
        }
    }

    fn type_representation(&mut self) -> PResult<()> {
        match self.peek() {
            Kind::DotDot => {
                self.bump();
                Ok(())
            }
            Kind::LBrace => self.label_declarations(),
            _ => self.constructor_declarations(),
        }
    }

    /// `| A of t | B : u -> v`, or a lone `|` for an empty variant.
    fn constructor_declarations(&mut self) -> PResult<()> {
        if self.peek() == Kind::Bar && !self.at_constr_ident(1) {
            self.bump();
            return Ok(());
        }
        self.eat(Kind::Bar);
        loop {
            self.constr_ident()?;
            self.generalized_constructor_arguments()?;
            self.attributes()?;
            if !self.eat(Kind::Bar) {
                return Ok(());
            }
        }
    }

    /// Whether a `constr_ident` starts `n` tokens ahead.
    fn at_constr_ident(&self, n: usize) -> bool {
        match self.peek_at(n) {
            Kind::Uident | Kind::True | Kind::False => true,
            Kind::LParen => {
                self.peek_at(n + 1) == Kind::RParen
                    || (self.peek_at(n + 1) == Kind::ColonColon
                        && self.peek_at(n + 2) == Kind::RParen)
            }
            Kind::LBracket => self.peek_at(n + 1) == Kind::RBracket,
            _ => false,
        }
    }

    /// `constr_ident`: `A`, `(::)`, `[]`, `()`, `true`, `false`.
    pub(super) fn constr_ident(&mut self) -> PResult<()> {
        let len = match self.peek() {
            Kind::Uident | Kind::True | Kind::False => 1,
            Kind::LParen if self.peek_at(1) == Kind::RParen => 2,
            Kind::LParen
                if self.peek_at(1) == Kind::ColonColon && self.peek_at(2) == Kind::RParen =>
            {
                3
            }
            Kind::LBracket if self.peek_at(1) == Kind::RBracket => 2,
            _ => return self.syntax_error(),
        };
        self.pos += len;
        Ok(())
    }

    /// `constr_longident`: `A`, `M.A`, `(::)`, `M.(::)`, `[]`, `()`,
    /// `true`, `false`; reports the module part.
    pub(super) fn constr_longident(&mut self) -> PResult<()> {
        if self.peek() == Kind::Uident {
            self.constr_path()
        } else {
            self.constr_ident()
        }
    }

    /// `generalized_constructor_arguments`: nothing, `of args`, `: t`, or
    /// `: args -> t`.
    pub(super) fn generalized_constructor_arguments(&mut self) -> PResult<()> {
        if self.eat(Kind::Of) {
            return self.constructor_arguments().map(|_| ());
        }
        if !self.eat(Kind::Colon) {
            return Ok(());
        }
        let single = self.constructor_arguments()?;
        if self.eat(Kind::MinusGreater) {
            self.atomic_type()
        } else if single {
            Ok(())
        } else {
            self.syntax_error()
        }
    }

    /// `t1 * t2` (atomic types) or `{ labels }`; returns whether it was a
    /// single atomic type.
    fn constructor_arguments(&mut self) -> PResult<bool> {
        if self.peek() == Kind::LBrace {
            self.label_declarations()?;
            return Ok(false);
        }
        self.atomic_type()?;
        let mut single = true;
        while self.eat(Kind::Star) {
            self.atomic_type()?;
            single = false;
        }
        Ok(single)
    }

    /// `{ [mutable] l : t; ... }`.
    fn label_declarations(&mut self) -> PResult<()> {
        self.expect(Kind::LBrace)?;
        loop {
            self.eat(Kind::Mutable);
            self.expect(Kind::Lident)?;
            self.expect(Kind::Colon)?;
            self.poly_type_no_attr()?;
            self.attributes()?;
            if !self.eat(Kind::Semi) {
                break;
            }
            self.attributes()?;
            if self.peek() == Kind::RBrace {
                break;
            }
        }
        self.expect(Kind::RBrace)
    }

    /// `t += [private] A | B = M.C`, after `type params`.
    fn type_extension(&mut self, sig: bool) -> PResult<()> {
        self.type_longident()?;
        self.expect(Kind::PlusEq)?;
        self.eat(Kind::Private);
        self.eat(Kind::Bar);
        loop {
            self.constr_ident()?;
            if !sig && self.eat(Kind::Equal) {
                self.constr_longident()?;
            } else {
                self.generalized_constructor_arguments()?;
            }
            self.attributes()?;
            if !self.eat(Kind::Bar) {
                break;
            }
        }
        self.post_item_attributes()
    }

    /// `exception E [of t]` (or, in structures, `exception E = M.F`).
    pub(super) fn exception_declaration(&mut self, sig: bool) -> PResult<()> {
        self.bump();
        let ext = self.ext_attributes()?;
        self.constr_ident()?;
        if !sig && self.eat(Kind::Equal) {
            self.constr_longident()?;
        } else {
            self.generalized_constructor_arguments()?;
        }
        self.attributes()?;
        self.post_item_attributes()?;
        self.end_ext(ext);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::ml;

    // Expected modules checked with the real `ocamldep -modules` (4.13.1).

    #[test]
    fn declarations() {
        assert_eq!(
            ml(
                r##"type t = A.t = X | Y of B.t | Z of { f : C.t } | W : D.t -> t constraint 'a = E.t"##
            ),
            "A B C D E"
        );
    }

    #[test]
    fn extensions_and_exceptions() {
        assert_eq!(
            ml(r##"type A.t += X of B.t
exception E = C.E
exception F of D.t"##),
            "A B C D"
        );
    }

    #[test]
    fn private_and_record_types() {
        assert_eq!(
            ml(r##"type t = private A.t
type u = B.u = private { mutable x : C.t }"##),
            "A B C"
        );
    }
}
