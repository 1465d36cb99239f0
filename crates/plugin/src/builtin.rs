//! The built-in rules a plugin's actions ask for by name.
//!
//! ocamlbuild's `Ocaml_compiler` and `Ocaml_tools` give plugins its own
//! rule actions (`byte_library_link_mllib "%.mllib" "%.cma"`, `ocamllex
//! "%.mll"`...), which plugins put in their own rules, typically inserted
//! before ocamlbuild's. caravan's versions of those functions ask caravan
//! (the `builtin` question of [`super::protocol`]) to do what its built-in
//! rule of that kind does; this file maps the question to the built-in
//! task: an archive, plugin or toplevel of a list file, or whatever the
//! built-in rules make for a target.

use std::sync::Arc;

use engine::{Error, Result, Target, Task};

use ocaml::mode::Mode;
use ocaml::rule_error::{Category, RuleError};
use ocaml::rules::list_file;
use ocaml::rules::units::{Units, UnitsKind};
use ocaml::rules::{OcamlRules, RuleContext};

/// The built-in task a `builtin` question names.
pub struct Builtin {
    /// The target it makes.
    pub target: Target,
    /// The task.
    pub task: Arc<dyn Task>,
    /// Whether the task names its output itself, so that it may run in the
    /// place of a rule whose key is another of its products (otherwise it
    /// makes its task's key).
    pub explicit_output: bool,
}

/// The built-in task a `builtin` question names.
pub fn task(cx: &Arc<RuleContext>, kind: &str, args: &[String]) -> Result<Builtin> {
    let explicit = |(target, task): (Target, Arc<dyn Task>)| Builtin {
        target,
        task,
        explicit_output: true,
    };
    let units = |kind: UnitsKind| -> Result<(Target, Arc<dyn Task>)> {
        match args {
            [list, out] => Ok((
                Target::new(out),
                Arc::new(Units {
                    cx: cx.clone(),
                    list: Target::new(list),
                    entries: None,
                    out: Some(Target::new(out)),
                    kind,
                }),
            )),
            _ => Err(bad(kind_name(kind), args)),
        }
    };
    // The `_modules` variants: the output, then the modules, looked up
    // from the output's folder as a list file's entries would be.
    let modules = |kind: UnitsKind| -> Result<(Target, Arc<dyn Task>)> {
        match args {
            [out, entries @ ..] => {
                let list = format!("{}.{}", list_file::stem_of(out), kind_list(kind));
                Ok((
                    Target::new(out),
                    Arc::new(Units {
                        cx: cx.clone(),
                        list: Target::new(&list),
                        entries: Some(entries.to_vec()),
                        out: Some(Target::new(out)),
                        kind,
                    }),
                ))
            }
            _ => Err(bad(kind_name(kind), args)),
        }
    };
    match kind {
        "library-byte" => units(UnitsKind::Archive(Mode::Byte)).map(explicit),
        "library-native" => units(UnitsKind::Archive(Mode::Native)).map(explicit),
        "shared-library" => units(UnitsKind::Plugin).map(explicit),
        "toplevel" => units(UnitsKind::Toplevel).map(explicit),
        "library-byte-modules" => modules(UnitsKind::Archive(Mode::Byte)).map(explicit),
        "library-native-modules" => modules(UnitsKind::Archive(Mode::Native)).map(explicit),
        "shared-library-modules" => modules(UnitsKind::Plugin).map(explicit),
        "toplevel-modules" => modules(UnitsKind::Toplevel).map(explicit),
        "target" => match args {
            [out] => {
                let target = Target::new(out);
                match OcamlRules::of_context(cx.clone()).builtin(&target) {
                    Some((_, task)) => Ok(Builtin {
                        target,
                        task,
                        explicit_output: false,
                    }),
                    None => Err(RuleError::new(
                        Category::Plugin,
                        format!("no built-in rule of ocamlbuild makes {out}"),
                    )
                    .into()),
                }
            }
            _ => Err(bad("target", args)),
        },
        other => Err(RuleError::new(
            Category::Plugin,
            format!("the plugin asked for an unknown built-in rule `{other}'"),
        )
        .into()),
    }
}

fn kind_name(kind: UnitsKind) -> &'static str {
    match kind {
        UnitsKind::Archive(Mode::Byte) => "library-byte",
        UnitsKind::Archive(Mode::Native) => "library-native",
        UnitsKind::Plugin => "shared-library",
        UnitsKind::Toplevel => "toplevel",
    }
}

fn kind_list(kind: UnitsKind) -> &'static str {
    match kind {
        UnitsKind::Archive(_) => "mllib",
        UnitsKind::Plugin => "mldylib",
        UnitsKind::Toplevel => "mltop",
    }
}

fn bad(kind: &str, args: &[String]) -> Error {
    RuleError::new(
        Category::Plugin,
        format!("the built-in rule `{kind}' was asked for with the arguments {args:?}"),
    )
    .into()
}
