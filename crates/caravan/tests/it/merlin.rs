//! `-merlin`: the `.merlin` files of the source folders, with what the
//! build gives each folder (include folders, `use_<lib>`, packages, flags,
//! rewriters); kept up to date once written; a user's own left alone.

use crate::support::Tree;

const MARKER: &str = "# written by caravan; delete this line to keep your own edits";

/// Sub-folders (`util` and `own` included, in traversal order; `lib` a library used with `use_mylib`),
/// packages and a ppx package for `src`, and a folder with its own
/// `.merlin`.
fn project() -> Tree {
    Tree::new(&[
        (
            "_tags",
            "<util> or <own>: include\n\
             <src/*>: use_mylib, package(str), package(ppx_deriving.show), \
             warn(+a-4-70), rectypes\n",
        ),
        ("util/u.ml", "let twice x = x * 2\n"),
        ("lib/l.ml", "let name = \"l\"\n"),
        ("lib/l.mli", "val name : string\n"),
        ("lib/mylib.mllib", "L\n"),
        ("own/o.ml", "let o = 1\n"),
        ("own/.merlin", "S .\nB ../_build/own\n"),
        (
            "src/main.ml",
            "type t = A | B [@@deriving show]\n\
             let () = print_endline (show A ^ L.name ^ string_of_int (U.twice O.o) \
             ^ Str.quote \"x\")\n",
        ),
    ])
}

fn lines(text: &str) -> Vec<&str> {
    text.lines().collect()
}

#[test]
fn each_source_folder_gets_the_folders_packages_and_flags_of_its_build() {
    let t = project();
    let run = t
        .caravan(&["-use-ocamlfind", "-merlin", "src/main.byte"])
        .ok();
    assert!(
        run.stdout
            .contains("caravan: own/.merlin was not written by caravan; left as it is."),
        "{}",
        run.stdout
    );
    assert_eq!(
        lines(&t.read("src/.merlin")),
        [
            MARKER,
            "S .",
            "S ..",
            "S ../own",
            "S ../util",
            "S ../lib",
            "B ../_build/src",
            "B ../_build",
            "B ../_build/own",
            "B ../_build/util",
            "B ../_build/lib",
            "PKG str ppx_deriving.show",
            "FLG -rectypes -w +a-4-70",
        ]
    );
    assert_eq!(
        lines(&t.read(".merlin")),
        [
            MARKER,
            "S .",
            "S own",
            "S util",
            "B _build",
            "B _build/own",
            "B _build/util"
        ]
    );
    assert_eq!(lines(&t.read("lib/.merlin"))[..3], [MARKER, "S .", "S .."]);
    assert_eq!(t.read("own/.merlin"), "S .\nB ../_build/own\n");
    assert!(!t.exists("_build/.merlin") && !t.exists("_build/src/.merlin"));
    let main = t.run("./main.byte", &[]).ok();
    assert_eq!(main.stdout, "Main.Al2x\n");
}

#[test]
fn files_caravan_wrote_follow_the_tags_and_edited_ones_are_kept() {
    let t = project();
    t.caravan(&["-use-ocamlfind", "-merlin"]).ok();
    // No target: the files, and nothing built.
    assert!(t.exists("src/.merlin"));
    assert!(!t.exists("_build/src/main.cmo"));
    // Without -merlin, a build keeps caravan's files up to date.
    let tags = t.read("_tags").replace("rectypes", "rectypes, debug") + "true: bin_annot\n";
    t.write("_tags", &tags);
    let run = t.caravan(&["-use-ocamlfind", "src/main.byte"]).ok();
    assert!(!run.stdout.contains(".merlin"), "{}", run.stdout);
    let src = t.read("src/.merlin");
    assert!(src.ends_with("FLG -g -rectypes -w +a-4-70\n"), "{src}");
    // bin_annot: the .cmt editors read.
    for f in ["src/main.cmt", "util/u.cmt", "lib/l.cmt", "lib/l.cmti"] {
        assert!(t.exists(&format!("_build/{f}")), "{f}");
    }
    // A file whose marker line was removed is the user's.
    let edited = src.replacen(&format!("{MARKER}\n"), "", 1);
    t.write("src/.merlin", &edited);
    t.write("_tags", &tags.replace(", debug", ""));
    t.caravan(&["-use-ocamlfind", "-merlin", "src/main.byte"])
        .ok();
    assert_eq!(t.read("src/.merlin"), edited);
}

#[test]
fn preprocessors_and_rewriters_of_tags_are_flags() {
    let t = Tree::new(&[
        (
            "_tags",
            "<pp/*.ml>: pp(cpp -P), ppx(./rw.exe -x)\n<opens/*.ml>: open(Foo), nolabels\n\
             <p4/*.ml>: camlp4o\n",
        ),
        ("pp/a.ml", "let a = 1\n"),
        ("opens/b.ml", "let b = 1\n"),
        ("p4/c.ml", "let c = 1\n"),
    ]);
    t.caravan(&["-merlin"]).ok();
    let pp = t.read("pp/.merlin");
    assert!(pp.contains("FLG "), "{pp}");
    let flg = pp
        .lines()
        .find(|l| l.starts_with("FLG "))
        .unwrap_or_default();
    assert!(flg.contains("-pp 'cpp -P'"), "{flg}");
    assert!(flg.contains("-ppx './rw.exe -x'"), "{flg}");
    let opens = t.read("opens/.merlin");
    assert!(opens.contains("FLG -nolabels -open Foo\n"), "{opens}");
    let p4 = t.read("p4/.merlin");
    assert!(p4.ends_with("FLG -pp camlp4o\n"), "{p4}");
}
