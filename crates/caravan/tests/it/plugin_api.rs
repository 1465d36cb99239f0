//! The plugin API beyond declarations: command specs rendered as
//! ocamlbuild renders them (the `-pp` string), every value of ocamlbuild's
//! `Ocamlbuild_plugin` and `Ocamlbuild_pack` that a plugin can name, and
//! the behaviour of the ones published plugins call, each compared with
//! the real ocamlbuild on the same tree.

use crate::support::Tree;

/// A preprocessor that shifts the source down by as many comment lines as
/// its second argument says, then checks that it received exactly the two
/// words of the plugin's flag and the file name.
const SHIFTING_PREPROCESSOR: &str = r#"let () =
  let args = List.tl (Array.to_list Sys.argv) in
  let label = Sys.argv.(1) and lines = int_of_string Sys.argv.(2) in
  let source = open_in Sys.argv.(3) in
  for _ = 1 to lines do Printf.printf "(* added by the preprocessor (%s) *)\n" label done;
  (try while true do print_endline (input_line source) done with End_of_file -> ());
  Printf.printf "let () = assert (%S = %S)\n"
    (String.concat "|" args)
    (String.concat "|" [ "with space"; "2"; Sys.argv.(3) ])
"#;

/// The plugin of ocamlbuild's "Preprocess" test: the preprocessor is a
/// program of the project, its flag a spec whose second atom holds a space.
const PREPROCESS_PLUGIN: &str = r#"open Ocamlbuild_plugin

let () =
  dispatch (function
    | After_rules ->
        dep [ "mypreprocessor" ] [ "preprocessor.exe" ];
        flag [ "ocaml"; "pp"; "mypreprocessor" ]
          (S [ P "./preprocessor.exe"; A "with space"; A "2" ]);
        rule "native to exe" ~prods:[ "%.exe" ] ~dep:"%.native" (fun env _ ->
            Cmd (S [ A "cp"; A (env "%.native"); A (env "%.exe") ]))
    | _ -> ())
"#;

/// ocamlbuild's testsuite case "Preprocess": `-pp` receives one argument
/// in which each atom of the spec is quoted, so the atom "with space"
/// reaches the preprocessor as one word.
#[test]
fn compat_pp_flag_quotes_each_atom_of_the_spec() {
    let files = [
        ("myocamlbuild.ml", PREPROCESS_PLUGIN),
        ("preprocessor.ml", SHIFTING_PREPROCESSOR),
        (
            "main.ml",
            "let () = Printf.printf \"line %d\\n\" __LINE__\n",
        ),
        ("_tags", "<main.ml>: mypreprocessor\n"),
    ];
    let ours = Tree::new(&files);
    let theirs = ours.copy_sources();
    let real = theirs.ocamlbuild(&["main.native"]).ok();
    // One run, as ocamlbuild's: `dep` builds preprocessor.exe before the
    // dependency scan that runs it.
    let run = ours.caravan(&["main.native"]).ok();
    let expected = "-pp './preprocessor.exe '\\''with space'\\'' 2'";
    assert!(
        theirs.read("_build/_log").contains(expected),
        "ocamlbuild's log:\n{}",
        real.stdout
    );
    let log = ours.read("_build/_log");
    assert!(
        log.contains(expected),
        "caravan's log:\n{log}\n{}",
        run.stdout
    );
    assert_eq!(ours.run("main.native", &[]).ok().stdout, "line 3\n");
    assert_eq!(theirs.run("main.native", &[]).ok().stdout, "line 3\n");
}

/// A plugin that writes `Command.string_of_command_spec` of each kind of
/// spec to `$SPECS_OUT`, and declares a `-pp` flag made of every kind.
const EVERY_SPEC_PLUGIN: &str = r#"open Ocamlbuild_plugin

let show oc name spec = Printf.fprintf oc "%s => %s\n" name (Command.string_of_command_spec spec)

let () =
  dispatch (function
    | After_rules ->
        let oc = open_out (Sys.getenv "SPECS_OUT") in
        show oc "N" N;
        show oc "A" (S [ A "a b"; A "it's"; A ""; A "x=1" ]);
        show oc "P Px" (S [ P "dir/f g.ml"; Px "out put" ]);
        show oc "Sh" (S [ A "x"; Sh "| cat >'o u'"; A "y" ]);
        show oc "Quote"
          (S [ A "-pp"; Quote (S [ P "./pp.exe"; A "with space"; Sh "$X"; Quote (A "a b") ]) ]);
        show oc "V" (S [ V "OCAMLC"; A "-c" ]);
        close_out oc;
        flag [ "ppinner" ] (S [ A "in ner"; Sh "raw text" ]);
        flag [ "ocaml"; "pp"; "every_spec" ]
          (S
             [ P "../pp.sh"; A "with space"; N; Sh "-x '1 2'"; Quote (S [ A "q r"; A "s" ]);
               Px "o p"; T (Tags.of_list [ "ppinner" ]); V "OCAMLDEP" ])
    | _ -> ())
