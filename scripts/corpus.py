#!/usr/bin/env python3
"""Builds published ocamlbuild projects with ocamlbuild and with caravan.

Each project is a Debian source package (fetched by scripts/corpus.sh into
the cache folder). Its own build driver runs unchanged, as debian/rules
runs it (make, `ocaml setup.ml`, `ocaml pkg/pkg.ml`), once with the real
ocamlbuild and once with caravan: a folder put first on PATH holds an
`ocamlbuild` that runs the tool of the round with the driver's exact
arguments (and logs them). For each project the script then compares the
artifacts the two builds left in `_build` (every .cmi, .cmo, .cmx, .cma,
.cmxa, .cmxs, .a, .byte, .native file of ocamlbuild's is in caravan's, but
the .cmo files ocamlbuild compiles only for the .cmi of a native build, and
the .cmi files are identical), runs a program each build made and compares its output, and
times the clean build (median of three, one for the two big ones) and the
null build (the driver run again, median of five) of both.

Usage: scripts/corpus.py [--short] [--cache DIR] [--caravan PATH] [PROJECT...]
Exit status: 0 when every project passed, 1 otherwise.
"""

import argparse
import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

# Null builds are short and noisy: the median of this many.
NULL_RUNS = 5

# Artifacts compared between the two builds.
ARTIFACTS = (".cmi", ".cmo", ".cmx", ".cma", ".cmxa", ".cmxs", ".a", ".byte", ".native")


@dataclass
class Project:
    """How debian/rules builds a package, and a program to check."""

    package: str
    configure: list
    build: list
    # A command run in the tree after the build; its output must match.
    check: str
    # What the build driver is: shown in the table.
    driver: str
    small: bool = False
    # Clean builds timed (the median is shown): more for the short ones,
    # whose times are within the machine's noise.
    clean_runs: int = 3
    bounds: str = ""
    extra: dict = field(default_factory=dict)


PROJECTS = [
    Project(
        package="camlp4",
        configure=["./configure"],
        build=["make all"],
        check="printf 'let f x = [x; x]\\n' > /tmp/corpus-camlp4.ml && "
        "_build/camlp4/camlp4o.native -printer o /tmp/corpus-camlp4.ml && "
        "_build/camlp4/camlp4o.byte -printer r /tmp/corpus-camlp4.ml",
        driver="make (366-line plugin, bootstrap preprocessor, packs)",
        clean_runs=1,
    ),
    Project(
        package="ocaml-batteries",
        configure=[],
        build=["make all", "make _build/testsuite/main.native"],
        # Its OUnit test suite (the timing line differs from run to run).
        check="_build/testsuite/main.native | grep -v '^Ran: '",
        driver="make (212-line plugin, prefilter rules, copy_rule)",
        clean_runs=1,
    ),
    Project(
        package="ocaml-fmt",
        configure=[],
        build=["ocaml pkg/pkg.ml build --with-base-unix true --with-cmdliner true --tests true"],
        check="_build/test/test.native",
        driver="topkg",
    ),
    Project(
        package="uutf",
        configure=[],
        build=["ocaml pkg/pkg.ml build --with-cmdliner true --tests true"],
        check="printf 'h\\303\\251llo\\n' | _build/test/utftrip.native -",
        driver="topkg",
        small=True,
    ),
    Project(
        package="react",
        configure=[],
        build=["ocaml pkg/pkg.ml build --tests true"],
        check="_build/test/test.native",
        driver="topkg",
    ),
    Project(
        package="ulex",
        configure=[],
        # debian/rules: `make all` then `make all.opt`; then a program in
        # ulex's syntax, as its Makefile's run_test builds one (`<test.*>:
        # use_ulex`; the Debian source ships no test.ml, so it is written).
        build=["make all", "make all.opt",
               "[ -e test.ml ] || printf '%s\\n' 'let rec count n = lexer' "
               "\"  | ['0'-'9']+ -> count (n + 1) lexbuf\" "
               "'  | eof -> n' '  | _ -> count n lexbuf' "
               "'let () = print_int (count 0 (Ulexing.from_utf8_string \"a1 b22 c333\"))' "
               "> test.ml && ocamlbuild test.native"],
        check="_build/test.native",
        driver="make (plugin: dep of the scan on pa_ulex.cma, camlp4 -pp)",
        clean_runs=3,
    ),
    Project(
        package="ocamlmod",
        configure=["ocaml setup.ml -configure --prefix /usr"],
        build=["ocaml setup.ml -build"],
        check="mkdir -p /tmp/corpus-mod && printf 'let x = 1\\n' > /tmp/corpus-mod/a.ml && "
        "printf 'a.ml\\n' > /tmp/corpus-mod/m.mod && _build/src/ocamlmod.byte -version && "
        "_build/src/ocamlmod.byte -o /tmp/corpus-mod/out.ml /tmp/corpus-mod/m.mod && "
        "cat /tmp/corpus-mod/out.ml",
        driver="OASIS",
        small=True,
    ),
    Project(
        package="ocamlify",
        configure=["ocaml setup.ml -configure --prefix /usr"],
        build=["ocaml setup.ml -build"],
        check="printf 'x' > /tmp/corpus-ify.txt && echo 'VarString x \"/tmp/corpus-ify.txt\"' "
        "> /tmp/corpus-ify.mlify && _build/src/ocamlify.byte /tmp/corpus-ify.mlify",
        driver="OASIS",
    ),
]


