//! Patterns. Constructor, record label and `#type` paths report their
//! module part; `M.(p)` opens `M` for `p`; `(module M)` records `M` in
//! [`Parser::unpacks`], for the caller to bind once the pattern is done
//! (as in `depend.ml`, a pattern's unpackings are not visible inside the
//! pattern itself).

use super::{PResult, Parser};
use crate::token::Kind;

/// Binding strength of pattern operators.
const AS: u8 = 1;
const BAR: u8 = 2;
const COMMA: u8 = 3;
const CONS: u8 = 4;
const APPLICATION: u8 = 5;

/// Whether a token can start a simple pattern.
pub(super) fn starts_simple_pattern(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::Lident
            | Kind::Underscore
            | Kind::Int
            | Kind::Float
            | Kind::Char
            | Kind::String
            | Kind::True
            | Kind::False
            | Kind::Backquote
            | Kind::Hash
            | Kind::Uident
            | Kind::LParen
            | Kind::LBrace
            | Kind::LBracket
            | Kind::LBracketBar
            | Kind::LBracketPercent
            | Kind::QuotedStringExpr
    )
}

impl<'a> Parser<'a> {
    /// Whether a simple pattern starts here (a sign counts only before a
    /// number).
    pub(super) fn at_simple_pattern(&self) -> bool {
        match self.peek() {
            Kind::Minus | Kind::Plus => matches!(self.peek_at(1), Kind::Int | Kind::Float),
            kind => starts_simple_pattern(kind),
        }
    }

    /// Whether a `labeled_simple_pattern` (a function parameter) starts
    /// here.
    pub(super) fn at_parameter(&self) -> bool {
        matches!(
            self.peek(),
            Kind::Question | Kind::OptLabel | Kind::Tilde | Kind::Label
        ) || self.at_simple_pattern()
    }

    fn at_pattern(&self) -> bool {
        self.peek() == Kind::Lazy || self.peek() == Kind::Exception || self.at_simple_pattern()
    }

    /// `pattern`.
    pub(super) fn pattern(&mut self) -> PResult<()> {
        self.pattern_at(AS)
    }

    /// `pattern_no_exn`: a pattern that does not start with `exception`.
    pub(super) fn pattern_no_exn(&mut self) -> PResult<()> {
        if self.peek() == Kind::Exception {
            return self.syntax_error();
        }
        self.pattern_at(AS)
    }

    /// A pattern whose operators bind at least as tightly as `min`.
    fn pattern_at(&mut self, min: u8) -> PResult<()> {
        self.enter()?;
        if self.peek() == Kind::Exception {
            self.bump();
            let ext = self.ext_attributes()?;
            self.pattern_at(APPLICATION)?;
            self.end_ext(ext);
        } else {
            self.pattern_gen()?;
        }
        loop {
            match self.peek() {
                Kind::As if min <= AS => {
                    self.bump();
                    if !self.at_val_ident() {
                        return self.error_at(self.pos, "identifier expected");
                    }
                    self.val_ident()?;
                }
                Kind::Bar if min <= BAR => {
                    self.bump();
                    self.expect_pattern()?;
                    self.pattern_at(COMMA)?;
                }
                Kind::Comma if min <= COMMA => {
                    self.bump();
                    self.expect_pattern()?;
                    self.pattern_at(CONS)?;
                }
                Kind::ColonColon if min <= CONS => {
                    self.bump();
                    self.expect_pattern()?;
                    self.pattern_at(CONS)?;
                }
                Kind::LBracketAt => self.attributes()?,
                _ => break,
            }
        }
        Ok(())
    }

    fn expect_pattern(&self) -> PResult<()> {
        if self.at_pattern() {
            Ok(())
        } else {
            self.error_at(self.pos, "pattern expected")
        }
    }

