//! Compiling one module: `.mli` → `.cmi`, `.ml` → `.cmo` or `.cmx` + `.o`.
//!
//! Before a compiler runs, the interfaces of the modules its source
//! mentions are built; a native compilation also builds their `.cmx` (for
//! cross-module inlining), as ocamlbuild does. Every action declares as
//! inputs the direct interfaces it reads plus, as shared groups, their
//! transitive closures, so the declaration is exact.
//!
//! For a module without an `.mli`, one compiler writes the `.cmi`: `ocamlc`
//! in a build that needs bytecode, `ocamlopt` in a native-only build. The
//! other compiler then reads that `.cmi` (`-intf-suffix .ml` makes it treat
//! the `.ml` as the interface's source) instead of writing it again, so no
//! action ever overwrites another's output, and a native-only build runs one
//! compiler per module. Switching between such builds reruns nothing: a
//! native-only build reads the `.cmi` of a bytecode compilation that is
//! still up to date (a probe of its trace, no process), and a native
//! compilation that reads the `.cmi` accepts the trace of the one that
//! wrote it when that one wrote the same `.cmi` (the two give the same
//! `.cmx` and `.o`). A native-only build that needs bytecode (a
//! preprocessor `.byte`) keeps a bytecode compilation that wrote the
//! `.cmi` while it is up to date, and its bytecode compilations ask the
//! interfaces of modules without `.mli` of their bytecode compilations, so
//! nothing native is built for the preprocessor. With `bin_annot`, the `.cmti` is an output of the
//! interface's compilation; both compilers write the `.cmt` (as with
//! ocamlbuild, both get `-bin-annot`), so it is no declared output: asked for
//! as a target, it is taken from the compilation that writes the `.cmi`.
//!
//! Compile-time dependencies are interfaces: a native compilation also reads
//! the `.cmx` of the modules it uses (for inlining), except those whose
//! `.cmi` was compiled with `-opaque` (the `opaque` tag), which the compiler
//! never looks at. So with `opaque`, a change to an implementation that
//! leaves its interface alone recompiles no other module: only the links
//! (and archives) that contain it are redone.

use std::collections::{BTreeSet, HashSet};
use std::sync::Arc;

use engine::{Action, Built, Error, Input, InputGroup, Result, Target, Task, TaskCx, TaskValue};
use futures::future::BoxFuture;

use super::context::{RuleContext, log_tags};
use super::depends::{self, ModuleRefs};
use super::ppx;
use crate::mode::Mode;
use crate::module_name;
use crate::namespace::Role;
use crate::ocamlfind::{CommandParts, PpxPlan};
use crate::resolver::ModuleSource;
use crate::rule_error::{Category, RuleError};

/// What a compilation hands to the compilations that depend on it.
#[derive(Debug, Default)]
pub struct Compiled {
    /// Set when the task wrote the module's `.cmi`.
    pub interface: Option<InterfaceInfo>,
    /// Set by native compilations: the `.cmx` and those it may read.
    pub native: Option<Arc<InputGroup>>,
}

/// A module's interface and everything reading it may read.
#[derive(Debug, Clone)]
pub struct InterfaceInfo {
    /// The `.cmi` and the transitive `.cmi`s of its dependencies.
    pub closure: Arc<InputGroup>,
    /// The directories of those files.
    pub dirs: Arc<BTreeSet<String>>,
    /// Compiled with `-opaque`: the compiler never reads this module's
    /// `.cmx` when compiling its users.
    pub opaque: bool,
}

/// `x.mli` → `x.cmi`.
pub struct Interface {
    /// The rules' context.
    pub cx: Arc<RuleContext>,
    /// The module.
    pub module: ModuleSource,
}

/// `x.ml` → `x.cmo` (bytecode) or `x.cmx` + `x.o` (native).
pub struct Implementation {
    /// The rules' context.
    pub cx: Arc<RuleContext>,
    /// The module.
    pub module: ModuleSource,
    /// Which compiler.
    pub mode: Mode,
}

