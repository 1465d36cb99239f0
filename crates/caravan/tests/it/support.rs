//! Test support: throw-away project trees, running caravan and the real
//! ocamlbuild on them, and reading what they did.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The caravan binary under test. The first call gives this test process
/// a local cache of its own (`CARAVAN_CACHE_DIR`, inherited by every
/// command it starts), empty at first, so that tests see the cache as a
/// user's first build does and never one another's results.
pub fn caravan_bin() -> &'static str {
    static CACHE: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    CACHE.get_or_init(|| {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("cache-{}-{nanos}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        open_folders(&dir);
        // SAFETY: set once, before this process starts any command; the
        // tests read the environment only through the commands they start.
        unsafe { std::env::set_var("CARAVAN_CACHE_DIR", &dir) };
        dir
    });
    env!("CARGO_BIN_EXE_caravan")
}

/// A project in a temporary directory.
pub struct Tree {
    dir: tempfile::TempDir,
}

/// What a run printed and returned.
pub struct Run {
    pub code: i32,
    pub stdout: String,
}

/// Gives everyone access to `dir` and the folders under it, except those
/// closed on purpose (mode 000).
fn open_folders(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    if std::fs::metadata(dir).is_ok_and(|m| m.permissions().mode() & 0o777 == 0) {
        return;
    }
    let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o777));
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                open_folders(&e.path());
            }
        }
    }
}

impl Run {
    fn of(out: Output) -> Run {
        let mut stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        stdout.push_str(&String::from_utf8_lossy(&out.stderr));
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout,
        }
    }

    /// Asserts success and returns self.
    #[track_caller]
    pub fn ok(self) -> Run {
        assert_eq!(self.code, 0, "expected success, got:\n{}", self.stdout);
        self
    }
}

impl Tree {
    /// A tree with the given files.
    pub fn new(files: &[(&str, &str)]) -> Tree {
        let t = Tree {
            dir: tempfile::tempdir().expect("temp dir"),
        };
        for (name, text) in files {
            t.write(name, text);
        }
        t
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.root().join(rel)
    }

    pub fn write(&self, name: &str, text: &str) {
        let p = self.path(name);
        fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        fs::write(p, text).expect("write");
    }

    pub fn read(&self, name: &str) -> String {
        fs::read_to_string(self.path(name)).unwrap_or_else(|e| panic!("read {name}: {e}"))
    }

    pub fn exists(&self, name: &str) -> bool {
        self.path(name).exists()
    }

    pub fn remove(&self, name: &str) {
        fs::remove_file(self.path(name)).expect("remove");
    }

    /// Runs caravan in the tree (classic display, since stdout is a pipe).
    pub fn caravan(&self, args: &[&str]) -> Run {
        Run::of(
            Command::new(caravan_bin())
                .args(args)
                .current_dir(self.root())
                .env_remove("CARAVAN_STATS")
                .output()
                .expect("run caravan"),
        )
    }

    /// Runs caravan as a user without privileges: when the tests run as
    /// root (who reads any file), through `setpriv` as `nobody`, with the
    /// tree's folders opened to everyone (but those of mode 000); the files
    /// keep their modes, so one made unreadable stays so.
    pub fn caravan_unprivileged(&self, args: &[&str]) -> Run {
        // SAFETY: geteuid has no preconditions.
        if unsafe { libc::geteuid() } != 0 {
            return self.caravan(args);
        }
        open_folders(self.root());
        Run::of(
            Command::new("setpriv")
                .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
                .arg(caravan_bin())
                .args(args)
                .current_dir(self.root())
                .env_remove("CARAVAN_STATS")
                .output()
                .expect("run caravan through setpriv"),
        )
    }

    /// Runs caravan with extra environment variables.
    pub fn caravan_env(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let mut c = Command::new(caravan_bin());
        c.args(args).current_dir(self.root());
        for (k, v) in env {
            c.env(k, v);
        }
        Run::of(c.output().expect("run caravan"))
    }

    /// Runs the real ocamlbuild in the tree.
    pub fn ocamlbuild(&self, args: &[&str]) -> Run {
        Run::of(
            Command::new("ocamlbuild")
                .args(args)
                .current_dir(self.root())
                .output()
                .expect("run ocamlbuild (apt-get install ocamlbuild)"),
        )
    }