    /// `pattern_gen`: constructor and variant applications, `lazy p`, or a
    /// simple pattern.
    fn pattern_gen(&mut self) -> PResult<()> {
        match self.peek() {
            Kind::Uident if !self.at_open_pattern() => {
                self.constr_path()?;
                self.constructor_argument()
            }
            Kind::LParen
                if self.peek_at(1) == Kind::ColonColon && self.peek_at(2) == Kind::RParen =>
            {
                self.pos += 3;
                self.constructor_argument()
            }
            Kind::LParen | Kind::LBracket
                if self.peek_at(1) == Kind::RParen || self.peek_at(1) == Kind::RBracket =>
            {
                let close = if self.peek() == Kind::LParen {
                    Kind::RParen
                } else {
                    Kind::RBracket
                };
                if self.peek_at(1) != close {
                    return self.simple_pattern();
                }
                self.pos += 2;
                self.constructor_argument()
            }
            Kind::True | Kind::False => {
                self.bump();
                self.constructor_argument()
            }
            Kind::Backquote => {
                self.bump();
                self.tag_name()?;
                if self.at_pattern() {
                    self.pattern_at(APPLICATION)?;
                }
                Ok(())
            }
            Kind::Lazy => {
                self.bump();
                let ext = self.ext_attributes()?;
                self.simple_pattern()?;
                self.end_ext(ext);
                Ok(())
            }
            _ => self.simple_pattern(),
        }
    }

    /// The optional argument of a constructor pattern: `C p` or
    /// `C (type a) p`.
    fn constructor_argument(&mut self) -> PResult<()> {
        if self.peek() == Kind::LParen && self.peek_at(1) == Kind::Type {
            self.pos += 2;
            self.expect(Kind::Lident)?;
            while self.eat(Kind::Lident) {}
            self.expect(Kind::RParen)?;
            return self.simple_pattern();
        }
        if self.at_pattern() {
            self.pattern_at(APPLICATION)?;
        }
        Ok(())
    }

    /// A variant tag or type variable name: any identifier.
    pub(super) fn tag_name(&mut self) -> PResult<()> {
        if matches!(self.peek(), Kind::Lident | Kind::Uident) {
            self.bump();
            Ok(())
        } else {
            self.syntax_error()
        }
    }

    /// Whether `M.N.(`, `M.[`, `M.[|` or `M.{` (a local open) starts here.
    fn at_open_pattern(&self) -> bool {
        let mut n = 1;
        while self.peek_at(n) == Kind::Dot && self.peek_at(n + 1) == Kind::Uident {
            n += 2;
        }
        let is_cons =
            self.peek_at(n + 2) == Kind::ColonColon && self.peek_at(n + 3) == Kind::RParen;
        self.peek_at(n) == Kind::Dot
            && match self.peek_at(n + 1) {
                Kind::LParen => !is_cons,
                Kind::LBracket | Kind::LBracketBar | Kind::LBrace => true,
                _ => false,
            }
    }

    /// `simple_pattern`.
    pub(super) fn simple_pattern(&mut self) -> PResult<()> {
        self.enter()?;
        match self.peek() {
            Kind::Lident | Kind::Underscore | Kind::True | Kind::False => self.bump(),
            Kind::Int | Kind::Float | Kind::Char | Kind::String | Kind::Minus | Kind::Plus => {
                self.signed_constant()?;
                if self.eat(Kind::DotDot) {
                    self.signed_constant()?;
                }
            }
            Kind::Backquote => {
                self.bump();
                self.tag_name()?;
            }
            Kind::Hash => {
                self.bump();
                self.type_longident()?;
            }
            Kind::Uident => self.uident_pattern()?,
            Kind::LParen => self.paren_pattern()?,
            Kind::LBrace => self.record_pattern()?,
            Kind::LBracket => self.list_pattern(Kind::RBracket)?,
            Kind::LBracketBar => self.list_pattern(Kind::BarRBracket)?,
            Kind::LBracketPercent | Kind::QuotedStringExpr => self.extension()?,
            _ => return self.syntax_error(),
        }
        Ok(())
    }

    /// `signed_constant`: a literal, or `-`/`+` before a number.
    fn signed_constant(&mut self) -> PResult<()> {
        match self.peek() {
            Kind::Int | Kind::Float | Kind::Char | Kind::String => {
                self.bump();
                Ok(())
            }
            Kind::Minus | Kind::Plus if matches!(self.peek_at(1), Kind::Int | Kind::Float) => {
                self.pos += 2;
                Ok(())
            }
            _ => self.syntax_error(),
        }
    }

