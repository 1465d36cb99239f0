//! Expressions: sequences, operators by precedence, applications,
//! constructors, the keyword forms (`let`, `fun`, `match`, `if`...) and
//! simple expressions with their postfix forms (`.field`, `.(i)`, `#m`).
//!
//! `a.(i)`, `s.[i]` and `b.{i}` are sugar for `Array.get`, `String.get` and
//! `Bigarray.ArrayN.get`: like `ocamldep`, they report `Array`, `String`
//! and `Bigarray`.

use super::structure::starts_expr;
use super::{PResult, Parser};
use crate::token::Kind;

/// Binding strength of expression operators (higher binds tighter), from
/// the precedence table of `parser.mly`.
const COLONEQUAL: u8 = 11;
const COMMA: u8 = 13;
const OR: u8 = 15;
const AMPER: u8 = 16;
const INFIX0: u8 = 17;
const INFIX1: u8 = 18;
const ATTRIBUTE: u8 = 19;
const CONS: u8 = 20;
const INFIX2: u8 = 21;
const INFIX3: u8 = 22;
const INFIX4: u8 = 23;
const UNARY: u8 = 24;

/// A binary operator's strength and whether it is right-associative.
fn binary_operator(kind: Kind) -> Option<(u8, bool)> {
    let op = match kind {
        Kind::ColonEqual => (COLONEQUAL, true),
        Kind::Or | Kind::BarBar => (OR, true),
        Kind::Ampersand | Kind::AmperAmper => (AMPER, true),
        Kind::Infix0 | Kind::Equal | Kind::Less | Kind::Greater => (INFIX0, false),
        Kind::Infix1 => (INFIX1, true),
        Kind::ColonColon => (CONS, true),
        Kind::Infix2 | Kind::Plus | Kind::PlusDot | Kind::Minus | Kind::MinusDot | Kind::PlusEq => {
            (INFIX2, false)
        }
        Kind::Percent | Kind::Infix3 | Kind::Star => (INFIX3, false),
        Kind::Infix4 => (INFIX4, true),
        _ => return None,
    };
    Some(op)
}

/// Whether a token can start a simple expression.
fn starts_simple_expr(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::Lident
            | Kind::Uident
            | Kind::Int
            | Kind::Float
            | Kind::Char
            | Kind::String
            | Kind::True
            | Kind::False
            | Kind::LParen
            | Kind::LBracket
            | Kind::LBracketBar
            | Kind::LBrace
            | Kind::LBraceLess
            | Kind::Begin
            | Kind::New
            | Kind::PrefixOp
            | Kind::Bang
            | Kind::Backquote
            | Kind::LBracketPercent
            | Kind::QuotedStringExpr
    )
}

/// Whether a token can start a function argument.
pub(super) fn starts_argument(kind: Kind) -> bool {
    starts_simple_expr(kind)
        || matches!(
            kind,
            Kind::Label | Kind::OptLabel | Kind::Tilde | Kind::Question
        )
}

/// What a simple expression is, as far as `<-` cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// A lowercase identifier: `x <- e` sets an instance variable.
    Ident,
    /// `e.l` or `e.(i)`: can be assigned with `<-`.
    Assignable,
    Other,
}

impl<'a> Parser<'a> {
    /// `seq_expr`: `e1; e2; ...` with an optional trailing `;`, and the
    /// `e1; %ext e2` form.
    pub(super) fn seq_expr(&mut self) -> PResult<()> {
        self.enter()?;
        let before = self.deps.len();
        self.expr()?;
        self.seq_expr_rest(before)?;
        Ok(())
    }

    /// What may follow the first expression of a sequence (read from
    /// `before` in the reports): `; e2; ...`, a trailing `;`, `; %ext e2`.
    pub(super) fn seq_expr_rest(&mut self, mut before: usize) -> PResult<()> {
        loop {
            if !self.eat(Kind::Semi) {
                break;
            }
            if self.peek() == Kind::Percent {
                // `e1; %ext e2`: both sides are the extension's payload.
                self.deps.truncate(before);
                let ext = self.ext()?;
                self.seq_expr()?;
                self.end_ext(ext);
                break;
            }
            if !starts_expr(self.peek()) {
                break;
            }
            before = self.deps.len();
            self.expr()?;
        }
        Ok(())
    }

