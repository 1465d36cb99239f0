//! Faults: interruptions, crashing and hanging compilers, a full disk, two
//! builds at once, hostile target names.

use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{Tree, caravan_bin};

fn script(t: &Tree, name: &str, body: &str) -> String {
    t.write(name, &format!("#!/bin/sh\n{body}"));
    let path = t.path(name);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    path.to_string_lossy().into_owned()
}

fn alive(pid: i32) -> bool {
    // SAFETY: signal 0 only checks that the process exists.
    unsafe { libc::kill(pid, 0) == 0 }
}

fn wait_for(path: &std::path::Path) -> String {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(30) {
        if let Ok(s) = std::fs::read_to_string(path)
            && !s.trim().is_empty()
        {
            return s;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("{} never appeared", path.display());
}

/// A compiler that starts a long sleep (a grandchild of caravan) and
/// records its pid.
fn hanging(t: &Tree) -> String {
    let pidfile = t.path("sleeper.pid");
    script(
        t,
        "hang.sh",
        &format!("sleep 300 &\necho $! > '{}'\nwait\n", pidfile.display()),
    )
}

#[test]
fn an_interrupt_stops_the_commands_and_leaves_no_process_behind() {
    for signal in [libc::SIGINT, libc::SIGTERM] {
        let t = Tree::new(&[("a.ml", "let x = 1\n")]);
        let hang = hanging(&t);
        let mut child = Command::new(caravan_bin())
            .args(["-no-hygiene", "-ocamlopt", &hang, "a.native"])
            .current_dir(t.root())
            .stdout(Stdio::piped())
            .spawn()
            .expect("caravan");
        let sleeper: i32 = wait_for(&t.path("sleeper.pid"))
            .trim()
            .parse()
            .expect("pid");
        assert!(alive(sleeper));
        // SAFETY: sending a signal to the caravan process we started.
        unsafe {
            libc::kill(child.id() as i32, signal);
        }
        let status = child.wait().expect("wait");
        assert_eq!(status.code(), Some(130), "signal {signal}");
        let start = Instant::now();
        while alive(sleeper) && start.elapsed() < Duration::from_secs(5) {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(
            !alive(sleeper),
            "the compiler's child survived signal {signal}"
        );
        // The next build is normal.
        t.caravan(&["-no-hygiene", "a.native"]).ok();
    }
}

#[test]
fn a_crashing_compiler_is_reported_with_its_signal() {
    let t = Tree::new(&[("a.ml", "let x = 1\n")]);
    let crash = script(&t, "crash.sh", "kill -SEGV $$\n");
    let r = t.caravan(&["-no-hygiene", "-ocamlopt", &crash, "a.native"]);
    assert_eq!(r.code, 11, "{}", r.stdout);
    assert!(r.stdout.contains("Command got signal 11."), "{}", r.stdout);
    t.caravan(&["-no-hygiene", "a.native"]).ok();
}

#[test]
fn a_second_build_waits_for_the_first() {
    let t = Tree::new(&[("a.ml", "let () = print_string \"ok\"\n")]);
    let started = t.path("started");
    let slow = script(
        &t,
        "slow.sh",
        &format!(
            "touch '{}'\nsleep 1\nexec ocamlopt.opt \"$@\"\n",
            started.display()
        ),
    );
    let first = Command::new(caravan_bin())
        .args(["-no-hygiene", "-ocamlopt", &slow, "a.native"])
        .current_dir(t.root())
        .stdout(Stdio::piped())
        .spawn()
        .expect("caravan");
    let start = Instant::now();
    while !started.exists() && start.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(10));
    }
    let second = t.caravan(&["-no-hygiene", "-ocamlopt", &slow, "a.native"]);
    let first = first.wait_with_output().expect("first");
    assert!(first.status.success());
    assert_eq!(second.code, 0, "{}", second.stdout);
    assert!(
        second.stdout.contains("another caravan process is using"),
        "{}",
        second.stdout
    );
    assert_eq!(t.run("a.native", &[]).stdout, "ok");
}

#[test]
fn a_full_disk_is_a_clear_error_and_the_next_build_recovers() {
    let t = Tree::new(&[
        ("a.ml", "let x = Array.make 10 0\n"),
        ("b.ml", "let () = print_int (Array.length A.x)\n"),
    ]);
    let build = t.path("small");
    std::fs::create_dir_all(&build).expect("mkdir");
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=300k", "tmpfs"])
        .arg(&build)
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if !mounted {
        // Mounting needs privileges this machine does not give; the
        // scenario is then out of reach here.
        eprintln!("a_full_disk...: cannot mount a tmpfs, scenario not run");
        return;
    }
    let dir = build.to_string_lossy().into_owned();
    let r = t.caravan(&["-build-dir", &dir, "b.native"]);
    assert_ne!(r.code, 0, "{}", r.stdout);
    assert!(
        r.stdout.contains("No space left on device") || r.stdout.contains("space"),
        "{}",
        r.stdout
    );
    // Free space: a bigger file system in the same place.
    let _ = Command::new("umount").arg(&build).status();
    let remounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=64m", "tmpfs"])
        .arg(&build)
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    assert!(remounted);
    let r = t.caravan(&["-build-dir", &dir, "b.native"]);
    let _ = Command::new("umount").arg(&build).status();
    assert_eq!(r.code, 0, "{}", r.stdout);
}

#[test]
fn targets_outside_the_project_are_refused_and_nothing_is_written_there() {
    let outer = tempfile::tempdir().expect("tmp");
    let project = outer.path().join("p");
    std::fs::create_dir_all(&project).expect("mkdir");
    std::fs::write(project.join("a.ml"), "let () = ()\n").expect("write");
    for target in [
        "../x.native",
        "../../x.native",
        "/tmp/caravan-outside.native",
        "sub/../../a.byte",
    ] {
        let out = Command::new(caravan_bin())
            .arg(target)
            .current_dir(&project)
            .output()
            .expect("caravan");
        assert_eq!(out.status.code(), Some(2), "{target}");
        assert!(String::from_utf8_lossy(&out.stdout).contains("outside the project"));
    }
    let entries: Vec<_> = std::fs::read_dir(outer.path()).expect("ls").collect();
    assert_eq!(entries.len(), 1, "only the project directory");
    assert!(!std::path::Path::new("/tmp/caravan-outside.native").exists());
}

#[test]
fn paths_with_spaces_quotes_and_dollars_build() {
    let outer = tempfile::tempdir().expect("tmp");
    let root = outer.path().join("it's a $HOME \"dir\"");
    std::fs::create_dir_all(root.join("sub dir")).expect("mkdir");
    std::fs::write(root.join("sub dir/util.ml"), "let v = 5\n").expect("write");
    std::fs::write(root.join("main.ml"), "let () = print_int Util.v\n").expect("write");
    let out = Command::new(caravan_bin())
        .args(["-I", "sub dir", "main.native", "main.byte"])
        .current_dir(&root)
        .output()
        .expect("caravan");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    for p in ["main.native", "main.byte"] {
        let run = Command::new(root.join(p)).output().expect("run");
        assert_eq!(String::from_utf8_lossy(&run.stdout), "5");
    }
}

/// Every file under `dir` with its content and modification time.
fn snapshot(dir: &std::path::Path) -> Vec<(String, Vec<u8>, std::time::SystemTime)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let mut entries: Vec<_> = std::fs::read_dir(&d)
            .expect("ls")
            .flatten()
            .map(|e| e.path())
            .collect();
        entries.sort();
        for p in entries {
            let meta = std::fs::symlink_metadata(&p).expect("stat");
            if meta.is_dir() {
                stack.push(p.clone());
            }
            let content = if meta.is_file() {
                std::fs::read(&p).expect("read")
            } else {
                Vec::new()
            };
            let mtime = meta.modified().expect("mtime");
            out.push((p.to_string_lossy().into_owned(), content, mtime));
        }
    }
    out
}