    /// A pattern starting with an uppercase identifier: a constant
    /// constructor, or a local open `M.(p)`, `M.[p]`, `M.{...}`...
    fn uident_pattern(&mut self) -> PResult<()> {
        if !self.at_open_pattern() {
            return self.constr_path();
        }
        let path = self.mod_longident()?;
        self.expect(Kind::Dot)?;
        let mark = self.scope.mark();
        match self.peek() {
            Kind::LParen
                if self.peek_at(1) == Kind::ColonColon && self.peek_at(2) == Kind::RParen =>
            {
                // `M.(::)` is a constructor, not an open.
                self.pos += 3;
                self.report_path(path);
            }
            Kind::LParen if self.peek_at(1) == Kind::RParen => {
                self.pos += 2;
                self.open_path(path);
            }
            Kind::LParen => {
                self.bump();
                self.open_path(path);
                if !self.at_pattern() {
                    return self.error_at(self.pos, "pattern expected");
                }
                self.pattern()?;
                self.expect(Kind::RParen)?;
            }
            Kind::LBrace => {
                self.open_path(path);
                self.record_pattern()?;
            }
            Kind::LBracket => {
                self.open_path(path);
                self.list_pattern(Kind::RBracket)?;
            }
            _ => {
                self.open_path(path);
                self.list_pattern(Kind::BarRBracket)?;
            }
        }
        self.scope.reset(mark);
        Ok(())
    }

    /// `( op )`, `()`, `(::)`, `(module M [: S])`, `(p)`, `(p : t)`.
    fn paren_pattern(&mut self) -> PResult<()> {
        if let Some(len) = self.operator_len(self.pos + 1) {
            self.pos += len + 2;
            return Ok(());
        }
        self.bump();
        match self.peek() {
            Kind::RParen => {
                self.bump();
                Ok(())
            }
            Kind::ColonColon if self.peek_at(1) == Kind::RParen => {
                self.pos += 2;
                Ok(())
            }
            Kind::Module => {
                self.bump();
                let ext = self.ext_attributes()?;
                let name = self.module_name()?;
                if self.eat(Kind::Colon) {
                    self.package_type()?;
                }
                self.expect(Kind::RParen)?;
                if let (Some(name), false) = (name, ext) {
                    self.unpacks.push(name);
                }
                self.end_ext(ext);
                Ok(())
            }
            _ => {
                self.pattern()?;
                if self.eat(Kind::Colon) {
                    self.core_type()?;
                }
                self.expect(Kind::RParen)
            }
        }
    }

    /// `{ l1 = p1; l2 : t; M.l3; _ }`.
    fn record_pattern(&mut self) -> PResult<()> {
        self.expect(Kind::LBrace)?;
        loop {
            if self.eat(Kind::Underscore) {
                self.eat(Kind::Semi);
                break;
            }
            self.label_longident()?;
            if self.eat(Kind::Colon) {
                self.core_type()?;
            }
            if self.eat(Kind::Equal) {
                self.pattern()?;
            }
            if !self.eat(Kind::Semi) || self.peek() == Kind::RBrace {
                break;
            }
        }
        self.expect(Kind::RBrace)
    }

    /// `[p; p]`, `[]`, `[|p; p|]`, `[||]` (the opener is the current
    /// token).
    fn list_pattern(&mut self, close: Kind) -> PResult<()> {
        self.bump();
        if self.eat(close) {
            return Ok(());
        }
        loop {
            self.pattern()?;
            if !self.eat(Kind::Semi) || self.peek() == close {
                break;
            }
        }
        self.expect(close)
    }

