//! `myocamlbuild.ml` plugins in the styles real projects use, each built
//! with the real ocamlbuild and with caravan to the same artifacts and
//! program output; plugin errors; the plugin options; null builds.

use std::fs;

use crate::support::{Run, Tree};

/// Builds `args` with caravan in `files` and ocamlbuild in a copy; both
/// succeed, each `(program, expected output)` prints the same in both
/// trees, and every file of `same_files` (paths in `_build`) has the same
/// content. Returns caravan's tree and run.
fn both(
    files: &[(&str, &str)],
    args: &[&str],
    programs: &[(&str, &str)],
    same_files: &[&str],
) -> (Tree, Run) {
    let ours = Tree::new(files);
    let theirs = ours.copy_sources();
    let b = theirs.ocamlbuild(args);
    assert_eq!(b.code, 0, "ocamlbuild failed:\n{}", b.stdout);
    let a = ours.caravan(args);
    assert_eq!(a.code, 0, "caravan failed:\n{}", a.stdout);
    for (p, expected) in programs {
        let mine = ours.run(p, &[]);
        let real = theirs.run(p, &[]);
        assert_eq!(mine.stdout, real.stdout, "{p}");
        assert_eq!(mine.stdout, *expected, "{p}");
    }
    for f in same_files {
        assert_eq!(
            ours.read(&format!("_build/{f}")),
            theirs.read(&format!("_build/{f}")),
            "{f}"
        );
    }
    (ours, a)
}

#[test]
fn plugin_topkg_style_minimal_dispatch() {
    both(
        &[
            (
                "myocamlbuild.ml",
                "open Ocamlbuild_plugin\nopen Command\n\nlet () =\n  dispatch begin function\n  | _ -> ()\n  end\n",
            ),
            ("_tags", "true: bin_annot, safe_string\n<src>: include\n"),
            ("src/greet.ml", "let hello who = \"hello \" ^ who\n"),
            ("src/greet.mli", "val hello : string -> string\n"),
            (
                "test/main.ml",
                "let () = print_endline (Greet.hello \"topkg\")\n",
            ),
        ],
        &["test/main.native", "test/main.byte"],
        &[
            ("main.native", "hello topkg\n"),
            ("main.byte", "hello topkg\n"),
        ],
        &[],
    );
}

#[test]
fn plugin_extern_ocaml_lib_flag_and_dep_for_c_stubs() {
    let plugin = r#"open Ocamlbuild_plugin

let () =
  dispatch (function
    | After_rules ->
        (* An installed library, as plugins declared them before findlib. *)
        ocaml_lib ~extern:true ~dir:"+compiler-libs" "ocamlcommon";
        (* C stubs: a static library built by the plugin's own rule, linked
           into every program tagged use_mystubs. *)
        rule "C stubs" ~dep:"mystubs.c" ~prods:[ "libmystubs.a"; "mystubs.o" ]
          (fun env _ ->
            Seq
              [
                Cmd (S [ V "OCAMLC"; A "-c"; P (env "mystubs.c") ]);
                Cmd (S [ A "ar"; A "rcs"; Px "libmystubs.a"; P "mystubs.o" ]);
              ]);
        dep [ "link"; "ocaml"; "use_mystubs" ] [ "libmystubs.a" ];
        flag [ "link"; "ocaml"; "use_mystubs" ]
          (S [ A "-ccopt"; A "-L."; A "-cclib"; A "-lmystubs" ]);
        flag [ "link"; "ocaml"; "byte"; "use_mystubs" ] (A "-custom")
    | _ -> ())
"#;
    let (t, _) = both(
        &[
            ("myocamlbuild.ml", plugin),
            ("_tags", "<main.*>: use_mystubs, use_ocamlcommon\n"),
            (
                "mystubs.c",
                "#include <caml/mlvalues.h>\nvalue twice(value n) { return Val_int(2 * Int_val(n)); }\n",
            ),
            (
                "main.ml",
                "external twice : int -> int = \"twice\"\nlet () = Printf.printf \"%d %b\\n\" (twice 21) (String.length Config.version > 0)\n",
            ),
        ],
        &["main.native", "main.byte"],
        &[("main.native", "42 true\n"), ("main.byte", "42 true\n")],
        &[],
    );
    let log = t.read("_build/_log");
    assert!(
        log.contains("-I +compiler-libs ocamlcommon.cmxa"),
        "ocaml_lib ~extern adds the archive with its directory:\n{log}"
    );
}

/// A rule that generates a module from a data file, with a dynamic
/// dependency: the data file names other files, built on demand.
const GENERATOR: &str = r#"open Ocamlbuild_plugin

