//! End-to-end scenarios: several sources, subdirectories, flags, warnings,
//! each checked against what ocamlbuild 0.14.1 printed in an experiment.

use tags::{
    BUILTIN_LINES, Configuration, Declarations, SourceKind, TagSet, Warning, startup_checks,
};

fn words(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// A few declarations shaped like ocamlbuild's own (no-ocamlfind mode).
fn ocamlbuild_like() -> Declarations {
    let mut d: Declarations = Declarations::new();
    d.flag(["ocaml", "byte", "compile", "debug"], words(&["-g"]));
    d.flag(["ocaml", "ocamllex", "quiet"], words(&["-q"]));
    d.flag(["ocaml", "compile", "rectypes"], words(&["-rectypes"]));
    d.flag(["ocaml", "compile", "thread"], words(&["-thread"]));
    for t in ["byte", "program", "doc", "library", "infer"] {
        d.mark_tag_used(t);
    }
    d.pflag(["ocaml", "compile"], "for-pack", |p| {
        words(&["-for-pack", p])
    });
    d.pflag(["ocaml", "compile"], "warn", |p| words(&["-w", p]));
    d.pflag(["ocaml", "compile"], "pp", |p| words(&["-pp", p]));
    d
}

fn texts(w: &[Warning]) -> Vec<String> {
    w.iter().map(ToString::to_string).collect()
}

#[test]
fn startup_warnings_come_in_ocamlbuild_order() {
    // Experiment: root `_tags` "true: package(a), pp\ntrue: package(b), warn\n"
    // and `-tag-line 'true: warn'` twice; `ocamlbuild a.ml` printed the
    // parameter warnings (newest first, the repeated -tag-line once), then
    // the unused-tag warnings.
    let mut c = Configuration::new();
    c.add_builtin(BUILTIN_LINES).unwrap();
    c.add_command_line("true: warn").unwrap();
    c.add_command_line("true: warn").unwrap();
    c.tag_any(&["quiet"]).unwrap();
    c.tag_any(&["traverse"]).unwrap();
    c.add_tags_file("", b"true: package(a), pp\ntrue: package(b), warn\n")
        .unwrap();
    let mut d = ocamlbuild_like();
    let mut w = Vec::new();
    startup_checks(&c, &mut d, &mut w).unwrap();
    let unused = |loc: &str, t: &str| {
        format!(
            "{loc}\nWarning: the tag \"{t}\" is not used in any flag or dependency declaration, so it will have no effect; it may be a typo. Otherwise you can use `mark_tag_used` in your myocamlbuild.ml to disable this warning."
        )
    };
    assert_eq!(
        texts(&w),
        [
            "File \"_tags\", line 2, characters 6-16:\nWarning: tag \"package\" does not expect a parameter, but is used with parameter \"b\"".to_string(),
            "File \"_tags\", line 2, characters 18-22:\nWarning: tag \"warn\" expects a parameter".to_string(),
            "File \"_tags\", line 1, characters 6-16:\nWarning: tag \"package\" does not expect a parameter, but is used with parameter \"a\"".to_string(),
            "File \"_tags\", line 1, characters 18-20:\nWarning: tag \"pp\" expects a parameter".to_string(),
            "Command-line \"true: warn\", line 1, characters 6-10:\nWarning: tag \"warn\" expects a parameter".to_string(),
            unused("File \"_tags\", line 1, characters 18-20:", "pp"),
            unused("File \"_tags\", line 1, characters 6-16:", "package(a)"),
            unused("File \"_tags\", line 2, characters 18-22:", "warn"),
            unused("File \"_tags\", line 2, characters 6-16:", "package(b)"),
            unused("Command-line \"true: warn\", line 1, characters 6-10:", "warn"),
            unused("Command-line \"true: warn\", line 1, characters 6-10:", "warn"),
        ]
    );
}

#[test]
fn the_command_line_cannot_remove_a_tag_set_by_tags_files() {
    let mut c = Configuration::new();
    c.add_command_line("true: -debug").unwrap();
    c.tag_any(&["quiet", "-debug"]).unwrap();
    c.add_tags_file("", b"<a.ml>: debug\n").unwrap();
    assert!(c.tags_of("a.ml").contains("debug"));
}

#[test]
fn a_subdirectory_tags_file_overrides_the_root_one() {
    let mut c = Configuration::new();
    c.add_tags_file("", b"<src/**/*.ml>: debug, rectypes\n")
        .unwrap();
    c.add_tags_file("src", b"<*.ml>: -debug\n").unwrap();
    c.add_tags_file("src/deep", b"true: debug\n").unwrap();
    let names =
        |p: &str| -> Vec<String> { c.configured_tags(p).iter().map(|t| t.to_string()).collect() };
    assert_eq!(names("src/a.ml"), ["rectypes"]);
    assert_eq!(names("src/deep/b.ml"), ["debug", "rectypes"]);
    assert_eq!(names("src/deep"), ["debug"]);
}

#[test]
fn errors_in_a_subdirectory_name_the_subdirectory_file() {
    // Experiment: sub/_tags holding "\n\n<x>: b c" printed
    // `File "sub/_tags", line 3, characters 6-7:`.
    let mut c = Configuration::new();
    let e = c.add_tags_file("sub", b"\n\n<x>: b c").unwrap_err();
    assert_eq!(
        e.to_string(),
        "File \"sub/_tags\", line 3, characters 6-7:\nLexing error: Only ',' separated tags are allowed."
    );
    assert!(c.parts().is_empty());
}

#[test]
fn command_line_sources_are_named_after_short_single_lines_only() {
    // Experiments with `ocamlbuild -tag-line ...`.
    let mut c = Configuration::new();
    let e = c.add_command_line("<a.ml>: foo bar").unwrap_err();
    assert_eq!(
        e.to_string(),
        "Command-line \"<a.ml>: foo bar\", line 1, characters 11-12:\nLexing error: Only ',' separated tags are allowed."
    );
    let e = c.add_command_line("true: a\n<x>: b c").unwrap_err();
    assert_eq!(
        e.to_string(),
        "Command-line \"\", line 2, characters 6-7:\nLexing error: Only ',' separated tags are allowed."
    );
    let e = c.add_command_line("true: a,\\\n b c").unwrap_err();
    assert_eq!(
        e.to_string(),
        "Command-line \"\", line 2, characters 1-2:\nLexing error: Only ',' separated tags are allowed."
    );
    let e = c.add_command_line("a\u{e9}b: c").unwrap_err();
    assert_eq!(
        e.to_string(),
        "Command-line \"a\\\\195\\\\169b: c\", line 1, characters 0-6:\nLexing error: Invalid globbing pattern \"a\\195\\169b\"."
    );
    let e = c.tag_any(&["quiet", "foo bar"]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "Configuration \"true: quiet, foo bar\", line 1, characters 16-17:\nLexing error: Only ',' separated tags are allowed."
    );
    if let tags::Error::Lexing { location, .. } = e {
        assert_eq!(location.source.kind, SourceKind::Configuration);
    }
}

#[test]
fn global_tags_are_the_tags_of_the_empty_path() {
    let mut c = Configuration::new();
    c.add_tags_file("", b"true: use_menhir\n<**/*>: x\n<*.ml>: y\n")
        .unwrap();
    let g: TagSet = ["use_menhir", "x"].into_iter().collect();
    assert_eq!(c.global_tags(), g);
    assert!(c.has_tag("use_menhir"));
}

#[test]
fn removed_tags_are_not_acknowledged_but_are_checked_for_use() {
    // Experiment: `true: -warn, -package(x)` gives no parameter warning, and
    // the unused warnings for package(x) then warn.
    let mut c = Configuration::new();
    c.add_tags_file("", b"true: -warn, -package(x)\n").unwrap();
    let mut d = ocamlbuild_like();
    let mut w = Vec::new();
    startup_checks(&c, &mut d, &mut w).unwrap();
    let firsts: Vec<String> = w
        .iter()
        .map(|w| {
            w.to_string()
                .lines()
                .take(2)
                .collect::<Vec<_>>()
                .join(" | ")
        })
        .map(|s| {
            s.split(" is not used")
                .next()
                .unwrap_or_default()
                .to_string()
        })
        .collect();
    assert_eq!(
        firsts,
        [
            "File \"_tags\", line 1, characters 13-24: | Warning: the tag \"package(x)\"",
            "File \"_tags\", line 1, characters 6-11: | Warning: the tag \"warn\"",
        ]
    );
}

#[test]
fn configurations_and_declarations_can_be_shared_between_threads() {
    fn shared<T: Send + Sync>() {}
    shared::<Configuration>();
    shared::<Declarations>();
    shared::<TagSet>();
    shared::<tags::Error>();
}

#[test]
fn root_and_subdirectory_files_combine_as_in_ocamlbuild() {
    // Experiment: root `_tags` and `sub/_tags` below, then
    // `ocamlbuild -show-tags P ...` for each path; output copied verbatim.
    let mut c = Configuration::new();
    c.add_builtin(BUILTIN_LINES).unwrap();
    c.tag_any(&["quiet"]).unwrap();
    c.tag_any(&["traverse"]).unwrap();
    c.add_tags_file("", b"true: root\n<sub/**/*.ml>: rsub\n")
        .unwrap();
    c.add_tags_file(
        "sub",
        b"<*.ml>: x\n\"c.ml\": y\ntrue: z\n<**/*.ml>: w\nnot <b.ml>: v, -root\n",
    )
    .unwrap();
    let out: String = [
        "sub/a.ml",
        "sub/b.ml",
        "sub/c.ml",
        "sub/d/e.ml",
        "sub",
        "a.ml",
        "subx/a.ml",
    ]
    .iter()
    .map(|p| c.tags_of(p).show_tags_form(p))
    .collect();
    assert_eq!(
        out,
        r#"Tags for "sub/a.ml":
  {. extension:ml, file:sub/a.ml, ocaml, quiet, rsub, traverse, v, w, x, z .}
Tags for "sub/b.ml":
  {. extension:ml, file:sub/b.ml, ocaml, quiet, root, rsub, traverse, w, x, z .}
Tags for "sub/c.ml":
  {. extension:ml, file:sub/c.ml, ocaml, quiet, rsub, traverse, v, w, x, y, z .}
Tags for "sub/d/e.ml":
  {. extension:ml, file:sub/d/e.ml, ocaml, quiet, rsub, traverse, v, w, z .}
Tags for "sub": {. extension:, file:sub, quiet, traverse, v, z .}
Tags for "a.ml": {. extension:ml, file:a.ml, ocaml, quiet, root, traverse .}
Tags for "subx/a.ml":
  {. extension:ml, file:subx/a.ml, ocaml, quiet, root, traverse .}
"#
    );
}

#[test]
fn parametrised_flags_are_ordered_newest_line_and_file_first() {
    // Experiment: root `_tags` "true: warn(A), for-pack(P1)\n<sub/x.ml>: warn(D)",
    // sub/_tags "true: warn(B)", `-tag-line 'true: warn(C)'`;
    // `ocamlbuild sub/x.cmo` ran
    // `ocamlc.opt -c -w B -w D -w A -for-pack P1 -w C -I sub -o sub/x.cmo sub/x.ml`.
    let mut c = Configuration::new();
    c.add_builtin(BUILTIN_LINES).unwrap();
    c.add_command_line("true: warn(C)").unwrap();
    c.tag_any(&["quiet"]).unwrap();
    c.tag_any(&["traverse"]).unwrap();
    c.add_tags_file("", b"true: warn(A), for-pack(P1)\n<sub/x.ml>: warn(D)\n")
        .unwrap();
    c.add_tags_file("sub", b"true: warn(B)\n").unwrap();
    let mut d = ocamlbuild_like();
    let mut w = Vec::new();
    startup_checks(&c, &mut d, &mut w).unwrap();
    assert!(w.is_empty(), "{w:?}");
    let cmd = c
        .tags_of("sub/x.ml")
        .union(&c.tags_of("sub/x.cmo"))
        .with("implem")
        .with("ocaml")
        .with("byte")
        .with("compile");
    assert_eq!(
        cmd.to_string(),
        "{ for-pack(P1), warn(A), warn(B), warn(C), warn(D), byte, compile, extension:cmo, extension:ml, file:sub/x.cmo, file:sub/x.ml, implem, ocaml, quiet, traverse }"
    );
    assert_eq!(
        d.flags_of(&cmd).join(" "),
        "-w B -w D -w A -for-pack P1 -w C"
    );
}