#[test]
fn symlinks_to_outside_sources_are_read_never_written() {
    let outer = tempfile::tempdir().expect("tmp");
    let outside = outer.path().join("outside");
    std::fs::create_dir_all(outside.join("shared")).expect("mkdir");
    std::fs::write(outside.join("b.ml"), "let b = 2\n").expect("write");
    std::fs::write(outside.join("shared/c.ml"), "let c = 3\n").expect("write");
    std::fs::write(outside.join("shared/c.mli"), "val c : int\n").expect("write");
    let project = outer.path().join("p");
    std::fs::create_dir_all(&project).expect("mkdir");
    std::fs::write(project.join("main.ml"), "let () = print_int (B.b + C.c)\n").expect("write");
    std::fs::write(project.join("_tags"), "<shared>: include\n").expect("write");
    std::os::unix::fs::symlink(outside.join("b.ml"), project.join("b.ml")).expect("symlink");
    std::os::unix::fs::symlink(outside.join("shared"), project.join("shared")).expect("symlink");
    let before = snapshot(&outside);
    for args in [
        &["main.native", "main.byte", "shared/c.inferred.mli"][..],
        &["main.native"][..],
        &["-clean"][..],
    ] {
        std::thread::sleep(Duration::from_millis(20));
        let out = Command::new(caravan_bin())
            .args(args)
            .current_dir(&project)
            .output()
            .expect("caravan");
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        if args[0] == "main.native" {
            let run = Command::new(project.join("main.native"))
                .output()
                .expect("run");
            assert_eq!(String::from_utf8_lossy(&run.stdout), "5");
        }
        assert_eq!(
            snapshot(&outside),
            before,
            "{args:?}: the files outside the project changed"
        );
    }
    // Only the project folder and the outside folder exist next to each other.
    let mut names: Vec<String> = std::fs::read_dir(outer.path())
        .expect("ls")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["outside", "p"]);
}