let () =
  dispatch (function
    | After_rules ->
        rule "table: %.table -> %.ml" ~dep:"%.table" ~prod:"%.ml"
          ~doc:"Each word of foo.table names a file foo_WORD.txt; foo.ml binds WORD to its text."
          (fun env build ->
            let table = env "%.table" in
            let words = string_list_of_file table in
            let dir = Pathname.dirname table in
            let files = List.map (fun w -> [ dir / (Pathname.basename (env "%") ^ "_" ^ w ^ ".txt") ]) words in
            let built = List.map Outcome.good (build files) in
            let line w f = Printf.sprintf "let %s = %S\n" w (String.trim (read_file f)) in
            Echo (List.map2 line words built, env "%.ml"))
    | _ -> ())
"#;

#[test]
fn plugin_rule_generates_a_module_from_data_with_dynamic_dependencies() {
    let files = [
        ("myocamlbuild.ml", GENERATOR),
        ("messages.table", "hello\nbye\n"),
        ("messages_hello.txt", "Hello, world\n"),
        ("messages_bye.txt", "Goodbye\n"),
        (
            "main.ml",
            "let () = print_endline Messages.hello; print_endline Messages.bye\n",
        ),
    ];
    let (t, _) = both(
        &files,
        &["main.byte"],
        &[("main.byte", "Hello, world\nGoodbye\n")],
        &["messages.ml"],
    );
    // A dynamic dependency changed: the module is regenerated.
    t.write("messages_bye.txt", "See you\n");
    t.caravan(&["main.byte"]).ok();
    assert_eq!(t.run("main.byte", &[]).stdout, "Hello, world\nSee you\n");
    // Nothing changed: nothing runs.
    let again = t.caravan(&["main.byte", "-classic-display"]).ok();
    assert!(!again.stdout.contains("ocamlc"), "{}", again.stdout);
}

#[test]
fn plugin_copy_rule() {
    both(
        &[
            (
                "myocamlbuild.ml",
                "open Ocamlbuild_plugin\nlet () = dispatch (function\n  | After_rules -> copy_rule \"mlp -> ml\" \"%.mlp\" \"%.ml\"\n  | _ -> ())\n",
            ),
            ("version.mlp", "let version = \"1.2.3\"\n"),
            ("main.ml", "let () = print_endline Version.version\n"),
        ],
        &["main.native"],
        &[("main.native", "1.2.3\n")],
        &["version.ml"],
    );
}

#[test]
fn use_lib_links_the_program_with_the_project_library() {
    let plugin = "open Ocamlbuild_plugin\nlet () = dispatch (function\n  | After_rules -> use_lib \"main\" \"lib/shapes\"\n  | _ -> ())\n";
    let (t, _) = both(
        &[
            ("myocamlbuild.ml", plugin),
            ("_tags", "<lib>: include\n"),
            ("lib/shapes.mllib", "Square\n"),
            ("lib/square.ml", "let area x = x * x\n"),
            (
                "main.ml",
                "let () = print_endline (string_of_int (Square.area 7))\n",
            ),
        ],
        &["main.native", "main.byte"],
        &[("main.native", "49\n"), ("main.byte", "49\n")],
        &[],
    );
    // Without use_lib the programs would link square.cmx/.cmo themselves.
    let log = t.read("_build/_log");
    let link = |out: &str| {
        log.lines()
            .find(|l| !l.starts_with('#') && l.ends_with(&format!("-o {out}")))
            .unwrap_or_else(|| panic!("no command links {out}:\n{log}"))
    };
    assert!(link("main.native").contains("lib/shapes.cmxa"), "{log}");
    assert!(link("main.byte").contains("lib/shapes.cma"), "{log}");
}

#[test]
fn plugin_sets_options_in_before_options() {
    let plugin = r#"open Ocamlbuild_plugin

let () =
  dispatch (function
    | Before_options ->
        Options.use_ocamlfind := true;
        Options.make_links := false;
        Options.ocaml_cflags := [ "-w"; "+a-4-70" ]
    | _ -> ())
"#;
    let (t, _) = both(
        &[
            ("myocamlbuild.ml", plugin),
            ("_tags", "true: package(str)\n"),
            (
                "main.ml",
                "let () = print_endline (Str.global_replace (Str.regexp \"o\") \"0\" \"foo\")\n",
            ),
        ],
        &["main.native"],
        &[("_build/main.native", "f00\n")],
        &[],
    );
    assert!(
        !t.exists("main.native"),
        "Options.make_links := false: no link at the root"
    );
    assert!(t.read("_build/_log").contains("-w +a-4-70"));
}

