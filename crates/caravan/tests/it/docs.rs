//! Documentation with ocamldoc (`.odocl` → `.docdir/index.html`, `man`,
//! `.tex`, `.texi`, `.dot`) and `.inferred.mli`, against ocamlbuild.

use crate::side_by_side::{Both, build};

/// A small library: modules with and without an interface, one in a
/// sub-folder, and a parser generated from a grammar.
fn library() -> Vec<(&'static str, &'static str)> {
    vec![
        (
            "shapes.mli",
            "(** Shapes and their areas. *)\n\n\
             type t = Circle of float | Square of float\n\
             (** A shape. *)\n\n\
             val area : t -> float\n(** [area s] is the area of [s]. *)\n",
        ),
        (
            "shapes.ml",
            "type t = Circle of float | Square of float\n\
             let area = function Circle r -> 3.14 *. r *. r | Square s -> s *. s\n",
        ),
        (
            "report.ml",
            "(** Reports about {!Shapes}. *)\n\n\
             (** The area of every shape, as text. *)\n\
             let describe l = String.concat \", \" (List.map (fun s -> string_of_float (Shapes.area s)) l)\n",
        ),
        (
            "sub/util.ml",
            "(** Utilities. *)\n\n(** Twice. *)\nlet twice x = 2 * x\n",
        ),
        (
            "parser.mly",
            "%token <int> INT\n%token EOF\n%start main\n%type <int> main\n%%\nmain: INT EOF { $1 };\n",
        ),
        (
            "proj.odocl",
            "# The documented modules\nShapes Report\nsub/Util\nParser\n",
        ),
        ("_tags", "true: debug\n"),
    ]
}

const MODULES: [&str; 4] = ["Shapes", "Report", "Util", "Parser"];

/// Every command but bytecode compilations is ocamlbuild's.
fn same_commands(both: &Both) {
    let n = both.same_commands(&|t| !t.ends_with(".cmo"));
    assert!(n >= 10, "{n} commands compared");
}

#[test]
fn doc_html_has_a_page_for_every_listed_module() {
    let target = "proj.docdir/index.html";
    let args = ["-docflags", "-colorize-code,-sort", target];
    let both = build(&library(), &args, &[]);
    assert_eq!(both.our_run.code, 0, "{}", both.our_run.stdout);
    same_commands(&both);
    let (ours, theirs) = both.logs();
    assert_eq!(
        ours["proj.docdir"], theirs["proj.docdir"],
        "rm -rf, mkdir -p, then ocamldoc -load ... -html -d"
    );
    // The same pages, and an index linking to each module's page.
    let (our_pages, their_pages) = both.listings("proj.docdir");
    assert_eq!(our_pages, their_pages);
    let index = both.ours.read("_build/proj.docdir/index.html");
    for m in MODULES {
        assert!(
            index.contains(&format!("href=\"{m}.html\"")),
            "{m} not in the index:\n{index}"
        );
        let page = both.ours.read(&format!("_build/proj.docdir/{m}.html"));
        assert!(
            page.contains(&format!("Module {m}")) || page.contains(&format!(">{m}<")),
            "{m}.html"
        );
    }
    assert!(our_pages.contains("html.stamp"));
    // The directory is linked at the root, as ocamlbuild links it.
    let link = std::fs::read_link(both.ours.path("proj.docdir")).expect("a link to the docdir");
    assert_eq!(link, both.ours.path("_build/proj.docdir"));
    assert!(both.theirs.path("proj.docdir").is_symlink());
    // Nothing reruns, and the documentation follows an edit.
    both.ours.caravan(&args).ok();
    assert!(
        both.ours.commands().is_empty(),
        "{:#?}",
        both.ours.commands()
    );
    both.ours.write(
        "sub/util.ml",
        "(** Utilities. *)\n\n(** Thrice. *)\nlet thrice x = 3 * x\n",
    );
    both.ours.caravan(&args).ok();
    assert!(
        both.ours
            .read("_build/proj.docdir/Util.html")
            .contains("thrice")
    );
}

#[test]
fn doc_man_latex_texinfo_and_dot() {
    let targets = [
        "proj.docdir/man",
        "proj.docdir/proj.tex",
        "proj.docdir/all.ltx",
        "proj.docdir/proj.texi",
        "proj.docdir/deps.dot",
    ];
    let mut args = vec!["-ocamldoc", "ocamldoc.opt", "-docflag", "-stars"];
    args.extend(targets);
    let both = build(&library(), &args, &[]);
    assert_eq!(both.our_run.code, 0, "{}", both.our_run.stdout);
    same_commands(&both);
    let (ours, theirs) = both.logs();
    for t in &targets[1..] {
        assert_eq!(ours[*t], theirs[*t], "{t}");
    }
    both.same_files(&["proj.docdir/proj.texi", "proj.docdir/deps.dot"]);
    let (our_files, their_files) = both.listings("proj.docdir");
    assert_eq!(our_files, their_files);
    for m in MODULES {
        assert!(our_files.contains(&format!("{m}.3o")), "man page of {m}");
    }
    let tex = both.ours.read("_build/proj.docdir/proj.tex");
    for m in MODULES {
        assert!(
            tex.contains(&format!("Module {m}")) || tex.contains(m),
            "{m} in proj.tex"
        );
    }
}

#[test]
fn doc_inferred_interface_with_threads() {
    let both = build(
        &[
            (
                "worker.ml",
                "let m = Mutex.create ()\n\
                 let run f = let t = Thread.create f () in Thread.join t\n\
                 let locked f = Mutex.lock m; let r = f () in Mutex.unlock m; r\n",
            ),
            ("_tags", "<worker.*>: thread\n"),
        ],
        &["worker.inferred.mli"],
        &[],
    );
    assert_eq!(both.our_run.code, 0, "{}", both.our_run.stdout);
    let (ours, theirs) = both.logs();
    assert_eq!(ours["worker.inferred.mli"], theirs["worker.inferred.mli"]);
    assert!(ours["worker.inferred.mli"][0].1.contains(" -i -thread "));
    both.same_files(&["worker.inferred.mli"]);
    assert!(
        both.ours
            .read("_build/worker.inferred.mli")
            .contains("val run")
    );
}
