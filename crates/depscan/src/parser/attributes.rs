//! Attributes (`[@...]`, `[@@...]`, `[@@@...]`), extension nodes (`[%...]`,
//! `[%%...]`, `{%id|...|}`, `let%id`...) and their payloads.
//!
//! `depend.ml` never looks inside attributes or extension payloads, so they
//! are parsed with reporting muted. Two extensions are special: `[%error]`
//! (and `ocaml.error`) makes `ocamldep` fail, and
//! `[%extension_constructor C]` reports the path of `C`.

use super::{PResult, Parser};
use crate::error::RawError;
use crate::token::Kind;

impl<'a> Parser<'a> {
    /// `attribute*`: `[@id payload]` after an expression, type, etc.
    pub(super) fn attributes(&mut self) -> PResult<()> {
        while self.peek() == Kind::LBracketAt {
            self.bracketed_attribute()?;
        }
        Ok(())
    }

    /// `post_item_attribute*`: `[@@id payload]`.
    pub(super) fn post_item_attributes(&mut self) -> PResult<()> {
        while self.peek() == Kind::LBracketAtAt {
            self.bracketed_attribute()?;
        }
        Ok(())
    }

    /// `[@@@id payload]`, a structure, signature or class item.
    pub(super) fn floating_attribute(&mut self) -> PResult<()> {
        self.bracketed_attribute()
    }

    /// Any of `[@`, `[@@`, `[@@@` up to its `]`.
    pub(super) fn bracketed_attribute(&mut self) -> PResult<()> {
        self.bump();
        self.attr_id()?;
        self.muted(|p| p.payload())?;
        self.expect(Kind::RBracket)
    }

    /// `extension`: `[%id payload]` or `{%id|...|}` as an expression,
    /// pattern, type, module expression, module type or class.
    pub(super) fn extension(&mut self) -> PResult<()> {
        match self.peek() {
            Kind::QuotedStringExpr => self.quoted_extension(2),
            Kind::LBracketPercent => self.bracketed_extension(),
            _ => self.syntax_error(),
        }
    }

    /// `item_extension`: `[%%id payload]` or `{%%id|...|}`.
    pub(super) fn item_extension(&mut self) -> PResult<()> {
        match self.peek() {
            Kind::QuotedStringItem => self.quoted_extension(3),
            Kind::LBracketPercentPercent => self.bracketed_extension(),
            _ => self.syntax_error(),
        }
    }

    fn bracketed_extension(&mut self) -> PResult<()> {
        let opener = self.pos;
        self.bump();
        let id = self.attr_id()?;
        if self.attr_id_is(id, b"error") || self.attr_id_is(id, b"ocaml.error") {
            self.error_extension(opener)?;
        }
        if self.attr_id_is(id, b"extension_constructor")
            || self.attr_id_is(id, b"ocaml.extension_constructor")
        {
            self.extension_constructor_payload();
        }
        self.muted(|p| p.payload())?;
        self.expect(Kind::RBracket)
    }

    /// `{%id|...|}`: the name is in the token, after `skip` bytes.
    fn quoted_extension(&mut self, skip: usize) -> PResult<()> {
        let text = self.text(self.pos);
        let name = text.get(skip..).unwrap_or_default();
        let len = name
            .iter()
            .position(|&b| b == b'|' || b == b' ' || b == b'\t' || b == 0x0C)
            .unwrap_or(name.len());
        let name = &name[..len];
        if name == b"error" || name == b"ocaml.error" {
            self.error_extension(self.pos)?;
        }
        self.bump();
        Ok(())
    }

    /// Reached an `error` extension: `ocamldep` fails on it, unless it
    /// is inside a part that `depend.ml` does not visit.
    fn error_extension(&self, at: usize) -> PResult<()> {
        if self.muted > 0 {
            return Ok(());
        }
        let tok = self.toks[at];
        Err(RawError::extension(tok.start as usize, tok.end as usize))
    }

    /// `[%extension_constructor C]` reports the module part of `C` when the
    /// payload is exactly one constructor expression (possibly
    /// parenthesised, with attributes).
    fn extension_constructor_payload(&mut self) {
        let start = self.pos;
        if let Some(path_start) = self.single_constructor_payload() {
            self.pos = path_start;
            // Read the path again, this time reporting it.
            let _ = self.constr_path();
        }
        self.pos = start;
    }

    /// Whether the payload here is a single constructor expression; returns
    /// where its path starts.
    fn single_constructor_payload(&mut self) -> Option<usize> {
        while self.eat(Kind::SemiSemi) {}
        let mut parens = 0;
        while self.peek() == Kind::LParen && self.peek_at(1) != Kind::ColonColon {
            self.bump();
            parens += 1;
        }
        let path_start = self.pos;
        if self.peek() != Kind::Uident || !self.constr_path_silently() {
            return None;
        }
        loop {
            match self.peek() {
                Kind::LBracketAt => self.muted(|p| p.bracketed_attribute()).ok()?,
                Kind::RParen if parens > 0 => {
                    self.bump();
                    parens -= 1;
                }
                _ => break,
            }
        }
        if parens > 0 {
            return None;
        }
        loop {
            match self.peek() {
                Kind::SemiSemi => self.bump(),
                Kind::LBracketAtAt => self.muted(|p| p.bracketed_attribute()).ok()?,
                Kind::RBracket => return Some(path_start),
                _ => return None,
            }
        }
    }

