(* Ocamlbuild_pack.Options: ocamlbuild's option references, set by the
   command line (parsed here with ocamlbuild's own table, plus what the
   plugin adds with [add]) and by the plugin's hooks. caravan reads the
   result after each hook ([snapshot]) and builds with it. *)

open Ocamlbuild_pack__my_std
module Command = Ocamlbuild_pack__command
module Wire = Caravan_wire
open Command

type command_spec = Command.spec

let build_dir = ref (filename_concat (Sys.getcwd ()) "_build")
let include_dirs = ref []
let exclude_dirs = ref []
let nothing_should_be_rebuilt = ref false
let sanitize = ref true
let sanitization_script = ref "sanitize.sh"
let hygiene = ref true
let ignore_auto = ref true
let plugin = ref true
let just_plugin = ref false
let native_plugin = ref true
let make_links = ref true
let nostdlib = ref false
let use_menhir = ref false
let catch_errors = ref true
let use_ocamlfind = ref false
let plugin_use_ocamlfind = ref false
let toolchain = ref ""
let ocamlc = ref (V "OCAMLC")
let plugin_ocamlc = ref (V "OCAMLC")
let ocamlopt = ref (V "OCAMLOPT")
let plugin_ocamlopt = ref (V "OCAMLOPT")
let ocamldep = ref (V "OCAMLDEP")
let ocamldoc = ref (V "OCAMLDOC")
let ocamlyacc = ref N
let ocamllex = ref (V "OCAMLLEX")
let ocamlmklib = ref (V "OCAMLMKLIB")
let ocamlmktop = ref (V "OCAMLMKTOP")
let ocamlrun = ref N
let program_to_execute = ref false
let must_clean = ref false
let show_documentation = ref false
let recursive = ref false
let ext_lib = ref "a"
let ext_obj = ref "o"
let ext_dll = ref "so"
let exe = ref ""
let targets = ref []
let ocaml_libs = ref []
let ocaml_mods = ref []
let ocaml_pkgs = ref []
let ocaml_syntax = ref None
let ocaml_lflags = ref []
let ocaml_cflags = ref []
let ocaml_ppflags = ref []
let ocaml_docflags = ref []
let ocaml_yaccflags = ref []
let ocaml_lexflags = ref []
let program_args = ref []
let ignore_list = ref []
let tags = ref []
let tag_lines = ref []
let show_tags = ref []
let plugin_tags = ref []

(* What the command line gives, appended to what Before_options set. *)
let targets_internal = ref []
let ocaml_libs_internal = ref []
let ocaml_mods_internal = ref []
let ocaml_pkgs_internal = ref []
let ocaml_lflags_internal = ref []
let ocaml_cflags_internal = ref []
let ocaml_ppflags_internal = ref []
let ocaml_docflags_internal = ref []
let ocaml_yaccflags_internal = ref []
let ocaml_lexflags_internal = ref []
let program_args_internal = ref []
let ignore_list_internal = ref []
let tags_internal = ref [ [ "quiet" ] ]
let tag_lines_internal = ref []
let show_tags_internal = ref []
let plugin_tags_internal = ref []
let my_include_dirs = ref [ [ Filename.current_dir_name ] ]
let my_exclude_dirs = ref [ [ ".svn"; "CVS"; ".bzr"; ".hg"; ".git"; "_darcs"; "_opam"; "node_modules" ] ]

let split_list x =
  List.filter (fun s -> s <> "") (String.split_on_char ' ' (String.map (function ',' | '\t' | '\n' -> ' ' | c -> c) x))

let add_to rxs x = rxs := split_list x :: !rxs
let add_to' rxs x = rxs := [ x ] :: !rxs
let set_cmd rcmd = Arg.String (fun s -> rcmd := Sh s)

let set_build_dir s =
  make_links := false;
  build_dir := if Filename.is_relative s then filename_concat (Sys.getcwd ()) s else s

let use_jocaml () =
  ocamlc := A "jocamlc";
  plugin_ocamlc := A "jocamlc";
  ocamlopt := A "jocamlopt";
  plugin_ocamlopt := A "jocamlopt";
  ocamldep := A "jocamldep";
  ocamlyacc := A "jocamlyacc";
  ocamllex := A "jocamllex";
  ocamlmklib := A "jocamlmklib";
  ocamlmktop := A "jocamlmktop";
  ocamlrun := A "jocamlrun"

let ignore_unit = Arg.Unit ignore
let ignore_string = Arg.String ignore

