#!/usr/bin/env python3
"""Cold builds of a project where three ppx rewriters apply to every file:
ocamlbuild -use-ocamlfind, caravan with its ppx driver pipeline, and caravan
with the rewriters as the compiler's -ppx (CARAVAN_PPX_DRIVER=0).

    python3 bench/ppx.py                      # 50 files, 1 warm-up + 5 rounds
    python3 bench/ppx.py --files 50 --runs 7 --work /tmp/ppx-bench
    CARAVAN=/path/to/caravan python3 bench/ppx.py

Each file m<i>.ml has two types with [@@deriving sexp, compare, hash] and
uses the previous one; main.ml prints M<n-1>.s (). _tags: package(ppx_sexp_conv),
package(ppx_compare), package(ppx_hash), package(base). Every build starts
from a fresh copy of the sources (no _build). The tools run in alternated
order, round after round; the table gives medians of the elapsed time and of
the CPU time (user + system of the tool and every process it waited for, as
/usr/bin/time counts it). Each program's output is checked, and after the
last round the source the compiler sees (-dsource) is compared, file by
file, between caravan's two pipelines. Only Python 3's standard library is
used; needs the Debian packages of ocamlbuild, ocaml-findlib, ppx_sexp_conv,
ppx_compare, ppx_hash and base (crates/findlib/tests/install-packages.sh).
"""

import argparse
import json
import os
import shlex
import shutil
import subprocess
import sys

from cold_builds import (add_common_arguments, alternate, any_failed, caravan_path,
                         load_range, print_table)

TAGS = ("true: package(ppx_sexp_conv), package(ppx_compare), package(ppx_hash), "
        "package(base)\n")


def generate(out, n):
    """Writes the project; returns the output main.native must print."""
    os.makedirs(out)
    with open(os.path.join(out, "_tags"), "w") as f:
        f.write(TAGS)
    for i in range(n):
        text = (
            "open Base\n"
            "type t = { a : int; b : string; c : float list; d : (int * string) option }"
            " [@@deriving sexp, compare, hash]\n"
            "type u = A | B of t | C of { x : int; y : t list }"
            " [@@deriving sexp, compare, hash]\n"
            f"let v = {{ a = {i}; b = \"m{i}\"; c = [1.0; 2.0]; d = Some ({i}, \"x\") }}\n"
            "let s () = Sexp.to_string (sexp_of_t v)\n"
        )
        if i > 0:
            text += f"let use_prev = M{i - 1}.compare_u\n"
        with open(os.path.join(out, f"m{i}.ml"), "w") as f:
            f.write(text)
    with open(os.path.join(out, "main.ml"), "w") as f:
        f.write(f"let () = Stdlib.print_endline (M{n - 1}.s ())\n")
    k = n - 1
    return f"((a {k})(b m{k})(c(1 2))(d(({k} x))))\n"


def tools(caravan, jobs):
    j = ["-j", str(jobs)]
    # name: (folder of its tree, command, environment)
    return {
        "ocamlbuild -use-ocamlfind": (
            "ocamlbuild", ["ocamlbuild", "-use-ocamlfind", *j, "main.native"], {}),
        "caravan, ppx driver": (
            "caravan-driver", [caravan, *j, "main.native"], {"CARAVAN_PPX_DRIVER": "1"}),
        "caravan, -ppx": (
            "caravan-ppx", [caravan, *j, "main.native"], {"CARAVAN_PPX_DRIVER": "0"}),
    }


def dsource(build_dir, obj):
    """What -dsource prints for the compilation of obj in build_dir's
    _log, without the ocaml.ppx.context attribute a driver leaves."""
    with open(os.path.join(build_dir, "_log")) as f:
        line = next(l for l in f if f" -o {obj} " in l and " -c " in l)
    argv = shlex.split(line.removesuffix("\n").removesuffix(" # cached"))
    p = subprocess.run(argv + ["-dsource", "-stop-after", "parsing"], cwd=build_dir,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    kept, in_context = [], False
    for l in p.stderr.splitlines():
        if l.startswith("[@@@ocaml.ppx.context"):
            in_context = True
        elif in_context:
            in_context = l != "  }]"
        else:
            kept.append(l)
    return "\n".join(kept)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--files", type=int, default=50)
    add_common_arguments(ap, "/tmp/caravan-bench-ppx")
    args = ap.parse_args()
    caravan = caravan_path()
    shutil.rmtree(args.work, ignore_errors=True)
    src = os.path.join(args.work, "src")
    expected = generate(src, args.files)
    plan = tools(caravan, args.jobs)
    names = list(plan)
    results = alternate(plan, args.work, src, expected, args.warmup, args.runs)

    fast, slow = (os.path.join(args.work, plan[n][0]) for n in names[1:])
    modules = [f"m{i}" for i in range(args.files)] + ["main"]
    same = sum(dsource(os.path.join(fast, "_build"), m + ".cmx")
               == dsource(os.path.join(slow, "_build"), m + ".cmx") for m in modules)

    print()
    print(f"{args.files} files + main.ml, 3 rewriters each, cold native builds, "
          f"-j {args.jobs}, {args.runs} runs (median, min-max); "
          f"{os.cpu_count()} cores, load average {load_range(results)} during the runs")
    print()
    print_table(results)
    print()
    print(f"-dsource identical through the driver and through -ppx: {same} of {len(modules)} files")
    with open(os.path.join(args.work, "results.json"), "w") as f:
        json.dump({"files": args.files, "jobs": args.jobs, "results": results,
                   "dsource_same": same, "dsource_files": len(modules)}, f, indent=1)
    failed = any_failed(results) or same != len(modules)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
