//! What a link reads besides its modules, shared by the tasks that link
//! (programs, archives, plugins, toplevels, packs): the companion `.o`/`.a`
//! files of native objects and archives, the `-I` of the linked files'
//! folders, the files a link's flags name, and the C libraries that used
//! archives carry.

use engine::{Result, Target, TaskCx};

use super::c_stubs;
use super::context::RuleContext;
use super::libraries::{LibraryInfo, UsedLibrary};
use super::list_file;
use crate::mode::Mode;

/// The files a link reads for its list: the objects and archives, then for
/// native code the `.o` and `.a` files that go with them.
pub fn link_inputs(list: &[Target], mode: Mode, ext_obj: &str, ext_lib: &str) -> Vec<Target> {
    let mut files = list.to_vec();
    if mode == Mode::Native {
        for t in list {
            let s = t.as_str();
            if let Some(stem) = s.strip_suffix(".cmx") {
                files.push(Target::new(&format!("{stem}.{ext_obj}")));
            } else if let Some(stem) = s.strip_suffix(".cmxa") {
                files.push(Target::new(&format!("{stem}.{ext_lib}")));
            }
        }
    }
    files
}

/// `-I` for each folder of the linked files, in order, without the root.
pub fn link_dirs(list: &[Target], extra: &[Target]) -> Vec<String> {
    let mut dirs: Vec<&str> = Vec::new();
    for t in list.iter().chain(extra) {
        let d = t.dir();
        if !d.is_empty() && !dirs.contains(&d) {
            dirs.push(d);
        }
    }
    dirs.into_iter()
        .flat_map(|d| ["-I".to_string(), d.to_string()])
        .collect()
}

/// The files of the project that a link's flags name (`-mod Util` gives
/// `Util.cmx`, `-lib foo` gives `foo.cmxa`): built first, and inputs of the
/// link, as ocamlbuild's `flag_and_dep` would make them.
async fn flag_files(
    tcx: &TaskCx,
    cx: &RuleContext,
    flags: &[String],
    ext_obj: &str,
    ext_lib: &str,
) -> Result<Vec<Target>> {
    let mut files = Vec::new();
    for w in flags {
        if w.starts_with('-') || w.starts_with('/') || w.starts_with('+') {
            continue;
        }
        let t = Target::new(w);
        let companion = if let Some(stem) = w.strip_suffix(".cmx") {
            Some(format!("{stem}.{ext_obj}"))
        } else if let Some(stem) = w.strip_suffix(".cmxa") {
            Some(format!("{stem}.{ext_lib}"))
        } else if w.ends_with(".cmo") || w.ends_with(".cma") {
            None
        } else {
            continue;
        };
        let stem = list_file::stem_of(w);
        let buildable = cx.module_at(stem).is_some_and(|m| m.is_linkable())
            || ((w.ends_with(".cma") || w.ends_with(".cmxa"))
                && cx.resolver.is_source_or_generated(&format!("{stem}.mllib")));
        if !buildable {
            continue;
        }
        files.push(t);
        files.extend(companion.map(|c| Target::new(&c)));
    }
    tcx.need(&files).await?;
    Ok(files)
}

/// Builds the archives of the used libraries and returns what they carry
/// (C libraries to link).
pub async fn need_libraries(tcx: &TaskCx, libs: &[UsedLibrary]) -> Result<Vec<Target>> {
    let archives: Vec<Target> = libs.iter().map(|l| l.archive.clone()).collect();
    let mut stubs = Vec::new();
    for b in tcx.need(&archives).await? {
        if let Some(info) = b.value.data::<LibraryInfo>() {
            for s in &info.stubs {
                if !stubs.contains(s) {
                    stubs.push(s.clone());
                }
            }
        }
    }
    Ok(stubs)
}

/// Builds what a link's flags name: the files given as flags (`named`,
/// returned) and the C libraries of `-lX` flags (added to `stubs`), with
/// `stubs` themselves.
pub async fn need_flag_inputs(
    tcx: &TaskCx,
    cx: &RuleContext,
    flags: &[String],
    out: &Target,
    stubs: &mut Vec<Target>,
) -> Result<Vec<Target>> {
    let ext_obj = cx.toolchain.ext_obj();
    let ext_lib = cx.toolchain.ext_lib();
    let named = flag_files(tcx, cx, flags, ext_obj, ext_lib).await?;
    for s in c_stubs::stubs_of_flags(cx, flags, out.dir()) {
        if !stubs.contains(&s) {
            stubs.push(s);
        }
    }
    tcx.need(stubs).await?;
    Ok(named)
}

#[cfg(test)]
mod tests {
    use engine::Target;

    use super::*;

    fn targets(names: &[&str]) -> Vec<Target> {
        names.iter().map(|t| Target::new(t)).collect()
    }

    #[test]
    fn a_native_link_reads_the_objects_and_libraries_beside_its_units() {
        let list = targets(&["lib/x.cmxa", "a.cmx", "sub/b.cmx"]);
        let names = |v: Vec<Target>| v.iter().map(|t| t.to_string()).collect::<Vec<_>>();
        assert_eq!(
            names(link_inputs(&list, Mode::Native, "o", "a")),
            [
                "lib/x.cmxa",
                "a.cmx",
                "sub/b.cmx",
                "lib/x.a",
                "a.o",
                "sub/b.o"
            ]
        );
        let byte = targets(&["lib/x.cma", "a.cmo"]);
        assert_eq!(
            names(link_inputs(&byte, Mode::Byte, "o", "a")),
            ["lib/x.cma", "a.cmo"]
        );
    }

    #[test]
    fn each_folder_is_included_once_in_order_and_the_root_never() {
        let list = targets(&["a.cmo", "sub/b.cmo", "lib/c.cmo", "sub/d.cmo"]);
        assert_eq!(
            link_dirs(&list, &targets(&["lib/x.cma", "other/y.cma"])),
            ["-I", "sub", "-I", "lib", "-I", "other"]
        );
    }
}