/// The local modules `source` mentions (its own module excluded), resolved
/// from the module's directory; in a project with namespaced libraries,
/// the names mean what `crate::namespace` says (`Foo.Bar` is the alias
/// module `Foo` and the member `Foo__Bar`).
pub async fn local_deps(
    tcx: &TaskCx,
    rcx: &RuleContext,
    source: &str,
    module: &ModuleSource,
) -> Result<Vec<ModuleSource>> {
    if matches!(
        rcx.namespaces.role_of(&module.stem),
        Some((_, Role::PublicAlias | Role::InternalAlias))
    ) {
        // Generated alias modules, compiled with -no-alias-deps, need no
        // other module.
        return Ok(Vec::new());
    }
    let scan = depends::scan_target(rcx, source);
    let built = tcx.need_one(&scan).await?;
    let refs = built
        .value
        .data::<ModuleRefs>()
        .ok_or_else(|| Error::internal(format!("{scan} carries no module list")))?;
    let own = module_name::of_path(&module.stem);
    // Computed only for a project module the include folders do not have.
    let mut flag_dirs: Option<Vec<String>> = None;
    let mut resolved = Vec::with_capacity(refs.modules.len());
    let mut kept = Vec::with_capacity(refs.modules.len());
    for name in &refs.modules {
        if *name == own
            || rcx
                .options
                .non_dependencies
                .iter()
                .any(|(file, m)| file == source && m == name)
        {
            continue;
        }
        let found = rcx.resolver.resolve(name, module.dir()).or_else(|| {
            if !rcx.resolver.has_module(name) {
                return None;
            }
            let dirs = flag_dirs.get_or_insert_with(|| flag_include_dirs(rcx, source));
            let dirs: Vec<&str> = dirs.iter().map(String::as_str).collect();
            rcx.resolver.resolve_in(name, &dirs)
        });
        let inside_namespace = matches!(
            rcx.namespaces.role_of(&module.stem),
            Some((ns, Role::Member(_))) if ns.member(name).is_some()
        );
        if found.is_none()
            && !inside_namespace
            && rcx.options.no_skip
            && !rcx.resolver.is_stdlib(name)
        {
            return Err(RuleError::new(
                Category::MissingModule,
                format!(
                    "{source} uses module {name}, which is neither in the project nor in \
                     the standard library (-no-skip).\nHint: add the folder that holds it \
                     with -I, or drop -no-skip to let the compiler look for it."
                ),
            )
            .into());
        }
        kept.push(name.clone());
        resolved.push(found);
    }
    let resolved = if rcx.namespaces.is_empty() {
        resolved
    } else {
        let refs = ModuleRefs {
            modules: kept,
            ..refs.clone()
        };
        rcx.namespaces
            .expand(&module.stem, &refs, resolved, &rcx.resolver)
    };
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for m in resolved.into_iter().flatten() {
        if m.stem != module.stem && seen.insert(m.stem.clone()) {
            out.push(m);
        }
    }
    Ok(out)
}

/// The project folders that the compile flags of `source` include with
/// `-I` (a `use_<lib>` tag, an `ocaml_lib ~dir`, `-cflags -I,dir`): the
/// compiler looks there for the `.cmi` files of modules, so their modules
/// are built first.
fn flag_include_dirs(rcx: &RuleContext, source: &str) -> Vec<String> {
    let tags = rcx.command_tags(&[source], &["ocaml", "compile"]);
    rcx.flags_of(&tags)
        .windows(2)
        .filter(|w| w[0] == "-I")
        .map(|w| w[1].trim_end_matches('/').to_string())
        .map(|d| if d == "." { String::new() } else { d })
        .filter(|d| !d.starts_with('+') && !d.starts_with('/'))
        .collect()
}

/// The compiler's action of `mode` on `parts`; when a ppx driver wrote the
/// AST, on the parts given with it, which read that AST without `-ppx`.
fn compile_action(
    cx: &RuleContext,
    mode: Mode,
    parts: CommandParts,
    reading_ast: Option<(&Target, CommandParts)>,
) -> Result<Action> {
    let compiler = cx.compiler(mode)?;
    let (argv, packages) = match reading_ast {
        Some((ast, reading)) => cx.command_with(
            mode.front_end(),
            &compiler,
            ppx::reading_ast(reading, ast),
            false,
        )?,
        None => cx.command(mode.front_end(), &compiler, parts)?,
    };
    let mut action = Action::process(argv);
    action.salt.push(packages);
    action.salt.push(cx.toolchain.identity.clone());
    Ok(action)
}

/// The inputs a compiler reads through the interfaces of `deps`.
#[derive(Default)]
pub struct InterfaceInputs {
    /// The `.cmi` files and their closures.
    pub inputs: Vec<Input>,
    /// The closures, to build this module's own.
    pub closures: Vec<Arc<InputGroup>>,
    /// The directories holding them.
    pub dirs: BTreeSet<String>,
    /// The stems of the modules whose `.cmi` is opaque.
    pub opaque: BTreeSet<String>,
}

/// Builds the interfaces of `deps`.
pub async fn need_interfaces(tcx: &TaskCx, deps: &[ModuleSource]) -> Result<InterfaceInputs> {
    need_interfaces_through(tcx, deps, false).await
}

