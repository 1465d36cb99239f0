//! Classes: class declarations and descriptions, class type declarations,
//! class expressions, class types, and the fields of objects and object
//! signatures.

use super::expr::starts_argument;
use super::{PResult, Parser};
use crate::token::Kind;

impl<'a> Parser<'a> {
    /// `class [virtual] ['a] c params = ce and ...` in a structure.
    pub(super) fn class_declarations(&mut self) -> PResult<()> {
        self.bump();
        let ext = self.ext_attributes()?;
        loop {
            self.class_header()?;
            self.class_fun_binding()?;
            self.post_item_attributes()?;
            if !self.eat(Kind::And) {
                break;
            }
            self.attributes()?;
        }
        self.end_ext(ext);
        Ok(())
    }

    /// `class [virtual] ['a] c : ct and ...` in a signature.
    pub(super) fn class_descriptions(&mut self) -> PResult<()> {
        self.bump();
        let ext = self.ext_attributes()?;
        loop {
            self.class_header()?;
            self.expect(Kind::Colon)?;
            self.class_type()?;
            self.post_item_attributes()?;
            if !self.eat(Kind::And) {
                break;
            }
            self.attributes()?;
        }
        self.end_ext(ext);
        Ok(())
    }

    /// `class type [virtual] ['a] c = csig and ...`.
    pub(super) fn class_type_declarations(&mut self) -> PResult<()> {
        self.pos += 2;
        let ext = self.ext_attributes()?;
        loop {
            self.class_header()?;
            self.expect(Kind::Equal)?;
            self.class_signature()?;
            self.post_item_attributes()?;
            if !self.eat(Kind::And) {
                break;
            }
            self.attributes()?;
        }
        self.end_ext(ext);
        Ok(())
    }

    /// `[virtual] ['a, 'b] name`.
    fn class_header(&mut self) -> PResult<()> {
        self.eat(Kind::Virtual);
        if self.eat(Kind::LBracket) {
            self.type_parameter()?;
            while self.eat(Kind::Comma) {
                self.type_parameter()?;
            }
            self.expect(Kind::RBracket)?;
        }
        self.expect(Kind::Lident)
    }

    /// `class_fun_binding`: parameters, then `= ce` or `: ct = ce`.
    fn class_fun_binding(&mut self) -> PResult<()> {
        let mark = self.scope.mark();
        loop {
            match self.peek() {
                Kind::Equal => {
                    self.bump();
                    self.class_expr()?;
                    break;
                }
                Kind::Colon => {
                    self.bump();
                    self.class_type()?;
                    self.expect(Kind::Equal)?;
                    self.class_expr()?;
                    break;
                }
                _ if self.at_parameter() => self.bound_parameter()?,
                _ => return self.syntax_error(),
            }
        }
        self.scope.reset(mark);
        Ok(())
    }

    /// `class_expr`.
    fn class_expr(&mut self) -> PResult<()> {
        self.enter()?;
        match self.peek() {
            Kind::Fun => {
                self.bump();
                self.attributes()?;
                let mark = self.scope.mark();
                self.bound_parameter()?;
                while self.at_parameter() {
                    self.bound_parameter()?;
                }
                self.expect(Kind::MinusGreater)?;
                self.class_expr()?;
                self.scope.reset(mark);
            }
            Kind::Let if self.peek_at(1) == Kind::Open => {
                self.pos += 2;
                self.eat(Kind::Bang);
                self.attributes()?;
                let path = self.mod_longident()?;
                self.expect(Kind::In)?;
                let mark = self.scope.mark();
                self.open_path(path);
                self.class_expr()?;
                self.scope.reset(mark);
            }
            Kind::Let => {
                let bindings = self.let_bindings(false)?;
                self.expect(Kind::In)?;
                self.class_expr()?;
                self.scope.reset(bindings.outer);
            }
            Kind::LBracketPercent | Kind::QuotedStringExpr => self.extension()?,
            _ => {
                self.class_simple_expr()?;
                while starts_argument(self.peek()) {
                    self.argument()?;
                }
            }
        }
        self.attributes()?;
        Ok(())
    }

