//! C stubs: `x.c` → `x.o`, and C libraries `libX.a` + `dllX.so` made by
//! `ocamlmklib` from `libX.clib`.
//!
//! A C file is compiled through the OCaml compiler, as ocamlbuild does
//! (`ocamlc`, or `ocamlopt` when the `.c` is tagged `native`), which passes
//! OCaml's include directory and C flags: `ocamlc <flags> -c x.c`, with the
//! tags of the `.c` plus `c compile` (`cc(…)`, `ccopt(…)`, `debug`...). For
//! a file in a folder, caravan adds `-o dir/x.o` where ocamlbuild runs a
//! second command (`mv x.o dir/x.o`), so that nothing is written at the
//! build directory's root, where another target of that name may live. The
//! `.h` files of the C file's folder are inputs of its compilation.
//!
//! `libX.clib` lists object files (`x.o`, `sub/y.o`), each looked up under
//! the library's folder then under the include directories. Without a
//! `libX.clib`, `libX.a` is made from `X.o` alone (ocamlbuild's
//! `(o|obj) -> clib` rule). The command is ocamlbuild's: `ocamlmklib -o
//! dir/X <flags> objects`, with the tags of `libX.a` plus `c ocamlmklib`.
//!
//! A command whose flags link a C library of the project (`-cclib -lX`,
//! `-dllib -lX`, from `cclib(…)`/`dllib(…)` tags) needs `libX.a` and
//! `dllX.so` first ([`stubs_of_flags`]); an archive passes them on to every
//! link that uses it, and a link whose C libraries are at the root gets
//! `-ccopt -L.` ([`root_library_path`]).

use std::sync::Arc;

use engine::{Action, Input, Result, Target, Task, TaskCx, TaskValue};
use futures::future::BoxFuture;

use super::context::{RuleContext, log_tags};
use crate::mode::Mode;
use crate::ocamlfind::CommandParts;
use crate::rule_error::{Category, RuleError};

/// `x.c` → `x.o`.
pub struct CObject {
    /// The rules' context.
    pub cx: Arc<RuleContext>,
    /// The C file.
    pub source: Target,
}

impl Task for CObject {
    fn run(self: Arc<Self>, tcx: Arc<TaskCx>) -> BoxFuture<'static, Result<TaskValue>> {
        Box::pin(async move {
            let cx = &self.cx;
            let out = tcx.key().clone();
            let dir = self.source.dir();
            let headers: Vec<Target> = cx
                .project
                .files
                .iter()
                .filter(|f| f.ends_with(".h") && Target::new(f).dir() == dir)
                .map(|f| Target::new(f))
                .collect();
            let mut needed = vec![self.source.clone()];
            needed.extend(headers);
            tcx.need(&needed).await?;
            let mode = if cx.tagger.has(self.source.as_str(), "native") {
                Mode::Native
            } else {
                Mode::Byte
            };
            let tags = cx.command_tags(&[self.source.as_str()], &["c", "compile"]);
            let tag_inputs = cx.tag_deps(&tcx, &tags).await?;
            let mut before = cx.flags_of(&tags);
            before.push("-c".into());
            if !dir.is_empty() {
                before.extend(["-o".to_string(), out.to_string()]);
            }
            let parts = CommandParts {
                before,
                files: vec![self.source.to_string()],
                after: Vec::new(),
            };
            let (argv, packages) = cx.compiler_command(mode, parts)?;
            let mut action = Action::process(argv);
            action.salt.push(packages);
            action.salt.push(cx.toolchain.identity.clone());
            action.inputs = needed.into_iter().map(Input::File).collect();
            action.inputs.extend(tag_inputs);
            action.outputs.push(out);
            action.log.target = self.source.to_string();
            action.log.tags = log_tags(tags);
            Ok(TaskValue::files(tcx.run(action).await?))
        })
    }
}

/// What a C library is made of.
#[derive(Clone, Debug)]
pub enum CLibrarySource {
    /// A `libX.clib` list of objects.
    List(Target),
    /// The single object `X.o`.
    Single(Target),
}