/// Builds the interfaces of `deps`; with `through_cmo` (a bytecode
/// compilation in a native-only build), the interface of a module without
/// `.mli` is asked of its bytecode compilation (`y.cmo`, which gives the
/// `.cmi` it wrote or read), not of the native one that answers for
/// `y.cmi` in such a build: a preprocessor `.byte` built there makes no
/// `.cmx`, as with ocamlbuild, whose `ocamlc` writes such `.cmi` files.
async fn need_interfaces_through(
    tcx: &TaskCx,
    deps: &[ModuleSource],
    through_cmo: bool,
) -> Result<InterfaceInputs> {
    let by_cmo = |m: &ModuleSource| through_cmo && !m.has_mli && m.compiles_ml();
    let targets: Vec<Target> = deps
        .iter()
        .map(|m| {
            let ext = if by_cmo(m) { "cmo" } else { "cmi" };
            Target::new(&format!("{}.{ext}", m.stem))
        })
        .collect();
    let built = if deps.iter().any(by_cmo) {
        tcx.need_with_outputs(&targets).await?
    } else {
        tcx.need(&targets).await?
    };
    let mut out = InterfaceInputs::default();
    for (b, m) in built.iter().zip(deps) {
        let info = interface_of(b)?;
        if info.opaque {
            out.opaque.insert(m.stem.clone());
        }
        out.inputs
            .push(Input::File(Target::new(&format!("{}.cmi", m.stem))));
        out.inputs.push(Input::Group(info.closure.clone()));
        out.closures.push(info.closure);
        out.dirs.extend(info.dirs.iter().cloned());
    }
    Ok(out)
}

/// The interface a built `.cmi` carries.
pub fn interface_of(b: &Built) -> Result<InterfaceInfo> {
    b.value
        .data::<Compiled>()
        .and_then(|c| c.interface.clone())
        .ok_or_else(|| Error::internal(format!("the task of {} gave no interface", b.target)))
}

/// The interface info of a module whose `.cmi` was just written.
pub fn own_interface(
    module: &ModuleSource,
    cmi: (Target, engine::Digest),
    deps: &InterfaceInputs,
    opaque: bool,
) -> InterfaceInfo {
    let mut dirs = deps.dirs.clone();
    dirs.insert(module.dir().to_string());
    InterfaceInfo {
        closure: Arc::new(InputGroup::new(vec![cmi], deps.closures.clone())),
        dirs: Arc::new(dirs),
        opaque,
    }
}

/// Whether the flags make the compiler write an opaque interface.
fn is_opaque(flags: &[String]) -> bool {
    flags.iter().any(|f| f == "-opaque")
}

/// Whether the flags make the compiler write `.cmt`/`.cmti` files.
pub fn has_bin_annot(flags: &[String]) -> bool {
    flags.iter().any(|f| f == "-bin-annot")
}

/// The compiler that writes the `.cmi` (and the `.cmt`) of a module without
/// an `.mli`, and the `.cmt` of every module.
pub fn cmi_owner(cx: &RuleContext) -> Mode {
    if cx.options.cmi_from_native {
        Mode::Native
    } else {
        Mode::Byte
    }
}

impl Task for Interface {
    fn run(self: Arc<Self>, tcx: Arc<TaskCx>) -> BoxFuture<'static, Result<TaskValue>> {
        Box::pin(async move {
            let m = &self.module;
            let mli = Target::new(&format!("{}.mli", m.stem));
            let cmi = tcx.key().clone();
            tcx.need_one(&mli).await?;
            let deps = local_deps(&tcx, &self.cx, mli.as_str(), m).await?;
            let ifaces = need_interfaces(&tcx, &deps).await?;
            // ocamlbuild compiles an interface with ocamlopt when the .mli is
            // tagged `native`.
            let mode = if self.cx.tagger.has(mli.as_str(), "native") {
                Mode::Native
            } else {
                Mode::Byte
            };
            let tags = self
                .cx
                .command_tags(&[mli.as_str()], &["interf", "ocaml", mode.tag(), "compile"]);
            let tag_inputs = self.cx.tag_deps(&tcx, &tags).await?;
            let flags = self.cx.flags_of(&tags);
            let opaque = is_opaque(&flags);
            let cmti = has_bin_annot(&flags).then(|| Target::new(&format!("{}.cmti", m.stem)));
            let includes = self
                .cx
                .include_args(m.dir(), ifaces.dirs.iter().map(String::as_str));
            let includes = self.cx.includes_after_flags(&flags, includes);
            let mut before = vec!["-c".to_string()];
            before.extend(flags);
            before.extend(self.cx.namespaces.compile_flags(&m.stem));
            before.extend(self.cx.pp_args(mli.as_str(), &["interf", mode.tag()]));
            before.extend(includes);
            before.extend(["-o".into(), cmi.to_string()]);
            let parts = CommandParts {
                before,
                files: vec![mli.to_string()],
                after: Vec::new(),
            };
            let ast =
                ppx::rewritten(&self.cx, &tcx, mode.front_end(), &parts, mli.as_str()).await?;
            let reading = ast.as_ref().map(|a| (a, parts.clone()));
            let mut action = compile_action(&self.cx, mode, parts, reading)?;
            // The compiler reads the AST instead of the source (so an edit
            // that leaves the AST alone stops there).
            action
                .inputs
                .push(Input::File(ast.unwrap_or_else(|| mli.clone())));
            action.inputs.extend(ifaces.inputs.iter().cloned());
            action.inputs.extend(tag_inputs);
            action.outputs.push(cmi.clone());
            action.outputs.extend(cmti);
            action.log.target = cmi.to_string();
            action.log.tags = log_tags(tags);
            let outputs = tcx.run(action).await?;
            let digest = outputs[0].1;
            let interface = own_interface(m, (cmi, digest), &ifaces, opaque);
            Ok(TaskValue {
                outputs,
                data: Some(Arc::new(Compiled {
                    interface: Some(interface),
                    native: None,
                })),
            })
        })
    }
}

