//! Differential testing of incremental builds: random projects, random edit
//! sequences; after every edit, an incremental build (one build directory
//! kept across edits) must agree with a build from scratch: same success or
//! failure, byte-identical `.cmi`/`.cmo`/`.cmx`/`.cma`/`.cmxa` files, same
//! program output, and no compiled file whose source is gone.
//!
//! The projects have modules with and without `.mli` in two folders, a
//! library (`pkg/pkg.mllib`) whose modules only use each other and which
//! carries a C stub (`pkg/libstub.clib`), and an ocamllex lexer with an
//! ocamlyacc parser whose semantic actions may use a module.
//!
//! `./test.sh` runs a short fixed-seed sequence; `scripts/soak.sh` runs long
//! ones (`CARAVAN_SOAK_EDITS`, `CARAVAN_SOAK_SEED`) and prints the seed of a
//! failure.

use std::collections::BTreeMap;
use std::path::Path;

use crate::support::{Tree, run_with_env};

/// Where the bytecode program finds the stub's shared library.
const DLL_PATH: (&str, &str) = ("CAML_LD_LIBRARY_PATH", "_build/pkg");

/// xorshift64*: reproducible from a seed, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// One module of the model.
#[derive(Clone, Debug)]
struct Module {
    name: String,
    dir: &'static str,
    deps: Vec<String>,
    constant: i64,
    mli: bool,
    extra_vals: usize,
    comment: usize,
    broken: bool,
}

/// The lexer, the parser and the C stub of the model.
#[derive(Clone, Debug)]
struct Generated {
    /// A constant the lexer adds to each number.
    lexer_k: i64,
    /// A constant the parser adds at each `+`.
    parser_k: i64,
    /// The module whose `value` the parser's action adds, if any.
    parser_uses: Option<String>,
    /// What the C stub returns.
    stub_k: i64,
}

/// The project as data; files are rendered from it.
#[derive(Clone, Debug)]
struct Model {
    modules: Vec<Module>,
    next_id: usize,
    debug: bool,
    generated: Generated,
}

/// The folders of the modules: `pkg` holds the library's.
const DIRS: [&str; 3] = ["", "lib", "pkg"];

/// The lexer's source.
fn lexer(k: i64) -> String {
    format!(
        "{{ open Calc_parser }}\n\
         rule token = parse\n\
         | [' ' '\\t'] {{ token lexbuf }}\n\
         | ['0'-'9']+ as s {{ INT (int_of_string s + {k}) }}\n\
         | '+' {{ PLUS }}\n\
         | eof {{ EOF }}\n"
    )
}

/// The parser's source; its `+` action may use a module.
fn parser(k: i64, uses: Option<&str>) -> String {
    let extra = uses.map(|m| format!(" + {m}.value")).unwrap_or_default();
    format!(
        "%token <int> INT\n%token PLUS EOF\n%left PLUS\n%start main\n%type <int> main\n%%\n\
         main: expr EOF {{ $1 }}\n\
         expr: INT {{ $1 }}\n  | expr PLUS expr {{ $1 + $3 + {k}{extra} }}\n"
    )
}

/// The C stub and the module that binds it.
fn stub(k: i64) -> (String, String) {
    (
        format!(
            "#include <caml/mlvalues.h>\n\
             value caravan_stub_value(value unit) {{ (void)unit; return Val_int({k}); }}\n"
        ),
        "external raw : unit -> int = \"caravan_stub_value\"\nlet value = raw ()\n".to_string(),
    )
}

impl Module {
    fn path(&self, ext: &str) -> String {
        let file = format!("{}.{ext}", self.name.to_lowercase());
        if self.dir.is_empty() {
            file
        } else {
            format!("{}/{file}", self.dir)
        }
    }

    fn ml(&self) -> String {
        let mut s = format!("(* revision {} *)\n", self.comment);
        let mut expr = format!("{}", self.constant);
        for d in &self.deps {
            expr.push_str(&format!(" + {d}.value"));
        }
        s.push_str(&format!("let value = {expr}\n"));
        s.push_str("let rec count n = if n <= 0 then 0 else 1 + count (n - 1)\n");
        for k in 0..self.extra_vals {
            s.push_str(&format!("let extra{k} = {k}\n"));
        }
        if self.broken {
            s.push_str("let oops : int = \"not an int\"\n");
        }
        s
    }

    fn mli(&self) -> String {
        let mut s = format!(
            "(* interface {} *)\nval value : int\nval count : int -> int\n",
            self.comment
        );
        for k in 0..self.extra_vals {
            s.push_str(&format!("val extra{k} : int\n"));
        }
        s
    }
}

