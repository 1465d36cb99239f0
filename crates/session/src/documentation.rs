//! `-documentation`: the rules caravan knows and every flag declaration,
//! printed as ocamlbuild prints its own.

use plugin::declarations::RuleOrder;
use plugin::protocol::RuleDecl;
use tags::Declarations;

/// caravan's rules: name, dependencies, products.
const RULES: &[(&str, &str, &str)] = &[
    ("target files", "%.itarget", "%.otarget"),
    ("ocaml: mli -> cmi", "%.mli; %.mli.depends", "%.cmi"),
    (
        "ocaml: mlpack & cmo* & cmi -> cmo",
        "%.mli; %.cmi; %.mlpack",
        "%.cmo",
    ),
    (
        "ocaml: mlpack & cmo* -> cmo & cmi",
        "%.mlpack",
        "%.cmo; %.cmi",
    ),
    (
        "ocaml: mlpack & cmi & cmx* & o* -> cmx & o",
        "%.mlpack; %.cmi",
        "%.cmx; %.o",
    ),
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
    ("ocaml: cmo* -> byte.(o|obj)", "%.cmo", "%.byte.o"),
    ("ocaml: cmo* -> byte.c", "%.cmo", "%.byte.c"),
    ("ocaml: cmo* -> byte.(so|dll)", "%.cmo", "%.byte.so"),
    (
        "ocaml: cmo* -> byte.complete.o (-output-complete-obj)",
        "%.cmo",
        "%.byte.complete.o",
    ),
    (
        "ocaml: cmo* -> byte.exe (-output-complete-exe)",
        "%.cmo",
        "%.byte.exe",
    ),
    (
        "ocaml: cmx* & o* -> native.(o|obj)",
        "%.cmx; %.o",
        "%.native.o",
    ),
    (
        "ocaml: cmx* & o* -> native.(so|dll)",
        "%.cmx; %.o",
        "%.native.so",
    ),
    (
        "ocaml: cmx* & o* -> native.complete.o (-output-complete-obj)",
        "%.cmx; %.o",
        "%.native.complete.o",
    ),
    ("ocaml: mllib & cmo* -> cma", "%.mllib", "%.cma"),
    ("ocaml: cmo* -> cma", "%.cmo", "%.cma"),
    (
        "ocaml C stubs: clib & (o|obj)* -> (a|lib) & (so|dll)",
        "%(path)lib%(libname).clib",
        "%(path:<**/>)lib%(libname:<*> and not <*.*>).a; %(path:<**/>)dll%(libname:<*> and not <*.*>).so",
    ),
    (
        "ocaml C stubs: (o|obj) -> (a|lib) & (so|dll) (without a clib)",
        "%(path)%(libname).o",
        "%(path:<**/>)lib%(libname:<*> and not <*.*>).a; %(path:<**/>)dll%(libname:<*> and not <*.*>).so",
    ),
    (
        "ocaml: mllib & cmx* & o* -> cmxa & a",
        "%.mllib",
        "%.cmxa; %.a",
    ),
    ("ocaml: mldylib & cmx* & o* -> cmxs", "%.mldylib", "%.cmxs"),
    ("ocaml: cmx & o -> cmxa & a", "%.cmx; %.o", "%.cmxa; %.a"),
    ("ocaml: cmxa -> cmxs", "%.cmxa; %.a", "%.cmxs"),
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
    ("ocamllex", "%.mll", "%.ml"),
    ("ocaml: mli -> odoc", "%.mli; %.mli.depends", "%.odoc"),
    ("ocaml: ml -> odoc", "%.ml; %.ml.depends", "%.odoc"),
    (
        "ocamldoc: document ocaml project odocl & *odoc -> docdir (html)",
        "%.odocl",
        "%.docdir/html.stamp; %.docdir/index.html",
    ),
    (
        "ocamldoc: document ocaml project odocl & *odoc -> docdir (man)",
        "%.odocl",
        "%.docdir/man.stamp; %.docdir/man",
    ),
    (
        "ocamldoc: document ocaml project odocl & *odoc -> latex",
        "%(dir).odocl",
        "%(dir).docdir/%(file).%(ext:\"tex\" or \"ltx\")",
    ),
    (
        "ocamldoc: document ocaml project odocl & *odoc -> texinfo",
        "%(dir).odocl",
        "%(dir).docdir/%(file).texi",
    ),
    (
        "ocamldoc: document ocaml project odocl & *odoc -> dot",
        "%(dir).odocl",
        "%(dir).docdir/%(file).dot",
    ),
];

/// The parser rules: ocamlyacc's, or menhir's four.
const OCAMLYACC: &[(&str, &str, &str)] = &[("ocamlyacc", "%.mly", "%.ml; %.mli")];
const MENHIR: &[(&str, &str, &str)] = &[
    (
        "ocaml: modular menhir (mlypack)",
        "%.mlypack",
        "%.mli; %.ml",
    ),
    (
        "ocaml: menhir modular dependencies",
        "%.mlypack",
        "%.mlypack.depends",
    ),
    ("ocaml: menhir", "%.mly; %.mly.depends", "%.ml; %.mli"),
    ("ocaml: menhir dependencies", "%.mly", "%.mly.depends"),
];

/// The rules after the parser rules.
const LAST: &[(&str, &str, &str)] = &[
    ("ocaml C stubs: c -> o", "%.c", "%.o"),
    ("ocaml: mltop -> top", "%.mltop", "%.top"),
    (
        "ocaml: ml & ml.depends -> inferred.mli",
        "%.ml; %.ml.depends",
        "%.inferred.mli",
    ),
    ("preprocess: ml -> pp.ml", "%.ml", "%.pp.ml"),
];

/// The text of `-documentation`; `menhir` says which parser rules apply;
/// a plugin's rules come before or after the built-in ones, in its order.
pub fn render(flags: &Declarations, menhir: bool, plugin: Option<&RuleOrder>) -> String {
    let mut out = String::new();
    if let Some(p) = plugin {
        p.before.iter().for_each(|r| out.push_str(&plugin_rule(r)));
    }
    let builtins = plugin.is_none_or(|p| p.builtins);
    let parsers = if menhir { MENHIR } else { OCAMLYACC };
    for (name, deps, prods) in RULES.iter().chain(parsers).chain(LAST) {
        if builtins {
            out.push_str(&format!(
                "rule {name:?}\n  ~deps:[ {deps} ]\n  ~prods:[ {prods} ]\n  <fun>\n\n"
            ));
        }
    }
    if let Some(p) = plugin {
        p.after.iter().for_each(|r| out.push_str(&plugin_rule(r)));
    }
    out.push_str(&flags.documentation(flags::word::display));
    out
}

/// A plugin's rule, on one line when it fits in 80 columns as ocamlbuild
/// prints it (`rule "x" ~deps:[ %.a ] ~prods:[ %.b ] <fun>`).
fn plugin_rule(r: &RuleDecl) -> String {
    let prods: Vec<&str> = r.prods.iter().chain(&r.stamp).map(String::as_str).collect();
    let mut parts = vec![
        format!("rule {:?}", r.name),
        format!("~deps:[ {} ]", r.deps.join("; ")),
        format!("~prods:[ {} ]", prods.join("; ")),
    ];
    if let Some(d) = &r.doc {
        parts.push(format!("~doc:{d:?}"));
    }
    parts.push("<fun>".to_string());
    let line = parts.join(" ");
    if line.len() <= 80 {
        format!("{line}\n\n")
    } else {
        format!("{}\n\n", parts.join("\n  "))
    }
}