    /// `labeled_simple_pattern`: a function parameter, possibly labelled,
    /// optional, with a default value. Unpacked modules are left in
    /// [`Parser::unpacks`].
    pub(super) fn parameter(&mut self) -> PResult<()> {
        match self.peek() {
            Kind::Question => {
                self.bump();
                if self.eat(Kind::LParen) {
                    self.expect(Kind::Lident)?;
                    if self.eat(Kind::Colon) {
                        self.core_type()?;
                    }
                    self.optional_default()?;
                    self.expect(Kind::RParen)
                } else {
                    self.expect(Kind::Lident)
                }
            }
            Kind::OptLabel => {
                self.bump();
                if self.eat(Kind::LParen) {
                    self.pattern()?;
                    if self.eat(Kind::Colon) {
                        self.core_type()?;
                    }
                    self.optional_default()?;
                    self.expect(Kind::RParen)
                } else if self.eat(Kind::Lident) || self.eat(Kind::Underscore) {
                    Ok(())
                } else {
                    self.syntax_error()
                }
            }
            Kind::Tilde => {
                self.bump();
                if self.eat(Kind::LParen) {
                    self.expect(Kind::Lident)?;
                    if self.eat(Kind::Colon) {
                        self.core_type()?;
                    }
                    self.expect(Kind::RParen)
                } else {
                    self.expect(Kind::Lident)
                }
            }
            Kind::Label => {
                self.bump();
                self.simple_pattern()
            }
            _ => self.simple_pattern(),
        }
    }

    /// `= default` in an optional parameter.
    fn optional_default(&mut self) -> PResult<()> {
        if self.eat(Kind::Equal) {
            self.seq_expr()?;
        }
        Ok(())
    }

    /// Reads a parameter and brings its unpacked modules into scope (the
    /// caller resets the scope).
    pub(super) fn bound_parameter(&mut self) -> PResult<()> {
        let from = self.unpacks.len();
        self.parameter()?;
        self.bind_unpacks(from);
        self.unpacks.truncate(from);
        Ok(())
    }

    /// Reads a pattern and brings its unpacked modules into scope (the
    /// caller resets the scope).
    pub(super) fn bound_pattern(&mut self) -> PResult<()> {
        let from = self.unpacks.len();
        self.pattern()?;
        self.bind_unpacks(from);
        self.unpacks.truncate(from);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::ml;

    // Expected modules checked with the real `ocamldep -modules` (4.13.1).

    #[test]
    fn unpacked_module_is_bound_after_the_pattern() {
        assert_eq!(
            ml(r##"let f (module M : A.S) (x : M.t) = M.y, N.z"##),
            "A N"
        );
    }

    #[test]
    fn unpacked_module_is_not_bound_inside_its_pattern() {
        assert_eq!(ml(r##"let f ((module M : S), (x : M.t)) = x"##), "M");
    }

    #[test]
    fn match_case_unpack() {
        assert_eq!(
            ml(r##"let f = function (module M : S) -> M.x | _ -> N.y"##),
            "N"
        );
    }

    #[test]
    fn local_open_patterns() {
        assert_eq!(
            ml(r##"let f = function A.(B x) -> x | C.[] -> 0 | D.{ f } -> f | E.[| |] -> 1"##),
            "A C D E"
        );
    }

    #[test]
    fn constructor_record_and_type_patterns() {
        assert_eq!(
            ml(
                r##"let f = function A.C { B.l = _; _ } -> 0 | #D.t -> 1 | exception E.X -> 2 | `T (F.C _) -> 3"##
            ),
            "A B D E F"
        );
    }

    #[test]
    fn labelled_parameters_and_defaults() {
        assert_eq!(
            ml(r##"let f ~(x : A.t) ?(y = B.z) ?l:(z = C.w) ~m:(D.C v) () = v"##),
            "A B C D"
        );
    }

    #[test]
    fn constructor_with_locally_abstract_types() {
        assert_eq!(
            ml(r##"let f = function A.C (type a) (x : a B.t) -> x"##),
            "A B"
        );
    }

    #[test]
    fn unpacks_in_ignored_parts_bind_nothing() {
        assert_eq!(ml(r##"let f (x [@foo? (module M)]) = M.x"##), "M");
        assert_eq!(
            ml(r##"let f = fun x -> for (module M) = 1 to 2 do M.x done
let g = let y = (for (module N) = 1 to 2 do () done) in N.x"##),
            "M N"
        );
    }
}
