//! The compiler of an action ([`Mode`]): bytecode or native, with the
//! extensions and tag that go with each.

/// The compiler to use for an action.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Mode {
    /// `ocamlc`, `.cmo`, `.byte`.
    Byte,
    /// `ocamlopt`, `.cmx`, `.native`.
    Native,
}

impl Mode {
    /// The front-end of this mode.
    pub fn front_end(self) -> crate::ocamlfind::FrontEnd {
        match self {
            Mode::Byte => crate::ocamlfind::FrontEnd::Ocamlc,
            Mode::Native => crate::ocamlfind::FrontEnd::Ocamlopt,
        }
    }

    /// The extension of compiled implementations (`cmo`/`cmx`).
    pub fn object_ext(self) -> &'static str {
        match self {
            Mode::Byte => "cmo",
            Mode::Native => "cmx",
        }
    }

    /// The extension of library archives (`cma`/`cmxa`).
    pub fn library_ext(self) -> &'static str {
        match self {
            Mode::Byte => "cma",
            Mode::Native => "cmxa",
        }
    }

    /// The tag naming the mode (`byte`/`native`).
    pub fn tag(self) -> &'static str {
        match self {
            Mode::Byte => "byte",
            Mode::Native => "native",
        }
    }
}