    /// `expr`.
    pub(super) fn expr(&mut self) -> PResult<()> {
        self.expr_at(0)
    }

    /// An expression whose binary operators bind at least as tightly as
    /// `min`.
    fn expr_at(&mut self, min: u8) -> PResult<()> {
        self.enter()?;
        self.expr_prefix()?;
        loop {
            let kind = self.peek();
            match kind {
                Kind::Comma if min <= COMMA => {
                    while self.eat(Kind::Comma) {
                        self.expr_operand(COMMA + 1)?;
                    }
                }
                Kind::LBracketAt if min <= ATTRIBUTE => self.attributes_one()?,
                _ => match binary_operator(kind) {
                    Some((strength, right)) if strength >= min => {
                        self.bump();
                        self.expr_operand(if right { strength } else { strength + 1 })?;
                    }
                    _ => break,
                },
            }
        }
        Ok(())
    }

    /// The right operand of an operator: an expression must follow.
    fn expr_operand(&mut self, min: u8) -> PResult<()> {
        if !starts_expr(self.peek()) {
            return self.syntax_error();
        }
        self.expr_at(min)
    }

    /// One `[@attr]` after an expression.
    fn attributes_one(&mut self) -> PResult<()> {
        self.bracketed_attribute()
    }

    /// The part of an expression before any binary operator.
    fn expr_prefix(&mut self) -> PResult<()> {
        match self.peek() {
            Kind::Let => self.let_expr(),
            Kind::LetOp => self.letop_expr(),
            Kind::Function => {
                self.bump();
                let ext = self.ext_attributes()?;
                self.match_cases()?;
                self.end_ext(ext);
                Ok(())
            }
            Kind::Fun => self.fun_expr(),
            Kind::Match | Kind::Try => {
                self.bump();
                let ext = self.ext_attributes()?;
                self.seq_expr()?;
                self.expect(Kind::With)?;
                self.match_cases()?;
                self.end_ext(ext);
                Ok(())
            }
            Kind::If => self.if_expr(),
            Kind::While => {
                self.bump();
                let ext = self.ext_attributes()?;
                self.seq_expr()?;
                self.expect(Kind::Do)?;
                self.seq_expr()?;
                self.expect(Kind::Done)?;
                self.end_ext(ext);
                Ok(())
            }
            Kind::For => self.for_expr(),
            Kind::Object => {
                self.bump();
                let ext = self.ext_attributes()?;
                self.class_structure()?;
                self.expect(Kind::End)?;
                self.end_ext(ext);
                Ok(())
            }
            Kind::Assert | Kind::Lazy => {
                self.bump();
                let ext = self.ext_attributes()?;
                self.simple_expr()?;
                self.end_ext(ext);
                Ok(())
            }
            Kind::Minus | Kind::MinusDot | Kind::Plus | Kind::PlusDot => {
                self.bump();
                self.expr_operand(UNARY)
            }
            Kind::Uident if !self.at_qualified_simple_expr() => self.constructor_expr(),
            Kind::True | Kind::False | Kind::Backquote => self.constructor_expr(),
            Kind::LParen | Kind::LBracket if self.at_constant_constructor() => {
                self.constructor_expr()
            }
            Kind::Underscore => self.error_at(self.pos, "wildcard \"_\" not expected"),
            _ => self.application(),
        }
    }

    /// A constructor or variant tag with its optional argument (a simple
    /// expression). Without an argument it is a simple expression, which
    /// postfix forms and (labelled) arguments may follow.
    fn constructor_expr(&mut self) -> PResult<()> {
        self.simple_atom()?;
        if starts_simple_expr(self.peek()) {
            self.simple_expr()?;
            return Ok(());
        }
        let shape = self.simple_postfix(Shape::Other)?;
        self.application_rest(shape)
    }

