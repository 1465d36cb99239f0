//! `_tags` give the same commands as with ocamlbuild: many trees built by
//! both tools, every compile and link command (and its tag set) compared.

use std::collections::BTreeMap;

use crate::support::Tree;

/// Per log target: the tag set of its header and its command, with tool
/// paths and caravan's own spellings normalised.
fn commands(log: &str) -> BTreeMap<String, (String, String)> {
    let mut out = BTreeMap::new();
    let lines: Vec<&str> = log.lines().collect();
    for pair in lines.windows(2) {
        let Some(rest) = pair[0].strip_prefix("# Target: ") else {
            continue;
        };
        let Some((target, tags)) = rest.split_once(", tags: ") else {
            continue;
        };
        let is_compile_or_link = [".cmo", ".cmx", ".cmi", ".byte", ".native"]
            .iter()
            .any(|e| target.ends_with(e));
        if !is_compile_or_link {
            continue;
        }
        let command = pair[1]
            .trim_end_matches(" # cached")
            .replace(" -intf-suffix .ml", "");
        out.insert(target.to_string(), (tags.to_string(), command));
    }
    out
}

fn conform(files: &[(&str, &str)], args: &[&str]) {
    let ours = Tree::new(files);
    let theirs = ours.copy_sources();
    let mut ob_args = vec!["-classic-display"];
    ob_args.extend(args);
    let b = theirs.ocamlbuild(&ob_args);
    assert_eq!(b.code, 0, "ocamlbuild failed:\n{}", b.stdout);
    ours.caravan(args).ok();
    let mine = commands(&ours.read("_build/_log"));
    let reference = commands(&theirs.read("_build/_log"));
    let mut compared = 0;
    for (target, (tags, command)) in &reference {
        let Some((my_tags, my_command)) = mine.get(target) else {
            // ocamlbuild also compiles bytecode for native builds of modules
            // without .mli (caravan does not): nothing to compare there.
            continue;
        };
        assert_eq!(my_command, command, "command for {target}");
        assert_eq!(my_tags, tags, "tags for {target}");
        compared += 1;
    }
    assert!(
        compared >= 2,
        "too few commands compared: {mine:#?}\n{reference:#?}"
    );
}

const A: (&str, &str) = ("a.ml", "let x = 1\nlet f s = String.length s\n");
const B: (&str, &str) = ("b.ml", "let () = print_int (A.x + A.f \"ab\")\n");

#[test]
fn conform_debug_and_command_line_tags() {
    conform(
        &[A, B, ("_tags", "true: debug\n")],
        &["-tag", "annot", "b.byte", "b.native"],
    );
}

#[test]
fn conform_parametrised_warnings() {
    conform(
        &[A, B, ("_tags", "<*.ml>: warn(+a-4-70), warn_error(+8)\n")],
        &["b.native", "b.byte"],
    );
}

#[test]
fn conform_sub_folder_tags_files() {
    conform(
        &[
            ("src/a.ml", "let x = 1\nlet f s = String.length s\n"),
            ("src/_tags", "true: short_paths\n<a.ml>: principal\n"),
            B,
            ("_tags", "<src>: include\ntrue: debug\n"),
        ],
        &["b.byte", "b.native"],
    );
}

#[test]
fn conform_negated_tags() {
    conform(
        &[
            A,
            B,
            (
                "_tags",
                "true: debug, annot\n<b.ml>: -debug\n\"a.ml\": -annot\n",
            ),
        ],
        &["b.byte"],
    );
}

#[test]
fn conform_tag_lines() {
    conform(
        &[A, B, ("_tags", "true: strict_sequence\n")],
        &[
            "-tag-line",
            "<a.ml>: principal, short_paths",
            "b.byte",
            "b.native",
        ],
    );
}

#[test]
fn conform_for_pack_and_inline() {
    conform(
        &[
            A,
            B,
            ("_tags", "<a.*>: for-pack(Pk)\n<**/*.cmx>: inline(50)\n"),
        ],
        &["a.cmx", "a.cmo"],
    );
}

#[test]
fn conform_libraries_and_threads() {
    conform(
        &[
            (
                "a.ml",
                "let x = Unix.getpid () > 0\nlet r = Str.regexp \"a\"\n",
            ),
            (
                "b.ml",
                "let () = print_string (if A.x then \"ok\" else \"no\")\n",
            ),
            ("_tags", "true: use_unix, use_str, thread\n"),
        ],
        &["b.byte", "b.native"],
    );
}

#[test]
fn conform_custom_program() {
    conform(
        &[A, B, ("_tags", "\"b.byte\": custom\n<*.cmo>: debug\n")],
        &["b.byte"],
    );
}

#[test]
fn conform_recursive_globs() {
    conform(
        &[
            ("lib/a.ml", "let x = 1\nlet f s = String.length s\n"),
            B,
            (
                "_tags",
                "<**/*.ml>: short_paths, strict_sequence, safe_string\n<lib>: include\n",
            ),
        ],
        &["b.native"],
    );
}

#[test]
fn conform_annotations_and_alias_flags() {
    conform(
        &[
            A,
            B,
            (
                "_tags",
                "true: bin_annot, keep_locs, no_alias_deps, opaque\n",
            ),
        ],
        &["b.byte", "b.native"],
    );
}

#[test]
fn conform_boolean_patterns() {
    conform(
        &[
            A,
            B,
            ("c.ml", "let () = A.(ignore x)\n"),
            (
                "_tags",
                "not <b.ml>: nolabels\n<a.ml> or <c.ml>: noassert\n(<*.ml> and not \"c.ml\"): unsafe\n",
            ),
        ],
        &["b.byte", "c.byte"],
    );
}

#[test]
fn conform_include_dirs_with_flags() {
    conform(
        &[
            ("lib/util.mli", "val v : int\n"),
            ("lib/util.ml", "let v = 3\n"),
            ("main.ml", "let () = print_int Util.v\n"),
            ("_tags", "<lib/*>: unsafe, debug\n<main.*>: inline(100)\n"),
        ],
        &["-I", "lib", "main.native", "main.byte"],
    );
}

#[test]
fn conform_command_line_flags_and_libs() {
    conform(
        &[
            ("a.ml", "let () = ignore (Str.regexp \"x\")\n"),
            ("_tags", "true: debug\n"),
        ],
        &[
            "-cflags", "-w,-a", "-lflags", "-verbose", "-lib", "str", "a.byte", "a.native",
        ],
    );
}

#[test]
fn conform_absname_and_assembly() {
    conform(
        &[A, B, ("_tags", "true: absname\n<a.cmx>: S\n")],
        &["b.native"],
    );
}

#[test]
fn conform_preprocessor_tags() {
    conform(
        &[
            ("a.ml", "let x = 1\nlet f s = String.length s\n"),
            B,
            ("_tags", "<a.ml>: pp(cat)\n<b.ml>: color(never)\n"),
        ],
        &["b.byte"],
    );
}

#[test]
fn conform_interface_tags() {
    conform(
        &[
            ("a.mli", "val x : int\nval f : string -> int\n"),
            A,
            B,
            (
                "_tags",
                "<a.mli>: principal, strict_formats\n<*.cmi>: debug\ntrue: nolabels\n",
            ),
        ],
        &["-tags", "short_paths,annot", "a.cmi", "a.cmo"],
    );
}

#[test]
fn conform_open_flag() {
    conform(
        &[
            ("helpers.ml", "let twice x = 2 * x\n"),
            ("a.ml", "let x = twice 2\nlet f s = String.length s\n"),
            B,
            ("_tags", "<a.ml>: open(Helpers)\n"),
        ],
        &["b.byte"],
    );
}
