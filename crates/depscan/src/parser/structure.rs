//! Structures: the body of a `.ml` file, of `struct ... end` and of
//! attribute payloads; structure items and toplevel directives.

use super::{PResult, Parser};
use crate::scope::BOUND;
use crate::token::Kind;

/// Whether a token can start an expression.
pub(super) fn starts_expr(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::Lident
            | Kind::Uident
            | Kind::Int
            | Kind::Float
            | Kind::Char
            | Kind::String
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
            | Kind::True
            | Kind::False
            | Kind::Let
            | Kind::LetOp
            | Kind::Function
            | Kind::Fun
            | Kind::Match
            | Kind::Try
            | Kind::If
            | Kind::While
            | Kind::For
            | Kind::Object
            | Kind::Assert
            | Kind::Lazy
            | Kind::Minus
            | Kind::MinusDot
            | Kind::Plus
            | Kind::PlusDot
    )
}

impl<'a> Parser<'a> {
    /// `structure`: an optional leading expression, then items and `;;`
    /// (each `;;` may be followed by an expression), up to `stop` (left
    /// unconsumed). At the toplevel of a file, directives `#name arg` are
    /// allowed too.
    pub(super) fn structure_body(&mut self, stop: Kind, toplevel: bool) -> PResult<()> {
        self.enter()?;
        if starts_expr(self.peek()) {
            self.str_exp()?;
        }
        loop {
            let kind = self.peek();
            if kind == stop || kind == Kind::Eof {
                break;
            }
            match kind {
                Kind::SemiSemi => {
                    self.bump();
                    if starts_expr(self.peek()) {
                        self.str_exp()?;
                    }
                }
                Kind::Hash if toplevel => self.toplevel_directive()?,
                _ => self.structure_item()?,
            }
        }
        Ok(())
    }

    /// `str_exp`: an expression used as a structure item. A `let` there
    /// may also be an ordinary `let` definition.
    fn str_exp(&mut self) -> PResult<()> {
        let is_let_binding = self.peek() == Kind::Let
            && !matches!(self.peek_at(1), Kind::Module | Kind::Open | Kind::Exception);
        if is_let_binding {
            let before = self.deps.len();
            let bindings = self.let_bindings(true)?;
            if self.eat(Kind::In) {
                self.seq_expr()?;
                self.scope.reset(bindings.outer);
                self.end_ext(bindings.ext);
                self.seq_expr_rest(before)?;
                return self.post_item_attributes();
            } else if bindings.ext {
                self.scope.reset(bindings.outer);
            }
            self.end_ext(bindings.ext);
        } else {
            self.seq_expr()?;
        }
        self.post_item_attributes()
    }

    /// `# name [argument]` in a toplevel script: ignored by `ocamldep`.
    fn toplevel_directive(&mut self) -> PResult<()> {
        self.bump();
        if !matches!(self.peek(), Kind::Lident | Kind::Uident) {
            return self.syntax_error();
        }
        self.bump();
        self.muted(|p| match p.peek() {
            Kind::String | Kind::Int | Kind::True | Kind::False => {
                p.bump();
                Ok(())
            }
            Kind::Lident => {
                p.bump();
                Ok(())
            }
            Kind::Uident => {
                p.mod_longident()?;
                if p.peek() == Kind::Dot
                    && (p.peek_at(1) == Kind::Lident || p.peek_at(1) == Kind::LParen)
                {
                    p.bump();
                    p.val_ident()?;
                }
                Ok(())
            }
            _ => Ok(()),
        })
    }

    /// `structure_item`.
    fn structure_item(&mut self) -> PResult<()> {
        match self.peek() {
            Kind::Let => {
                let bindings = self.let_bindings(true)?;
                if bindings.ext {
                    self.scope.reset(bindings.outer);
                }
                self.end_ext(bindings.ext);
                Ok(())
            }
            Kind::Module => self.module_item(),
            Kind::Type => self.type_declarations(false),
            Kind::Exception => self.exception_declaration(false),
            Kind::External => self.value_description(true),
            Kind::Val => self.value_description(false),
            Kind::Open => self.open_declaration(),
            Kind::Include => self.include_module_expr(),
            Kind::Class => {
                if self.peek_at(1) == Kind::Type {
                    self.class_type_declarations()
                } else {
                    self.class_declarations()
                }
            }
            Kind::LBracketPercentPercent | Kind::QuotedStringItem => {
                self.item_extension()?;
                self.post_item_attributes()
            }
            Kind::LBracketAtAtAt => self.floating_attribute(),
            _ => self.syntax_error(),
        }
    }