    /// Whether `()`, `[]` or `(::)` starts here.
    fn at_constant_constructor(&self) -> bool {
        match self.peek() {
            Kind::LParen => {
                self.peek_at(1) == Kind::RParen
                    || (self.peek_at(1) == Kind::ColonColon && self.peek_at(2) == Kind::RParen)
            }
            Kind::LBracket => self.peek_at(1) == Kind::RBracket,
            _ => false,
        }
    }

    /// Whether the uppercase path here is followed by `.x`, `.(`, `.[`,
    /// `.[|`, `.{` or `.{<` (a value or a local open, not a constructor).
    fn at_qualified_simple_expr(&self) -> bool {
        let mut n = 1;
        while self.peek_at(n) == Kind::Dot && self.peek_at(n + 1) == Kind::Uident {
            n += 2;
        }
        let is_cons =
            self.peek_at(n + 2) == Kind::ColonColon && self.peek_at(n + 3) == Kind::RParen;
        self.peek_at(n) == Kind::Dot
            && match self.peek_at(n + 1) {
                Kind::LParen => !is_cons,
                Kind::Lident
                | Kind::LBracket
                | Kind::LBracketBar
                | Kind::LBrace
                | Kind::LBraceLess => true,
                _ => false,
            }
    }

    /// A simple expression, applied to arguments if any follow, or
    /// assigned with `<-`.
    fn application(&mut self) -> PResult<()> {
        let shape = self.simple_expr()?;
        self.application_rest(shape)
    }

    /// Arguments or `<- e` after a simple expression of shape `shape`.
    fn application_rest(&mut self, shape: Shape) -> PResult<()> {
        if starts_argument(self.peek()) {
            while starts_argument(self.peek()) {
                self.argument()?;
            }
            return Ok(());
        }
        if shape != Shape::Other && self.peek() == Kind::LessMinus {
            self.bump();
            return self.expr_operand(COLONEQUAL);
        }
        Ok(())
    }

    /// `labeled_simple_expr`.
    pub(super) fn argument(&mut self) -> PResult<()> {
        match self.peek() {
            Kind::Label | Kind::OptLabel => {
                self.bump();
                self.simple_expr().map(|_| ())
            }
            Kind::Tilde | Kind::Question => {
                self.bump();
                self.expect(Kind::Lident)
            }
            _ => self.simple_expr().map(|_| ()),
        }
    }

    /// `simple_expr`: an atom and its postfix forms.
    fn simple_expr(&mut self) -> PResult<Shape> {
        self.enter()?;
        let shape = self.simple_atom()?;
        let shape = self.simple_postfix(shape)?;
        Ok(shape)
    }

    /// The postfix forms after an atom of shape `shape`.
    fn simple_postfix(&mut self, mut shape: Shape) -> PResult<Shape> {
        loop {
            match self.peek() {
                Kind::Dot | Kind::DotOp => shape = self.dot_postfix()?,
                Kind::Hash => {
                    self.bump();
                    self.expect(Kind::Lident)?;
                    shape = Shape::Other;
                }
                Kind::HashOp => {
                    self.bump();
                    self.simple_atom()?;
                    while matches!(self.peek(), Kind::Dot | Kind::DotOp) {
                        self.dot_postfix()?;
                    }
                    shape = Shape::Other;
                }
                _ => break,
            }
        }
        Ok(shape)
    }

