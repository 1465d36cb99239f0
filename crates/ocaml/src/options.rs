//! Options of an OCaml build that rules read (flags from the command line,
//! and the session's choice of who writes the `.cmi` of modules without an
//! `.mli`).

/// The compiler to use for an action.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Mode {
    /// `ocamlc`, `.cmo`, `.byte`.
    Byte,
    /// `ocamlopt`, `.cmx`, `.native`.
    Native,
}

impl Mode {
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

/// What the command line says about compiling and linking.
#[derive(Clone, Debug, Default)]
pub struct BuildOptions {
    /// `-cflag(s)`: added to every compilation.
    pub cflags: Vec<String>,
    /// `-lflag(s)`: added to every link.
    pub lflags: Vec<String>,
    /// `-lib(s)`: libraries added to every link (`unix` → `unix.cma`).
    pub libs: Vec<String>,
    /// `-mod(s)`: modules added to every link (`Foo` → `Foo.cmo`).
    pub mods: Vec<String>,
    /// Modules whose `.cmi` comes from `ocamlopt` when they have no `.mli`
    /// (a native-only build); otherwise `ocamlc` writes it and `ocamlopt`
    /// reads it.
    pub cmi_from_native: bool,
}