    /// Runs the real ocamlbuild with extra environment variables.
    pub fn ocamlbuild_env(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let mut c = Command::new("ocamlbuild");
        c.args(args).current_dir(self.root());
        for (k, v) in env {
            c.env(k, v);
        }
        Run::of(
            c.output()
                .expect("run ocamlbuild (apt-get install ocamlbuild)"),
        )
    }

    /// Runs a program of the tree.
    pub fn run(&self, program: &str, args: &[&str]) -> Run {
        Run::of(
            Command::new(self.path(program))
                .args(args)
                .current_dir(self.root())
                .output()
                .unwrap_or_else(|e| panic!("run {program}: {e}")),
        )
    }

    /// A tree holding a copy of `examples/<name>` (without `_build`).
    pub fn from_example(name: &str) -> Tree {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../examples")
            .join(name);
        let t = Tree::new(&[]);
        copy_dir(&dir, t.root());
        t
    }

    /// Copies the tree's sources (not `_build`, not links) into a new tree.
    pub fn copy_sources(&self) -> Tree {
        let t = Tree::new(&[]);
        copy_dir(self.root(), t.root());
        t
    }

    /// The commands that ran in the last build, from `_build/_log`
    /// (cached ones excluded; those whose outputs the local cache restored
    /// included, without their marker: they stand for running).
    pub fn commands(&self) -> Vec<String> {
        let log = self.read("_build/_log");
        log.lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty() && !l.ends_with("# cached"))
            .filter(|l| !l.starts_with("+ ") && !l.starts_with("Command exited"))
            .map(|l| l.trim_end_matches(" # from the local cache").to_string())
            .collect()
    }

    /// The commands that ran, excluding in-process dependency scans.
    pub fn compiler_commands(&self) -> Vec<String> {
        self.commands()
            .into_iter()
            .filter(|c| !c.ends_with("# in-process"))
            .collect()
    }
}

fn copy_dir(from: &Path, to: &Path) {
    for e in fs::read_dir(from).expect("read_dir") {
        let e = e.expect("entry");
        let name = e.file_name();
        if name == "_build" {
            continue;
        }
        let ft = e.file_type().expect("file type");
        let dest = to.join(&name);
        if ft.is_dir() {
            fs::create_dir_all(&dest).expect("mkdir");
            copy_dir(&e.path(), &dest);
        } else if ft.is_file() {
            fs::copy(e.path(), dest).expect("copy");
        }
    }
}

/// A layered project: `n` modules in `layers` layers, each using one or two
/// modules of the layer below, some with an `.mli`; `main.ml` prints a
/// checksum of them all. Returns the files and the expected output.
pub fn layered(n: usize, layers: usize) -> (Vec<(String, String)>, String) {
    let per_layer = n.div_ceil(layers);
    let mut files = Vec::new();
    let mut values = vec![0i64; n];
    for i in 0..n {
        let layer = i / per_layer;
        let name = format!("m{i:03}");
        let mut deps = Vec::new();
        if layer > 0 {
            let below_start = (layer - 1) * per_layer;
            deps.push(below_start + (i * 7) % per_layer);
            deps.push(below_start + (i * 13 + 1) % per_layer);
            deps.dedup();
        }
        let mut body = String::new();
        let mut value = i as i64 + 1;
        let mut expr = format!("{}", i + 1);
        for d in &deps {
            expr.push_str(&format!(" + M{d:03}.value"));
            value += values[*d];
        }
        values[i] = value % 1_000_003;
        body.push_str(&format!("let value = ({expr}) mod 1_000_003\n"));
        body.push_str("let rec fib k = if k < 2 then k else fib (k - 1) + fib (k - 2)\n");
        body.push_str(&format!(
            "type t = {{ id : int; tag : string }}\nlet make () = {{ id = {i}; tag = \"{name}\" }}\n"
        ));
        files.push((format!("{name}.ml"), body));
        if i % 3 == 0 {
            files.push((
                format!("{name}.mli"),
                "type t = { id : int; tag : string }\nval value : int\nval fib : int -> int\nval make : unit -> t\n".to_string(),
            ));
        }
    }
    let top: Vec<usize> = ((layers - 1) * per_layer..n).collect();
    let mut main = String::from("let () =\n  let sum = 0");
    let mut expected = 0i64;
    for t in &top {
        main.push_str(&format!(" + M{t:03}.value"));
        expected += values[*t];
    }
    main.push_str(" in\n  Printf.printf \"checksum %d\\n\" sum\n");
    files.push(("main.ml".to_string(), main));
    (files, format!("checksum {expected}\n"))
}