/// How a compilation stands to its module's `.cmi`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum CmiUse {
    /// The module has an `.mli`: the interface task wrote the `.cmi`.
    Interface,
    /// No `.mli`: this compilation writes the `.cmi` (an output).
    Writes,
    /// No `.mli`: the other compiler wrote the `.cmi`, which this one reads
    /// (`-intf-suffix .ml`); its digest must be known to the task.
    Reads,
}

/// A compilation's action, before it runs, and what its value is made of.
struct Prepared {
    action: Action,
    ifaces: InterfaceInputs,
    native_deps: Vec<Arc<InputGroup>>,
    /// The command makes an opaque interface (`-opaque`).
    opaque: bool,
    /// The `.cmt` the command writes, when it has `-bin-annot`.
    bin_annot: bool,
    /// The compiler reads the AST of a ppx driver.
    ppx_driver: bool,
}

/// How a compilation stands to its `.cmi`, decided before it runs.
struct Plan {
    cmi_use: CmiUse,
    /// In a native-only build reading the `.cmi` that an up-to-date
    /// bytecode compilation wrote: that `.cmi`, and whether it is opaque.
    byte_cmi: Option<((Target, engine::Digest), bool)>,
    /// For a native compilation reading the `.cmi`, the form of it that
    /// writes the `.cmi`, when already prepared (see `run_reader`).
    writer: Option<Action>,
}