let spec =
  ref
    [
      ("-version", ignore_unit, " Display the version");
      ("--version", ignore_unit, " same as -version");
      ("-vnum", ignore_unit, " Display the version number");
      ("--vnum", ignore_unit, " same as -vnum");
      ("-quiet", Arg.Unit (fun () -> Ocamlbuild_pack__log.level := 0), " Make as quiet as possible");
      ( "-verbose",
        Arg.Int
          (fun i ->
            Ocamlbuild_pack__log.classic_display := true;
            Ocamlbuild_pack__log.level := i + 2),
        "<level> Set the verbosity level" );
      ("-documentation", Arg.Set show_documentation, " Show rules and flags");
      ("-log", ignore_string, "<file> Set log file");
      ("-no-log", ignore_unit, " No log file");
      ("-clean", Arg.Set must_clean, " Remove build directory and other files, then exit");
      ("-r", Arg.Set recursive, " Traverse directories by default (true: traverse)");
      ("-I", Arg.String (add_to' my_include_dirs), "<path> Add to include directories");
      ("-Is", Arg.String (add_to my_include_dirs), "<path,...> (same as above, but accepts a list)");
      ("-X", Arg.String (add_to' my_exclude_dirs), "<path> Directory to ignore");
      ("-Xs", Arg.String (add_to my_exclude_dirs), "<path,...> (idem)");
      ("-lib", Arg.String (add_to' ocaml_libs_internal), "<flag> Link to this ocaml library");
      ("-libs", Arg.String (add_to ocaml_libs_internal), "<flag,...> (idem)");
      ("-mod", Arg.String (add_to' ocaml_mods_internal), "<module> Link to this ocaml module");
      ("-mods", Arg.String (add_to ocaml_mods_internal), "<module,...> (idem)");
      ("-pkg", Arg.String (add_to' ocaml_pkgs_internal), "<package> Link to this ocaml findlib package");
      ("-pkgs", Arg.String (add_to ocaml_pkgs_internal), "<package,...> (idem)");
      ("-package", Arg.String (add_to' ocaml_pkgs_internal), "<package> (idem)");
      ("-syntax", Arg.String (fun s -> ocaml_syntax := Some s), "<syntax> Specify syntax using ocamlfind");
      ("-lflag", Arg.String (add_to' ocaml_lflags_internal), "<flag> Add to ocamlc link flags");
      ("-lflags", Arg.String (add_to ocaml_lflags_internal), "<flag,...> (idem)");
      ("-cflag", Arg.String (add_to' ocaml_cflags_internal), "<flag> Add to ocamlc compile flags");
      ("-cflags", Arg.String (add_to ocaml_cflags_internal), "<flag,...> (idem)");
      ("-docflag", Arg.String (add_to' ocaml_docflags_internal), "<flag> Add to ocamldoc flags");
      ("-docflags", Arg.String (add_to ocaml_docflags_internal), "<flag,...> (idem)");
      ("-yaccflag", Arg.String (add_to' ocaml_yaccflags_internal), "<flag> Add to ocamlyacc flags");
      ("-yaccflags", Arg.String (add_to ocaml_yaccflags_internal), "<flag,...> (idem)");
      ("-lexflag", Arg.String (add_to' ocaml_lexflags_internal), "<flag> Add to ocamllex flags");
      ("-lexflags", Arg.String (add_to ocaml_lexflags_internal), "<flag,...> (idem)");
      ("-ppflag", Arg.String (add_to' ocaml_ppflags_internal), "<flag> Add to ocaml preprocessing flags");
      ("-pp", Arg.String (add_to ocaml_ppflags_internal), "<flag,...> (idem)");
      ("-tag", Arg.String (add_to' tags_internal), "<tag> Add to default tags");
      ("-tags", Arg.String (add_to tags_internal), "<tag,...> (idem)");
      ("-plugin-tag", Arg.String (add_to' plugin_tags_internal), "<tag> Use this tag when compiling the plugin");
      ("-plugin-tags", Arg.String (add_to plugin_tags_internal), "<tag,...> (idem)");
      ("-tag-line", Arg.String (add_to' tag_lines_internal), "<tag> Use this line of tags (as in _tags)");
      ("-show-tags", Arg.String (add_to' show_tags_internal), "<path> Show tags that applies on that pathname");
      ("-ignore", Arg.String (add_to ignore_list_internal), "<module,...> Don't try to build these modules");
      ("-no-links", Arg.Clear make_links, " Don't make links of produced final targets");
      ("-no-skip", Arg.Clear ignore_auto, " Don't skip modules that are requested by ocamldep but cannot be built");
      ("-no-hygiene", Arg.Clear hygiene, " Don't apply sanity-check rules");
      ("-no-plugin", Arg.Clear plugin, " Don't build myocamlbuild.ml");
      ("-no-stdlib", Arg.Set nostdlib, " Don't ignore stdlib modules");
      ("-dont-catch-errors", Arg.Clear catch_errors, " Don't catch and display exceptions");
      ("-just-plugin", Arg.Set just_plugin, " Just build myocamlbuild.ml");
      ("-byte-plugin", Arg.Clear native_plugin, " Don't use a native plugin but bytecode");
      ("-plugin-option", ignore_string, " Use the option only when plugin is run");
      ("-sanitization-script", Arg.Set_string sanitization_script, " Change the file name for the generated sanitization script");
      ("-no-sanitize", Arg.Clear sanitize, " Do not generate sanitization script");
      ("-nothing-should-be-rebuilt", Arg.Set nothing_should_be_rebuilt, " Fail if something needs to be rebuilt");
      ("-classic-display", Arg.Set Ocamlbuild_pack__log.classic_display, " Display executed commands the old-fashioned way");
      ("-use-menhir", Arg.Set use_menhir, " Use menhir instead of ocamlyacc");
      ("-use-jocaml", Arg.Unit use_jocaml, " Use jocaml compilers instead of ocaml ones");
      ( "-use-ocamlfind",
        Arg.Unit
          (fun () ->
            use_ocamlfind := true;
            plugin_use_ocamlfind := true),
        " Use the 'ocamlfind' wrapper" );
      ( "-no-ocamlfind",
        Arg.Unit
          (fun () ->
            use_ocamlfind := false;
            plugin_use_ocamlfind := false),
        " Don't use ocamlfind" );
      ("-plugin-use-ocamlfind", Arg.Set plugin_use_ocamlfind, " Use the 'ocamlfind' wrapper for building myocamlbuild.ml");
      ("-plugin-no-ocamlfind", Arg.Clear plugin_use_ocamlfind, " Don't use ocamlfind for building myocamlbuild.ml");
      ("-toolchain", Arg.Set_string toolchain, "<toolchain> Set the Findlib toolchain to use");
      ("-j", Arg.Set_int Command.jobs, "<N> Allow N jobs at once (0 for unlimited)");
      ("-build-dir", Arg.String set_build_dir, "<path> Set build directory (implies no-links)");
      ("-install-lib-dir", ignore_string, "<path> Set the install library directory");
      ("-install-bin-dir", ignore_string, "<path> Set the install binary directory");
      ("-where", ignore_unit, " Display the install library directory");
      ("-which", ignore_string, "<command> Display path to the tool command");
      ("-ocamlc", set_cmd ocamlc, "<command> Set the OCaml bytecode compiler");
      ("-plugin-ocamlc", set_cmd plugin_ocamlc, "<command> Set the OCaml bytecode compiler used when building myocamlbuild.ml (only)");
      ("-ocamlopt", set_cmd ocamlopt, "<command> Set the OCaml native compiler");
      ("-plugin-ocamlopt", set_cmd plugin_ocamlopt, "<command> Set the OCaml native compiler used when building myocamlbuild.ml (only)");
      ("-ocamldep", set_cmd ocamldep, "<command> Set the OCaml dependency tool");
      ("-ocamldoc", set_cmd ocamldoc, "<command> Set the OCaml documentation generator");
      ("-ocamlyacc", set_cmd ocamlyacc, "<command> Set the ocamlyacc tool");
      ("-menhir", set_cmd ocamlyacc, "<command> Set the menhir tool (use it after -use-menhir)");
      ("-ocamllex", set_cmd ocamllex, "<command> Set the ocamllex tool");
      ("-ocamlmklib", set_cmd ocamlmklib, "<command> Set the ocamlmklib tool");
      ("-ocamlmktop", set_cmd ocamlmktop, "<command> Set the ocamlmktop tool");
      ("-ocamlrun", set_cmd ocamlrun, "<command> Set the ocamlrun tool");
      ( "--",
        Arg.Rest
          (fun x ->
            program_to_execute := true;
            add_to' program_args_internal x),
        " Stop argument processing, remaining arguments are given to the user program" );
    ]

let add x = spec := !spec @ [ x ]

(* The option table, [add]ed options included. *)
let spec_list () = !spec

(* ocamlbuild's [Options.init]: parses [argv], then appends what the
   command line gave to what the plugin set before. *)
let init_from argv =
  let usage = Printf.sprintf "Usage %s [options] <target>" argv.(0) in
  let argv = Array.append argv [| "*invalid-dummy-string*" |] in
  Arg.parse_argv argv (Arg.align !spec)
    (fun x -> if x <> "*invalid-dummy-string*" then add_to' targets_internal x)
    usage;
  let reorder x y = x := !x @ List.concat (List.rev !y) in
  reorder targets targets_internal;
  reorder ocaml_libs ocaml_libs_internal;
  reorder ocaml_mods ocaml_mods_internal;
  reorder ocaml_pkgs ocaml_pkgs_internal;
  reorder ocaml_cflags ocaml_cflags_internal;
  reorder ocaml_lflags ocaml_lflags_internal;
  reorder ocaml_ppflags ocaml_ppflags_internal;
  reorder ocaml_docflags ocaml_docflags_internal;
  reorder ocaml_yaccflags ocaml_yaccflags_internal;
  reorder ocaml_lexflags ocaml_lexflags_internal;
  reorder program_args program_args_internal;
  reorder tags tags_internal;
  reorder tag_lines tag_lines_internal;
  reorder ignore_list ignore_list_internal;
  reorder show_tags show_tags_internal;
  reorder plugin_tags plugin_tags_internal;
  let dir_reorder my dir =
    let d = !dir in
    reorder dir my;
    dir := List.filter Sys.file_exists (Ocamlbuild_pack__my_std.List.ordered_unique (!dir @ d))
  in
  dir_reorder my_include_dirs include_dirs;
  dir_reorder my_exclude_dirs exclude_dirs;
  ignore_list := List.map String.capitalize_ascii !ignore_list

(* Every option value, for caravan. *)
let snapshot () =
  let s name v = Wire.List [ Wire.Atom name; Wire.Atom v ] in
  let b name r = Wire.List [ Wire.Atom name; Wire.bool !r ] in
  let l name r = Wire.List [ Wire.Atom name; Wire.atoms !r ] in
  let c name r = Wire.List [ Wire.Atom name; Command.encode_spec !r ] in
  Wire.List
    [
      s "build_dir" !build_dir; l "include_dirs" include_dirs; l "exclude_dirs" exclude_dirs;
      b "nothing_should_be_rebuilt" nothing_should_be_rebuilt; b "sanitize" sanitize;
      s "sanitization_script" !sanitization_script; b "hygiene" hygiene; b "ignore_auto" ignore_auto;
      b "make_links" make_links; b "nostdlib" nostdlib; b "use_menhir" use_menhir;
      b "use_ocamlfind" use_ocamlfind; b "recursive" recursive; b "must_clean" must_clean;
      b "show_documentation" show_documentation; b "program_to_execute" program_to_execute;
      s "toolchain" !toolchain; c "ocamlc" ocamlc; c "ocamlopt" ocamlopt; c "ocamldep" ocamldep;
      c "ocamldoc" ocamldoc; c "ocamlyacc" ocamlyacc; c "ocamllex" ocamllex; c "ocamlmklib" ocamlmklib;
      c "ocamlmktop" ocamlmktop; c "ocamlrun" ocamlrun; s "ext_lib" !ext_lib; s "ext_obj" !ext_obj;
      s "ext_dll" !ext_dll; s "exe" !exe; l "targets" targets; l "ocaml_libs" ocaml_libs;
      l "ocaml_mods" ocaml_mods; l "ocaml_pkgs" ocaml_pkgs;
      Wire.List [ Wire.Atom "ocaml_syntax"; Wire.atoms (Option.to_list !ocaml_syntax) ];
      l "ocaml_lflags" ocaml_lflags; l "ocaml_cflags" ocaml_cflags; l "ocaml_ppflags" ocaml_ppflags;
      l "ocaml_docflags" ocaml_docflags; l "ocaml_yaccflags" ocaml_yaccflags;
      l "ocaml_lexflags" ocaml_lexflags; l "program_args" program_args; l "ignore_list" ignore_list;
      l "tags" tags; l "tag_lines" tag_lines; l "show_tags" show_tags; l "plugin_tags" plugin_tags;
      Wire.List [ Wire.Atom "jobs"; Wire.Atom (string_of_int !Command.jobs) ];
    ]

(* Whether the root looks like an ocamlbuild project (a _tags file or a
   myocamlbuild.ml), which turns on the recursive traversal. *)
let ocamlbuild_project_heuristic () =
  let root = Filename.dirname !build_dir in
  Sys.file_exists (Filename.concat root "_tags") || Sys.file_exists (Filename.concat root "myocamlbuild.ml")

(* ocamlbuild's snapshot of the source tree; caravan keeps its own and
   does not hand it to plugins. *)
let entry : bool Ocamlbuild_pack__slurp.entry option ref = ref None

let init () = init_from Sys.argv

let spec = spec_list
