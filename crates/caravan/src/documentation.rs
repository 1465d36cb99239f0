//! `-documentation`: the rules caravan knows and every flag declaration,
//! printed as ocamlbuild prints its own.

use tags::Declarations;

/// caravan's rules: name, dependencies, products.
const RULES: &[(&str, &str, &str)] = &[
    ("ocaml: mli -> cmi", "%.mli; %.mli.depends", "%.cmi"),
    (
        "ocaml: ml & cmi -> cmo",
        "%.mli; %.ml; %.ml.depends; %.cmi",
        "%.cmo",
    ),
    (
        "ocaml: ml & cmi -> cmx & o",
        "%.ml; %.ml.depends; %.cmi",
        "%.cmx; %.o",
    ),
    (
        "ocaml: ml -> cmo & cmi",
        "%.ml; %.ml.depends",
        "%.cmo; %.cmi",
    ),
    (
        "ocaml: ml -> cmx & o & cmi (native-only builds)",
        "%.ml; %.ml.depends",
        "%.cmx; %.o; %.cmi",
    ),
    ("ocaml: cmo* -> byte", "%.cmo", "%.byte"),
    ("ocaml: cmx* & o* -> native", "%.cmx; %.o", "%.native"),
    (
        "ocaml dependencies ml (in-process scan)",
        "%.ml",
        "%.ml.depends",
    ),
    (
        "ocaml dependencies mli (in-process scan)",
        "%.mli",
        "%.mli.depends",
    ),
    (
        "ocaml: ml & ml.depends -> inferred.mli",
        "%.ml; %.ml.depends",
        "%.inferred.mli",
    ),
];

/// The text of `-documentation`.
pub fn render(flags: &Declarations) -> String {
    let mut out = String::new();
    for (name, deps, prods) in RULES {
        out.push_str(&format!(
            "rule {name:?}\n  ~deps:[ {deps} ]\n  ~prods:[ {prods} ]\n  <fun>\n\n"
        ));
    }
    out.push_str(&flags.documentation(|words| words.join(" ")));
    out
}