impl Implementation {
    /// The compilation of the module in `mode`, standing to the `.cmi` as
    /// `cmi`. With `probe`, nothing is built that the compilation in
    /// `self.mode` would not build (`None` instead): tags whose `dep`
    /// declarations name files, or a ppx driver the other command lacks.
    async fn prepare(
        &self,
        tcx: &TaskCx,
        mode: Mode,
        cmi_use: CmiUse,
        probe: bool,
    ) -> Result<Option<Prepared>> {
        let m = &self.module;
        let ml = Target::new(&format!("{}.ml", m.stem));
        let obj = Target::new(&format!("{}.{}", m.stem, mode.object_ext()));
        let cmi = Target::new(&format!("{}.cmi", m.stem));
        let deps = local_deps(tcx, &self.cx, ml.as_str(), m).await?;
        let mut inputs = vec![Input::File(ml.clone())];
        match cmi_use {
            CmiUse::Interface => {
                inputs.push(Input::Exists(Target::new(&format!("{}.mli", m.stem))));
                inputs.push(Input::File(cmi.clone()));
            }
            CmiUse::Reads => inputs.push(Input::File(cmi.clone())),
            CmiUse::Writes => {}
        }
        let through_cmo = mode == Mode::Byte && self.cx.options.cmi_from_native && !probe;
        let ifaces = need_interfaces_through(tcx, &deps, through_cmo).await?;
        inputs.extend(ifaces.inputs.iter().cloned());
        let mut native_deps = Vec::new();
        if mode == Mode::Native {
            let mut cmx_of = deps.clone();
            let mut opaque = ifaces.opaque.clone();
            if m.has_mli {
                let mli = format!("{}.mli", m.stem);
                let mut extra = Vec::new();
                for d in local_deps(tcx, &self.cx, &mli, m).await? {
                    if !cmx_of.iter().any(|x| x.stem == d.stem) {
                        extra.push(d);
                    }
                }
                opaque.extend(need_interfaces(tcx, &extra).await?.opaque);
                cmx_of.extend(extra);
            }
            let targets: Vec<Target> = cmx_of
                .iter()
                .filter(|d| d.is_linkable() && !opaque.contains(&d.stem))
                .map(|d| Target::new(&format!("{}.cmx", d.stem)))
                .collect();
            for b in tcx.need(&targets).await? {
                let group = b
                    .value
                    .data::<Compiled>()
                    .and_then(|c| c.native.clone())
                    .ok_or_else(|| {
                        Error::internal(format!("the task of {} gave no cmx closure", b.target))
                    })?;
                inputs.push(Input::File(b.target.clone()));
                inputs.push(Input::Group(group.clone()));
                native_deps.push(group);
            }
        }

        let tags = self.compile_tags(mode);
        if probe && !self.byte_deps_within_native() {
            return Ok(None);
        }
        inputs.extend(self.cx.tag_deps(tcx, &tags).await?);
        let flags = self.cx.flags_of(&tags);
        let opaque = is_opaque(&flags);
        let bin_annot = has_bin_annot(&flags);
        let includes = self
            .cx
            .include_args(m.dir(), ifaces.dirs.iter().map(String::as_str));
        let includes = self.cx.includes_after_flags(&flags, includes);
        let mut options = flags;
        options.extend(self.cx.namespaces.compile_flags(&m.stem));
        // As ocamlbuild's ocamlc_c/ocamlopt_c: the preprocessor flags of
        // the file's tags with `implem` and the mode (`-D OPT` for native).
        options.extend(self.cx.pp_args(ml.as_str(), &["implem", mode.tag()]));
        options.extend(includes);
        options.extend(["-o".into(), obj.to_string()]);
        let command = |intf_suffix: Option<&str>| {
            let mut before = vec!["-c".to_string()];
            if let Some(suffix) = intf_suffix {
                before.extend(["-intf-suffix".to_string(), suffix.to_string()]);
            }
            before.extend(options.iter().cloned());
            CommandParts {
                before,
                files: vec![ml.to_string()],
                after: Vec::new(),
            }
        };
        // Without an .mli, the compiler that does not write the .cmi
        // reads it: it looks for `<source less its extension><suffix>`.
        let reads = cmi_use == CmiUse::Reads;
        let parts = command(reads.then_some(".ml"));
        if probe
            && matches!(
                ppx::plan(&self.cx, mode.front_end(), &parts)?,
                PpxPlan::Driver(_)
            )
            && tcx.digest_of(&ppx::ast_of(ml.as_str())).is_none()
        {
            return Ok(None);
        }
        let ast = ppx::rewritten(&self.cx, tcx, mode.front_end(), &parts, ml.as_str()).await?;
        let ppx_driver = ast.is_some();
        // From `x.ml.ast` the interface looked for is `x.ml.mli` (never
        // there) by default, and the AST itself with `.ast`.
        let reading = ast
            .as_ref()
            .map(|a| (a, command((cmi_use != CmiUse::Writes).then_some(".ast"))));
        let mut action = compile_action(&self.cx, mode, parts, reading)?;
        if let Some(ast) = ast {
            // The compiler reads the AST instead of the source (so an
            // edit that leaves the AST alone stops there).
            inputs[0] = Input::File(ast);
        }
        action.inputs = inputs;
        action.outputs.push(obj.clone());
        if mode == Mode::Native {
            let o = format!("{}.{}", m.stem, self.cx.toolchain.ext_obj());
            action.outputs.push(Target::new(&o));
        }
        if cmi_use == CmiUse::Writes {
            action.outputs.push(cmi);
        }
        if bin_annot {
            // Both compilers write it: not an output of either, but what a
            // cache keeps with the compilation.
            action
                .side_outputs
                .push(Target::new(&format!("{}.cmt", m.stem)));
        }
        action.log.target = obj.to_string();
        action.log.tags = log_tags(tags);
        Ok(Some(Prepared {
            action,
            ifaces,
            native_deps,
            opaque,
            bin_annot,
            ppx_driver,
        }))
    }

    /// The tags of the module's compilation in `mode`.
    fn compile_tags(&self, mode: Mode) -> tags::TagSet {
        let stem = &self.module.stem;
        self.cx.command_tags(
            &[
                &format!("{stem}.ml"),
                &format!("{stem}.{}", mode.object_ext()),
            ],
            &["implem", "ocaml", mode.tag(), "compile"],
        )
    }

    /// Whether every file that `dep` declarations attach to the bytecode
    /// compilation's tags is one the native compilation needs too, so that
    /// a native-only build may probe the bytecode compilation (or accept
    /// its trace) without building anything more. Decided from the tags
    /// alone, so both compilations of a module decide alike.
    fn byte_deps_within_native(&self) -> bool {
        let native = self.cx.flags.deps_of(&self.compile_tags(Mode::Native));
        self.cx
            .flags
            .deps_of(&self.compile_tags(Mode::Byte))
            .iter()
            .all(|d| native.contains(d))
    }