def sh(cmd, cwd, env, log):
    """Runs a shell command, appending its output to `log`; its exit code."""
    with open(log, "a") as out:
        out.write(f"$ {cmd}\n")
        out.flush()
        return subprocess.run(cmd, shell=True, cwd=cwd, env=env, stdout=out,
                              stderr=subprocess.STDOUT).returncode


def shim_dir(work, tool, caravan):
    """A folder whose `ocamlbuild` runs `tool` with the driver's arguments."""
    d = os.path.join(work, f"shim-{tool}")
    os.makedirs(d, exist_ok=True)
    target = caravan if tool == "caravan" else shutil.which("ocamlbuild", path="/usr/bin:/usr/local/bin")
    path = os.path.join(d, "ocamlbuild")
    with open(path, "w") as f:
        f.write("#!/bin/sh\n"
                "# corpus.py: the build driver's ocamlbuild, logged and timed\n"
                f"echo \"$(pwd): ocamlbuild $*\" >> \"{d}/calls\"\n"
                "start=$(date +%s%N)\n"
                f"{target} \"$@\"\n"
                "code=$?\n"
                f"echo $(( $(date +%s%N) - start )) >> \"{d}/times\"\n"
                "exit $code\n")
    os.chmod(path, 0o755)
    return d


def source_tree(cache, package):
    """The extracted source folder of a package in the cache."""
    x = os.path.join(cache, "x")
    for name in sorted(os.listdir(x)) if os.path.isdir(x) else []:
        full = os.path.join(x, name)
        if name.startswith(package + "_") and os.path.isdir(full):
            return full
    return None


def artifacts(tree):
    """The artifacts under `_build`, with the digest of each .cmi."""
    out = {}
    build = os.path.join(tree, "_build")
    for dirpath, dirnames, files in os.walk(build):
        dirnames[:] = [d for d in dirnames if not d.startswith(".caravan")]
        for f in files:
            if f.endswith(ARTIFACTS) and f != "myocamlbuild.cmi" and not f.startswith("myocamlbuild"):
                rel = os.path.relpath(os.path.join(dirpath, f), build)
                digest = None
                if f.endswith(".cmi"):
                    with open(os.path.join(dirpath, f), "rb") as fh:
                        digest = hashlib.md5(fh.read()).hexdigest()
                out[rel] = digest
    return out


def tool_seconds(shim):
    """The time spent in the tool so far (its calls from the shim)."""
    try:
        with open(os.path.join(shim, "times")) as f:
            return sum(int(line) for line in f if line.strip()) / 1e9
    except FileNotFoundError:
        return 0.0


def one_round(p, src, tree, tool, caravan, work, log):
    """From fresh copies of `src`: configures (untimed) and builds, as many
    times as the project's clean runs; then builds the last copy again
    (null, NULL_RUNS times). Times are medians, each the tool's own (the
    sum of its calls) and the driver's."""
    env = dict(os.environ)
    shim = shim_dir(work, tool, caravan)
    for f in ("calls", "times"):
        if os.path.exists(os.path.join(shim, f)):
            os.remove(os.path.join(shim, f))
    env["PATH"] = shim + ":" + env["PATH"]
    cleans = []
    for _ in range(p.clean_runs):
        shutil.rmtree(tree, ignore_errors=True)
        shutil.copytree(src, tree, symlinks=True)
        for c in p.configure:
            if sh(c, tree, env, log) != 0:
                return None, f"configure failed: {c}"
        before, start = tool_seconds(shim), time.monotonic()
        for c in p.build:
            if sh(c, tree, env, log) != 0:
                return None, f"build failed: {c}"
        cleans.append((tool_seconds(shim) - before, time.monotonic() - start))
    clean = (statistics.median(c[0] for c in cleans), statistics.median(c[1] for c in cleans))
    nulls = []
    for _ in range(NULL_RUNS):
        before, start = tool_seconds(shim), time.monotonic()
        for c in p.build:
            if sh(c, tree, env, log) != 0:
                return {"clean": clean}, f"null build failed: {c}"
        nulls.append((tool_seconds(shim) - before, time.monotonic() - start))
    null = (statistics.median(n[0] for n in nulls), statistics.median(n[1] for n in nulls))
    return {"clean": clean, "null": null}, None