impl Model {
    fn new(rng: &mut Rng, n: usize) -> Model {
        let mut m = Model {
            modules: Vec::new(),
            next_id: 0,
            debug: false,
            generated: Generated {
                lexer_k: 0,
                parser_k: 0,
                parser_uses: None,
                stub_k: 7,
            },
        };
        for _ in 0..n {
            m.add(rng);
        }
        m
    }

    /// Adds a module using up to two existing ones (so the graph stays acyclic:
    /// a module only uses older ones; a library module only library ones).
    fn add(&mut self, rng: &mut Rng) {
        let name = format!("M{}", self.next_id);
        self.next_id += 1;
        let dir = DIRS[rng.below(DIRS.len())];
        let mut deps = Vec::new();
        for _ in 0..2 {
            if let Some(d) = self.older_usable(self.modules.len(), dir, rng)
                && !deps.contains(&d)
                && rng.chance(60)
            {
                deps.push(d);
            }
        }
        self.modules.push(Module {
            name,
            dir,
            deps,
            constant: rng.below(100) as i64,
            mli: rng.chance(40),
            extra_vals: 0,
            comment: 0,
            broken: false,
        });
    }

    /// A module older than index `i` that a module in `dir` may use.
    fn older_usable(&self, i: usize, dir: &str, rng: &mut Rng) -> Option<String> {
        let candidates: Vec<&Module> = self.modules[..i]
            .iter()
            .filter(|m| dir != "pkg" || m.dir == "pkg")
            .collect();
        if candidates.is_empty() {
            return None;
        }
        Some(candidates[rng.below(candidates.len())].name.clone())
    }

    fn main(&self) -> String {
        let mut s = String::from("let () =\n");
        s.push_str("  Printf.printf \"stub=%d\\n\" Cstub.value;\n");
        s.push_str(
            "  Printf.printf \"calc=%d\\n\" \
             (Calc_parser.main Calc_lexer.token (Lexing.from_string \"1 + 20 + 300\"));\n",
        );
        for m in &self.modules {
            s.push_str(&format!(
                "  Printf.printf \"{0}=%d\\n\" {0}.value;\n",
                m.name
            ));
        }
        s.push_str("  ()\n");
        s
    }

    fn files(&self) -> BTreeMap<String, String> {
        let mut f = BTreeMap::new();
        for m in &self.modules {
            f.insert(m.path("ml"), m.ml());
            if m.mli {
                f.insert(m.path("mli"), m.mli());
            }
        }
        f.insert("main.ml".into(), self.main());
        let g = &self.generated;
        f.insert("calc_lexer.mll".into(), lexer(g.lexer_k));
        f.insert(
            "calc_parser.mly".into(),
            parser(g.parser_k, g.parser_uses.as_deref()),
        );
        let (c, binding) = stub(g.stub_k);
        f.insert("pkg/stub.c".into(), c);
        f.insert("pkg/cstub.ml".into(), binding);
        f.insert("pkg/libstub.clib".into(), "stub.o\n".into());
        let mut mllib = String::from("Cstub\n");
        for m in self.modules.iter().filter(|m| m.dir == "pkg") {
            mllib.push_str(&format!("{}\n", m.name));
        }
        f.insert("pkg/pkg.mllib".into(), mllib);
        let mut tags = String::from(
            "<lib> or <pkg>: include\n\
             <main.{byte,native}>: use_pkg\n\
             <pkg/pkg.cma>: dllib(-lstub), cclib(-lstub)\n\
             <pkg/pkg.cmxa>: cclib(-lstub)\n",
        );
        if self.debug {
            tags.push_str("true: debug\n");
        }
        f.insert("_tags".into(), tags);
        f
    }