"#;

/// The `-pp` argument of the first command of `log` that has one.
fn pp_argument(log: &str) -> String {
    log.lines()
        .find_map(|l| l.split_once(" -pp ").map(|(_, rest)| rest))
        .and_then(|rest| rest.split(" -modules").next())
        .unwrap_or("")
        .to_string()
}

/// `N`, `A`, `P`, `Px`, `Sh`, `Quote`, `V` and `T` in a `-pp` flag give
/// the same one argument as ocamlbuild's, and `string_of_command_spec`
/// in the plugin writes each kind as ocamlbuild's does.
#[test]
fn compat_every_kind_of_spec_renders_as_ocamlbuilds() {
    let files = [
        ("myocamlbuild.ml", EVERY_SPEC_PLUGIN),
        ("pp.sh", "#!/bin/sh\nfor last; do :; done\ncat \"$last\"\n"),
        ("x.ml", "let () = print_endline \"x\"\n"),
        ("_tags", "<x.ml>: every_spec\n"),
    ];
    let ours = Tree::new(&files);
    let theirs = ours.copy_sources();
    for t in [&ours, &theirs] {
        let mut perms = std::fs::metadata(t.path("pp.sh")).map(|m| m.permissions());
        if let Ok(p) = perms.as_mut() {
            std::os::unix::fs::PermissionsExt::set_mode(p, 0o755);
            std::fs::set_permissions(t.path("pp.sh"), p.clone()).ok();
        }
    }
    let out = |t: &Tree| t.path("specs.txt").display().to_string();
    theirs
        .ocamlbuild_env(&["x.byte"], &[("SPECS_OUT", &out(&theirs))])
        .ok();
    ours.caravan_env(&["x.byte"], &[("SPECS_OUT", &out(&ours))])
        .ok();
    assert_eq!(ours.read("specs.txt"), theirs.read("specs.txt"));
    let real = pp_argument(&theirs.read("_build/_log"));
    assert!(real.contains("'\\''in ner'\\'' raw text"), "{real}");
    assert_eq!(pp_argument(&ours.read("_build/_log")), real);
}

/// The generated plugin naming every value of the API (see
/// `scripts/gen-plugin-api-check.py`).
const ALL_VALUES: &str = include_str!("../projects/plugin_api_values/myocamlbuild.ml");

/// The checked-in list of values is what the installed ocamlbuild 0.14.1
/// offers: the generator, run again on the installed library, writes the
/// same file.
#[test]
fn plugin_api_values_are_current() {
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../scripts/gen-plugin-api-check.py"
    );
    let out = std::process::Command::new("python3")
        .arg(script)
        .output()
        .unwrap_or_else(|e| panic!("run {script}: {e}"));
    assert!(
        out.status.success(),
        "{script} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let fresh = String::from_utf8_lossy(&out.stdout);
    assert!(
        fresh.lines().filter(|l| l.starts_with("module V")).count() > 1000,
        "the generator found too few values:\n{fresh}"
    );
    assert!(
        fresh == ALL_VALUES,
        "crates/caravan/tests/projects/plugin_api_values/myocamlbuild.ml is out of date: \
         run scripts/gen-plugin-api-check.py > crates/caravan/tests/projects/plugin_api_values/myocamlbuild.ml"
    );
}

/// A plugin naming every value of `Ocamlbuild_plugin` and of the
/// `Ocamlbuild_pack` modules plugins use, each under a signature with
/// ocamlbuild's type, compiles against caravan's library as it does
/// against ocamlbuild's.
#[test]
fn every_value_of_the_plugin_api_is_there() {
    let files = [
        ("myocamlbuild.ml", ALL_VALUES),
        ("main.ml", "let () = print_endline \"built\"\n"),
    ];
    let ours = Tree::new(&files);
    let theirs = ours.copy_sources();
    theirs.ocamlbuild(&["main.byte"]).ok();
    let run = ours.caravan(&["main.byte"]).ok();
    assert!(!run.stdout.contains("Unbound"), "{}", run.stdout);
    assert_eq!(ours.run("main.byte", &[]).ok().stdout, "built\n");
}

