//! Module types (`sig ... end`, `functor`, `S -> T`, `module type of`,
//! `with` constraints) and first-class module package types. Each returns
//! the node `depend.ml`'s `add_modtype_binding` would give.

use super::{PResult, Parser};
use crate::scope::{BOUND, NodeId};
use crate::token::Kind;

impl<'a> Parser<'a> {
    /// `module_type`; returns what is known of the submodules it declares.
    pub(super) fn module_type(&mut self) -> PResult<NodeId> {
        self.enter()?;
        let mut node = match self.peek() {
            Kind::Sig => {
                self.bump();
                self.attributes()?;
                let mark = self.scope.mark();
                let exports = self.scope.export_mark();
                self.signature_body(Kind::End)?;
                self.expect(Kind::End)?;
                let node = self.scope.close_exports(exports);
                self.scope.reset(mark);
                node
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
                self.module_type()?;
                self.scope.reset(mark);
                BOUND
            }
            Kind::Module => {
                self.bump();
                self.expect(Kind::Type)?;
                self.expect(Kind::Of)?;
                self.attributes()?;
                self.module_expr()?
            }
            Kind::LParen => {
                self.bump();
                let node = self.module_type()?;
                self.expect(Kind::RParen)?;
                node
            }
            Kind::Uident | Kind::Lident => {
                self.mty_longident()?;
                BOUND
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
                Kind::MinusGreater => {
                    self.bump();
                    self.module_type()?;
                    node = BOUND;
                }
                Kind::With => {
                    self.bump();
                    self.with_constraints()?;
                    node = BOUND;
                }
                _ => break,
            }
        }
        Ok(node)
    }

    /// `with_constraint (and with_constraint)*`; only the right-hand sides
    /// are visited.
    fn with_constraints(&mut self) -> PResult<()> {
        loop {
            match self.peek() {
                Kind::Type => {
                    self.bump();
                    self.type_parameters()?;
                    self.muted(|p| p.label_longident())?;
                    if self.eat(Kind::ColonEqual) {
                        self.core_type_no_attr()?;
                    } else {
                        self.expect(Kind::Equal)?;
                        self.eat(Kind::Private);
                        self.core_type_no_attr()?;
                        self.type_constraints()?;
                    }
                }
                Kind::Module => {
                    self.bump();
                    if self.eat(Kind::Type) {
                        self.muted(|p| p.mty_longident())?;
                        if !(self.eat(Kind::Equal) || self.eat(Kind::ColonEqual)) {
                            return self.syntax_error();
                        }
                        self.module_type()?;
                    } else {
                        self.muted(|p| p.mod_longident())?;
                        if !(self.eat(Kind::Equal) || self.eat(Kind::ColonEqual)) {
                            return self.syntax_error();
                        }
                        let path = self.mod_ext_longident()?;
                        self.report_path(path);
                    }
                }
                _ => return self.syntax_error(),
            }
            if !self.eat(Kind::And) {
                return Ok(());
            }
        }
    }

    /// `package_type`: `S` or `S with type t = u and type v = w`, as in
    /// `(module S)`. Other module types are errors.
    pub(super) fn package_type(&mut self) -> PResult<()> {
        if !matches!(self.peek(), Kind::Uident | Kind::Lident) {
            return self.error_at(
                self.pos,
                "only module type identifier and 'with type' constraints are supported",
            );
        }
        self.mty_longident()?;
        self.attributes()?;
        if self.eat(Kind::With) {
            loop {
                if self.peek() != Kind::Type {
                    return self
                        .error_at(self.pos, "only 'with type t =' constraints are supported");
                }
                self.bump();
                if self.peek() != Kind::Lident && self.peek() != Kind::Uident {
                    return self.error_at(self.pos, "parametrized types are not supported");
                }
                self.muted(|p| p.label_longident())?;
                if self.peek() != Kind::Equal {
                    return self.syntax_error();
                }
                self.bump();
                if self.peek() == Kind::Private {
                    return self.error_at(self.pos, "private types are not supported");
                }
                self.core_type_no_attr()?;
                if self.peek() == Kind::Constraint {
                    return self.error_at(self.pos, "constrained types are not supported");
                }
                if !self.eat(Kind::And) {
                    break;
                }
            }
            self.attributes()?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::ml;

    // Expected modules checked with the real `ocamldep -modules` (4.13.1).

    #[test]
    fn with_constraints_visit_right_hand_sides() {
        assert_eq!(
            ml(
                r##"module type S = A.T with type t = B.t and module M = C and module N := D.E and type u := F.u"##
            ),
            "A B C D F"
        );
    }

    #[test]
    fn module_type_of() {
        assert_eq!(
            ml(r##"module type S = module type of A
module type T = module type of struct include B end"##),
            "A B"
        );
    }

    #[test]
    fn functor_types_bind_parameters() {
        assert_eq!(
            ml(
                r##"module type F = functor (X : A.S) -> B.T with type t = X.t
module type G = C.S -> D.S"##
            ),
            "A B C D"
        );
    }

    #[test]
    fn package_types_report_the_parent_only() {
        assert_eq!(
            ml(r##"type t = (module S) * (module A.S with type t = B.t)"##),
            "A B"
        );
    }

    #[test]
    fn invalid_package_type() {
        assert_eq!(ml(r##"type t = (module S with module M = N)"##), "error");
    }
}
