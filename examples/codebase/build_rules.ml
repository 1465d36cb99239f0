(* One OCaml expression of type unit, evaluated in the plugin's After_rules
   hook with Ocamlbuild_plugin and caravan's layer functions in scope. *)

(* libs/textkit/fold shares textkit's namespace: Words sees Fold_case. *)
shared_namespace_dir "libs/textkit";

(* libs/store sees its private/ sub-folder. *)
include_subdirs "libs/store";

(* libstore_stubs.a, built from libs/store/stubs/libstore_stubs.clib, goes
   with whatever is tagged use_store_stubs. *)
def_stubs ~dir:"libs/store/stubs" "store_stubs";

(* Word lists become modules: tablegen (built first) writes the .ml. *)
rule "tablegen: tbl -> ml"
  ~deps:("%.tbl" :: tool_deps "tablegen")
  ~prod:"%.ml"
  (fun env _build ->
    Cmd (S [ get_tool "tablegen"; P (env "%.tbl"); Sh ">"; Px (env "%.ml") ]))