    /// `class_simple_expr`.
    fn class_simple_expr(&mut self) -> PResult<()> {
        match self.peek() {
            Kind::LParen => {
                self.bump();
                self.class_expr()?;
                if self.eat(Kind::Colon) {
                    self.class_type()?;
                }
                self.expect(Kind::RParen)
            }
            Kind::LBracket => {
                self.bump();
                self.core_type()?;
                while self.eat(Kind::Comma) {
                    self.core_type()?;
                }
                self.expect(Kind::RBracket)?;
                self.label_longident()
            }
            Kind::Lident | Kind::Uident => self.label_longident(),
            Kind::Object => {
                self.bump();
                self.attributes()?;
                self.class_structure()?;
                self.expect(Kind::End)
            }
            _ => self.syntax_error(),
        }
    }

    /// `class_structure`: an optional self pattern and class fields (up to
    /// `end`, not consumed). The self pattern's unpacked modules are in
    /// scope in the fields.
    pub(super) fn class_structure(&mut self) -> PResult<()> {
        let mark = self.scope.mark();
        if self.peek() == Kind::LParen {
            self.bump();
            let from = self.unpacks.len();
            self.pattern()?;
            if self.eat(Kind::Colon) {
                self.core_type()?;
            }
            self.expect(Kind::RParen)?;
            self.bind_unpacks(from);
            self.unpacks.truncate(from);
        }
        while self.class_field()? {}
        self.scope.reset(mark);
        Ok(())
    }

