#!/usr/bin/env python3
# scaling.py — how well the machine runs two CPU-bound jobs at once right
# now: the same job alone, then two copies together; speed-up =
# 2 x (time alone) / (time of the pair), 2.0 when two cores are free, 1.0
# when only one is.  Two jobs: a pure-CPU Python loop, and 12 compilations
# of one generated module (ocamlopt -c).  Median of 3 tries each.
# Usage: scaling.py   (prints JSON)

import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time

import blocks

SPIN = "s = 0\nfor i in range(6_000_000):\n    s += i\n"


def _wall(commands):
    """Start every command (argv lists) at once; wall time until all end."""
    t = time.perf_counter()
    procs = [subprocess.Popen(c, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for c in commands]
    for p in procs:
        p.wait()
    return time.perf_counter() - t


def _speedup(job, tries=3):
    alone = statistics.median(_wall([job]) for _ in range(tries))
    pair = statistics.median(_wall([job, job]) for _ in range(tries))
    return {"alone_s": round(alone, 3), "pair_s": round(pair, 3), "speedup": round(2 * alone / pair, 2)}


def _module_source():
    rng = random.Random(5)
    parts = ["let mask = 0xFFFFFF\n"]
    parts += [blocks.ocaml(k, b) for k, b in enumerate(blocks.pick(rng, 8), 1)]
    return "\n".join(parts)


def measure():
    out = {"cpu_loop": _speedup([sys.executable, "-c", SPIN])}
    with tempfile.TemporaryDirectory() as d:
        with open(os.path.join(d, "m.ml"), "w") as f:
            f.write(_module_source())
        loop = "for i in $(seq 12); do ocamlopt -c -g -o o$$_$i.cmx m.ml || exit 1; done"
        try:
            job = ["sh", "-c", f"cd {d} && {loop}"]
            out["ocamlopt"] = _speedup(job)
        except OSError as e:
            out["ocamlopt"] = {"error": str(e)}
    return out


def summary(s):
    parts = []
    for name, label in (("cpu_loop", "CPU loop"), ("ocamlopt", "ocamlopt -c")):
        if s.get(name, {}).get("speedup") is not None:
            parts.append(f"{label} {s[name]['speedup']:.2f}x")
    return ", ".join(parts)


if __name__ == "__main__":
    res = measure()
    print(json.dumps(res, indent=1))
    print("two jobs at once vs one:", summary(res), file=sys.stderr)
