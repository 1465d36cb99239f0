//! Differential testing of incremental builds: random projects, random edit
//! sequences; after every edit, an incremental build (one build directory
//! kept across edits) must agree with a build from scratch: same success or
//! failure, byte-identical `.cmi`/`.cmo`/`.cmx` files, same program output,
//! and no compiled file whose source is gone.
//!
//! `./test.sh` runs a short fixed-seed sequence; `scripts/soak.sh` runs long
//! ones (`CARAVAN_SOAK_EDITS`, `CARAVAN_SOAK_SEED`) and prints the seed of a
//! failure.

use std::collections::BTreeMap;
use std::path::Path;

use crate::support::Tree;

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

/// The project as data; files are rendered from it.
#[derive(Clone, Debug)]
struct Model {
    modules: Vec<Module>,
    next_id: usize,
    debug: bool,
}

const DIRS: [&str; 2] = ["", "lib"];

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
        };
        for _ in 0..n {
            m.add(rng);
        }
        m
    }

    /// Adds a module using up to two existing ones (so the graph stays acyclic:
    /// a module only uses older ones).
    fn add(&mut self, rng: &mut Rng) {
        let name = format!("M{}", self.next_id);
        self.next_id += 1;
        let mut deps = Vec::new();
        for _ in 0..2 {
            if !self.modules.is_empty() && rng.chance(60) {
                let d = self.modules[rng.below(self.modules.len())].name.clone();
                if !deps.contains(&d) {
                    deps.push(d);
                }
            }
        }
        self.modules.push(Module {
            name,
            dir: DIRS[rng.below(DIRS.len())],
            deps,
            constant: rng.below(100) as i64,
            mli: rng.chance(40),
            extra_vals: 0,
            comment: 0,
            broken: false,
        });
    }

    fn main(&self) -> String {
        let mut s = String::from("let () =\n");
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
        let mut tags = String::from("<lib>: include\n");
        if self.debug {
            tags.push_str("true: debug\n");
        }
        f.insert("_tags".into(), tags);
        f
    }

    /// Applies one random edit; returns its description.
    fn edit(&mut self, rng: &mut Rng) -> String {
        let i = rng.below(self.modules.len());
        match rng.below(12) {
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
                format!("delete {gone}")
            }
            5 => {
                let old = self.modules[i].name.clone();
                let new = format!("M{}", self.next_id);
                self.next_id += 1;
                self.modules[i].name = new.clone();
                for m in &mut self.modules {
                    for d in &mut m.deps {
                        if *d == old {
                            *d = new.clone();
                        }
                    }
                }
                format!("rename {old} to {new}")
            }
            6 => {
                let m = &mut self.modules[i];
                m.dir = if m.dir.is_empty() { "lib" } else { "" };
                format!("move {} to '{}'", m.name, m.dir)
            }
            7 => {
                // A new dependency on an older module (keeps the graph acyclic).
                if i > 0 {
                    let d = self.modules[rng.below(i)].name.clone();
                    if !self.modules[i].deps.contains(&d) {
                        self.modules[i].deps.push(d);
                    }
                }
                format!("add a dependency to {}", self.modules[i].name)
            }
            8 => {
                self.modules[i].deps.pop();
                format!("remove a dependency of {}", self.modules[i].name)
            }
            9 => {
                self.modules[i].broken = !self.modules[i].broken;
                format!("type error toggled in {}", self.modules[i].name)
            }
            10 => {
                self.debug = !self.debug;
                "toggle debug in _tags".to_string()
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
    for dir in ["", "lib"] {
        let Ok(entries) = std::fs::read_dir(build.join(dir)) else {
            continue;
        };
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if [".cmi", ".cmo", ".cmx"].iter().any(|x| name.ends_with(x)) {
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

fn run_sequence(seed: u64, edits: usize) {
    let mut rng = Rng(seed.max(1));
    let mut model = Model::new(&mut rng, 6);
    let incremental = Tree::new(&[]);
    let parked = tempfile::tempdir().expect("temp dir");
    let mut files = model.files();
    sync(&incremental, &files, &BTreeMap::new());
    let targets = ["main.byte", "main.native"];
    incremental.caravan(&targets);
    let mut history: Vec<String> = Vec::new();
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
        let inc = incremental.caravan(&targets);
        let inc_outputs: Vec<String> = if inc.code == 0 {
            targets
                .iter()
                .map(|p| incremental.run(p, &[]).stdout)
                .collect()
        } else {
            Vec::new()
        };
        let mine = compiled(&incremental.path("_build"));
        // The scratch build runs in the same directory (compilers record the
        // build directory's path in debug information), the incremental
        // build directory set aside meanwhile.
        let aside = parked.path().join("_build");
        std::fs::rename(incremental.path("_build"), &aside).expect("set aside");
        let full = incremental.caravan(&targets);
        let reference = compiled(&incremental.path("_build"));
        let full_outputs: Vec<String> = if full.code == 0 {
            targets
                .iter()
                .map(|p| incremental.run(p, &[]).stdout)
                .collect()
        } else {
            Vec::new()
        };
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
            // After a failure, which other commands ran first depends on
            // timing: only the next successful build is comparable.
            continue;
        }
        for (path, bytes) in &reference {
            match mine.get(path) {
                Some(b) if b == bytes => {}
                Some(_) => panic!("{context}: {path} differs\n{}", inc.stdout),
                None => panic!("{context}: {path} is missing\n{}", inc.stdout),
            }
        }
        for path in mine.keys() {
            let stem = path.rsplit_once('.').map(|(s, _)| s).unwrap_or(path);
            let has_source = ["ml", "mli"]
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
    println!("differential: seed {seed}, {edits} edits");
    run_sequence(seed, edits);
}
