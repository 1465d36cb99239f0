(* Caravan_layer: the functions a project's build_rules.ml calls (seed
   001's layer): tool paths from build_tools, the install root, shared
   folders, C stubs. caravan compiles build_rules.ml into the plugin as
   the expression of a function run in After_rules, in a module that
   applies [Make] to the project's tools and install root (written into
   that generated module, so a change to build_tools recompiles the
   plugin) and opens the result.

   Folder patterns: [shared_namespace_dir] and [include_subdirs] declare
   contexts with "d/**" (every folder under d) and "d/*" (its direct
   sub-folders); caravan expands them with the folders of the traversed
   tree when it makes the rules, so a folder added later needs no plugin
   run. *)

open Ocamlbuild_plugin

(* Actions registered for After_rules, run after the plugin's own
   [dispatch] handler (Hooks.call_hook). *)
let after_rules f = Ocamlbuild_pack.Hooks.add_after_rules f

type tool = Internal of string | External of string

module type CONFIG = sig
  (* The install root: -mlstatelibs, else $MLSTATELIBS, else the absolute
     build folder. *)
  val mlstatelibs : string

  (* The build folder, absolute. *)
  val build_dir : string

  (* build_tools: name, tool (an internal tool's target, relative to the
     root; an external tool's program, resolved). *)
  val tools : (string * tool) list
end

module Make (C : CONFIG) = struct
  let mlstatelibs = C.mlstatelibs

  let find_tool caller name =
    match List.assoc_opt name C.tools with
    | Some t -> t
    | None ->
        let known = String.concat ", " (List.map fst C.tools) in
        failwith
          (Printf.sprintf "%s: no tool %S is declared in build_tools%s" caller name
             (if known = "" then "" else " (declared: " ^ known ^ ")"))

  (* The targets to build before using the tool: an internal tool's, none
     for an external one. *)
  let tool_deps name = match find_tool "tool_deps" name with Internal f -> [ f ] | External _ -> []

  (* The tool's path as a string: an internal tool's in the build folder,
     absolute (relative to the build folder with ~local:true, where
     actions run). *)
  let tool_path ?(local = false) name =
    match find_tool "get_tool" name with
    | Internal f -> if local then f else Filename.concat C.build_dir f
    | External f -> f

  (* The tool as a command word, as the seed's [get_tool]. *)
  let get_tool ?local name = P (tool_path ?local name)

  let strip dir =
    let n = String.length dir in
    if n > 1 && dir.[n - 1] = '/' then String.sub dir 0 (n - 1) else dir

  (* [dir] and every folder under it see each other's modules. *)
  let shared_namespace_dir dir =
    let dir = strip dir in
    let all = [ dir; dir ^ "/**" ] in
    Pathname.define_context dir all;
    Pathname.define_context (dir ^ "/**") all

  (* [dir] sees the modules of its direct sub-folders. *)
  let include_subdirs dir =
    let dir = strip dir in
    Pathname.define_context dir [ dir; dir ^ "/*" ]

  (* The C library [dir/lib<name>.a] (and [dll<name>.so]), made by
     ocamlmklib from [dir/lib<name>.clib], linked with what is tagged
     use_<name>: an OCaml archive so tagged records -cclib -l<name>,
     -ccopt -L<dir> and -dllib -l<name>, so every program linking the
     archive links the C library; a program so tagged links it directly.
     caravan builds the C library before those links. *)
  let def_stubs ~dir name =
    let dir = strip dir in
    let tag = "use_" ^ name in
    let l = "-l" ^ name in
    mark_tag_used tag;
    flag [ "ocaml"; "link"; "library"; tag ] (S [ A "-cclib"; A l; A "-ccopt"; A ("-L" ^ dir) ]);
    (* Only bytecode archives record a shared library to load. *)
    flag [ "ocaml"; "link"; "library"; "byte"; tag ] (S [ A "-dllib"; A l ]);
    flag [ "ocaml"; "link"; "program"; tag ] (S [ A "-ccopt"; A ("-L" ^ dir); A "-cclib"; A l ]);
    flag [ "ocaml"; "link"; "byte"; "program"; tag ] (S [ A "-custom" ]);
    dep [ "ocaml"; "link"; tag ] [ Filename.concat dir ("lib" ^ name ^ ".a") ]
end
