"""Alternated cold builds for the single-project benchmarks (ppx.py,
packages.py): every build from a fresh copy of the sources, the tools in a
rotating order round after round, each program's output checked, and the
medians of elapsed and CPU time (user + system of the tool and every
process it waited for) in a markdown table."""

import os
import resource
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def caravan_path():
    """The caravan to measure: $CARAVAN, else the release build."""
    caravan = os.environ.get("CARAVAN", os.path.join(ROOT, "target", "release", "caravan"))
    if not os.access(caravan, os.X_OK):
        sys.exit(f"no caravan at {caravan}: cargo build --release -p caravan, or set CARAVAN")
    return caravan


def add_common_arguments(ap, work):
    """--runs, --warmup, --jobs and --work."""
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--work", default=os.environ.get("BENCH_WORK", work))


def timed(argv, cwd, env):
    """Runs argv; returns (exit code, elapsed s, cpu s, output)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    p = subprocess.run(argv, cwd=cwd, env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    elapsed = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return p.returncode, elapsed, cpu, p.stdout


def alternate(plan, work, src, expected, warmup, runs):
    """Builds `main.native` with every tool of `plan` (name: (folder,
    argv, extra environment)), `warmup` + `runs` rounds; returns the counted
    results by name."""
    names = list(plan)
    results = {name: [] for name in names}
    for r in range(warmup + runs):
        order = names[r % len(names):] + names[:r % len(names)]
        for name in order:
            folder, argv, extra = plan[name]
            tree = os.path.join(work, folder)
            shutil.rmtree(tree, ignore_errors=True)
            shutil.copytree(src, tree)
            load = os.getloadavg()[0]
            code, elapsed, cpu, out = timed(argv, tree, dict(os.environ, **extra))
            ok = code == 0
            if ok:
                prog = subprocess.run([os.path.join(tree, "main.native")],
                                      stdout=subprocess.PIPE, text=True)
                ok = prog.stdout == expected
            counted = r >= warmup
            label = f"run {r + 1 - warmup}" if counted else f"warm-up {r + 1}"
            print(f"{label}: {name}: {elapsed:.2f} s elapsed, {cpu:.2f} s CPU, "
                  f"load {load:.1f}{'' if ok else ' FAILED'}", flush=True)
            if not ok:
                print(out[-3000:])
            if counted:
                results[name].append({"elapsed": elapsed, "cpu": cpu, "load": load, "ok": ok})
    return results


def load_range(results):
    """`min-max` of the load averages seen during the runs."""
    loads = [x["load"] for v in results.values() for x in v]
    return f"{min(loads):.1f}-{max(loads):.1f}"


def print_table(results, digits=1):
    """The markdown table of medians (min-max) by tool."""
    print("| build | elapsed (s) | CPU, user+sys (s) | failed |")
    print("|---|---|---|---|")
    for name, rs in results.items():
        e = [x["elapsed"] for x in rs]
        c = [x["cpu"] for x in rs]
        print(f"| {name} | {statistics.median(e):.{digits}f} "
              f"({min(e):.{digits}f}-{max(e):.{digits}f}) | "
              f"{statistics.median(c):.{digits}f} ({min(c):.{digits}f}-{max(c):.{digits}f}) | "
              f"{sum(not x['ok'] for x in rs)} |")


def any_failed(results):
    return any(not x["ok"] for v in results.values() for x in v)
