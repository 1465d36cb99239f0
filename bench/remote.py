#!/usr/bin/env python3
# remote.py — what the caches and remote execution are worth on a
# generated project: each build is a cold build of a fresh copy (no
# _build), with
#   cold          -no-cache: nothing shared (the reference)
#   local-miss    an empty local cache (the cost of storing everything)
#   local-warm    (a) a local cache a previous clone filled
#   remote-miss   an empty local cache and -remote-cache on a server that
#                 has never seen these sources (the cost of a miss)
#   remote-warm   (b) an empty local cache and a remote cache another
#                 clone filled
#   http-miss     the cost of a miss through the Bazel HTTP cache (nginx)
#   http-warm     (b) the same through the Bazel HTTP cache (nginx)
#   remote-exec   (c) -remote-exec: every compilation on the server's
#                 workers (empty caches)
# The sources of every "miss" and "exec" build get a fresh salt in each
# module, so that no cache anywhere knows them or their compiled files;
# the cold builds are salted the same way.  The servers run on this
# machine and share its cores with the build: their CPU time during each
# build is reported beside the build's own.
#
# Usage: bench/remote.py [--modules 1000] [--runs 3] [--reapi URL] [--http URL]
#                        [--scenarios cold,local-miss,...]
#   URLs default to CARAVAN_TEST_REAPI / CARAVAN_TEST_HTTP_CACHE (written
#   by scripts/remote-server.sh start); scenarios without a server are
#   skipped.  caravan is target/release/caravan unless CARAVAN is set.

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import measure  # noqa: E402


def server_cpu_seconds():
    """CPU time used so far by the test servers of scripts/remote-server.sh
    (BuildGrid, its workers, PostgreSQL, nginx): they share this machine's
    cores with the build, so a scenario's cost includes theirs."""
    state = os.environ.get("CARAVAN_REMOTE_STATE", "/tmp/caravan-remote")
    pids = set()
    try:
        for name in os.listdir(state):
            if name.endswith(".pid"):
                with open(os.path.join(state, name)) as f:
                    pids.add(f.read().strip())
    except OSError:
        return 0.0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmd = f.read()
        except OSError:
            continue
        if b"postgres" in cmd or b"nginx" in cmd:
            pids.add(pid)
    ticks = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            ticks += sum(int(x) for x in fields[11:15])
        except (OSError, IndexError, ValueError):
            pass
    return ticks / os.sysconf("SC_CLK_TCK")


def generate(modules, out):
    subprocess.run([sys.executable, os.path.join(HERE, "generate.py"), "--modules",
                    str(modules), out], check=True, stdout=subprocess.DEVNULL)
    with open(os.path.join(out, "manifest.json")) as f:
        return json.load(f)


def fresh_copy(src, dest, salt=None):
    """A clone of the sources; with a salt, every module gets a value
    holding it (and every interface its declaration), so that every
    compiled file, not only every source, is new to every cache (a salt
    in a comment would leave the objects, hence the links, as they were)."""
    if os.path.exists(dest):
        shutil.rmtree(dest)
    shutil.copytree(src, dest)
    if salt is None:
        return
    for root, _dirs, files in os.walk(dest):
        for name in files:
            if name.endswith(".ml"):
                line = f'let caravan_bench_salt = "{salt}"\n'
            elif name.endswith(".mli"):
                line = "val caravan_bench_salt : string\n"
            else:
                continue
            with open(os.path.join(root, name), "a") as f:
                f.write(line)


def argv(caravan, manifest, extra):
    args = [caravan] + extra + ["-j", "2", "-cflag", "-g", "-lflag", "-g"]
    if manifest["folders"]:
        args += ["-Is", ",".join(manifest["folders"])]
    return args + ["main.native"]


def build(caravan, manifest, tree, extra, cache_dir, logs, name):
    env = dict(os.environ)
    env["CARAVAN_CACHE_DIR"] = cache_dir
    env["LC_ALL"] = "C"
    log = os.path.join(logs, f"{name}.log")
    run = measure.run(argv(caravan, manifest, extra), tree, log, 1800, env=env)
    if run.status != "ok":
        raise SystemExit(f"{name}: {run.status}, see {log}")
    got = subprocess.run(["./main.native"], cwd=tree, capture_output=True, text=True).stdout
    if got != manifest["expected"]:
        raise SystemExit(f"{name}: the program printed {got!r}, expected {manifest['expected']!r}")
    return run


