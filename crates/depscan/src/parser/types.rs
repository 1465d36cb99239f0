//! Core types: arrows (labelled or not), tuples, type applications, type
//! variables, object types, polymorphic variants, `(module S)` packages and
//! polymorphic `'a. t` types. Type constructor and class paths report their
//! module part.

use super::{PResult, Parser};
use crate::token::Kind;

impl<'a> Parser<'a> {
    /// `core_type`: a type followed by attributes.
    pub(super) fn core_type(&mut self) -> PResult<()> {
        self.alias_type()?;
        self.attributes()
    }

    /// `core_type_no_attr`.
    pub(super) fn core_type_no_attr(&mut self) -> PResult<()> {
        self.alias_type()
    }

    /// `poly_type`: `'a 'b. t` or a plain type.
    pub(super) fn poly_type(&mut self) -> PResult<()> {
        self.skip_typevar_list();
        self.core_type()
    }

    /// `poly_type_no_attr`.
    pub(super) fn poly_type_no_attr(&mut self) -> PResult<()> {
        self.skip_typevar_list();
        self.alias_type()
    }

    /// Skips `'a 'b .` when present.
    fn skip_typevar_list(&mut self) {
        let end = self.typevar_list_end();
        if end > self.pos {
            self.pos = end + 1;
        }
    }

    /// Where the `.` of a `'a 'b .` list starting here is, or `self.pos`
    /// when there is none.
    pub(super) fn typevar_list_end(&self) -> usize {
        let mut i = self.pos;
        while self.toks.get(i).map(|t| t.kind) == Some(Kind::Quote)
            && matches!(
                self.toks.get(i + 1).map(|t| t.kind),
                Some(Kind::Lident | Kind::Uident)
            )
        {
            i += 2;
        }
        if i > self.pos && self.toks.get(i).map(|t| t.kind) == Some(Kind::Dot) {
            i
        } else {
            self.pos
        }
    }

    /// `alias_type`: `t as 'a`.
    fn alias_type(&mut self) -> PResult<()> {
        self.function_type()?;
        while self.eat(Kind::As) {
            self.expect(Kind::Quote)?;
            self.type_variable_name()?;
        }
        Ok(())
    }

    fn type_variable_name(&mut self) -> PResult<()> {
        if matches!(self.peek(), Kind::Lident | Kind::Uident) {
            self.bump();
            Ok(())
        } else {
            self.syntax_error()
        }
    }

    /// `function_type`: `[label:] tuple -> function_type` or a tuple type.
    fn function_type(&mut self) -> PResult<()> {
        self.enter()?;
        let labelled = self.arrow_label();
        self.tuple_type()?;
        if labelled {
            self.expect(Kind::MinusGreater)?;
            self.function_type()?;
        } else if self.eat(Kind::MinusGreater) {
            self.function_type()?;
        }
        Ok(())
    }

    /// Skips an arrow label (`l:`, `?l:`) if there is one.
    pub(super) fn arrow_label(&mut self) -> bool {
        match (self.peek(), self.peek_at(1), self.peek_at(2)) {
            (Kind::OptLabel, _, _) => {
                self.bump();
                true
            }
            (Kind::Question, Kind::Lident, Kind::Colon) => {
                self.pos += 3;
                true
            }
            (Kind::Lident, Kind::Colon, _) => {
                self.pos += 2;
                true
            }
            _ => false,
        }
    }

    /// `tuple_type`: `a * b * c`.
    pub(super) fn tuple_type(&mut self) -> PResult<()> {
        self.atomic_type()?;
        while self.eat(Kind::Star) {
            self.atomic_type()?;
        }
        Ok(())
    }

    /// `atomic_type`, with postfix type constructor applications
    /// (`int list option`, `t #c`).
    pub(super) fn atomic_type(&mut self) -> PResult<()> {
        self.enter()?;
        match self.peek() {
            Kind::LParen => self.paren_type()?,
            Kind::Quote => {
                self.bump();
                self.type_variable_name()?;
            }
            Kind::Underscore => self.bump(),
            Kind::Lident | Kind::Uident => self.type_longident()?,
            Kind::Less => self.object_type()?,
            Kind::Hash => {
                self.bump();
                self.type_longident()?;
            }
            Kind::LBracket | Kind::LBracketGreater | Kind::LBracketLess => self.variant_type()?,
            Kind::LBracketPercent | Kind::QuotedStringExpr => self.extension()?,
            _ => return self.syntax_error(),
        }
        self.type_applications()?;
        Ok(())
    }

    /// Postfix `t` and `#c` applied to the type just read.
    fn type_applications(&mut self) -> PResult<()> {
        loop {
            match self.peek() {
                Kind::Lident | Kind::Uident => self.type_longident()?,
                Kind::Hash => {
                    self.bump();
                    self.type_longident()?;
                }
                _ => return Ok(()),
            }
        }
    }

    /// `(t)`, `(t1, t2) c`, `(module S)`.
    fn paren_type(&mut self) -> PResult<()> {
        self.bump();
        if self.peek() == Kind::Module {
            self.bump();
            let ext = self.ext_attributes()?;
            self.package_type()?;
            self.expect(Kind::RParen)?;
            self.end_ext(ext);
            return Ok(());
        }
        self.core_type()?;
        if self.peek() != Kind::Comma {
            return self.expect(Kind::RParen);
        }
        while self.eat(Kind::Comma) {
            self.core_type()?;
        }
        self.expect(Kind::RParen)?;
        // A parenthesised list must be applied to a type constructor.
        match self.peek() {
            Kind::Lident | Kind::Uident => self.type_longident(),
            Kind::Hash => {
                self.bump();
                self.type_longident()
            }
            _ => self.syntax_error(),
        }
    }