    /// [`Self::prepare`] outside a probe, which always gives an action.
    async fn prepared(&self, tcx: &TaskCx, mode: Mode, cmi_use: CmiUse) -> Result<Prepared> {
        self.prepare(tcx, mode, cmi_use, false)
            .await?
            .ok_or_else(|| Error::internal("a compilation was refused outside a probe"))
    }

    /// Decides how the compilation stands to the `.cmi` and prepares its
    /// action. The `.cmi` of a module without `.mli` is written by the
    /// bytecode compilation, except in a native-only build
    /// ([`cmi_owner`]), where the native one writes it unless the bytecode
    /// one is already up to date: then that `.cmi` is read, as in a build
    /// of both. And a native compilation that reads the `.cmi` gives what
    /// the one writing it gave when that one wrote this very `.cmi`, so the
    /// writer's trace, if it still verifies, stands for the reader. Thus
    /// whatever builds came before, switching targets reruns no
    /// compilation.
    async fn plan(&self, tcx: &TaskCx, owner: bool) -> Result<(Plan, Prepared)> {
        let m = &self.module;
        let cmi = Target::new(&format!("{}.cmi", m.stem));
        let mut plan = Plan {
            cmi_use: CmiUse::Interface,
            byte_cmi: None,
            writer: None,
        };
        if m.has_mli {
            let mli = Target::new(&format!("{}.mli", m.stem));
            tcx.need(&[mli, cmi]).await?;
            let prepared = self.prepared(tcx, self.mode, CmiUse::Interface).await?;
            return Ok((plan, prepared));
        }
        if self.mode == Mode::Byte {
            if owner {
                plan.cmi_use = CmiUse::Writes;
                let prepared = self.prepared(tcx, self.mode, plan.cmi_use).await?;
                return Ok((plan, prepared));
            }
            // A native-only build that needs bytecode (a preprocessor
            // `.byte`): the compilation that wrote the `.cmi` in an earlier
            // build stands when still up to date, as the native
            // compilation's probe of it would find (same tags, no ppx
            // driver), and nothing native is built for it.
            if self.byte_deps_within_native() {
                let writer = self.prepared(tcx, Mode::Byte, CmiUse::Writes).await?;
                if !writer.ppx_driver && tcx.up_to_date(tcx.key(), &writer.action)?.is_some() {
                    plan.cmi_use = CmiUse::Writes;
                    return Ok((plan, writer));
                }
            }
            // Otherwise the native compilation decides, and this one reads
            // its `.cmi` and answers for it to other bytecode compilations.
            let built = tcx.need_one(&cmi).await?;
            let info = interface_of(&built)?;
            plan.cmi_use = CmiUse::Reads;
            plan.byte_cmi = Some(((cmi, built.digest), info.opaque));
            let prepared = self.prepared(tcx, self.mode, plan.cmi_use).await?;
            return Ok((plan, prepared));
        }
        if !owner {
            tcx.need_one(&cmi).await?;
            plan.cmi_use = CmiUse::Reads;
            let reader = self.prepared(tcx, Mode::Native, CmiUse::Reads).await?;
            return Ok((plan, reader));
        }
        // The writing form first: it builds all the native compilation
        // needs, so that the probe of the bytecode compilation finds
        // everything it reads already built.
        let writer = self.prepared(tcx, Mode::Native, CmiUse::Writes).await?;
        plan.byte_cmi = self.byte_interface(tcx).await?;
        if plan.byte_cmi.is_none() {
            plan.cmi_use = CmiUse::Writes;
            return Ok((plan, writer));
        }
        plan.cmi_use = CmiUse::Reads;
        plan.writer = Some(writer.action);
        let reader = self.prepared(tcx, Mode::Native, CmiUse::Reads).await?;
        Ok((plan, reader))
    }

    /// Runs a native compilation that reads the `.cmi`, unless it is up to
    /// date, or the form of it that writes the `.cmi` (`writer`, prepared
    /// here when not given) is: its trace verifies only while the `.cmi` is
    /// the one it wrote, and the reading form then gives the same `.cmx`
    /// and `.o`. Returns the outputs of `reader`.
    async fn run_reader(
        &self,
        tcx: &TaskCx,
        reader: Action,
        writer: Option<Action>,
    ) -> Result<Vec<(Target, engine::Digest)>> {
        if let Some(found) = tcx.up_to_date(tcx.key(), &reader)? {
            return Ok(found);
        }
        let writer = match writer {
            Some(w) => w,
            None => {
                self.prepared(tcx, Mode::Native, CmiUse::Writes)
                    .await?
                    .action
            }
        };
        match tcx.up_to_date(tcx.key(), &writer)? {
            // Its outputs but the .cmi, which is the other compiler's.
            Some(found) => Ok(found
                .into_iter()
                .filter(|(t, _)| reader.outputs.contains(t))
                .collect()),
            None => tcx.run(reader).await,
        }
    }

