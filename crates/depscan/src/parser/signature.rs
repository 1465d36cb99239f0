//! Signatures: the body of a `.mli` file, of `sig ... end` and of `:`
//! payloads; signature items.

use super::{PResult, Parser};
use crate::scope::{BOUND, NodeId};
use crate::token::Kind;

impl<'a> Parser<'a> {
    /// `signature`: items and `;;` up to `stop` (left unconsumed).
    pub(super) fn signature_body(&mut self, stop: Kind) -> PResult<()> {
        self.enter()?;
        loop {
            let kind = self.peek();
            if kind == stop || kind == Kind::Eof {
                break;
            }
            if kind == Kind::SemiSemi {
                self.bump();
                continue;
            }
            self.signature_item()?;
        }
        Ok(())
    }

    fn signature_item(&mut self) -> PResult<()> {
        match self.peek() {
            Kind::Val => self.value_description(false),
            Kind::External => self.value_description(true),
            Kind::Type => self.type_declarations(true),
            Kind::Exception => self.exception_declaration(true),
            Kind::Module => self.module_declaration(),
            Kind::Open => self.open_description(),
            Kind::Include => self.include_module_type(),
            Kind::Class => {
                if self.peek_at(1) == Kind::Type {
                    self.class_type_declarations()
                } else {
                    self.class_descriptions()
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

    /// `module M : mty`, `module M = N`, `module M := N`, `module rec`,
    /// `module type` in a signature.
    fn module_declaration(&mut self) -> PResult<()> {
        self.bump();
        if self.peek() == Kind::Type {
            return self.module_type_declaration(true);
        }
        let ext = self.ext_attributes()?;
        let outer = self.scope.mark();
        let exports = self.scope.export_mark();
        if self.eat(Kind::Rec) {
            self.rec_module_declarations()?;
        } else {
            let name_at = self.pos;
            let name = self.module_name()?;
            let node = match self.peek() {
                Kind::ColonEqual => {
                    if name.is_none() {
                        return self.error_at(name_at, "syntax error");
                    }
                    self.bump();
                    if self.peek() != Kind::Uident {
                        return self.error_at(self.pos, "module path expected");
                    }
                    let path = self.mod_ext_longident()?;
                    self.alias_path(path)
                }
                Kind::Equal => {
                    self.bump();
                    let path = self.mod_longident()?;
                    self.alias_path(path)
                }
                _ => self.module_declaration_body()?,
            };
            self.post_item_attributes()?;
            if let Some(name) = name {
                self.scope.define(name, node);
            }
        }
        if ext {
            self.scope.drop_exports(exports);
            self.scope.reset(outer);
        }
        self.end_ext(ext);
        Ok(())
    }

    /// `: mty` or `(X : S) ... : mty`.
    fn module_declaration_body(&mut self) -> PResult<NodeId> {
        self.enter()?;
        let node = if self.eat(Kind::Colon) {
            self.module_type()?
        } else if self.peek() == Kind::LParen {
            let mark = self.scope.mark();
            self.functor_arg()?;
            self.module_declaration_body()?;
            self.scope.reset(mark);
            BOUND
        } else {
            return self.syntax_error();
        };
        Ok(node)
    }

    /// `A : S and B : T` after `module rec` in a signature: all the names
    /// are in scope in all the module types.
    fn rec_module_declarations(&mut self) -> PResult<()> {
        let names = self.rec_module_names(Self::colon_module_type)?;
        for name in names {
            self.scope.define(name, BOUND);
        }
        loop {
            self.module_name()?;
            self.colon_module_type()?;
            self.post_item_attributes()?;
            if !self.eat(Kind::And) {
                return Ok(());
            }
            self.attributes()?;
        }
    }

    fn colon_module_type(&mut self) -> PResult<()> {
        self.expect(Kind::Colon)?;
        self.module_type().map(|_| ())
    }

    /// `open [!] M` in a signature.
    fn open_description(&mut self) -> PResult<()> {
        self.bump();
        self.eat(Kind::Bang);
        let ext = self.ext_attributes()?;
        let path = self.mod_ext_longident()?;
        self.post_item_attributes()?;
        if ext {
            self.report_path(path);
        } else {
            self.open_path(path);
        }
        self.end_ext(ext);
        Ok(())
    }

    /// `include mty` in a signature.
    fn include_module_type(&mut self) -> PResult<()> {
        self.bump();
        let ext = self.ext_attributes()?;
        let node = self.module_type()?;
        self.post_item_attributes()?;
        if !ext {
            self.scope.include(node);
        }
        self.end_ext(ext);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::mli;

    // Expected modules checked with the real `ocamldep -modules` (4.13.1).

    #[test]
    fn opens_includes_and_aliases() {
        assert_eq!(
            mli(r##"open A
include B
include module type of C
module M = D.E
module N := F
val x : M.t * N.t"##),
            "A C D F"
        );
    }

    #[test]
    fn included_signature_brings_submodules() {
        assert_eq!(
            mli(r##"include sig module X : sig end end
open X
val x : X.t * Y.t"##),
            "Y"
        );
    }

    #[test]
    fn recursive_module_declarations() {
        assert_eq!(
            mli(r##"module rec A : sig val x : B.t end
and B : sig type t = C.t end"##),
            "C"
        );
    }

    #[test]
    fn functor_declarations() {
        assert_eq!(
            mli(r##"module F (X : A.S) : B.S with type t = X.t
module G : functor (Y : C.S) -> D.S"##),
            "A B C D"
        );
    }

    #[test]
    fn substitutions() {
        assert_eq!(
            mli(r##"module type S := A.S
type t := B.t
module M := C.M"##),
            "A B C"
        );
    }

    #[test]
    fn recursive_module_names_shadow_outer_modules_everywhere() {
        assert_eq!(
            mli(r##"module B : sig module C : sig end end
module rec A : sig open B val x : C.t end
and B : sig end"##),
            "C"
        );
    }
}
