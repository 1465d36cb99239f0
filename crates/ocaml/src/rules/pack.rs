//! Packs: `x.mlpack` → `x.cmo` (`ocamlc -pack`) and `x.cmx` + `x.o`
//! (`ocamlopt -pack`), a module whose submodules are the listed modules.
//!
//! As in ocamlbuild, an `.mlpack` wins over an `.ml` of the same name, the
//! members are looked up like the modules of an `.mllib` (so `foo.mlpack`
//! finds its members in `foo/` when that folder exists), and they are
//! ordered by their dependencies. Native members must be compiled with
//! `-for-pack Foo`: tag them `for-pack(Foo)` in `_tags` (ocamlbuild does not
//! do it either); without it, `ocamlopt -pack` fails with its own message
//! and caravan adds a hint.
//!
//! The interface: with an `x.mli`, `x.cmi` comes from it and both packs
//! check against it. Without one, the compiler that packs writes `x.cmi`,
//! and as for a module without `.mli` only one of them does: `ocamlc -pack`,
//! unless the build is native-only. `ocamlopt -pack` then reads the existing
//! `x.cmi`, told so by `-intf-suffix .mlpack` (ocamlbuild instead creates an
//! empty `x.mli` around the command with a shell `touch` and `rm`). After a
//! native-only build, a build of both accepts the trace of the `ocamlopt
//! -pack` that wrote the `.cmi` while `ocamlc -pack` writes the same one.
//!
//! Commands, as ocamlbuild's:
//! `ocamlc -pack <flags> members.cmo -o x.cmo` with the tags of `x.cmo` and
//! `ocaml pack byte`; `ocamlopt -pack <flags> <-I of the members' folders>
//! members.cmx -o x.cmx` with `ocaml pack native`.

use std::collections::BTreeSet;
use std::sync::Arc;

use engine::{Action, Error, Input, InputGroup, Result, Target, Task, TaskCx, TaskValue};
use futures::future::BoxFuture;

use super::closure;
use super::compile::{Compiled, InterfaceInfo, cmi_owner, interface_of};
use super::context::{RuleContext, log_tags};
use super::link_inputs::link_dirs;
use super::list_file;
use crate::mode::Mode;
use crate::ocamlfind::CommandParts;
use crate::resolver::ModuleSource;
use crate::rule_error::{Category, RuleError};

/// Packs the members of `x.mlpack` into `x.cmo` or `x.cmx`.
pub struct Pack {
    /// The rules' context.
    pub cx: Arc<RuleContext>,
    /// The pack module (`x`, with `pack` set).
    pub module: ModuleSource,
    /// Which compiler.
    pub mode: Mode,
}

impl Task for Pack {
    fn run(self: Arc<Self>, tcx: Arc<TaskCx>) -> BoxFuture<'static, Result<TaskValue>> {
        Box::pin(async move {
            let cx = &self.cx;
            let m = &self.module;
            let mode = self.mode;
            let out = tcx.key().clone();
            let mlpack = list_file::mlpack_of(m);
            let cmi = Target::new(&format!("{}.cmi", m.stem));
            let writes_cmi = !m.has_mli && mode == cmi_owner(cx);
            let members = list_file::modules(&tcx, cx, &mlpack).await?;
            let graph = closure::discover(&tcx, cx, &members, mode, &[], &|x| {
                members.iter().any(|y| y.stem == x.stem)
            })
            .await?;
            let list = closure::units_order(&graph, &members, mode)?;
            let member_cmis: Vec<Target> = members
                .iter()
                .map(|x| Target::new(&format!("{}.cmi", x.stem)))
                .collect();
            let ext_obj = cx.toolchain.ext_obj().to_string();
            let mut needed = list.clone();
            needed.extend(member_cmis.iter().cloned());
            if mode == Mode::Native {
                needed.extend(
                    members
                        .iter()
                        .map(|x| Target::new(&format!("{}.{ext_obj}", x.stem))),
                );
            }
            let built = tcx.need(&needed).await?;
            let mut inputs: Vec<Input> = needed.iter().cloned().map(Input::File).collect();
            inputs.push(Input::File(mlpack.clone()));
            if m.has_mli {
                let mli = Target::new(&format!("{}.mli", m.stem));
                tcx.need(&[mli.clone(), cmi.clone()]).await?;
                inputs.push(Input::Exists(mli));
                inputs.push(Input::File(cmi.clone()));
            } else if !writes_cmi {
                tcx.need_one(&cmi).await?;
            }

            let tags = cx.command_tags(&[out.as_str()], &["ocaml", "pack", mode.tag()]);
            inputs.extend(cx.tag_deps(&tcx, &tags).await?);
            // The pack's command, writing the .cmi (without an .mli) or not.
            let pack_action = |writes: bool| -> Result<Action> {
                let reads = !m.has_mli && !writes;
                let mut before = vec!["-pack".to_string()];
                if reads {
                    before.extend(["-intf-suffix".to_string(), ".mlpack".to_string()]);
                }
                before.extend(cx.flags_of(&tags));
                if mode == Mode::Native {
                    before.extend(link_dirs(&list, &[]));
                }
                let parts = CommandParts {
                    before,
                    files: list.iter().map(|t| t.to_string()).collect(),
                    after: vec!["-o".to_string(), out.to_string()],
                };
                let (argv, packages) = cx.compiler_command(mode, parts)?;
                let mut action = Action::process(argv);
                action.salt.push(packages);
                action.salt.push(cx.toolchain.identity.clone());
                action.inputs = inputs.clone();
                if reads {
                    action.inputs.push(Input::File(cmi.clone()));
                }
                action.outputs.push(out.clone());
                if mode == Mode::Native {
                    action
                        .outputs
                        .push(Target::new(&format!("{}.{ext_obj}", m.stem)));
                }
                if writes && !m.has_mli {
                    action.outputs.push(cmi.clone());
                }
                action.log.target = out.to_string();
                action.log.tags = log_tags(tags.clone());
                Ok(action)
            };
            let action = pack_action(writes_cmi)?;
            // As for a module (see `compile`): `ocamlopt -pack` reading the
            // .cmi gives what the one writing it gave when that one wrote
            // this very .cmi, so that one's trace stands for it.
            let equivalent = if mode == Mode::Native && !m.has_mli && !writes_cmi {
                tcx.up_to_date(tcx.key(), &pack_action(true)?)?
            } else {
                None
            };
            let outputs = match equivalent {
                // Its outputs but the .cmi, which is `ocamlc -pack`'s.
                Some(found) => found
                    .into_iter()
                    .filter(|(t, _)| action.outputs.contains(t))
                    .collect(),
                None => tcx
                    .run(action)
                    .await
                    .map_err(|e| for_pack_hint(e, m, &members))?,
            };

            // What the pack's users read: its interface, which mentions the
            // members' (and their dependencies') types; for native code the
            // packed `.cmx` and those of the members.
            let member_built = &built[list.len()..list.len() + member_cmis.len()];
            let mut closures = Vec::new();
            let mut dirs: BTreeSet<String> = BTreeSet::new();
            dirs.insert(m.dir().to_string());
            let member_dirs: BTreeSet<&str> = members.iter().map(|x| x.dir()).collect();
            for b in member_built {
                let info = interface_of(b)?;
                closures.push(info.closure.clone());
                dirs.extend(
                    info.dirs
                        .iter()
                        .filter(|d| !member_dirs.contains(d.as_str()))
                        .cloned(),
                );
            }
            let interface = if writes_cmi {
                let d = outputs
                    .iter()
                    .find(|(t, _)| *t == cmi)
                    .map(|(_, d)| *d)
                    .ok_or_else(|| Error::internal("the packed .cmi went missing"))?;
                Some(InterfaceInfo {
                    closure: Arc::new(InputGroup::new(vec![(cmi, d)], closures)),
                    dirs: Arc::new(dirs),
                    opaque: false,
                })
            } else {
                None
            };
            let native = if mode == Mode::Native {
                let mut groups = Vec::new();
                for b in &built[..list.len()] {
                    if let Some(g) = b.value.data::<Compiled>().and_then(|c| c.native.clone()) {
                        groups.push(g);
                    }
                }
                Some(Arc::new(InputGroup::new(vec![outputs[0].clone()], groups)))
            } else {
                None
            };
            Ok(TaskValue {
                outputs,
                data: Some(Arc::new(Compiled { interface, native })),
            })
        })
    }
}