    /// `.l`, `.M.l`, `.(e)`, `.[e]`, `.{e}`, `.%(e)`, `.M.%(e)`.
    fn dot_postfix(&mut self) -> PResult<Shape> {
        if self.peek() == Kind::DotOp {
            self.user_index()?;
            return Ok(Shape::Assignable);
        }
        self.bump();
        match self.peek() {
            Kind::Lident => {
                self.bump();
                Ok(Shape::Assignable)
            }
            Kind::Uident => {
                let path = self.mod_longident()?;
                match self.peek() {
                    Kind::DotOp => {
                        self.report_path(path);
                        self.user_index()?;
                    }
                    Kind::Dot => {
                        self.bump();
                        self.expect(Kind::Lident)?;
                        self.report_path(path);
                    }
                    _ => return self.syntax_error(),
                }
                Ok(Shape::Assignable)
            }
            Kind::LParen => {
                self.builtin_index(b"Array", Kind::RParen)?;
                Ok(Shape::Assignable)
            }
            Kind::LBracket => {
                self.builtin_index(b"String", Kind::RBracket)?;
                Ok(Shape::Assignable)
            }
            Kind::LBrace => {
                self.builtin_index(b"Bigarray", Kind::RBrace)?;
                Ok(Shape::Assignable)
            }
            _ => self.syntax_error(),
        }
    }

    /// `.( e )` and friends: sugar for a function of `module`.
    fn builtin_index(&mut self, module: &'static [u8], close: Kind) -> PResult<()> {
        self.use_name(module);
        self.bump();
        self.seq_expr()?;
        self.expect(close)
    }

    /// `.%( e1; e2 )`: a user-defined indexing operator.
    fn user_index(&mut self) -> PResult<()> {
        self.bump();
        let close = match self.peek() {
            Kind::LParen => Kind::RParen,
            Kind::LBracket => Kind::RBracket,
            Kind::LBrace => Kind::RBrace,
            _ => return self.syntax_error(),
        };
        self.bump();
        self.expr_semi_list(close)?;
        self.expect(close)
    }

    /// `e1; e2; ...` with an optional trailing `;`, up to `close` (not
    /// consumed).
    fn expr_semi_list(&mut self, close: Kind) -> PResult<()> {
        loop {
            self.expr()?;
            if !self.eat(Kind::Semi) || self.peek() == close {
                return Ok(());
            }
        }
    }

    /// The first part of a simple expression.
    fn simple_atom(&mut self) -> PResult<Shape> {
        self.enter()?;
        let shape = match self.peek() {
            Kind::Lident => {
                self.bump();
                Shape::Ident
            }
            Kind::Int | Kind::Float | Kind::Char | Kind::String | Kind::True | Kind::False => {
                self.bump();
                Shape::Other
            }
            Kind::Backquote => {
                self.bump();
                self.tag_name()?;
                Shape::Other
            }
            Kind::PrefixOp | Kind::Bang => {
                self.bump();
                self.simple_atom()?;
                Shape::Other
            }
            Kind::LParen => self.paren_expr()?,
            Kind::LBracket => {
                self.list_expr(Kind::RBracket)?;
                Shape::Other
            }
            Kind::LBracketBar => {
                self.list_expr(Kind::BarRBracket)?;
                Shape::Other
            }
            Kind::LBrace => {
                self.record_expr()?;
                Shape::Other
            }
            Kind::LBraceLess => {
                self.override_expr()?;
                Shape::Other
            }
            Kind::Begin => {
                self.bump();
                let ext = self.ext_attributes()?;
                if !self.eat(Kind::End) {
                    self.seq_expr()?;
                    self.expect(Kind::End)?;
                }
                self.end_ext(ext);
                Shape::Other
            }
            Kind::New => {
                self.bump();
                let ext = self.ext_attributes()?;
                self.label_longident()?;
                self.end_ext(ext);
                Shape::Other
            }
            Kind::LBracketPercent | Kind::QuotedStringExpr => {
                self.extension()?;
                Shape::Other
            }
            Kind::Uident => {
                self.uident_expr()?;
                Shape::Other
            }
            _ => return self.syntax_error(),
        };
        Ok(shape)
    }