    /// One class field; returns false when there is none here.
    fn class_field(&mut self) -> PResult<bool> {
        match self.peek() {
            Kind::Inherit => {
                self.bump();
                self.eat(Kind::Bang);
                self.attributes()?;
                self.class_expr()?;
                if self.eat(Kind::As) {
                    self.expect(Kind::Lident)?;
                }
                self.post_item_attributes()?;
            }
            Kind::Val => {
                self.bump();
                self.instance_variable()?;
                self.post_item_attributes()?;
            }
            Kind::Method => {
                self.bump();
                self.method_definition()?;
                self.post_item_attributes()?;
            }
            Kind::Constraint => {
                self.bump();
                self.attributes()?;
                self.core_type()?;
                self.expect(Kind::Equal)?;
                self.core_type()?;
                self.post_item_attributes()?;
            }
            Kind::Initializer => {
                self.bump();
                self.attributes()?;
                self.seq_expr()?;
                self.post_item_attributes()?;
            }
            Kind::LBracketPercentPercent | Kind::QuotedStringItem => {
                self.item_extension()?;
                self.post_item_attributes()?;
            }
            Kind::LBracketAtAtAt => self.floating_attribute()?,
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// After `val`: `[!] [mutable] [virtual] x : t`, `x = e`, `x : t = e`.
    fn instance_variable(&mut self) -> PResult<()> {
        let bang = self.eat(Kind::Bang);
        self.attributes()?;
        let (_, virtual_) = self.two_flags(Kind::Mutable, Kind::Virtual);
        if virtual_ && bang {
            return self.syntax_error();
        }
        self.expect(Kind::Lident)?;
        if virtual_ {
            self.expect(Kind::Colon)?;
            return self.core_type();
        }
        if matches!(self.peek(), Kind::Colon | Kind::ColonGreater) {
            self.type_constraint()?;
        }
        self.expect(Kind::Equal)?;
        self.seq_expr()
    }

    /// At most one of each of two flag keywords, in either order; returns
    /// which were there.
    fn two_flags(&mut self, first: Kind, second: Kind) -> (bool, bool) {
        let mut seen = (false, false);
        loop {
            if !seen.0 && self.eat(first) {
                seen.0 = true;
            } else if !seen.1 && self.eat(second) {
                seen.1 = true;
            } else {
                return seen;
            }
        }
    }

    /// After `method`: `[!] [private] [virtual] m : t`, `m params = e`,
    /// `m : 'a. t = e`, `m : type a. t = e`.
    fn method_definition(&mut self) -> PResult<()> {
        let bang = self.eat(Kind::Bang);
        self.attributes()?;
        let (_, virtual_) = self.two_flags(Kind::Private, Kind::Virtual);
        if virtual_ && bang {
            return self.syntax_error();
        }
        self.expect(Kind::Lident)?;
        if virtual_ {
            self.expect(Kind::Colon)?;
            return self.poly_type();
        }
        if !self.eat(Kind::Colon) {
            return self.function_body();
        }
        if self.eat(Kind::Type) {
            self.newtypes_and_type()?;
            self.expect(Kind::Equal)?;
            return self.seq_expr();
        }
        self.poly_type()?;
        self.expect(Kind::Equal)?;
        self.seq_expr()
    }

    /// `class_type`: `[label:] t -> ct` or a class signature.
    fn class_type(&mut self) -> PResult<()> {
        self.enter()?;
        if self.arrow_label() {
            self.tuple_type()?;
            self.expect(Kind::MinusGreater)?;
            self.class_type()?;
        } else if matches!(self.peek(), Kind::Object | Kind::Let) {
            self.class_signature()?;
        } else {
            // Either a domain type followed by `->`, or a class path.
            let checkpoint = self.checkpoint();
            if self.tuple_type().is_ok() && self.peek() == Kind::MinusGreater {
                self.bump();
                self.class_type()?;
            } else {
                self.restore(checkpoint);
                self.class_signature()?;
            }
        }
        Ok(())
    }

    /// `class_signature`: `['a] c`, `object ... end`, `let open M in csig`,
    /// an extension; then attributes.
    fn class_signature(&mut self) -> PResult<()> {
        self.enter()?;
        match self.peek() {
            Kind::LBracket => {
                self.bump();
                self.core_type()?;
                while self.eat(Kind::Comma) {
                    self.core_type()?;
                }
                self.expect(Kind::RBracket)?;
                self.type_longident()?;
            }
            Kind::Lident | Kind::Uident => self.type_longident()?,
            Kind::Object => {
                self.bump();
                self.attributes()?;
                self.class_signature_body()?;
                self.expect(Kind::End)?;
            }
            Kind::Let => {
                self.bump();
                self.expect(Kind::Open)?;
                self.eat(Kind::Bang);
                self.attributes()?;
                let path = self.mod_longident()?;
                self.expect(Kind::In)?;
                let mark = self.scope.mark();
                self.open_path(path);
                self.class_signature()?;
                self.scope.reset(mark);
            }
            Kind::LBracketPercent | Kind::QuotedStringExpr => self.extension()?,
            _ => return self.syntax_error(),
        }
        self.attributes()?;
        Ok(())
    }

    /// The inside of `object ... end` in a class type.
    fn class_signature_body(&mut self) -> PResult<()> {
        if self.eat(Kind::LParen) {
            self.core_type()?;
            self.expect(Kind::RParen)?;
        }
        loop {
            match self.peek() {
                Kind::Inherit => {
                    self.bump();
                    self.attributes()?;
                    self.class_signature()?;
                }
                Kind::Val => {
                    self.bump();
                    self.attributes()?;
                    self.two_flags(Kind::Mutable, Kind::Virtual);
                    self.expect(Kind::Lident)?;
                    self.expect(Kind::Colon)?;
                    self.core_type()?;
                }
                Kind::Method => {
                    self.bump();
                    self.attributes()?;
                    self.two_flags(Kind::Private, Kind::Virtual);
                    self.expect(Kind::Lident)?;
                    self.expect(Kind::Colon)?;
                    self.poly_type()?;
                }
                Kind::Constraint => {
                    self.bump();
                    self.attributes()?;
                    self.core_type()?;
                    self.expect(Kind::Equal)?;
                    self.core_type()?;
                }
                Kind::LBracketPercentPercent | Kind::QuotedStringItem => self.item_extension()?,
                Kind::LBracketAtAtAt => {
                    self.floating_attribute()?;
                    continue;
                }
                _ => return Ok(()),
            }
            self.post_item_attributes()?;
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{ml, mli};

    // Expected modules checked with the real `ocamldep -modules` (4.13.1).

    #[test]
    fn class_declarations() {
        assert_eq!(
            ml(
                r##"class c (x : A.t) = object inherit B.d x method m = C.x val v = D.y initializer E.f () end"##
            ),
            "A B C D E"
        );
    }

    #[test]
    fn class_types_and_descriptions() {
        assert_eq!(
            mli(r##"class c : A.t -> object method m : B.t end
class type d = [C.t] D.c
class e : ?x:E.t -> F.c"##),
            "A B C D E F"
        );
    }

    #[test]
    fn class_let_open() {
        assert_eq!(
            ml(r##"class c = let open A in object end
class d = let x = B.y in object end"##),
            "A B"
        );
    }
}