#[test]
fn plugin_option_reaches_options_added_by_the_plugin() {
    let plugin = r#"open Ocamlbuild_plugin

let greeting = ref "none"

let () =
  dispatch (function
    | Before_options -> Options.add ("-greeting", Arg.Set_string greeting, " A greeting")
    | After_rules -> rule "greeting" ~prod:"greeting.ml" (fun _ _ -> Echo ([ Printf.sprintf "let s = %S\n" !greeting ], "greeting.ml"))
    | _ -> ())
"#;
    let (_, _) = both(
        &[
            ("myocamlbuild.ml", plugin),
            ("main.ml", "let () = print_endline Greeting.s\n"),
        ],
        &[
            "-plugin-option",
            "-greeting",
            "-plugin-option",
            "bonjour",
            "main.byte",
        ],
        &[("main.byte", "bonjour\n")],
        &["greeting.ml"],
    );
}

#[test]
fn plugin_tags_and_plugin_ocamlfind_compile_the_plugin() {
    let plugin = "open Ocamlbuild_plugin\nlet () = dispatch (function\n  | After_rules -> rule \"upper\" ~prod:\"up.ml\" (fun _ _ -> Echo ([Printf.sprintf \"let s = %S\\n\" (Str.global_replace (Str.regexp \"a\") \"A\" \"banana\")], \"up.ml\"))\n  | _ -> ())\n";
    let files = [
        ("myocamlbuild.ml", plugin),
        ("main.ml", "let () = print_endline Up.s\n"),
    ];
    both(
        &files,
        &["-plugin-tag", "use_str", "main.byte"],
        &[("main.byte", "bAnAnA\n")],
        &[],
    );
    both(
        &files,
        &["-use-ocamlfind", "-plugin-tag", "package(str)", "main.byte"],
        &[("main.byte", "bAnAnA\n")],
        &[],
    );
}

#[test]
fn byte_plugin_and_just_plugin() {
    let t = Tree::new(&[
        (
            "myocamlbuild.ml",
            "open Ocamlbuild_plugin\nlet () = dispatch (fun _ -> ())\n",
        ),
        ("main.ml", "let () = print_endline \"ok\"\n"),
    ]);
    t.caravan(&["-just-plugin", "-byte-plugin", "main.byte"])
        .ok();
    assert!(
        !t.exists("_build/main.byte"),
        "-just-plugin builds nothing else"
    );
    let binary = fs::read(t.path("_build/myocamlbuild")).expect("the plugin");
    assert!(binary.starts_with(b"#!"), "-byte-plugin: a bytecode plugin");
    t.caravan(&["-byte-plugin", "main.byte"]).ok();
    assert_eq!(t.run("main.byte", &[]).stdout, "ok\n");
    // -no-plugin ignores it: a plugin that does not compile is not compiled.
    t.write("myocamlbuild.ml", "this is not OCaml\n");
    t.caravan(&["-no-plugin", "main.byte"]).ok();
}