    /// A simple expression starting with an uppercase identifier: a
    /// constructor, `M.x`, `M.( + )`, or a local open `M.(e)`, `M.[...]`,
    /// `M.{...}`...
    fn uident_expr(&mut self) -> PResult<()> {
        let path = self.mod_longident()?;
        if self.peek() != Kind::Dot {
            self.report_prefix(path);
            return Ok(());
        }
        let mark = self.scope.mark();
        match self.peek_at(1) {
            Kind::Lident => {
                self.pos += 2;
                self.report_path(path);
            }
            Kind::LParen => {
                if let Some(len) = self.operator_len(self.pos + 2) {
                    self.pos += len + 3;
                    self.report_path(path);
                } else if self.peek_at(2) == Kind::ColonColon && self.peek_at(3) == Kind::RParen {
                    self.pos += 4;
                    self.report_path(path);
                } else if self.peek_at(2) == Kind::RParen {
                    self.pos += 3;
                    self.report_path(path);
                } else if self.peek_at(2) == Kind::Module {
                    self.pos += 3;
                    self.open_path(path);
                    let ext = self.ext_attributes()?;
                    self.module_expr()?;
                    self.expect(Kind::Colon)?;
                    self.package_type()?;
                    self.expect(Kind::RParen)?;
                    self.end_ext(ext);
                } else {
                    self.pos += 2;
                    self.open_path(path);
                    self.seq_expr()?;
                    self.expect(Kind::RParen)?;
                }
            }
            Kind::LBracket => {
                self.bump();
                self.open_path(path);
                self.list_expr(Kind::RBracket)?;
            }
            Kind::LBracketBar => {
                self.bump();
                self.open_path(path);
                self.list_expr(Kind::BarRBracket)?;
            }
            Kind::LBrace => {
                self.bump();
                self.open_path(path);
                self.record_expr()?;
            }
            Kind::LBraceLess => {
                self.bump();
                self.open_path(path);
                self.override_expr()?;
            }
            _ => {
                self.report_prefix(path);
                return Ok(());
            }
        }
        self.scope.reset(mark);
        Ok(())
    }

    /// `( op )`, `()`, `(::)`, `(module me [: S])`, `(e)`, `(e : t)`,
    /// `(e :> t)`.
    fn paren_expr(&mut self) -> PResult<Shape> {
        if let Some(len) = self.operator_len(self.pos + 1) {
            self.pos += len + 2;
            return Ok(Shape::Other);
        }
        self.bump();
        match self.peek() {
            Kind::RParen => self.bump(),
            Kind::ColonColon if self.peek_at(1) == Kind::RParen => self.pos += 2,
            Kind::Module => {
                self.bump();
                let ext = self.ext_attributes()?;
                self.module_expr()?;
                if self.eat(Kind::Colon) {
                    self.package_type()?;
                }
                self.expect(Kind::RParen)?;
                self.end_ext(ext);
            }
            _ => {
                self.seq_expr()?;
                if matches!(self.peek(), Kind::Colon | Kind::ColonGreater) {
                    self.type_constraint()?;
                }
                self.expect(Kind::RParen)?;
            }
        }
        Ok(Shape::Other)
    }

    /// `[e1; e2]`, `[]`, `[|e1; e2|]`, `[||]` (the opener is the current
    /// token).
    fn list_expr(&mut self, close: Kind) -> PResult<()> {
        self.bump();
        if self.eat(close) {
            return Ok(());
        }
        self.expr_semi_list(close)?;
        self.expect(close)
    }

    /// `{ l1 = e1; l2 }` or `{ e with l = e' }`.
    fn record_expr(&mut self) -> PResult<()> {
        self.expect(Kind::LBrace)?;
        if !self.at_record_fields() {
            self.simple_expr()?;
            self.expect(Kind::With)?;
        }
        loop {
            self.label_longident()?;
            if matches!(self.peek(), Kind::Colon | Kind::ColonGreater) {
                self.type_constraint()?;
            }
            if self.eat(Kind::Equal) {
                self.expr()?;
            }
            if !self.eat(Kind::Semi) || self.peek() == Kind::RBrace {
                break;
            }
        }
        self.expect(Kind::RBrace)
    }