/// `libX.clib` → `libX.a` + `dllX.so`.
pub struct CLibrary {
    /// The rules' context.
    pub cx: Arc<RuleContext>,
    /// Its objects.
    pub source: CLibrarySource,
    /// `dir/X`, as `ocamlmklib -o` takes it.
    pub base: String,
}

/// The files of C library `dir/X`: `dir/libX.a`, and `dir/dllX.so` when the
/// platform has shared libraries.
pub fn library_files(cx: &RuleContext, base: &str) -> Vec<Target> {
    let t = Target::new(base);
    let (dir, name) = (t.dir(), t.file_name());
    let join = |f: String| {
        if dir.is_empty() {
            Target::new(&f)
        } else {
            Target::new(&format!("{dir}/{f}"))
        }
    };
    let mut files = vec![join(format!("lib{name}.{}", cx.toolchain.ext_lib()))];
    if cx.toolchain.supports_shared_libraries() {
        files.push(join(format!("dll{name}.{}", cx.toolchain.ext_dll())));
    }
    files
}

impl Task for CLibrary {
    fn run(self: Arc<Self>, tcx: Arc<TaskCx>) -> BoxFuture<'static, Result<TaskValue>> {
        Box::pin(async move {
            let cx = &self.cx;
            let out = tcx.key().clone();
            let ext_obj = cx.toolchain.ext_obj().to_string();
            let objects = match &self.source {
                CLibrarySource::Single(o) => vec![o.clone()],
                CLibrarySource::List(clib) => {
                    let words = super::list_file::read(&tcx, clib).await?;
                    let mut objects = Vec::new();
                    for w in words {
                        let w = match w.strip_suffix(".o") {
                            Some(stem) if ext_obj != "o" => format!("{stem}.{ext_obj}"),
                            _ => w,
                        };
                        let found = cx
                            .project
                            .include_dirs_of(out.dir())
                            .into_iter()
                            .map(|d| {
                                if d.is_empty() {
                                    Target::new(&w)
                                } else {
                                    Target::new(&format!("{d}/{w}"))
                                }
                            })
                            .find(|t| tcx.can_build(t))
                            .ok_or_else(|| {
                                RuleError::new(
                                    Category::MissingSource,
                                    format!(
                                        "{clib} lists {w}, which caravan cannot build: there \
                                         is no C file (or other source) for it in {} or the \
                                         include directories.\nHint: entries are object files \
                                         relative to the .clib's folder (src/foo.o for \
                                         src/foo.c).",
                                        if out.dir().is_empty() {
                                            "the project root"
                                        } else {
                                            out.dir()
                                        }
                                    ),
                                )
                            })?;
                        objects.push(found);
                    }
                    objects
                }
            };
            tcx.need(&objects).await?;
            let tags = cx.command_tags(&[out.as_str()], &["c", "ocamlmklib"]);
            let tag_inputs = cx.tag_deps(&tcx, &tags).await?;
            let mut argv = cx.toolchain.ocamlmklib()?.to_vec();
            argv.extend(["-o".to_string(), self.base.clone()]);
            argv.extend(cx.flags_of(&tags));
            argv.extend(objects.iter().map(|o| o.to_string()));
            let mut action = Action::process(argv);
            action.salt.push(cx.toolchain.identity.clone());
            action.salt.push(cx.toolchain.tools_identity());
            action.inputs = objects.into_iter().map(Input::File).collect();
            if let CLibrarySource::List(clib) = &self.source {
                action.inputs.push(Input::File(clib.clone()));
            }
            action.inputs.extend(tag_inputs);
            action.outputs = library_files(cx, &self.base);
            action.log.target = self.base.clone();
            action.log.tags = log_tags(tags);
            Ok(TaskValue::files(tcx.run(action).await?))
        })
    }
}

/// `-ccopt -L.` when one of the C libraries a link needs is at the root of
/// the build directory: the C linker finds libraries in the folders given
/// with `-I` (as `-L`), and `-I .` is never written, so without it the
/// linker would not find them (ocamlbuild fails there).
pub fn root_library_path(stubs: &[Target]) -> Vec<String> {
    if stubs.iter().any(|s| s.dir().is_empty()) {
        vec!["-ccopt".to_string(), "-L.".to_string()]
    } else {
        Vec::new()
    }
}