#[test]
fn plugin_compile_error_is_shown_with_file_and_line() {
    let t = Tree::new(&[
        (
            "myocamlbuild.ml",
            "open Ocamlbuild_plugin\nlet () = dispatch (function\n  | After_rules -> flag [\"ocaml\"] (S [A \"-g\"]); undefined_thing ()\n  | _ -> ())\n",
        ),
        ("main.ml", "let () = ()\n"),
    ]);
    let r = t.caravan(&["main.byte"]);
    assert_eq!(r.code, 10, "{}", r.stdout);
    assert!(
        r.stdout
            .contains("File \"myocamlbuild.ml\", line 3, characters"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("Unbound value undefined_thing"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("while compiling myocamlbuild.ml"),
        "{}",
        r.stdout
    );
    assert!(!t.exists("_build/main.byte"));
}

#[test]
fn exception_in_a_hook_is_reported_with_the_plugin_backtrace() {
    let t = Tree::new(&[
        (
            "myocamlbuild.ml",
            "open Ocamlbuild_plugin\nlet check n = if n > 2 then failwith \"bad configuration\"; n\nlet () = dispatch (function\n  | After_rules -> ignore (check 3 + 1)\n  | _ -> ())\n",
        ),
        ("main.ml", "let () = ()\n"),
    ]);
    let r = t.caravan(&["main.byte"]);
    assert_ne!(r.code, 0, "{}", r.stdout);
    assert!(
        r.stdout
            .contains("raised an exception in its After_rules hook"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("Failure(\"bad configuration\")"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("Backtrace of the plugin"), "{}", r.stdout);
    assert!(
        r.stdout
            .contains("Myocamlbuild.check in file \"myocamlbuild.ml\""),
        "the backtrace points into the plugin:\n{}",
        r.stdout
    );
    // Not cached: the next run asks the plugin again.
    let again = t.caravan(&["main.byte"]);
    assert_ne!(again.code, 0);
    assert!(again.stdout.contains("bad configuration"));
}

#[test]
fn exception_in_a_rule_action_then_a_fixed_plugin_builds() {
    let broken = "open Ocamlbuild_plugin\nlet words f = if Sys.file_exists f then raise Not_found else []\nlet () = dispatch (function\n  | After_rules -> rule \"gen\" ~dep:\"%.in\" ~prod:\"%.ml\" (fun env _ -> let w = words (env \"%.in\") in Echo (w @ [\"let x = 1\\n\"], env \"%.ml\"))\n  | _ -> ())\n";
    let t = Tree::new(&[
        ("myocamlbuild.ml", broken),
        ("gen.in", "\n"),
        ("main.ml", "let () = print_int Gen.x\n"),
    ]);
    let r = t.caravan(&["main.byte"]);
    assert_ne!(r.code, 0, "{}", r.stdout);
    assert!(
        r.stdout
            .contains("raised an exception in the action of its rule \"gen\""),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("Not_found"), "{}", r.stdout);
    assert!(
        r.stdout.contains("in file \"myocamlbuild.ml\""),
        "{}",
        r.stdout
    );
    assert!(!t.exists("_build/gen.ml"));
    // The trace store is consistent: fixing the plugin builds everything.
    t.write("myocamlbuild.ml", &broken.replace("raise Not_found", "[]"));
    t.caravan(&["main.byte"]).ok();
    assert_eq!(t.run("main.byte", &[]).stdout, "1");
    let again = t.caravan(&["main.byte", "-classic-display"]).ok();
    assert!(again.stdout.trim().is_empty(), "{}", again.stdout);
}

#[test]
fn null_build_runs_no_plugin_compile_and_no_plugin() {
    let t = Tree::new(&[
        (
            "myocamlbuild.ml",
            "open Ocamlbuild_plugin\nlet () = dispatch (function\n  | Before_options -> print_endline \"plugin: hooks ran\"\n  | After_rules -> flag [\"ocaml\"; \"compile\"; \"my_g\"] (A \"-g\")\n  | _ -> ())\n",
        ),
        ("_tags", "true: my_g\n"),
        ("main.ml", "let () = print_endline \"hi\"\n"),
    ]);
    let first = t.caravan(&["main.native"]).ok();
    assert!(
        first.stdout.contains("plugin: hooks ran"),
        "{}",
        first.stdout
    );
    assert!(
        first.stdout.contains("myocamlbuild.ml"),
        "compiled: {}",
        first.stdout
    );
    let binary = fs::metadata(t.path("_build/myocamlbuild")).expect("plugin");
    let null = t.caravan(&["main.native"]).ok();
    assert!(
        null.stdout.is_empty(),
        "a null build prints nothing: {}",
        null.stdout
    );
    let after = fs::metadata(t.path("_build/myocamlbuild")).expect("plugin");
    assert_eq!(
        binary.modified().ok(),
        after.modified().ok(),
        "the plugin is not compiled again"
    );
    // An edited source (not the plugin): the plugin does not run either.
    t.write("main.ml", "let () = print_endline \"hello\"\n");
    let edit = t.caravan(&["main.native"]).ok();
    assert!(
        !edit.stdout.contains("plugin: hooks ran"),
        "{}",
        edit.stdout
    );
    assert_eq!(t.run("main.native", &[]).stdout, "hello\n");
    // A touched but unchanged plugin is not compiled again.
    t.write("myocamlbuild.ml", &t.read("myocamlbuild.ml"));
    let touched = t.caravan(&["main.native"]).ok();
    assert!(!touched.stdout.contains("ocamlopt"), "{}", touched.stdout);
    // A changed _tags is seen by the plugin's declarations (replay checks).
    t.write("_tags", "true: my_g, debug\n");
    t.caravan(&["main.native"]).ok();
    assert!(t.read("_build/_log").contains("-g"));
}

/// The command of ocamlbuild's or caravan's `_log` that writes `out`.
fn command_writing(t: &Tree, out: &str) -> String {
    t.read("_build/_log")
        .lines()
        .map(|l| l.trim_end_matches(" # cached"))
        .find(|l| !l.starts_with('#') && l.contains(&format!("-o {out} ")))
        .unwrap_or_else(|| panic!("no command writes {out}"))
        .to_string()
}

#[test]
fn plugin_declarations_join_the_flags_and_tags_in_ocamlbuilds_order() {
    let plugin = r#"open Ocamlbuild_plugin

let () =
  dispatch (function
    | Before_rules -> flag [ "ocaml"; "compile"; "early" ] (A "-principal")
    | After_rules ->
        flag [ "ocaml"; "compile"; "late" ] (S [ A "-w"; A "+a-4-70" ]);
        pflag [ "ocaml"; "compile" ] "warn_level" (fun n -> S [ A "-w"; A n ]);
        tag_file "b.ml" [ "late"; "-debug" ];
        mark_tag_used "marked_only";
        Printf.printf "tags of a.ml: %s\n"
          (String.concat " " (Tags.elements (tags_of_pathname "a.ml")))
    | _ -> ())
"#;
    let files = [
        ("myocamlbuild.ml", plugin),
        (
            "_tags",
            "true: early, debug\n<a.ml>: warn_level(-5), marked_only\n",
        ),
        ("a.ml", "let x = 1\n"),
        ("b.ml", "let () = print_int A.x\n"),
    ];
    let ours = Tree::new(&files);
    let theirs = ours.copy_sources();
    let b = theirs.ocamlbuild(&["b.native"]).ok();
    let a = ours.caravan(&["b.native"]).ok();
    let tags_line = |s: &str| {
        s.lines()
            .find(|l| l.starts_with("tags of a.ml"))
            .map(str::to_string)
    };
    assert_eq!(tags_line(&a.stdout), tags_line(&b.stdout));
    assert!(tags_line(&a.stdout).is_some(), "{}", a.stdout);
    assert!(!a.stdout.contains("Warning"), "{}", a.stdout);
    for out in ["a.cmx", "b.cmx"] {
        assert_eq!(
            command_writing(&ours, out),
            command_writing(&theirs, out),
            "the command writing {out}"
        );
    }
    assert!(
        command_writing(&ours, "a.cmx").contains("-principal -g -w -5"),
        "a flag of Before_rules precedes the built-in ones, a parametrised one \
         follows them"
    );
}

#[test]
fn define_context_gives_a_directory_its_include_directories() {
    let plugin = "open Ocamlbuild_plugin\nlet () = dispatch (function\n  | After_rules -> Pathname.define_context \"app\" [\"lib\"]\n  | _ -> ())\n";
    let files = [
        ("myocamlbuild.ml", plugin),
        ("_tags", "<lib> or <app>: traverse\n"),
        ("lib/util.ml", "let name = \"util\"\n"),
        ("app/main.ml", "let () = print_endline Util.name\n"),
    ];
    let (ours, _) = both(
        &files,
        &["app/main.native"],
        &[("main.native", "util\n")],
        &[],
    );
    let theirs = ours.copy_sources();
    theirs.ocamlbuild(&["app/main.native"]).ok();
    assert_eq!(
        command_writing(&ours, "app/main.cmx"),
        command_writing(&theirs, "app/main.cmx")
    );
}

/// A findlib configuration that lists the installed packages without the
/// empty META placeholders some Debian packages ship (`visitors.runtime`,
/// which makes `ocamlfind list` fail with `Fl_topo.Inconsistent_ordering`
/// when `visitors` is installed too). OASIS's plugin runs `ocamlfind list`.
fn sane_findlib_conf(dir: &std::path::Path) -> std::path::PathBuf {
    let packages = dir.join("packages");
    fs::create_dir_all(&packages).expect("mkdir");
    let stdlib = String::from_utf8(
        std::process::Command::new("ocamlfind")
            .args(["printconf", "stdlib"])
            .output()
            .expect("ocamlfind (apt-get install ocaml-findlib)")
            .stdout,
    )
    .expect("utf-8");
    let stdlib = stdlib.trim();
    let path = String::from_utf8(
        std::process::Command::new("ocamlfind")
            .args(["printconf", "path"])
            .output()
            .expect("ocamlfind")
            .stdout,
    )
    .expect("utf-8");
    for dir in path.lines() {
        let Ok(entries) = fs::read_dir(dir) else {
            continue;
        };
        for e in entries.flatten() {
            let meta = e.path().join("META");
            let usable = fs::metadata(&meta).is_ok_and(|m| m.len() > 0);
            let link = packages.join(e.file_name());
            if usable && !link.exists() {
                std::os::unix::fs::symlink(e.path(), link).expect("symlink");
            }
        }
    }
    let conf = dir.join("findlib.conf");
    fs::write(
        &conf,
        format!(
            "path=\"{}\"\nstdlib=\"{stdlib}\"\nldconf=\"{stdlib}/ld.conf\"\n",
            packages.display()
        ),
    )
    .expect("write findlib.conf");
    conf
}

/// Runs a command in the tree; panics with its output when it fails.
fn run_in(t: &Tree, program: &str, args: &[&str], env: &[(&str, &str)]) {
    let out = std::process::Command::new(program)
        .args(args)
        .envs(env.iter().copied())
        .current_dir(t.root())
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e} (apt-get install oasis)"));
    assert!(
        out.status.success(),
        "{program} {args:?}:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

const OASIS: &str = "OASISFormat: 0.4
Name:        shapes
Version:     0.1
Synopsis:    A small library and a program using it
Authors:     caravan
License:     MIT
Plugins:     META (0.4), DevFiles (0.4)
BuildTools:  ocamlbuild

Library shapes
  Path:         src
  Modules:      Shapes
  BuildDepends: unix

Executable main
  Path:         app
  MainIs:       main.ml
  BuildDepends: shapes
";

#[test]
fn oasis_generated_plugin() {
    let t = Tree::new(&[
        ("_oasis", OASIS),
        (
            "src/shapes.ml",
            "let area r = 3.0 *. r *. r\nlet started () = Unix.gettimeofday () > 0.\n",
        ),
        (
            "app/main.ml",
            "let () = Printf.printf \"%.1f %b\\n\" (Shapes.area 2.0) (Shapes.started ())\n",
        ),
    ]);
    let findlib = tempfile::tempdir().expect("temp dir");
    let conf = sane_findlib_conf(findlib.path());
    let conf = conf.to_string_lossy().into_owned();
    let env = [("OCAMLFIND_CONF", conf.as_str())];
    // The files OASIS writes: myocamlbuild.ml (900 lines), _tags, setup.ml,
    // the .mllib; then `ocaml setup.ml -configure` writes setup.data, which
    // the plugin reads in its Before_options hook.
    run_in(&t, "oasis", &["setup"], &env);
    assert!(t.read("myocamlbuild.ml").contains("MyOCamlbuildBase"));
    run_in(&t, "ocaml", &["setup.ml", "-configure"], &env);
    assert!(t.exists("setup.data"));
    // What `ocaml setup.ml -build` runs.
    let args = [
        "src/shapes.cma",
        "src/shapes.cmxa",
        "src/shapes.a",
        "src/shapes.cmxs",
        "app/main.byte",
        "-tag",
        "debug",
    ];
    let theirs = t.copy_sources();
    let b = theirs.ocamlbuild_env(&args, &env);
    assert_eq!(b.code, 0, "ocamlbuild:\n{}", b.stdout);
    let a = t.caravan_env(&args, &env);
    assert_eq!(a.code, 0, "caravan:\n{}", a.stdout);
    assert_eq!(t.run("main.byte", &[]).stdout, "12.0 true\n");
    assert_eq!(
        t.run("main.byte", &[]).stdout,
        theirs.run("main.byte", &[]).stdout
    );
    // The plugin's flags reach the commands as with ocamlbuild: `-I src`
    // from ocaml_lib ~dir, then the include directories of define_context.
    // The plugin wraps the compilers in ocamlfind, which caravan runs in
    // process: compare the options, without the program and `-package`
    // (nor caravan's `-intf-suffix .ml`: it reads the interface ocamlc
    // wrote instead of compiling twice).
    let options = |command: String| {
        let words: Vec<&str> = command.split(' ').collect();
        let start = words.iter().position(|w| *w == "-c").unwrap_or(0);
        let mut out = Vec::new();
        let mut i = start;
        while i < words.len() {
            if words[i] == "-package" || words[i] == "-intf-suffix" {
                i += 2;
            } else {
                out.push(words[i]);
                i += 1;
            }
        }
        out.join(" ")
    };
    for out in ["app/main.cmo", "src/shapes.cmx"] {
        assert_eq!(
            options(command_writing(&t, out)),
            options(command_writing(&theirs, out)),
            "{out}"
        );
    }
    for f in [
        "src/shapes.cma",
        "src/shapes.cmxa",
        "src/shapes.a",
        "src/shapes.cmxs",
    ] {
        assert!(t.exists(&format!("_build/{f}")), "{f}");
    }
    // The program links the library's archive, as ocamlbuild does.
    assert!(
        command_writing(&t, "app/main.byte").contains("src/shapes.cma"),
        "{}",
        command_writing(&t, "app/main.byte")
    );
    assert!(
        t.read("_build/_log").contains("pkg_unix"),
        "OASIS's _tags and flags"
    );
    // A null build asks nothing of the plugin (whose hooks run ocamlfind).
    let again = t.caravan_env(&args, &env).ok();
    assert!(again.stdout.is_empty(), "{}", again.stdout);
}

#[test]
fn documentation_lists_the_plugin_rules_as_ocamlbuild() {
    let plugin = "open Ocamlbuild_plugin\nlet () = dispatch (function\n  | After_rules ->\n      rule \"x\" ~stamp:\"%.st\" ~deps:[\"%.a\"; \"%.b\"] ~doc:\"Some doc.\" (fun _ _ -> Nop);\n      rule \"y\" ~prod:\"%.y\" (fun _ _ -> Nop)\n  | _ -> ())\n";
    let ours = Tree::new(&[("myocamlbuild.ml", plugin)]);
    let theirs = ours.copy_sources();
    let rules = |text: &str| -> Vec<String> {
        text.lines()
            .filter(|l| l.starts_with("rule \"x\"") || l.starts_with("rule \"y\""))
            .map(str::to_string)
            .collect()
    };
    let a = ours.caravan(&["-documentation"]).ok();
    let b = theirs.ocamlbuild(&["-documentation"]).ok();
    assert_eq!(rules(&a.stdout), rules(&b.stdout));
    assert_eq!(rules(&a.stdout).len(), 2, "{}", a.stdout);
}

#[test]
fn plugin_commands_stamps_insertion_and_actions_writing_their_products() {
    let plugin = r#"open Ocamlbuild_plugin

let () =
  dispatch (function
    | After_rules ->
        (* Raw shell, inserted before the built-in rules. *)
        rule "shell" ~insert:`top ~dep:"%.sed" ~prod:"%.ml" (fun env _ ->
            Cmd (S [ Sh "sed 's/VALUE/42/'"; P (env "%.sed"); Sh ">"; Px (env "%.ml") ]));
        (* An action that writes its product itself and returns Nop. *)
        rule "written by the action" ~dep:"%.txt" ~prod:"%.ml" (fun env _ ->
            let text = String.trim (read_file (env "%.txt")) in
            with_output_file (env "%.ml") (fun oc -> Printf.fprintf oc "let text = %S\n" text);
            Nop);
        (* Quote, T tags, and a stamp over the dependencies. *)
        rule "quoted" ~prod:"quoted.ml" (fun _ _ ->
            Seq
              [
                Cmd (S [ A "sh"; A "-c"; Quote (S [ A "echo"; A "let q = \"x y\"" ]); Sh ">"; Px "quoted.ml" ]);
                Cmd (S [ A "echo"; T (Tags.of_list [ "my_echo_tag" ]); Sh ">"; A "tagged.txt" ]);
              ]);
        flag [ "my_echo_tag" ] (A "flag-of-a-tag");
        rule "all" ~stamp:"all.stamp" ~deps:[ "values.ml"; "note.ml" ] (fun _ _ -> Nop);
        non_dependency "main.ml" "Not_a_module";
        Command.execute ~quiet:true (Cmd (S [ A "true" ]));
        print_endline (Command.to_string (Cmd (S [ A "a b"; P "c"; Sh "|"; A "d" ])));
        ignore (Command.search_in_path "sh")
    | _ -> ())
"#;
    let (t, run) = both(
        &[
            ("myocamlbuild.ml", plugin),
            ("values.sed", "let value = VALUE\n"),
            ("note.txt", "a note\n"),
            (
                "main.ml",
                "let () = Printf.printf \"%d %s %s\\n\" Values.value Note.text Quoted.q\n",
            ),
        ],
        &["main.byte", "all.stamp"],
        &[("main.byte", "42 a note x y\n")],
        &["values.ml", "note.ml", "quoted.ml", "tagged.txt"],
    );
    assert!(t.exists("_build/all.stamp"));
    assert_eq!(t.read("_build/tagged.txt"), "flag-of-a-tag\n");
    // Command.to_string prints as ocamlbuild's does.
    assert!(run.stdout.contains("'a b' c | d\n"), "{}", run.stdout);
}

#[test]
fn a_rule_whose_dependencies_cannot_be_built_gives_way_to_the_next() {
    let plugin = r#"open Ocamlbuild_plugin

let gen name ext =
  rule name ~dep:("%." ^ ext) ~prod:"%.ml" (fun env _ ->
      Echo ([ Printf.sprintf "let from = %S\n" ext ], env "%.ml"))

let () = dispatch (function After_rules -> gen "from a" "gena"; gen "from b" "genb" | _ -> ())
"#;
    both(
        &[
            ("myocamlbuild.ml", plugin),
            ("x.genb", ""),
            ("main.ml", "let () = print_endline X.from\n"),
        ],
        &["main.byte"],
        &[("main.byte", "genb\n")],
        &["x.ml"],
    );
}

#[test]
fn the_config_module_is_part_of_the_plugin() {
    let t = Tree::new(&[
        ("myocamlbuild_config.ml", "let greeting = \"one\"\n"),
        (
            "myocamlbuild.ml",
            "open Ocamlbuild_plugin\nlet () = dispatch (function\n  | After_rules -> rule \"g\" ~prod:\"g.ml\" (fun _ _ -> Echo ([Printf.sprintf \"let s = %S\\n\" Myocamlbuild_config.greeting], \"g.ml\"))\n  | _ -> ())\n",
        ),
        ("main.ml", "let () = print_endline G.s\n"),
    ]);
    t.caravan(&["main.byte"]).ok();
    assert_eq!(t.run("main.byte", &[]).stdout, "one\n");
    t.write("myocamlbuild_config.ml", "let greeting = \"two\"\n");
    let r = t.caravan(&["main.byte"]).ok();
    assert!(
        r.stdout.contains("myocamlbuild_config.ml myocamlbuild.ml"),
        "{}",
        r.stdout
    );
    assert_eq!(t.run("main.byte", &[]).stdout, "two\n");
}

#[test]
fn plugin_compilers_can_be_chosen() {
    let t = Tree::new(&[
        (
            "myocamlbuild.ml",
            "open Ocamlbuild_plugin\nlet () = dispatch (fun _ -> ())\n",
        ),
        ("main.ml", "let () = print_endline \"ok\"\n"),
    ]);
    let r = t
        .caravan(&[
            "-byte-plugin",
            "-plugin-ocamlc",
            "ocamlc -w +a-70",
            "-plugin-no-ocamlfind",
            "main.byte",
        ])
        .ok();
    let compile = r
        .stdout
        .lines()
        .find(|l| l.contains("-o myocamlbuild"))
        .unwrap_or_else(|| panic!("{}", r.stdout));
    assert!(compile.contains("ocamlc -w +a-70 -g unix.cma"), "{compile}");
    assert_eq!(t.run("main.byte", &[]).stdout, "ok\n");
}

/// A driver that alternates `-byte-plugin` and native calls (ulex's
/// Makefile) compiles each plugin once: each mode keeps its binary.
#[test]
fn alternating_plugin_modes_compile_each_plugin_once() {
    let t = Tree::new(&[
        (
            "myocamlbuild.ml",
            "open Ocamlbuild_plugin\nlet () = dispatch (fun _ -> ())\n",
        ),
        ("a.ml", "let () = print_string \"a\"\n"),
    ]);
    let compiles = |r: &Run| {
        r.stdout
            .lines()
            .filter(|l| l.contains("myocamlbuild.ml") && l.contains("-o myocamlbuild"))
            .count()
    };
    assert_eq!(compiles(&t.caravan(&["-byte-plugin", "a.byte"]).ok()), 1);
    assert_eq!(compiles(&t.caravan(&["a.native"]).ok()), 1);
    assert_eq!(compiles(&t.caravan(&["-byte-plugin", "a.byte"]).ok()), 0);
    assert_eq!(compiles(&t.caravan(&["a.native"]).ok()), 0);
    // An edit of the plugin recompiles the mode in use, and the other mode
    // when it is next used.
    t.write(
        "myocamlbuild.ml",
        "open Ocamlbuild_plugin\nlet () = dispatch (fun _ -> ())\n(* edited *)\n",
    );
    assert_eq!(compiles(&t.caravan(&["a.native"]).ok()), 1);
    assert_eq!(compiles(&t.caravan(&["-byte-plugin", "a.byte"]).ok()), 1);
    assert_eq!(t.run("a.native", &[]).stdout, "a");
}

#[test]
fn caravans_own_options_do_not_reach_the_plugins_command_line() {
    let t = crate::support::Tree::new(&[
        (
            "myocamlbuild.ml",
            "open Ocamlbuild_plugin\nlet () = dispatch (fun _ -> ())\n",
        ),
        ("main.ml", "let () = print_string \"ok\"\n"),
    ]);
    let run = t
        .caravan(&[
            "-search-all-dirs",
            "-stop-on-first-error",
            "-trace",
            "trace.json",
            "main.byte",
        ])
        .ok();
    assert!(!run.stdout.contains("unknown option"), "{}", run.stdout);
    assert_eq!(t.run("_build/main.byte", &[]).stdout, "ok");
}