    /// `< m : t; ... >`, `< >`, `< .. >`.
    fn object_type(&mut self) -> PResult<()> {
        self.bump();
        if self.eat(Kind::Greater) {
            return Ok(());
        }
        loop {
            if self.eat(Kind::DotDot) {
                break;
            }
            if self.peek() == Kind::Lident && self.peek_at(1) == Kind::Colon {
                self.pos += 2;
                self.poly_type_no_attr()?;
                self.attributes()?;
            } else {
                self.atomic_type()?;
            }
            if !self.eat(Kind::Semi) {
                break;
            }
            self.attributes()?;
            if self.peek() == Kind::Greater {
                break;
            }
        }
        self.expect(Kind::Greater)
    }

    /// Polymorphic variant types.
    fn variant_type(&mut self) -> PResult<()> {
        let opener = self.peek();
        self.bump();
        match opener {
            Kind::LBracket => {
                if self.eat(Kind::Bar) {
                    self.row_field_list()?;
                } else {
                    let tag = self.row_field()?;
                    if self.peek() == Kind::RBracket {
                        if !tag {
                            return self.syntax_error();
                        }
                    } else {
                        self.expect(Kind::Bar)?;
                        self.row_field_list()?;
                    }
                }
            }
            Kind::LBracketGreater => {
                if self.eat(Kind::RBracket) {
                    return Ok(());
                }
                self.eat(Kind::Bar);
                self.row_field_list()?;
            }
            _ => {
                self.eat(Kind::Bar);
                self.row_field_list()?;
                if self.eat(Kind::Greater) {
                    self.expect(Kind::Backquote)?;
                    self.type_variable_name()?;
                    while self.eat(Kind::Backquote) {
                        self.type_variable_name()?;
                    }
                }
            }
        }
        self.expect(Kind::RBracket)
    }

    fn row_field_list(&mut self) -> PResult<()> {
        self.row_field()?;
        while self.eat(Kind::Bar) {
            self.row_field()?;
        }
        Ok(())
    }

    /// A row field: `` `A of t & u `` or an inherited type; returns whether
    /// it was a tag.
    fn row_field(&mut self) -> PResult<bool> {
        if !self.eat(Kind::Backquote) {
            self.core_type()?;
            return Ok(false);
        }
        self.type_variable_name()?;
        if self.eat(Kind::Of) {
            self.eat(Kind::Ampersand);
            self.core_type_no_attr()?;
            while self.eat(Kind::Ampersand) {
                self.core_type_no_attr()?;
            }
        }
        self.attributes()?;
        Ok(true)
    }

    /// `type_parameters` of a declaration: `'a`, `(+'a, -'b)`, `_`...
    pub(super) fn type_parameters(&mut self) -> PResult<()> {
        if self.peek() == Kind::LParen {
            self.bump();
            self.type_parameter()?;
            while self.eat(Kind::Comma) {
                self.type_parameter()?;
            }
            return self.expect(Kind::RParen);
        }
        if self.at_type_parameter() {
            self.type_parameter()?;
        }
        Ok(())
    }

    fn at_type_parameter(&self) -> bool {
        match self.peek() {
            Kind::Quote | Kind::Underscore | Kind::Plus | Kind::Minus | Kind::Bang => true,
            Kind::Infix2 | Kind::PrefixOp => {
                matches!(self.peek_at(1), Kind::Quote | Kind::Underscore)
            }
            _ => false,
        }
    }

    /// `type_parameter`: variance and injectivity marks, then `'a` or `_`.
    pub(super) fn type_parameter(&mut self) -> PResult<()> {
        match self.peek() {
            Kind::Plus | Kind::Minus => {
                self.bump();
                self.eat(Kind::Bang);
            }
            Kind::Bang => {
                self.bump();
                if !self.eat(Kind::Plus) {
                    self.eat(Kind::Minus);
                }
            }
            Kind::Infix2 => {
                let text = self.text(self.pos);
                if text != b"+!" && text != b"-!" {
                    return self.error_at(self.pos, "type_variance expected");
                }
                self.bump();
            }
            Kind::PrefixOp => {
                let text = self.text(self.pos);
                if text != b"!+" && text != b"!-" {
                    return self.error_at(self.pos, "type_variance expected");
                }
                self.bump();
            }
            _ => {}
        }
        if self.eat(Kind::Underscore) {
            return Ok(());
        }
        self.expect(Kind::Quote)?;
        self.type_variable_name()
    }

    /// `constraint t = u` clauses.
    pub(super) fn type_constraints(&mut self) -> PResult<()> {
        while self.eat(Kind::Constraint) {
            self.core_type()?;
            self.expect(Kind::Equal)?;
            self.core_type()?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::ml;

    // Expected modules checked with the real `ocamldep -modules` (4.13.1).

    #[test]
    fn type_paths_report_their_module_part() {
        assert_eq!(
            ml(r##"type t = A.t * (B.u, C.v) D.w -> E.F(G).t list"##),
            "A B C D E G"
        );
    }

    #[test]
    fn labelled_and_optional_arrows() {
        assert_eq!(ml(r##"type t = x:A.t -> ?y:B.t -> C.t"##), "A B C");
    }

    #[test]
    fn objects_variants_and_classes() {
        assert_eq!(
            ml(r##"type t = < m : A.t; B.u; .. > * [ `X of C.t | D.v ] * [< `Y > `Y ] * #E.c"##),
            "A B C D E"
        );
    }

    #[test]
    fn polymorphic_types() {
        assert_eq!(
            ml(r##"let f : 'a. 'a -> A.t = fun _ -> assert false
let g : type a. a B.t -> unit = fun _ -> ()"##),
            "A B"
        );
    }
}