    /// Reads a constructor path without reporting anything.
    fn constr_path_silently(&mut self) -> bool {
        self.mute();
        let ok = self.constr_path().is_ok();
        self.unmute();
        ok
    }

    /// `ext`: an optional `%id` after a keyword. When present, the whole
    /// construct becomes an extension node: reporting is muted until the
    /// caller calls [`Parser::end_ext`].
    pub(super) fn ext(&mut self) -> PResult<bool> {
        if self.peek() != Kind::Percent {
            return Ok(false);
        }
        let percent = self.pos;
        self.bump();
        let id = self.attr_id()?;
        if self.attr_id_is(id, b"error") || self.attr_id_is(id, b"ocaml.error") {
            self.error_extension(percent)?;
        }
        self.mute();
        Ok(true)
    }

    /// Ends what [`Parser::ext`] started.
    pub(super) fn end_ext(&mut self, ext: bool) {
        if ext {
            self.unmute();
        }
    }

    /// `ext attributes`.
    pub(super) fn ext_attributes(&mut self) -> PResult<bool> {
        let ext = self.ext()?;
        self.attributes()?;
        Ok(ext)
    }

    /// `payload`: a structure, `: signature`, `: type` or `? pattern [when
    /// expr]`. Bindings made inside (even modules unpacked by a pattern)
    /// do not leak out.
    fn payload(&mut self) -> PResult<()> {
        let mark = self.scope.mark();
        let exports = self.scope.export_mark();
        let unpacks = self.unpacks.len();
        match self.peek() {
            Kind::Colon => {
                self.bump();
                if self.at_signature_payload() {
                    self.signature_body(Kind::RBracket)?;
                } else {
                    self.core_type()?;
                }
            }
            Kind::Question => {
                self.bump();
                self.pattern()?;
                if self.eat(Kind::When) {
                    self.seq_expr()?;
                }
            }
            _ => self.structure_body(Kind::RBracket, false)?,
        }
        self.unpacks.truncate(unpacks);
        self.scope.drop_exports(exports);
        self.scope.reset(mark);
        Ok(())
    }

    fn at_signature_payload(&self) -> bool {
        matches!(
            self.peek(),
            Kind::Val
                | Kind::External
                | Kind::Type
                | Kind::Exception
                | Kind::Module
                | Kind::Open
                | Kind::Include
                | Kind::Class
                | Kind::LBracketPercentPercent
                | Kind::QuotedStringItem
                | Kind::LBracketAtAtAt
                | Kind::SemiSemi
                | Kind::RBracket
        )
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::ml;

    // Expected modules checked with the real `ocamldep -modules` (4.13.1).

    #[test]
    fn attributes_are_ignored() {
        assert_eq!(
            ml(r##"let x = 1 [@attr A.x] [@@attr B.y]
[@@@attr C.z]
let y = (D.x [@inlined]) [@@deriving E.show]"##),
            "D"
        );
    }

    #[test]
    fn extensions_are_ignored() {
        assert_eq!(
            ml(r##"let x = [%ext A.x] and y = {%ext|B.x|}
[%%ext C.x]
let%ext z = D.x
let w = match%ext E.x with _ -> F.y"##),
            ""
        );
    }

    #[test]
    fn error_extension_is_an_error() {
        assert_eq!(ml(r##"let x = [%error "no"]"##), "error");
    }

    #[test]
    fn ocaml_error_extension_is_an_error() {
        assert_eq!(ml(r##"let x = [%ocaml.error "no"]"##), "error");
    }

    #[test]
    fn error_extension_as_keyword_extension() {
        assert_eq!(ml(r##"let%error x = 1"##), "error");
    }

    #[test]
    fn error_extension_inside_ignored_parts() {
        assert_eq!(
            ml(r##"let x = [%ext [%error "no"]] [@attr [%error "no"]]
let y = let exception E of [%error "no"] in ()"##),
            ""
        );
    }

    #[test]
    fn extension_constructor_reports_its_path() {
        assert_eq!(
            ml(
                r##"let x = [%extension_constructor A.C], [%extension_constructor (B.D)], [%extension_constructor C.f x]"##
            ),
            "A B"
        );
    }

    #[test]
    fn extension_constructor_with_attributes_and_separators() {
        assert_eq!(ml(r##"let x = [%extension_constructor M.C [@foo]]"##), "M");
        assert_eq!(ml(r##"let x = [%extension_constructor M.C;;]"##), "M");
        assert_eq!(ml(r##"let x = [%extension_constructor (M.C : t)]"##), "");
    }
}
