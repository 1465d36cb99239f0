//! The configuration read by the crate against `ocamlfind printconf` and
//! the commands ocamlfind runs, under several configuration files,
//! toolchains and environment variables.

use std::path::Path;
use std::process::Command;

use findlib::conf::ENV_VARIABLES;
use findlib::{Config, ConfigOptions, Environment, Platform, Tool};

use crate::oracle;

/// Runs ocamlfind with exactly these findlib variables set.
fn ocamlfind(args: &[&str], env: &[(&str, &str)]) -> (String, String) {
    let mut cmd = Command::new("ocamlfind");
    cmd.args(args).current_dir(std::env::temp_dir());
    for v in ENV_VARIABLES {
        cmd.env_remove(v);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("ocamlfind runs");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// What ocamlfind reports, in the crate's terms.
#[derive(Debug, PartialEq, Eq)]
struct Seen {
    conf: String,
    path: Vec<String>,
    destdir: String,
    metadir: String,
    stdlib: String,
    ldconf: String,
    tools: Vec<String>,
    warnings: Vec<String>,
}

const TOOLS: &[(Tool, &str)] = &[
    (Tool::Ocamlc, "ocamlc"),
    (Tool::Ocamlopt, "ocamlopt"),
    (Tool::Ocamlcp, "ocamlcp"),
    (Tool::Ocamloptp, "ocamloptp"),
    (Tool::Ocamlmktop, "ocamlmktop"),
    (Tool::Ocamldep, "ocamldep"),
    (Tool::Ocamldoc, "ocamldoc"),
];

fn theirs(toolchain: Option<&str>, env: &[(&str, &str)]) -> Seen {
    let mut pre: Vec<&str> = Vec::new();
    if let Some(t) = toolchain {
        pre.extend(["-toolchain", t]);
    }
    let printconf = |what: &str| {
        let mut args = pre.clone();
        args.extend(["printconf", what]);
        ocamlfind(&args, env).0
    };
    let one = |s: String| s.trim_end_matches('\n').to_string();
    let tools = TOOLS
        .iter()
        .map(|(_, sub)| {
            let mut args = pre.clone();
            args.extend([*sub, "-only-show", "x.ml"]);
            let (out, err) = ocamlfind(&args, env);
            out.split_whitespace()
                .next()
                .map(str::to_string)
                .unwrap_or_else(|| format!("error: {}", err.trim()))
        })
        .collect();
    let mut args = pre.clone();
    args.extend(["printconf", "conf"]);
    let warnings = ocamlfind(&args, env)
        .1
        .lines()
        .filter_map(|l| l.strip_prefix("ocamlfind: [WARNING] "))
        .map(str::to_string)
        .collect();
    Seen {
        conf: one(printconf("conf")),
        path: printconf("path").lines().map(str::to_string).collect(),
        destdir: one(printconf("destdir")),
        metadir: one(printconf("metadir")),
        stdlib: one(printconf("stdlib")),
        ldconf: one(printconf("ldconf")),
        tools,
        warnings,
    }
}

fn ours(toolchain: Option<&str>, env: &[(&str, &str)]) -> Seen {
    let mut e = Environment::from_process();
    for v in ENV_VARIABLES {
        e = e.without(v);
    }
    for (k, v) in env {
        e = e.with(k, v);
    }
    let platform = Platform::detect(&e);
    let c = Config::load(&ConfigOptions {
        config_file: None,
        toolchain: toolchain.map(str::to_string),
        env: e,
        platform,
    })
    .expect("configuration");
    let s = |p: &Path| p.to_string_lossy().into_owned();
    Seen {
        conf: s(c.config_file()),
        path: c.search_path().iter().map(|p| s(p)).collect(),
        destdir: s(c.destdir()),
        metadir: c.metadir().map(s).unwrap_or_default(),
        stdlib: s(c.stdlib()),
        ldconf: s(c.ldconf()),
        tools: TOOLS.iter().map(|(t, _)| c.tool(*t).to_string()).collect(),
        warnings: c.warnings().to_vec(),
    }
}

/// A toolchain and the environment variables set.
type Case<'a> = (Option<&'a str>, Vec<(&'a str, &'a str)>);

#[test]
fn configuration_is_read_as_ocamlfind_reads_it() {
    assert!(oracle::available(), "ocamlfind is not installed");
    let t = tempfile::tempdir().expect("temporary directory");
    let conf = t.path().join("findlib.conf");
    std::fs::write(
        &conf,
        "# a test configuration\n\
         path = \"/usr/lib/ocaml:/opt/a\"\n\
         path(cross) = \"/opt/cross:/usr/lib/ocaml\"\n\
         destdir = \"/opt/dest\"\n\
         ocamlc = \"ocamlc.opt\"\n\
         ocamlopt(cross) = \"x86_64-w64-mingw32-ocamlopt\"\n\
         ldconf = \"ignore\"\n",
    )
    .expect("findlib.conf");
    std::fs::create_dir(t.path().join("findlib.conf.d")).expect("conf.d");
    std::fs::write(
        t.path().join("findlib.conf.d/10-extra.conf"),
        "ocamldep = \"ocamldep.opt\"\nocamlc = \"ignored-already-set\"\nstdlib(cross) = \"/opt/cross/lib\"\n",
    )
    .expect("conf.d file");
    std::fs::write(t.path().join("findlib.conf.d/README"), "not = \"read\"\n").expect("README");
    let only_d = t.path().join("only-d.conf");
    std::fs::create_dir(t.path().join("only-d.conf.d")).expect("only-d");
    std::fs::write(
        t.path().join("only-d.conf.d/x.conf"),
        "path = \"/usr/lib/ocaml\"\nocamlmktop = \"mymktop\"\n",
    )
    .expect("only-d conf");
    let conf = conf.to_string_lossy().into_owned();
    let only_d = only_d.to_string_lossy().into_owned();

    let cases: Vec<Case> = vec![
        (None, vec![]),
        (None, vec![("OCAMLPATH", "/tmp/op1::/tmp/op2")]),
        (None, vec![("OCAMLFIND_CONF", &conf)]),
        (Some("cross"), vec![("OCAMLFIND_CONF", &conf)]),
        (
            None,
            vec![("OCAMLFIND_CONF", &conf), ("OCAMLFIND_TOOLCHAIN", "cross")],
        ),
        (
            None,
            vec![("OCAMLFIND_CONF", &conf), ("OCAMLFIND_TOOLCHAIN", "nosuch")],
        ),
        (
            None,
            vec![
                ("OCAMLFIND_CONF", &conf),
                ("OCAMLPATH", "/tmp/first"),
                ("OCAMLFIND_DESTDIR", "/tmp/dest"),
                ("OCAMLFIND_METADIR", "/tmp/meta"),
                ("OCAMLFIND_LDCONF", "ignore"),
                ("OCAMLLIB", "/usr/lib/ocaml/"),
                ("CAMLLIB", "/nonexistent"),
                ("OCAMLFIND_COMMANDS", "ocamlc=cc1 ocamlopt=oo1,ocamlc=cc2"),
            ],
        ),
        (None, vec![("CAMLLIB", "/usr/lib/ocaml//")]),
        (None, vec![("OCAMLFIND_CONF", &only_d)]),
    ];
    let mut failures = Vec::new();
    for (toolchain, env) in &cases {
        let a = theirs(*toolchain, env);
        let b = ours(*toolchain, env);
        if a != b {
            failures.push(format!(
                "toolchain {toolchain:?}, env {env:?}\n  ocamlfind: {a:?}\n  crate:     {b:?}"
            ));
        }
    }
    println!(
        "findlib: {} configurations compared, {} agreed",
        cases.len(),
        cases.len() - failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