    /// Applies one random edit; returns its description.
    fn edit(&mut self, rng: &mut Rng) -> String {
        // A type error is usually fixed by the next edit: builds must mostly
        // succeed for the comparison to say something.
        if let Some(m) = self.modules.iter_mut().find(|m| m.broken)
            && rng.chance(70)
        {
            m.broken = false;
            return format!("fix the type error in {}", m.name);
        }
        let i = rng.below(self.modules.len());
        match rng.below(16) {
            0 => {
                self.modules[i].constant += 1;
                format!("body of {}", self.modules[i].name)
            }
            1 => {
                self.modules[i].extra_vals = (self.modules[i].extra_vals + 1) % 3;
                format!("interface of {}", self.modules[i].name)
            }
            2 => {
                self.modules[i].comment += 1;
                format!("comments of {}", self.modules[i].name)
            }
            3 => {
                self.add(rng);
                let new = self.modules.len() - 1;
                format!("add {}", self.modules[new].name)
            }
            4 if self.modules.len() > 2 => {
                let gone = self.modules.remove(i).name;
                for m in &mut self.modules {
                    m.deps.retain(|d| *d != gone);
                }
                if self.generated.parser_uses.as_ref() == Some(&gone) {
                    self.generated.parser_uses = None;
                }
                format!("delete {gone}")
            }
            5 => {
                let old = self.modules[i].name.clone();
                let new = format!("M{}", self.next_id);
                self.next_id += 1;
                self.modules[i].name = new.clone();
                if self.generated.parser_uses.as_ref() == Some(&old) {
                    self.generated.parser_uses = Some(new.clone());
                }
                for m in &mut self.modules {
                    for d in &mut m.deps {
                        if *d == old {
                            *d = new.clone();
                        }
                    }
                }
                format!("rename {old} to {new}")
            }
            6 if self.modules[i].dir != "pkg" => {
                // The library's modules stay in it: others use them.
                let m = &mut self.modules[i];
                m.dir = if m.dir.is_empty() { "lib" } else { "" };
                format!("move {} to '{}'", m.name, m.dir)
            }
            7 => {
                // A new dependency on an older module (keeps the graph acyclic).
                if let Some(d) = self.older_usable(i, self.modules[i].dir, rng)
                    && !self.modules[i].deps.contains(&d)
                {
                    self.modules[i].deps.push(d);
                }
                format!("add a dependency to {}", self.modules[i].name)
            }
            8 => {
                self.modules[i].deps.pop();
                format!("remove a dependency of {}", self.modules[i].name)
            }
            9 => {
                self.modules[i].broken = true;
                format!("type error in {}", self.modules[i].name)
            }
            10 => {
                self.debug = !self.debug;
                "toggle debug in _tags".to_string()
            }
            12 => {
                self.generated.lexer_k += 1;
                "lexer rule".to_string()
            }
            13 => {
                self.generated.parser_k += 1;
                "parser action".to_string()
            }
            14 => {
                let uses = &mut self.generated.parser_uses;
                *uses = match uses {
                    Some(_) => None,
                    None => Some(self.modules[i].name.clone()),
                };
                format!("the parser uses {uses:?}")
            }
            15 => {
                self.generated.stub_k += 1;
                "C stub body".to_string()
            }
            _ => {
                self.modules[i].mli = !self.modules[i].mli;
                format!("toggle the .mli of {}", self.modules[i].name)
            }
        }
    }
}

/// Writes the model into `t`, deleting files it no longer has; `touch`
/// rewrites unchanged files too (a touch without change).
fn sync(t: &Tree, files: &BTreeMap<String, String>, previous: &BTreeMap<String, String>) {
    for (path, text) in files {
        if previous.get(path) != Some(text) {
            t.write(path, text);
        }
    }
    for path in previous.keys() {
        if !files.contains_key(path) {
            t.remove(path);
        }
    }
}

/// Digests of the compiled units of a build directory.
fn compiled(build: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for dir in DIRS {
        let Ok(entries) = std::fs::read_dir(build.join(dir)) else {
            continue;
        };
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if [".cmi", ".cmo", ".cmx", ".cma", ".cmxa"]
                .iter()
                .any(|x| name.ends_with(x))
            {
                let rel = if dir.is_empty() {
                    name
                } else {
                    format!("{dir}/{name}")
                };
                out.insert(rel, std::fs::read(e.path()).unwrap_or_default());
            }
        }
    }
    out
}

/// What the programs print, after a build that exited with `code`.
fn program_outputs(t: &Tree, code: i32, programs: &[&str]) -> Vec<String> {
    if code != 0 {
        return Vec::new();
    }
    programs
        .iter()
        .map(|p| run_with_env(t, p, &[DLL_PATH]).stdout)
        .collect()
}

