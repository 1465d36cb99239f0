//! `-which TOOL`: the command caravan would run for a tool, found as
//! ocamlbuild finds it.

use ocaml::toolchain::{self, Tool};

use crate::error::Error;
use crate::request::Request;

/// The command line of `tool`, as words joined by spaces.
pub fn which(request: &Request, tool: &str) -> Result<String, Error> {
    let found = match Tool::from_name(tool) {
        // As ocamlbuild: the tool found on PATH, whatever -menhir... says.
        Some(t) => toolchain::tool_argv(t, None),
        None => {
            let overrides = request.tool_overrides();
            let given = match tool {
                "ocamlc" => overrides.ocamlc.as_deref(),
                "ocamlopt" => overrides.ocamlopt.as_deref(),
                "ocamldep" => overrides.ocamldep.as_deref(),
                "ocamlrun" => overrides.ocamlrun.as_deref(),
                "ocamlmklib" => overrides.ocamlmklib.as_deref(),
                "ocamlmktop" => overrides.ocamlmktop.as_deref(),
                _ => None,
            };
            toolchain::tool_command(given, tool)
        }
    };
    found
        .map(|words| words.join(" "))
        .map_err(|e| Error::refused(format!("Error: {e}")))
}
