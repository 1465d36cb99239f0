//! Module expressions (`struct ... end`, `functor`, paths, applications,
//! `(val e)`), functor parameters and module binding bodies. Each returns
//! the node `depend.ml`'s `add_module_binding` would give the module.

use super::{PResult, Parser};
use crate::scope::{BOUND, NodeId};
use crate::token::Kind;

impl<'a> Parser<'a> {
    /// `module_expr`; returns what is known of the module's submodules.
    pub(super) fn module_expr(&mut self) -> PResult<NodeId> {
        self.enter()?;
        let mut node = match self.peek() {
            Kind::Struct => {
                self.bump();
                self.attributes()?;
                self.structure_block()?
            }
            Kind::Functor => {
                self.bump();
                self.attributes()?;
                let mark = self.scope.mark();
                self.functor_arg()?;
                while self.peek() == Kind::LParen {
                    self.functor_arg()?;
                }
                self.expect(Kind::MinusGreater)?;
                self.module_expr()?;
                self.scope.reset(mark);
                BOUND
            }
            Kind::LParen => self.paren_module_expr()?,
            Kind::Uident => {
                let path = self.mod_longident()?;
                self.alias_path(path)
            }
            Kind::LBracketPercent | Kind::QuotedStringExpr => {
                self.extension()?;
                BOUND
            }
            _ => return self.syntax_error(),
        };
        loop {
            match self.peek() {
                Kind::LBracketAt => self.attributes()?,
                Kind::LParen => {
                    if self.peek_at(1) == Kind::RParen {
                        self.bump();
                        self.bump();
                    } else {
                        self.paren_module_expr()?;
                    }
                    node = BOUND;
                }
                _ => break,
            }
        }
        Ok(node)
    }

    /// The inside of `struct ... end` (after `struct` and its attributes),
    /// up to and including `end`; returns the node of its submodules.
    fn structure_block(&mut self) -> PResult<NodeId> {
        let mark = self.scope.mark();
        let exports = self.scope.export_mark();
        self.structure_body(Kind::End, false)?;
        self.expect(Kind::End)?;
        let node = self.scope.close_exports(exports);
        self.scope.reset(mark);
        Ok(node)
    }

    /// `( me )`, `( me : mty )`, `( val e [: pkg] )`.
    fn paren_module_expr(&mut self) -> PResult<NodeId> {
        self.expect(Kind::LParen)?;
        if self.eat(Kind::Val) {
            self.attributes()?;
            self.expr()?;
            if self.eat(Kind::Colon) {
                self.package_type()?;
                if self.eat(Kind::ColonGreater) {
                    self.package_type()?;
                }
            } else if self.eat(Kind::ColonGreater) {
                self.package_type()?;
            }
            self.expect(Kind::RParen)?;
            return Ok(BOUND);
        }
        let mut node = self.module_expr()?;
        if self.eat(Kind::Colon) {
            self.module_type()?;
            node = BOUND;
        }
        self.expect(Kind::RParen)?;
        Ok(node)
    }

    /// `functor_arg`: `()` or `(X : S)`; binds `X` (the caller resets the
    /// scope).
    pub(super) fn functor_arg(&mut self) -> PResult<()> {
        self.expect(Kind::LParen)?;
        if self.eat(Kind::RParen) {
            return Ok(());
        }
        let name = self.module_name()?;
        self.expect(Kind::Colon)?;
        self.module_type()?;
        self.expect(Kind::RParen)?;
        if let Some(name) = name {
            self.scope.bind(name, BOUND);
        }
        Ok(())
    }

    /// `module_binding_body`: `= me`, `: mty = me`, or functor parameters
    /// followed by one of these.
    pub(super) fn module_binding_body(&mut self) -> PResult<NodeId> {
        self.enter()?;
        let node = match self.peek() {
            Kind::Equal => {
                self.bump();
                self.module_expr()?
            }
            Kind::Colon => {
                self.bump();
                self.module_type()?;
                self.expect(Kind::Equal)?;
                self.module_expr()?;
                BOUND
            }
            Kind::LParen => {
                let mark = self.scope.mark();
                self.functor_arg()?;
                self.module_binding_body()?;
                self.scope.reset(mark);
                BOUND
            }
            _ => return self.syntax_error(),
        };
        Ok(node)
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::ml;

    // Expected modules checked with the real `ocamldep -modules` (4.13.1).

    #[test]
    fn functor_parameters_are_bound() {
        assert_eq!(
            ml(r##"module F (X : A.S) = struct let y = X.x end
module G = functor (Y : B.S) -> Y
let z = X.y"##),
            "A B X"
        );
    }

    #[test]
    fn functor_applications() {
        assert_eq!(
            ml(r##"module M = A.F (B) (struct end) (C.D)
module N = F ()"##),
            "A B C F"
        );
    }

    #[test]
    fn aliases_and_structures() {
        assert_eq!(
            ml(r##"module M = struct module N = struct end end
module P = M
open P
let x = N.y, Q.z"##),
            "Q"
        );
    }

    #[test]
    fn constrained_structures_have_no_known_submodules() {
        assert_eq!(
            ml(
                r##"module M : sig module N : sig end end = struct module N = struct end end
open M
let x = N.y"##
            ),
            "N"
        );
    }

    #[test]
    fn unpacking() {
        assert_eq!(
            ml(r##"module M = (val A.x : B.S)
module N = (val y)
let z = M.x"##),
            "A B"
        );
    }
}