    /// Whether record fields (`M.l = `, `l;`, `l }`, `l :`) start here,
    /// rather than `e with`.
    fn at_record_fields(&self) -> bool {
        let mut n = 0;
        while self.peek_at(n) == Kind::Uident && self.peek_at(n + 1) == Kind::Dot {
            n += 2;
        }
        self.peek_at(n) == Kind::Lident
            && matches!(
                self.peek_at(n + 1),
                Kind::Equal | Kind::Semi | Kind::RBrace | Kind::Colon | Kind::ColonGreater
            )
    }

    /// `{< x = e; y >}`.
    fn override_expr(&mut self) -> PResult<()> {
        self.expect(Kind::LBraceLess)?;
        if self.eat(Kind::GreaterRBrace) {
            return Ok(());
        }
        loop {
            self.expect(Kind::Lident)?;
            if self.eat(Kind::Equal) {
                self.expr()?;
            }
            if !self.eat(Kind::Semi) || self.peek() == Kind::GreaterRBrace {
                break;
            }
        }
        self.expect(Kind::GreaterRBrace)
    }

    /// The `let` forms of expressions: `let module`, `let open`,
    /// `let exception` and `let ... in`.
    fn let_expr(&mut self) -> PResult<()> {
        match self.peek_at(1) {
            Kind::Module => {
                self.pos += 2;
                let ext = self.ext_attributes()?;
                let name = self.module_name()?;
                let node = self.module_binding_body()?;
                self.expect(Kind::In)?;
                let mark = self.scope.mark();
                if let Some(name) = name {
                    self.scope.bind(name, node);
                }
                self.seq_expr()?;
                self.scope.reset(mark);
                self.end_ext(ext);
            }
            Kind::Open => {
                self.pos += 2;
                self.eat(Kind::Bang);
                let ext = self.ext_attributes()?;
                let mark = self.scope.mark();
                let node = self.opened_module_expr()?;
                self.expect(Kind::In)?;
                self.scope.open(node);
                self.seq_expr()?;
                self.scope.reset(mark);
                self.end_ext(ext);
            }
            Kind::Exception => {
                self.pos += 2;
                let ext = self.ext_attributes()?;
                // `depend.ml` does not look at the declared constructor.
                self.muted(|p| {
                    p.constr_ident()?;
                    p.generalized_constructor_arguments()?;
                    p.attributes()
                })?;
                self.expect(Kind::In)?;
                self.seq_expr()?;
                self.end_ext(ext);
            }
            _ => {
                let bindings = self.let_bindings(true)?;
                self.expect(Kind::In)?;
                self.seq_expr()?;
                self.scope.reset(bindings.outer);
                self.end_ext(bindings.ext);
            }
        }
        Ok(())
    }

    /// `fun p1 p2 [: t] -> e`.
    fn fun_expr(&mut self) -> PResult<()> {
        self.bump();
        let ext = self.ext_attributes()?;
        let mark = self.scope.mark();
        let mut parameters = 0;
        loop {
            if self.at_newtype() {
                self.newtype()?;
            } else if self.at_parameter() {
                self.bound_parameter()?;
            } else {
                break;
            }
            parameters += 1;
        }
        if parameters == 0 {
            return self.syntax_error();
        }
        if self.eat(Kind::Colon) {
            self.atomic_type()?;
        }
        self.expect(Kind::MinusGreater)?;
        self.seq_expr()?;
        self.scope.reset(mark);
        self.end_ext(ext);
        Ok(())
    }

    /// `[|] p1 [when g] -> e1 | p2 -> e2 ...`; `-> .` is allowed.
    fn match_cases(&mut self) -> PResult<()> {
        self.eat(Kind::Bar);
        loop {
            let mark = self.scope.mark();
            self.bound_pattern()?;
            if self.eat(Kind::When) {
                self.seq_expr()?;
            }
            self.expect(Kind::MinusGreater)?;
            if !self.eat(Kind::Dot) {
                self.seq_expr()?;
            }
            self.scope.reset(mark);
            if !self.eat(Kind::Bar) {
                return Ok(());
            }
        }
    }