    /// `module M = ...`, `module rec ...`, `module type S = ...` in a
    /// structure.
    fn module_item(&mut self) -> PResult<()> {
        self.bump();
        if self.peek() == Kind::Type {
            return self.module_type_declaration(false);
        }
        let ext = self.ext_attributes()?;
        let outer = self.scope.mark();
        let exports = self.scope.export_mark();
        if self.eat(Kind::Rec) {
            self.rec_module_bindings()?;
        } else {
            let name = self.module_name()?;
            let node = self.module_binding_body()?;
            self.post_item_attributes()?;
            if let Some(name) = name {
                self.scope.define(name, node);
            }
        }
        if ext {
            // The whole item is an extension node: it defines nothing.
            self.scope.drop_exports(exports);
            self.scope.reset(outer);
        }
        self.end_ext(ext);
        Ok(())
    }

    /// `module_name`: an uppercase identifier or `_`.
    pub(super) fn module_name(&mut self) -> PResult<Option<&'a [u8]>> {
        match self.peek() {
            Kind::Uident => {
                let name = self.text(self.pos);
                self.bump();
                Ok(Some(name))
            }
            Kind::Underscore => {
                self.bump();
                Ok(None)
            }
            _ => self.syntax_error(),
        }
    }

    /// `A = ... and B = ...` after `module rec`: all the names are in scope
    /// in all the bodies.
    fn rec_module_bindings(&mut self) -> PResult<()> {
        let names = self.rec_module_names(Self::module_binding_body_only)?;
        for name in names {
            self.scope.define(name, BOUND);
        }
        loop {
            self.module_name()?;
            self.module_binding_body()?;
            self.post_item_attributes()?;
            if !self.eat(Kind::And) {
                return Ok(());
            }
            self.attributes()?;
        }
    }

    fn module_binding_body_only(&mut self) -> PResult<()> {
        self.module_binding_body().map(|_| ())
    }

    /// `module type S [= mty]` (also `module type S := mty` in signatures,
    /// `sig`), after `module`.
    pub(super) fn module_type_declaration(&mut self, sig: bool) -> PResult<()> {
        self.bump();
        let ext = self.ext_attributes()?;
        if !matches!(self.peek(), Kind::Uident | Kind::Lident) {
            return self.syntax_error();
        }
        self.bump();
        if self.eat(Kind::Equal) || (sig && self.eat(Kind::ColonEqual)) {
            self.module_type()?;
        }
        self.post_item_attributes()?;
        self.end_ext(ext);
        Ok(())
    }

    /// `open [!] me` in a structure.
    fn open_declaration(&mut self) -> PResult<()> {
        self.bump();
        self.eat(Kind::Bang);
        let ext = self.ext_attributes()?;
        let node = self.opened_module_expr()?;
        self.post_item_attributes()?;
        if !ext {
            self.scope.open(node);
        }
        self.end_ext(ext);
        Ok(())
    }

    /// `include me` in a structure.
    fn include_module_expr(&mut self) -> PResult<()> {
        self.bump();
        let ext = self.ext_attributes()?;
        let node = self.module_expr()?;
        self.post_item_attributes()?;
        if !ext {
            self.scope.include(node);
        }
        self.end_ext(ext);
        Ok(())
    }

    /// `val x : t` and `external x : t = "prim"...`, in structures and
    /// signatures.
    pub(super) fn value_description(&mut self, external: bool) -> PResult<()> {
        self.bump();
        let ext = self.ext_attributes()?;
        self.val_ident()?;
        self.expect(Kind::Colon)?;
        self.core_type()?;
        if external {
            self.expect(Kind::Equal)?;
            self.expect(Kind::String)?;
            while self.eat(Kind::String) {}
        }
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
    fn open_and_include_of_local_modules() {
        assert_eq!(
            ml(r##"module M = struct module N = struct end end
include M
open N
let x = N.y, O.z"##),
            "O"
        );
    }

    #[test]
    fn open_struct() {
        assert_eq!(
            ml(r##"open struct module X = struct end end
let y = X.z"##),
            ""
        );
    }

    #[test]
    fn recursive_modules() {
        assert_eq!(
            ml(
                r##"module rec A : sig val x : B.t end = struct let x = B.x end
and B : sig type t end = struct type t = C.t end"##
            ),
            "C"
        );
    }

    #[test]
    fn extension_items_define_nothing() {
        assert_eq!(
            ml(r##"module%ext M = struct end
let x = M.y"##),
            "M"
        );
    }

    #[test]
    fn toplevel_expressions_and_semicolons() {
        assert_eq!(
            ml(r##"A.f ();;
let x = 1;;
B.g x;;
C.h"##),
            "A B C"
        );
    }

    #[test]
    fn unterminated_structure() {
        assert_eq!(ml(r##"module M = struct let x = 1"##), "error");
    }

    #[test]
    fn recursive_module_names_shadow_outer_modules_everywhere() {
        assert_eq!(
            ml(r##"module B = struct module C = struct end end
module rec A : sig end = struct open B let x = C.y end
and B : sig end = struct end"##),
            "C"
        );
    }
}