/// The commands of `log` (a `_build/_log`) that write `out`, the tool's
/// folder and caravan's `-intf-suffix .ml` left out.
fn commands_writing(log: &str, out: &str) -> Vec<String> {
    log.lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with('+'))
        .filter(|l| l.split_whitespace().any(|w| w == out))
        .filter(|l| l.contains(&format!("-o {out}")))
        .map(|l| {
            l.replace("/usr/bin/", "")
                .replace(" -intf-suffix .ml", "")
                .replace(" # in-process", "")
                .replace(" # from the local cache", "")
        })
        .collect()
}

/// A plugin in the style of ocaml-batteries' and camlp4's: the library
/// link actions of `Ocaml_compiler` in rules inserted before the built-in
/// ones (`.mllib` → `.cma`/`.cmxa`, `.mldylib` → `.cmxs`), for a product
/// no built-in rule makes (`%.all.cma`), and with the modules given
/// (`byte_library_link_modules`); `Ocaml_tools.ocamllex`; and the helpers
/// plugins call in their hooks (`string_list_of_file`, `with_temp_file`,
/// `run_and_read`, `Command.execute`, `tag_any`, `mark_tag_used`,
/// `Configuration.parse_string`, `Pathname.define_context`,
/// `Ocamlbuild_where`). Both builds run the same commands and the hooks
/// see the same answers.
#[test]
fn compat_library_link_actions_and_hook_helpers() {
    let plugin = r#"open Ocamlbuild_plugin
open Ocamlbuild_pack

let report = Sys.getenv "PLUGIN_REPORT"

let note fmt =
  Printf.ksprintf
    (fun s ->
      let oc = open_out_gen [ Open_append; Open_creat ] 0o644 report in
      output_string oc (s ^ "\n");
      close_out oc)
    fmt

let () =
  dispatch (function
    | After_rules ->
        note "modules: %s" (String.concat "," (string_list_of_file "mods.list"));
        note "temp: %b"
          (with_temp_file "plug" ".txt" (fun f -> Sys.file_exists f && Filename.check_suffix f ".txt"));
        note "read: %S" (run_and_read "echo hello; echo world");
        Command.execute ~quiet:true (Cmd (S [ A "sh"; A "-c"; A "echo ran > executed.txt" ]));
        note "executed: %b" (Sys.file_exists "executed.txt");
        note "where: %s %s" !Ocamlbuild_where.bindir !Ocamlbuild_where.libdir;
        note "version known: %b" (My_std.split_ocaml_version <> None);
        tag_any [ "my_warnings" ];
        flag [ "ocaml"; "compile"; "my_warnings" ] (S [ A "-w"; A "+a-70" ]);
        mark_tag_used "declared_but_unused";
        Configuration.parse_string "<lib/b.ml>: principal_b";
        flag [ "ocaml"; "compile"; "principal_b" ] (A "-principal");
        Pathname.define_context "app" [ "lib" ];
        rule "mllib to cma (prefilter)" ~insert:`top ~prod:"%.cma" ~dep:"%.mllib"
          (Ocaml_compiler.byte_library_link_mllib "%.mllib" "%.cma");
        rule "mllib to cmxa (prefilter)" ~insert:`top ~prods:[ "%.cmxa"; "%.a" ] ~dep:"%.mllib"
          (Ocaml_compiler.native_library_link_mllib "%.mllib" "%.cmxa");
        rule "mldylib to cmxs (prefilter)" ~insert:`top ~prod:"%.cmxs" ~dep:"%.mldylib"
          (Ocaml_compiler.native_shared_library_link_mldylib "%.mldylib" "%.cmxs");
        rule "mllib to all.cma" ~prod:"%.all.cma" ~dep:"%.mllib"
          (Ocaml_compiler.byte_library_link_mllib "%.mllib" "%.all.cma");
        rule "my ocamllex" ~insert:`top ~prod:"%.ml" ~dep:"%.mll" (Ocaml_tools.ocamllex "%.mll");
        rule "modules to cma" ~prod:"%.mods.cma"
          (Ocaml_compiler.byte_library_link_modules [ "lib/B"; "lib/A" ] "%.mods.cma")
    | _ -> ())
"#;
    let files = [
        ("myocamlbuild.ml", plugin),
        ("mods.list", "One Two\n# a comment\nThree\n"),
        ("lib/shapes.mllib", "A\nB\n"),
        ("lib/shapes.mldylib", "A\nB\n"),
        ("lib/a.ml", "let x = B.y + 1\n"),
        ("lib/b.ml", "let y = 41\n"),
        (
            "app/main.ml",
            "let () = print_int (A.x + Lx.token (Lexing.from_string \"\")); print_newline ()\n",
        ),
        ("app/lx.mll", "rule token = parse _ { 1 } | eof { 0 }\n"),
        (
            "_tags",
            "<app/main.ml>: declared_but_unused\n<lib> or <app>: traverse\n",
        ),
    ];
    let targets = [
        "lib/shapes.cma",
        "lib/shapes.cmxa",
        "lib/shapes.cmxs",
        "lib/shapes.all.cma",
        "x.mods.cma",
        "app/main.native",
    ];
    let ours = Tree::new(&files);
    let theirs = ours.copy_sources();
    let report = |t: &Tree| t.path("report.txt").display().to_string();
    let real = theirs
        .ocamlbuild_env(&targets, &[("PLUGIN_REPORT", &report(&theirs))])
        .ok();
    let run = ours
        .caravan_env(&targets, &[("PLUGIN_REPORT", &report(&ours))])
        .ok();
    assert_eq!(ours.read("report.txt"), theirs.read("report.txt"));
    assert!(
        ours.read("report.txt")
            .contains("read: \"hello\\nworld\\n\""),
        "{}",
        ours.read("report.txt")
    );
    for out in [&targets[..5], &["lib/b.cmo"]].concat() {
        let mine = commands_writing(&ours.read("_build/_log"), out);
        let expected = commands_writing(&theirs.read("_build/_log"), out);
        if out == "lib/b.cmo" {
            assert!(
                expected.iter().any(|c| c.contains(" -principal ")),
                "{expected:?}"
            );
        }
        assert!(
            !expected.is_empty(),
            "ocamlbuild wrote no {out}:\n{}",
            real.stdout
        );
        assert_eq!(mine, expected, "{out}\n{}", run.stdout);
    }
    let lexer = |t: &Tree| -> Vec<String> {
        t.read("_build/_log")
            .lines()
            .filter(|l| l.contains("ocamllex") && !l.starts_with('+'))
            .map(|l| l.replace("/usr/bin/", ""))
            .collect()
    };
    assert_eq!(lexer(&ours), lexer(&theirs));
    assert!(!lexer(&ours).is_empty());
    for t in [&ours, &theirs] {
        assert_eq!(t.run("main.native", &[]).ok().stdout, "42\n");
    }
    // Without mark_tag_used, both warn that the tag is not used.
    for output in [&run.stdout, &real.stdout] {
        assert!(
            !output.contains("\"declared_but_unused\" is not used"),
            "{output}"
        );
    }
}