impl Tree {
    /// A tree from `layered`.
    pub fn layered(n: usize, layers: usize) -> (Tree, String) {
        let (files, expected) = layered(n, layers);
        let refs: Vec<(&str, &str)> = files
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        (Tree::new(&refs), expected)
    }
}

/// A tree built twice: by caravan and by the real ocamlbuild.
pub struct SideBySide {
    pub ours: Tree,
    pub theirs: Tree,
}

impl SideBySide {
    /// The same `files` in two trees; ocamlbuild's also gets `theirs_only`
    /// (a `myocamlbuild.ml` doing what caravan does without plugin).
    pub fn new(files: &[(&str, &str)], theirs_only: &[(&str, &str)]) -> SideBySide {
        let ours = Tree::new(files);
        let theirs = ours.copy_sources();
        for (name, text) in theirs_only {
            theirs.write(name, text);
        }
        SideBySide { ours, theirs }
    }

    /// Builds with both (ocamlbuild with `-classic-display`); both must
    /// succeed.
    #[track_caller]
    pub fn build(&self, args: &[&str]) {
        let mut ob = vec!["-classic-display"];
        ob.extend(args);
        let b = self.theirs.ocamlbuild(&ob);
        assert_eq!(b.code, 0, "ocamlbuild failed:\n{}", b.stdout);
        self.ours.caravan(args).ok();
    }

    /// Asserts that each file exists in both build directories.
    #[track_caller]
    pub fn same_artifacts(&self, paths: &[&str]) {
        for p in paths {
            let rel = format!("_build/{p}");
            assert!(self.theirs.exists(&rel), "ocamlbuild did not make {p}");
            assert!(self.ours.exists(&rel), "caravan did not make {p}");
        }
    }

    /// Runs `program` (relative to each tree's root) in both trees with
    /// `env`, asserts the same exit code and output, and returns the output.
    #[track_caller]
    pub fn same_output(&self, program: &str, env: &[(&str, &str)]) -> String {
        let a = run_with_env(&self.ours, program, env);
        let b = run_with_env(&self.theirs, program, env);
        assert_eq!(a.code, b.code, "{program}: {}\nvs\n{}", a.stdout, b.stdout);
        assert_eq!(a.stdout, b.stdout, "{program}");
        a.stdout
    }

    /// The command that made `target` in each `_log`, with caravan's one
    /// deliberate spelling difference (`-intf-suffix .ml`) removed.
    #[track_caller]
    pub fn same_command(&self, target: &str) -> String {
        let a = log_entry(&self.ours, target)
            .unwrap_or_else(|| panic!("caravan's _log has no {target}"));
        let b = log_entry(&self.theirs, target)
            .unwrap_or_else(|| panic!("ocamlbuild's _log has no {target}"));
        assert_eq!(a.1, b.1, "command for {target}");
        assert_eq!(a.0, b.0, "tags for {target}");
        a.1
    }
}

/// Runs a program of the tree with extra environment variables.
pub fn run_with_env(t: &Tree, program: &str, env: &[(&str, &str)]) -> Run {
    let mut c = Command::new(t.path(program));
    c.current_dir(t.root());
    for (k, v) in env {
        c.env(k, v);
    }
    Run::of(c.output().unwrap_or_else(|e| panic!("run {program}: {e}")))
}

/// The tags and the command of `target` in a tree's `_build/_log`.
pub fn log_entry(t: &Tree, target: &str) -> Option<(String, String)> {
    let log = t.read("_build/_log");
    let lines: Vec<&str> = log.lines().collect();
    lines.windows(2).find_map(|pair| {
        let rest = pair[0].strip_prefix("# Target: ")?;
        let (t, tags) = rest.split_once(", tags: ")?;
        (t == target).then(|| {
            (
                tags.to_string(),
                pair[1]
                    .trim_end_matches(" # cached")
                    .replace(" -intf-suffix .ml ", " "),
            )
        })
    })
}