/// Runs `edits` random edits; each incremental build gets `extra` options
/// (the caches it uses), each build from scratch `-no-cache`, so that the
/// reference owes nothing to a cache.
fn run_sequence(seed: u64, edits: usize, extra: &[String]) {
    let mut rng = Rng(seed.max(1));
    let mut model = Model::new(&mut rng, 6);
    let incremental = Tree::new(&[]);
    let parked = tempfile::tempdir().expect("temp dir");
    let mut files = model.files();
    sync(&incremental, &files, &BTreeMap::new());
    let targets = ["main.byte", "main.native", "pkg/pkg.cma", "pkg/pkg.cmxa"];
    let programs = ["main.byte", "main.native"];
    let with_caches: Vec<&str> = extra
        .iter()
        .map(String::as_str)
        .chain(targets.iter().copied())
        .collect();
    let from_scratch: Vec<&str> = std::iter::once("-no-cache")
        .chain(targets.iter().copied())
        .collect();
    incremental.caravan(&with_caches);
    let mut history: Vec<String> = Vec::new();
    let mut succeeded = 0;
    // Actions whose outputs a cache restored, over the sequence.
    let mut restored = 0;
    for step in 0..edits {
        let what = if rng.chance(8) {
            // Touch without change: rewrite one file identically.
            let (path, text) = files.iter().nth(rng.below(files.len())).expect("a file");
            std::thread::sleep(std::time::Duration::from_millis(2));
            incremental.write(path, text);
            format!("touch {path}")
        } else {
            let what = model.edit(&mut rng);
            let next = model.files();
            sync(&incremental, &next, &files);
            files = next;
            what
        };
        history.push(what.clone());
        let context = format!(
            "seed {seed}, edit {step}: {what} (after: {})",
            history.join("; ")
        );
        let inc = incremental.caravan(&with_caches);
        restored += incremental
            .read("_build/_log")
            .lines()
            .filter(|l| {
                l.ends_with(" # from the local cache") || l.ends_with(" # from the remote cache")
            })
            .count();
        let inc_outputs = program_outputs(&incremental, inc.code, &programs);
        let mine = compiled(&incremental.path("_build"));
        // The scratch build runs in the same directory (compilers record the
        // build directory's path in debug information), the incremental
        // build directory set aside meanwhile.
        let aside = parked.path().join("_build");
        std::fs::rename(incremental.path("_build"), &aside).expect("set aside");
        let full = incremental.caravan(&from_scratch);
        let reference = compiled(&incremental.path("_build"));
        let full_outputs = program_outputs(&incremental, full.code, &programs);
        std::fs::remove_dir_all(incremental.path("_build")).expect("remove scratch");
        std::fs::rename(&aside, incremental.path("_build")).expect("restore");
        assert_eq!(
            inc.code == 0,
            full.code == 0,
            "{context}\nincremental:\n{}\nscratch:\n{}",
            inc.stdout,
            full.stdout
        );
        if inc.code != 0 {
            if std::env::var_os("CARAVAN_SOAK_VERBOSE").is_some() {
                println!("{context}: failed\n{}", inc.stdout);
            }
            // After a failure, which other commands ran first depends on
            // timing: only the next successful build is comparable.
            continue;
        }
        succeeded += 1;
        for (path, bytes) in &reference {
            match mine.get(path) {
                Some(b) if b == bytes => {}
                Some(_) => panic!("{context}: {path} differs\n{}", inc.stdout),
                None => panic!("{context}: {path} is missing\n{}", inc.stdout),
            }
        }
        for path in mine.keys() {
            let stem = path.rsplit_once('.').map(|(s, _)| s).unwrap_or(path);
            let has_source = ["ml", "mli", "mll", "mly", "mllib"]
                .iter()
                .any(|ext| incremental.exists(&format!("{stem}.{ext}")));
            assert!(
                has_source,
                "{context}: stale {path} in the incremental build"
            );
        }
        assert_eq!(
            inc_outputs, full_outputs,
            "{context}: the programs print something else"
        );
    }
    println!(
        "differential: {edits} edits, {succeeded} successful builds compared, \
         {restored} actions restored from a cache"
    );
    // Type errors come and go; a sequence where builds mostly fail would
    // compare nothing.
    assert!(
        succeeded * 2 >= edits,
        "only {succeeded} of {edits} builds succeeded: the model is broken"
    );
}

/// The options of the incremental builds: the local cache (on by
/// default); or, when `CARAVAN_SOAK_REMOTE_CACHE` names a remote cache,
/// that one alone, so that every restore comes from the remote.
fn cache_options() -> Vec<String> {
    match std::env::var("CARAVAN_SOAK_REMOTE_CACHE") {
        Ok(url) if !url.is_empty() => {
            vec!["-no-cache".to_string(), "-remote-cache".to_string(), url]
        }
        _ => Vec::new(),
    }
}

#[test]
fn incremental_builds_agree_with_builds_from_scratch() {
    let edits = std::env::var("CARAVAN_SOAK_EDITS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(200);
    let seed = std::env::var("CARAVAN_SOAK_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20261121);
    let options = cache_options();
    println!("differential: seed {seed}, {edits} edits, options {options:?}");
    run_sequence(seed, edits, &options);
}

/// The same without any cache: what the traces alone decide.
#[test]
fn incremental_builds_without_a_cache_agree_with_builds_from_scratch() {
    run_sequence(20261207, 60, &["-no-cache".to_string()]);
}