    /// In a native-only build, the `.cmi` of a module without `.mli` that
    /// the bytecode compilation wrote, when that compilation is up to date
    /// (its trace verifies): the `.cmi` and whether it is opaque. Nothing
    /// runs; the native compilation then reads that `.cmi`, as in a build
    /// that needs both.
    async fn byte_interface(
        &self,
        tcx: &TaskCx,
    ) -> Result<Option<((Target, engine::Digest), bool)>> {
        let cmo = Target::new(&format!("{}.cmo", self.module.stem));
        if !tcx.has_trace(&cmo) {
            // Never compiled to bytecode: nothing to prepare.
            return Ok(None);
        }
        let Some(byte) = self.prepare(tcx, Mode::Byte, CmiUse::Writes, true).await? else {
            return Ok(None);
        };
        let cmi = Target::new(&format!("{}.cmi", self.module.stem));
        let Some(outputs) = tcx.up_to_date(&cmo, &byte.action)? else {
            return Ok(None);
        };
        Ok(outputs
            .into_iter()
            .find(|(t, _)| *t == cmi)
            .map(|found| (found, byte.opaque)))
    }
}

impl Task for Implementation {
    fn run(self: Arc<Self>, tcx: Arc<TaskCx>) -> BoxFuture<'static, Result<TaskValue>> {
        Box::pin(async move {
            let m = &self.module;
            let ml = Target::new(&format!("{}.ml", m.stem));
            let cmi = Target::new(&format!("{}.cmi", m.stem));
            tcx.need_one(&ml).await?;
            let owner = self.mode == cmi_owner(&self.cx);
            let (plan, prepared) = self.plan(&tcx, owner).await?;
            let Prepared {
                action,
                ifaces,
                native_deps,
                opaque,
                bin_annot,
                ..
            } = prepared;
            let mut outputs = if self.mode == Mode::Native && plan.cmi_use == CmiUse::Reads {
                self.run_reader(&tcx, action, plan.writer).await?
            } else {
                tcx.run(action).await?
            };
            if owner && bin_annot {
                // Not an output of the action (the other compiler may write
                // it too), but a target: its digest as it is now.
                let cmt = Target::new(&format!("{}.cmt", m.stem));
                let path = tcx.build_dir().join(cmt.as_str());
                if let Ok(d) = engine::Digest::of_file(&path) {
                    outputs.push((cmt, d));
                }
            }
            let interface = match (plan.cmi_use, plan.byte_cmi) {
                (CmiUse::Writes, _) => {
                    let d = outputs
                        .iter()
                        .find(|(t, _)| *t == cmi)
                        .map(|(_, d)| *d)
                        .ok_or_else(|| Error::internal("the compiler's .cmi went missing"))?;
                    Some(own_interface(m, (cmi, d), &ifaces, opaque))
                }
                // A native-only build: this task answers for the .cmi that
                // the bytecode compilation wrote.
                (_, Some((written, byte_opaque))) => {
                    outputs.push(written.clone());
                    Some(own_interface(m, written, &ifaces, byte_opaque))
                }
                _ => None,
            };
            let native = (self.mode == Mode::Native)
                .then(|| Arc::new(InputGroup::new(vec![outputs[0].clone()], native_deps)));
            Ok(TaskValue {
                outputs,
                data: Some(Arc::new(Compiled { interface, native })),
            })
        })
    }
}

#[cfg(test)]
mod tests {
    //! Expected commands are those of ocamlbuild 0.14.1's `_log` for the
    //! same trees (without `/usr/bin/`).

    use crate::rules::testing::{A_USES_B_AND_UTIL, Fixture};

    /// `a` uses `B` (with an `.mli`) and `Util` of the `include` folder
    /// `lib`; `b` uses `C`.
    fn tree() -> Fixture {
        Fixture::new(A_USES_B_AND_UTIL).tags(
            "<a.ml>: debug, rectypes\n<b.*>: principal\n<lib>: include\n<a.byte>: debug\n\
             <c.ml>: for-pack(P)\n",
        )
    }