/// A library link action in a rule whose first product is not the one the
/// action names (`~prods:["%.a"; "%.cmxa"]`) makes both files with one
/// command, asked for by either name, as in ocamlbuild.
#[test]
fn compat_library_link_action_whose_output_is_not_the_first_product() {
    let plugin = r#"open Ocamlbuild_plugin
open Ocamlbuild_pack

let () =
  dispatch (function
    | After_rules ->
        rule "mllib to cmxa, archive first" ~insert:`top ~prods:[ "%.a"; "%.cmxa" ] ~dep:"%.mllib"
          (Ocaml_compiler.native_library_link_mllib "%.mllib" "%.cmxa")
    | _ -> ())
"#;
    let files = [
        ("myocamlbuild.ml", plugin),
        ("l.mllib", "B\n"),
        ("b.ml", "let y = 1\n"),
    ];
    for target in ["l.a", "l.cmxa"] {
        let ours = Tree::new(&files);
        let theirs = ours.copy_sources();
        theirs.ocamlbuild(&[target]).ok();
        ours.caravan(&[target]).ok();
        for t in [&ours, &theirs] {
            assert!(t.path("_build/l.a").is_file() && t.path("_build/l.cmxa").is_file());
        }
        assert_eq!(
            commands_writing(&ours.read("_build/_log"), "l.cmxa"),
            commands_writing(&theirs.read("_build/_log"), "l.cmxa")
        );
    }
}

/// Values of the API that compute something without caravan
/// (`Command.digest`, `Resource.matchit`/`subst`, `Rule.get_rules`,
/// `can_produce` and its printers, `Lexers`, `Param_tags`, `Flags`,
/// `Log.mode`, `Exit_codes`, `Shell` quoting, `Tools.pp_l`, `My_std`,
/// `Resource.digest`...) give the plugin the same answers as ocamlbuild's.
#[test]
fn compat_api_functions_answer_as_ocamlbuilds() {
    let plugin = r#"open Ocamlbuild_plugin
open Ocamlbuild_pack

let report = Sys.getenv "PLUGIN_REPORT"

let () =
  dispatch (function
    | After_rules ->
        let oc = open_out report in
        let p fmt = Printf.fprintf oc (fmt ^^ "\n") in
        let hex s = if String.length s = 16 then Digest.to_hex s else s in
        p "digest cmd: %s" (hex (Command.digest (Cmd (S [ A "ocamlc"; A "a b"; P "x.ml" ]))));
        p "digest seq: %s"
          (hex (Command.digest (Seq [ Cmd (S [ A "a" ]); Echo ([ "t1"; "t2" ], "out"); Nop; Cmd (S [ A "b" ]) ])));
        let env = match Resource.matchit (Resource.import_pattern "%(dir)/gen_%.ml") "src/gen_foo.ml" with
          | Some env -> Resource.subst env "%(dir)|%"
          | None -> "none" in
        p "matchit: %s" env;
        p "matchit none: %b" (Resource.matchit (Resource.import_pattern "%.mli") "a.ml" = None);
        p "tag_gen: %s" (match Lexers.tag_gen "x" (Lexing.from_string "pkg(foo)") with n, Some a -> n ^ "/" ^ a | n, None -> n);
        p "is_applied: %b %b" (Param_tags.is_applied "a(b)") (Param_tags.is_applied "ab");
        p "flags add/remove: %s" (String.concat "," (Flags.remove "b" (Flags.add "a" [ "b"; "a" ])));
        p "log mode: %b" (Log.mode "anything");
        p "exit codes: %d %d %d" Exit_codes.rc_hygiene Exit_codes.rc_solver_failed Exit_codes.rc_build_error;
        p "quote: %s" (Shell.quote_filename_if_needed "a b'c");
        p "pp_l: %s" (Format.asprintf "%a" Tools.pp_l [ "x"; "y" ]);
        p "version: %b" (My_std.split_ocaml_version <> None);
        p "sbprintf: %s" (My_std.sbprintf "%d-%s" 3 "x");
        p "exists: %b %b" (My_std.sys_file_exists "myocamlbuild.ml") (My_std.sys_file_exists "MYOCAMLBUILD.ML");
        p "target_and_tags: %s"
          (let s, t, _ = Command.string_target_and_tags_of_command_spec (S [ A "cp"; P "a"; Px "b c" ]) in s ^ " | " ^ t);
        p "resource digest: %s" (Digest.to_hex (Resource.digest "nonexistent"));
        p "string_list_of_file: %s" (String.concat "," (string_list_of_file "_tags"));
        p "ocamldep_output: %s"
          (String.concat ";" (List.map (fun (f, ms) -> f ^ ":" ^ String.concat "," ms)
             (Lexers.ocamldep_output "x" (Lexing.from_string "a.ml: B C\nb.ml:\n"))));
        rule "mine" ~prod:"%(path)lib%(name).a" ~dep:"%(path)%(name).clib" ~doc:"A doc." (fun _ _ -> Nop);
        let r = List.find (fun r -> Rule.name_of_rule r = "mine") (Rule.get_rules ()) in
        p "pretty: %s" (Format.asprintf "%a" (Rule.pretty_print Resource.print_pattern) r);
        p "contents: %s" (Format.asprintf "%a" (Rule.print_rule_contents Resource.print_pattern) r);
        (match Rule.can_produce "sub/libfoo.a" r with
         | Some r' -> p "can_produce: %s deps=%s" (Rule.name_of_rule r') (String.concat "," (Rule.deps_of_rule r'))
         | None -> p "can_produce: none");
        p "matchit empty: %s"
          (match Resource.matchit (Resource.import_pattern "%(path)lib%(libname).a") "libfoo.a" with
           | Some env -> Resource.subst env "[%(path)][%(libname)][%(unbound)]"
           | None -> "none");
        close_out oc
    | _ -> ())
"#;
    let files = [
        ("myocamlbuild.ml", plugin),
        ("_tags", "true: debug\n"),
        ("x.ml", "let () = ()\n"),
    ];
    let ours = Tree::new(&files);
    let theirs = ours.copy_sources();
    let report = |t: &Tree| t.path("report.txt").display().to_string();
    theirs
        .ocamlbuild_env(&["x.byte"], &[("PLUGIN_REPORT", &report(&theirs))])
        .ok();
    ours.caravan_env(&["x.byte"], &[("PLUGIN_REPORT", &report(&ours))])
        .ok();
    let expected = theirs.read("report.txt");
    assert!(
        expected.contains("digest cmd: ocamlc 'a b' x.ml"),
        "{expected}"
    );
    assert_eq!(ours.read("report.txt"), expected);
}
