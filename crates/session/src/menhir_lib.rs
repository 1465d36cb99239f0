//! menhirLib, the library that the parsers menhir generates with `--table`
//! call into.
//!
//! ocamlbuild links it only when told to (`-pkg menhirLib`, or
//! `package(menhirLib)` with ocamlfind); a `table` grammar built without
//! that fails to link. caravan adds, for `table` grammars built with
//! menhir, exactly what ocamlbuild's `-pkg menhirLib` adds: `-I <dir>` on
//! compilations, and `-I <dir>` plus the archive on links. The package is
//! found with findlib's configuration (the in-process [`findlib`] crate,
//! answering as `ocamlfind query menhirLib`).
//!
//! This is the one place that knows; once `-pkg` itself is supported, it
//! becomes "`-pkg menhirLib`'s flags" and this module goes.

use std::path::Path;

use findlib::{Compiler, Findlib, Request};

/// What `-pkg menhirLib` adds to commands, without ocamlfind.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PackageFlags {
    /// Compilations: `-I <dir>`.
    pub compile: Vec<String>,
    /// Bytecode links: `-I <dir>`, link options, archives by name.
    pub link_byte: Vec<String>,
    /// Native links: `-I <dir>`, link options, archives by full path.
    pub link_native: Vec<String>,
}

/// The flags of `-pkg menhirLib`, as ocamlbuild 0.14.1 computes them (its
/// bytecode archives come from `ocamlfind query -l`, which names them
/// relative to the package's directory; the native ones from `-a-format`,
/// with full paths).
pub fn menhir_lib() -> Result<PackageFlags, String> {
    let hint = "Hint: tables (the `table` tag) need menhir's runtime library \
                (Debian: apt-get install libmenhir-ocaml-dev).";
    let findlib = Findlib::from_process().map_err(|e| format!("{e}\n{hint}"))?;
    let mut flags = PackageFlags::default();
    for compiler in [Compiler::Ocamlc, Compiler::Ocamlopt] {
        let r = findlib
            .resolve(&Request::new(compiler, &["menhirLib"]))
            .map_err(|e| format!("{e}\n{hint}"))?;
        let mut includes = Vec::new();
        for d in &r.include_dirs {
            includes.push("-I".to_string());
            includes.push(d.to_string_lossy().into_owned());
        }
        let archives = r.archive_paths(None).into_iter().map(|p| {
            if compiler == Compiler::Ocamlc {
                p.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default()
            } else {
                p.to_string_lossy().into_owned()
            }
        });
        let link = if compiler == Compiler::Ocamlc {
            &mut flags.link_byte
        } else {
            flags.compile = includes.clone();
            &mut flags.link_native
        };
        link.extend(includes);
        link.extend(r.link_options.iter().cloned());
        link.extend(archives.filter(|a| !Path::new(a).as_os_str().is_empty()));
    }
    Ok(flags)
}