/// The C libraries of the project that `flags` link (`-cclib -lX`,
/// `-dllib -lX`): `libX.a` and `dllX.so` for each `libX.clib` found, looked
/// for in `dir`, then the include directories, then anywhere in the tree.
pub fn stubs_of_flags(cx: &RuleContext, flags: &[String], dir: &str) -> Vec<Target> {
    let mut out = Vec::new();
    for pair in flags.windows(2) {
        if !matches!(pair[0].as_str(), "-cclib" | "-dllib") {
            continue;
        }
        let Some(name) = pair[1].strip_prefix("-l") else {
            continue;
        };
        let Some(base) = find_clib(cx, name, dir) else {
            continue;
        };
        for f in library_files(cx, &base) {
            if !out.contains(&f) {
                out.push(f);
            }
        }
    }
    out
}

/// `dir/X` for the project's `dir/libX.clib`, or else its `dir/X.c` (a C
/// library of that one object).
fn find_clib(cx: &RuleContext, name: &str, dir: &str) -> Option<String> {
    let find = |file: String| -> Option<String> {
        let in_dir = |d: &str| {
            if d.is_empty() {
                file.clone()
            } else {
                format!("{d}/{file}")
            }
        };
        let mut candidates: Vec<String> = cx
            .project
            .include_dirs_of(dir)
            .into_iter()
            .map(in_dir)
            .collect();
        candidates.extend(
            cx.project
                .files
                .iter()
                .filter(|f| Target::new(f).file_name() == file)
                .cloned(),
        );
        candidates
            .into_iter()
            .find(|c| cx.resolver.is_source(c))
            .map(|c| {
                let t = Target::new(&c);
                if t.dir().is_empty() {
                    name.to_string()
                } else {
                    format!("{}/{name}", t.dir())
                }
            })
    };
    find(format!("lib{name}.clib")).or_else(|| find(format!("{name}.c")))
}

#[cfg(test)]
mod tests {
    //! Expected commands are those of ocamlbuild 0.14.1's `_log` for the
    //! same tree with `-cflags -ccopt,-O2` (without `/usr/bin/`).

    use crate::rules::testing::Fixture;

    fn tree() -> Fixture {
        Fixture::new(&[
            ("stub.c", "int f(void){return 1;}\n"),
            ("sub/other.c", "int g(void){return 1;}\n"),
            ("libfoo.clib", "stub.o sub/other.o\n"),
        ])
        .tags("<stub.c>: debug\n")
        .with(|f| f.flag_options.cflags = vec!["-ccopt".into(), "-O2".into()])
    }

    #[test]
    fn a_c_file_is_compiled_by_ocamlc_with_the_c_compile_flags() {
        let b = tree().build(&["stub.o"]).ok();
        let a = b.action("stub.o");
        assert_eq!(a.line, "ocamlc.opt -ccopt -O2 -g -c stub.c");
        assert_eq!(a.log_target, "stub.c");
        assert_eq!(a.inputs, ["stub.c"]);
    }

    #[test]
    fn a_c_file_in_a_folder_gets_its_object_there() {
        // ocamlbuild: `ocamlc.opt -ccopt -O2 -c sub/other.c` then
        // `mv other.o sub/other.o`; caravan writes it there at once (see
        // the module doc).
        let b = tree().build(&["sub/other.o"]).ok();
        let a = b.action("sub/other.o");
        assert_eq!(
            a.line,
            "ocamlc.opt -ccopt -O2 -c -o sub/other.o sub/other.c"
        );
        assert_eq!(a.outputs, ["sub/other.o"]);
    }

    #[test]
    fn a_clib_is_made_by_ocamlmklib() {
        let b = tree().build(&["libfoo.a"]).ok();
        let a = b.action("libfoo.a");
        assert_eq!(a.line, "ocamlmklib.opt -o foo stub.o sub/other.o");
        assert_eq!(a.outputs, ["libfoo.a", "dllfoo.so"]);
    }
}