/// Adds a hint to `ocamlopt -pack`'s complaint about a member compiled
/// without `-for-pack`.
fn for_pack_hint(e: Error, pack: &ModuleSource, members: &[ModuleSource]) -> Error {
    match &e {
        Error::CommandFailed(f) if f.output.contains("was not compiled with the `-for-pack") => {
            let name = crate::module_name::of_path(&pack.stem);
            let pattern: Vec<String> = members
                .iter()
                .map(|m| format!("<{}.cmx>", m.stem))
                .collect();
            RuleError::new(
                Category::ForPack,
                format!(
                    "the members of {}.mlpack must be compiled for the pack (ocamlopt's \
                     -for-pack {name}).\nHint: add this line to _tags:\n  {}: for-pack({name})",
                    pack.stem,
                    pattern.join(" or ")
                ),
            )
            .into()
        }
        _ => e,
    }
}

#[cfg(test)]
mod tests {
    //! Expected commands are those of ocamlbuild 0.14.1's `_log` for the
    //! same tree (without `/usr/bin/`).

    use crate::rules::testing::Fixture;

    fn tree() -> Fixture {
        Fixture::new(&[
            ("x.ml", "let x = Y.y\n"),
            ("y.ml", "let y = 1\n"),
            ("p.mlpack", "X\nY\n"),
            ("main.ml", "let () = print_int P.X.x\n"),
        ])
        .tags("<x.*> or <y.*>: for-pack(P)\n<p.cmo>: debug\n")
    }

    #[test]
    fn a_bytecode_pack_orders_its_members_and_is_linked_as_one_unit() {
        let b = tree().build(&["main.byte"]).ok();
        assert_eq!(b.line("y.cmo"), "ocamlc.opt -c -for-pack P -o y.cmo y.ml");
        assert_eq!(b.line("p.cmo"), "ocamlc.opt -pack -g y.cmo x.cmo -o p.cmo");
        assert_eq!(b.action("p.cmo").outputs, ["p.cmo", "p.cmi"]);
        assert_eq!(
            b.line("main.byte"),
            "ocamlc.opt p.cmo main.cmo -o main.byte"
        );
    }

    #[test]
    fn a_native_pack() {
        // ocamlbuild wraps it in `touch p.mli ; if ... ; then rm -f p.mli
        // ; else rm -f p.mli ; exit 1; fi` when no p.mli exists.
        let b = tree()
            .with(|f| f.options.cmi_from_native = true)
            .build(&["main.native"])
            .ok();
        assert_eq!(b.line("x.cmx"), "ocamlopt.opt -c -for-pack P -o x.cmx x.ml");
        assert_eq!(
            b.action("p.cmx").argv,
            ["ocamlopt.opt", "-pack", "y.cmx", "x.cmx", "-o", "p.cmx"]
        );
        assert_eq!(
            b.line("main.native"),
            "ocamlopt.opt p.cmx main.cmx -o main.native"
        );
    }
}