def check_output(p, tree, log):
    r = subprocess.run(p.check, shell=True, cwd=tree, capture_output=True, text=True)
    with open(log, "a") as out:
        out.write(f"$ {p.check}\n{r.stdout}{r.stderr}(exit {r.returncode})\n")
    return r.returncode, r.stdout


def run_project(p, cache, caravan, work):
    src = source_tree(cache, p.package)
    if src is None:
        return {"project": p.package, "status": "missing", "why": "source not in the cache"}
    result = {"project": p.package, "driver": p.driver}
    trees = {}
    for tool in ("ocamlbuild", "caravan"):
        tree = os.path.join(work, p.package, tool)
        log = os.path.join(work, p.package, f"{tool}.log")
        if os.path.exists(log):
            os.remove(log)
        times, err = one_round(p, src, tree, tool, caravan, os.path.join(work, p.package), log)
        result[tool] = {**(times or {}), "error": err, "log": log}
        trees[tool] = tree
    errors = [f"{t}: {result[t]['error']}" for t in ("ocamlbuild", "caravan") if result[t]["error"]]
    if errors:
        result["status"] = "FAIL"
        result["why"] = "; ".join(errors)
        return result
    theirs, ours = artifacts(trees["ocamlbuild"]), artifacts(trees["caravan"])
    # ocamlbuild compiles a .cmo for the .cmi of every module without .mli
    # even in a native-only build; caravan's ocamlopt writes that .cmi.
    missing = sorted(f for f in set(theirs) - set(ours)
                     if not (f.endswith(".cmo") and f[:-4] + ".cmx" in ours))
    extra = sorted(set(ours) - set(theirs))
    differ = sorted(f for f in set(theirs) & set(ours) if theirs[f] != ours[f])
    outputs = [check_output(p, trees[t], result[t]["log"]) for t in ("ocamlbuild", "caravan")]
    why = []
    if missing:
        why.append(f"{len(missing)} artifacts missing (e.g. {', '.join(missing[:3])})")
    if differ:
        why.append(f"{len(differ)} .cmi differ (e.g. {', '.join(differ[:3])})")
    if outputs[0][0] != 0:
        why.append("the check failed with ocamlbuild's build")
    if outputs[0] != outputs[1]:
        why.append("the check's output differs")
    result["artifacts"] = len(theirs)
    result["extra"] = extra
    result["status"] = "FAIL" if why else "ok"
    result["why"] = "; ".join(why)
    return result


def seconds(t):
    return f"{t:.2f}" if t < 10 else f"{t:.1f}"


def fmt_time(t):
    """`tool s (driver s)`, or a dash."""
    if t is None:
        return "—"
    return f"{seconds(t[0])} s ({seconds(t[1])})"


def table(results):
    lines = [
        "Times: the tool's own seconds (all its calls), then the whole build "
        "driver's in parentheses; medians of 3 clean builds (1 for camlp4 and "
        f"batteries) and of {NULL_RUNS} null builds.",
        "",
        "| project | driver | artifacts | ocamlbuild clean | caravan clean | ocamlbuild null | caravan null | result |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        ob, cv = r.get("ocamlbuild", {}), r.get("caravan", {})
        status = r["status"] + (f": {r['why']}" if r.get("why") else "")
        lines.append(
            f"| {r['project']} | {r.get('driver', '')} | {r.get('artifacts', '—')} | "
            f"{fmt_time(ob.get('clean'))} | {fmt_time(cv.get('clean'))} | "
            f"{fmt_time(ob.get('null'))} | {fmt_time(cv.get('null'))} | {status} |"
        )
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--short", action="store_true", help="only the small projects")
    ap.add_argument("--cache", default=os.environ.get(
        "CARAVAN_CORPUS_DIR", os.path.expanduser("~/.cache/caravan/corpus")))
    ap.add_argument("--caravan", default=os.path.join(ROOT, "target", "release", "caravan"))
    ap.add_argument("--work", default=os.path.join(ROOT, "target", "corpus"))
    ap.add_argument("projects", nargs="*")
    a = ap.parse_args()
    chosen = [p for p in PROJECTS if (not a.projects or p.package in a.projects)
              and (not a.short or p.small)]
    os.makedirs(a.work, exist_ok=True)
    results = []
    for p in chosen:
        print(f"corpus: {p.package} ...", flush=True)
        r = run_project(p, a.cache, a.caravan, a.work)
        results.append(r)
        print(f"corpus: {p.package}: {r['status']} {r.get('why', '')}", flush=True)
    print(table(results))
    return 0 if all(r["status"] == "ok" for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