def main():
    ap = argparse.ArgumentParser(prog="bench/remote.py", description=__doc__)
    ap.add_argument("--modules", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--reapi", default=os.environ.get("CARAVAN_TEST_REAPI"))
    ap.add_argument("--http", default=os.environ.get("CARAVAN_TEST_HTTP_CACHE"))
    ap.add_argument("--scenarios", default="cold,local-miss,local-warm,remote-miss,remote-warm,"
                    "remote-exec,http-miss,http-warm", help="which scenarios run (cold always does)")
    ap.add_argument("--work", default=os.path.join(tempfile.gettempdir(), "caravan-bench-remote"))
    args = ap.parse_args()
    caravan = os.environ.get("CARAVAN") or os.path.join(HERE, "..", "target", "release", "caravan")
    caravan = os.path.abspath(caravan)
    if os.path.exists(args.work):
        shutil.rmtree(args.work)
    os.makedirs(args.work)
    logs = os.path.join(args.work, "logs")
    os.makedirs(logs)
    project = os.path.join(args.work, "project")
    manifest = generate(args.modules, project)
    src = os.path.join(project, "src")
    tree = os.path.join(args.work, "tree")
    times = {}

    wanted = set(args.scenarios.split(",")) | {"cold"}

    def timed(scenario, extra, cache_dir, salt=None, run_no=0):
        if scenario not in wanted:
            return
        fresh_copy(src, tree, salt)
        before = server_cpu_seconds()
        r = build(caravan, manifest, tree, extra, cache_dir, logs, f"{scenario}-{run_no}")
        server = server_cpu_seconds() - before
        times.setdefault(scenario, []).append((r.seconds, r.cpu_seconds, server))
        print(f"  {scenario:12} run {run_no}: {r.seconds:7.2f} s, CPU {r.cpu_seconds:7.2f} s,"
              f" servers' CPU {server:6.2f} s", flush=True)

    def empty_dir(name):
        d = os.path.join(args.work, name)
        if os.path.exists(d):
            shutil.rmtree(d)
        os.makedirs(d)
        return d

    warm_local = empty_dir("warm-local")
    fresh_copy(src, tree)
    build(caravan, manifest, tree, [], warm_local, logs, "fill-local")
    if args.reapi:
        fresh_copy(src, tree)
        build(caravan, manifest, tree, ["-remote-cache", args.reapi], empty_dir("x"), logs,
              "fill-remote")
    if args.http:
        fresh_copy(src, tree)
        build(caravan, manifest, tree, ["-remote-cache", args.http], empty_dir("x"), logs,
              "fill-http")
    for i in range(args.runs):
        salt = f"{os.getpid()}-{i}"
        timed("cold", ["-no-cache"], empty_dir("none"), salt, i)
        timed("local-miss", [], empty_dir("local-miss"), salt + "-l", i)
        timed("local-warm", [], warm_local, None, i)
        if args.reapi:
            timed("remote-miss", ["-remote-cache", args.reapi], empty_dir("rm"), salt + "-r", i)
            timed("remote-warm", ["-remote-cache", args.reapi], empty_dir("rw"), None, i)
            timed("remote-exec", ["-remote-exec", args.reapi], empty_dir("re"), salt + "-e", i)
        if args.http:
            timed("http-miss", ["-remote-cache", args.http], empty_dir("hm"), salt + "-h", i)
            timed("http-warm", ["-remote-cache", args.http], empty_dir("hw"), None, i)

    cold = statistics.median(t for t, _, _ in times["cold"])
    print(f"\n{args.modules} modules, {args.runs} runs, medians:")
    print("| scenario | elapsed (s) | CPU of caravan and the compilers (s) |"
          " CPU of the servers (s) | against cold |")
    print("|---|---|---|---|---|")
    for name, runs in times.items():
        wall = statistics.median(t for t, _, _ in runs)
        cpu = statistics.median(c for _, c, _ in runs)
        server = statistics.median(v for _, _, v in runs)
        ratio = f"{cold / wall:.1f}x faster" if wall < cold else f"{wall / cold:.2f}x the time"
        print(f"| {name} | {wall:.2f} | {cpu:.2f} | {server:.2f} | {ratio} |")
    with open(os.path.join(args.work, "results.json"), "w") as f:
        json.dump(times, f, indent=1)


if __name__ == "__main__":
    main()
