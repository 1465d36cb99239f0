#!/usr/bin/env python3
"""Cold builds of a project that uses five findlib packages: ocamlbuild
-use-ocamlfind (one `ocamlfind` process in front of every compiler command)
against caravan (packages resolved once, in process, compilers called
directly).

    python3 bench/packages.py                 # 60 modules, 1 warm-up + 5 rounds
    python3 bench/packages.py --modules 100 --runs 7
    CARAVAN=/path/to/caravan python3 bench/packages.py

Every module uses str, unix, yojson, re and cmdliner, and the module before
it; main.ml prints a checksum. Each build starts from a fresh copy of the
sources. The tools alternate, round after round; the table gives medians of
the elapsed time and of the CPU time (user + system of the tool and every
process it waited for). Besides the whole builds, it times what ocamlbuild
pays per command for going through ocamlfind (`ocamlfind ocamlopt
-only-show`, which resolves the packages and prints the command without
running it) and counts those commands in ocamlbuild's _log. Needs the Debian
packages of ocamlbuild, ocaml-findlib, yojson, re and cmdliner
(crates/findlib/tests/install-packages.sh).
"""

import argparse
import json
import os
import shutil
import sys

from cold_builds import (add_common_arguments, alternate, any_failed, caravan_path,
                         load_range, print_table, timed)

PACKAGES = ["str", "unix", "yojson", "re", "cmdliner"]


def generate(out, n):
    """Writes the project; returns what main.native must print."""
    os.makedirs(out)
    with open(os.path.join(out, "_tags"), "w") as f:
        f.write("true: " + ", ".join(f"package({p})" for p in PACKAGES) + "\n")
    for i in range(n):
        prev = f"M{i - 1}.value + " if i > 0 else ""
        text = (
            f"let words = Str.split (Str.regexp \" \") \"a b c {i}\"\n"
            "let pid_known = Unix.getpid () > 0\n"
            f"let json = Yojson.Safe.to_string (`Assoc [(\"m\", `Int {i})])\n"
            "let re = Re.compile (Re.Posix.re \"[0-9]+\")\n"
            f"let digits = List.length (Re.all re \"{i} x {i + 1}\")\n"
            f"let term = Cmdliner.Arg.(value & flag & info [\"m{i}\"])\n"
            f"let value = {prev}List.length words + String.length json + digits"
            " + (if pid_known then 1 else 0)\n"
        )
        with open(os.path.join(out, f"m{i}.ml"), "w") as f:
            f.write(text)
    with open(os.path.join(out, "main.ml"), "w") as f:
        f.write(f"let () = Printf.printf \"%d\\n\" M{n - 1}.value\n")
    total = 0
    for i in range(n):
        json_len = len(f'{{"m":{i}}}')
        digits = len([s for s in [str(i), str(i + 1)]])
        total += 4 + json_len + digits + 1
    return f"{total}\n"


def ocamlfind_overhead(src, calls):
    """Seconds of elapsed and CPU time one `ocamlfind ocamlopt -only-show`
    costs (the average of `calls` runs)."""
    argv = ["ocamlfind", "ocamlopt", "-only-show", "-c",
            *[a for p in PACKAGES for a in ("-package", p)], "m0.ml"]
    elapsed = cpu = 0.0
    for _ in range(calls):
        code, e, c, out = timed(argv, src, dict(os.environ))
        if code != 0:
            sys.exit(f"ocamlfind failed:\n{out}")
        elapsed += e
        cpu += c
    return elapsed / calls, cpu / calls


def ocamlfind_commands(tree):
    """The commands ocamlbuild ran through ocamlfind, from its _log."""
    with open(os.path.join(tree, "_build", "_log")) as f:
        return sum(1 for line in f if line.startswith("ocamlfind "))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--modules", type=int, default=60)
    add_common_arguments(ap, "/tmp/caravan-bench-packages")
    args = ap.parse_args()
    caravan = caravan_path()
    shutil.rmtree(args.work, ignore_errors=True)
    src = os.path.join(args.work, "src")
    expected = generate(src, args.modules)
    j = ["-j", str(args.jobs)]
    plan = {
        "ocamlbuild -use-ocamlfind": (
            "ocamlbuild", ["ocamlbuild", "-use-ocamlfind", *j, "main.native"], {}),
        "caravan": ("caravan", [caravan, *j, "main.native"], {}),
    }
    results = alternate(plan, args.work, src, expected, args.warmup, args.runs)

    commands = ocamlfind_commands(os.path.join(args.work, "ocamlbuild"))
    per_call = ocamlfind_overhead(src, 20)
    print()
    print(f"{args.modules} modules + main.ml using {', '.join(PACKAGES)}; cold native builds, "
          f"-j {args.jobs}, {args.runs} runs (median, min-max); {os.cpu_count()} cores, "
          f"load average {load_range(results)} during the runs")
    print()
    print_table(results, digits=2)
    print()
    print(f"ocamlbuild ran {commands} commands through ocamlfind; one `ocamlfind ocamlopt "
          f"-only-show` with the five packages costs {per_call[0] * 1000:.0f} ms elapsed, "
          f"{per_call[1] * 1000:.0f} ms CPU: about {commands * per_call[1]:.1f} s of CPU "
          f"in the whole build")
    with open(os.path.join(args.work, "results.json"), "w") as f:
        json.dump({"modules": args.modules, "jobs": args.jobs, "results": results,
                   "ocamlfind_commands": commands, "ocamlfind_per_call": per_call}, f, indent=1)
    sys.exit(1 if any_failed(results) else 0)


if __name__ == "__main__":
    main()