    #[test]
    fn bytecode_compilations_get_their_tags_flags_then_the_include_folders() {
        let b = tree().build(&["a.cmo"]).ok();
        assert_eq!(
            b.line("b.cmi"),
            "ocamlc.opt -c -principal -I lib -o b.cmi b.mli"
        );
        assert_eq!(
            b.line("lib/util.cmo"),
            "ocamlc.opt -c -I lib -o lib/util.cmo lib/util.ml"
        );
        assert_eq!(
            b.line("a.cmo"),
            "ocamlc.opt -c -g -rectypes -I lib -o a.cmo a.ml"
        );
        // Only the interfaces `a` reads are built: not `c`'s.
        assert!(!b.lines().iter().any(|l| l.contains("c.ml")), "{b:#?}");
    }

    #[test]
    fn a_module_without_mli_writes_its_cmi_and_reads_those_it_uses() {
        let b = tree().build(&["a.cmo", "c.cmo"]).ok();
        let a = b.action("a.cmo");
        assert_eq!(a.outputs, ["a.cmo", "a.cmi"]);
        assert_eq!(a.inputs[0], "a.ml");
        for cmi in ["b.cmi", "lib/util.cmi"] {
            assert!(a.inputs.iter().any(|i| i == cmi), "{a:#?}");
        }
        assert_eq!(
            b.line("c.cmo"),
            "ocamlc.opt -c -for-pack P -I lib -o c.cmo c.ml"
        );
        assert_eq!(b.action("b.cmi").outputs, ["b.cmi"]);
    }

    #[test]
    fn native_compilations_in_a_native_only_build_are_ocamlbuilds() {
        let b = tree()
            .with(|f| f.options.cmi_from_native = true)
            .build(&["a.cmx"])
            .ok();
        assert_eq!(
            b.line("c.cmx"),
            "ocamlopt.opt -c -for-pack P -I lib -o c.cmx c.ml"
        );
        assert_eq!(b.action("c.cmx").outputs, ["c.cmx", "c.o", "c.cmi"]);
        assert_eq!(
            b.line("b.cmx"),
            "ocamlopt.opt -c -principal -I lib -o b.cmx b.ml"
        );
        assert_eq!(
            b.line("a.cmx"),
            "ocamlopt.opt -c -g -rectypes -I lib -o a.cmx a.ml"
        );
        // A native compilation first builds the .cmx of what it uses.
        let a = b.action("a.cmx");
        for cmx in ["b.cmx", "c.cmx", "lib/util.cmx"] {
            assert!(a.inputs.iter().any(|i| i == cmx), "{a:#?}");
        }
        // ocamlc compiles the one .mli, and no implementation.
        let ocamlc: Vec<String> = b
            .lines()
            .into_iter()
            .filter(|l| l.starts_with("ocamlc"))
            .collect();
        assert_eq!(ocamlc, ["ocamlc.opt -c -principal -I lib -o b.cmi b.mli"]);
    }

    #[test]
    fn with_bytecode_too_ocamlopt_reads_the_cmi_ocamlc_wrote() {
        // caravan's one departure from ocamlbuild's command (see the module
        // doc): ocamlbuild runs `ocamlopt.opt -c -for-pack P -I lib -o c.cmx
        // c.ml`, which writes c.cmi a second time.
        let b = tree().build(&["c.cmo", "c.cmx"]).ok();
        assert_eq!(
            b.line("c.cmx"),
            "ocamlopt.opt -c -intf-suffix .ml -for-pack P -I lib -o c.cmx c.ml"
        );
        assert_eq!(b.action("c.cmx").outputs, ["c.cmx", "c.o"]);
        assert!(b.action("c.cmx").inputs.iter().any(|i| i == "c.cmi"));
    }

    #[test]
    fn an_interface_tagged_native_is_compiled_by_ocamlopt() {
        let b = Fixture::new(&[
            ("b.ml", "let y = 1\n"),
            ("n.mli", "val x : int\n"),
            ("n.ml", "let x = 1\n"),
        ])
        .tags("<b.ml>: ppx(cp)\n<n.mli>: native\ntrue: short_paths\n")
        .build(&["b.cmo", "n.cmo"])
        .ok();
        assert_eq!(
            b.line("n.cmi"),
            "ocamlopt.opt -c -short-paths -o n.cmi n.mli"
        );
        assert_eq!(b.line("n.cmo"), "ocamlc.opt -c -short-paths -o n.cmo n.ml");
        assert_eq!(
            b.line("b.cmo"),
            "ocamlc.opt -c -short-paths -ppx cp -o b.cmo b.ml"
        );
    }

    #[test]
    fn a_compilation_is_logged_with_its_tags() {
        let b = tree().build(&["a.cmo"]).ok();
        let a = b.action("a.cmo");
        assert_eq!(a.log_target, "a.cmo");
        assert_eq!(
            a.tags,
            "{ byte, compile, debug, extension:cmo, extension:ml, file:a.cmo, file:a.ml, \
             implem, ocaml, quiet, rectypes, traverse }"
        );
    }
}