    /// `if c then e1 [else e2]`.
    fn if_expr(&mut self) -> PResult<()> {
        self.bump();
        let ext = self.ext_attributes()?;
        self.seq_expr()?;
        self.expect(Kind::Then)?;
        self.expr_operand(0)?;
        if self.eat(Kind::Else) {
            self.expr_operand(0)?;
        }
        self.end_ext(ext);
        Ok(())
    }

    /// `for p = e1 to e2 do e3 done` (the loop pattern is not visited by
    /// `depend.ml`).
    fn for_expr(&mut self) -> PResult<()> {
        self.bump();
        let ext = self.ext_attributes()?;
        let unpacks = self.unpacks.len();
        self.muted(|p| p.pattern())?;
        self.unpacks.truncate(unpacks);
        self.expect(Kind::Equal)?;
        self.seq_expr()?;
        if !(self.eat(Kind::To) || self.eat(Kind::Downto)) {
            return self.syntax_error();
        }
        self.seq_expr()?;
        self.expect(Kind::Do)?;
        self.seq_expr()?;
        self.expect(Kind::Done)?;
        self.end_ext(ext);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::ml;

    // Expected modules checked with the real `ocamldep -modules` (4.13.1).

    #[test]
    fn indexing_sugar_reports_array_string_bigarray() {
        assert_eq!(
            ml(r##"let f a s b = a.(0) <- s.[1]; b.{1, 2}"##),
            "Array Bigarray String"
        );
    }

    #[test]
    fn indexing_sugar_respects_local_array() {
        assert_eq!(
            ml(r##"module Array = struct let get _ _ = 0 end
let f a = a.(0)"##),
            ""
        );
    }

    #[test]
    fn user_indexing_operators() {
        assert_eq!(ml(r##"let f a = a.%(0), a.M.%{1}, a.N.%[2] <- 3"##), "M N");
    }

    #[test]
    fn local_opens() {
        assert_eq!(
            ml(r##"let x = A.(y + B.z), C.[1], D.{f = 1}, E.[|1|], F.(), G.{< x = 1 >}"##),
            "A B C D E F G"
        );
    }

    #[test]
    fn local_open_of_local_module() {
        assert_eq!(
            ml(r##"module M = struct module N = struct end end
let x = M.(N.y, P.z)"##),
            "P"
        );
    }

    #[test]
    fn let_module_is_scoped() {
        assert_eq!(
            ml(r##"let x = let module M = A in M.y
let y = M.z"##),
            "A M"
        );
    }

    #[test]
    fn let_open_of_local_structure() {
        assert_eq!(
            ml(r##"let x = let open struct module M = struct end end in M.y, N.z"##),
            "N"
        );
    }

    #[test]
    fn constructors_and_fields() {
        assert_eq!(
            ml(r##"let f r = A.C (r.B.field, `T D.x, r.E.f <- 1)"##),
            "A B D E"
        );
    }

    #[test]
    fn values_operators_and_methods() {
        assert_eq!(
            ml(r##"let x = A.( + ) 1 2, (new B.c)#m, C.x#n, D.(::) (1, [])"##),
            "A B C D"
        );
    }

    #[test]
    fn let_exception_is_not_visited() {
        assert_eq!(ml(r##"let x = let exception E of A.t in B.x"##), "B");
    }

    #[test]
    fn for_loop_pattern_is_not_visited() {
        assert_eq!(ml(r##"let () = for _ = A.x to B.y do C.z done"##), "A B C");
    }

    #[test]
    fn sequence_extension_mutes_both_sides() {
        assert_eq!(
            ml(r##"let x = A.f (); %ext B.g ()
let y = C.h (); D.i ()"##),
            "C D"
        );
    }

    #[test]
    fn objects() {
        assert_eq!(
            ml(
                r##"let o = object (self) val v = A.x method m = B.y method n : 'a. 'a -> C.t = fun _ -> D.z end
let p = {< v = E.x >}"##
            ),
            "A B C D E"
        );
    }

    #[test]
    fn first_class_modules() {
        assert_eq!(
            ml(r##"let x = (module A : B.S), (module struct end : C.S)
module M = (val D.x : E.S)"##),
            "A B C D E"
        );
    }
}
