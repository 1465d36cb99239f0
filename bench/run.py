#!/usr/bin/env python3
# run.py — the whole benchmark, called by run.sh: checks the machine's
# parallel scaling, then for each size generates a project, measures its
# physical limit and every tool (alternating run by run), checks the
# scaling again, and prints the markdown report (also written to
# docs/BENCHMARKS.md, and the raw results to bench/results/last.json).

import argparse
import json
import os
import shlex
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)

import generate  # noqa: E402
import limit  # noqa: E402
import machine  # noqa: E402
import report  # noqa: E402
import scaling  # noqa: E402
import scenarios  # noqa: E402
import tools as tooling  # noqa: E402


def parse_args(argv):
    ap = argparse.ArgumentParser(prog="bench/run.sh", description="caravan vs ocamlbuild, dune, make and the limit.")
    ap.add_argument("--sizes", default="100,1000,5000", help="module counts, comma-separated")
    ap.add_argument("--runs", type=int, default=5, help="timed runs per scenario and tool")
    ap.add_argument("--warmup", type=int, default=1, help="untimed rounds before each incremental scenario")
    ap.add_argument("--quick", action="store_true", help="100 modules, 3 runs, results not written to docs/")
    ap.add_argument("--timeout", type=float, default=600, help="seconds before a build is killed (then: timeout)")
    ap.add_argument("--tools", default="caravan,ocamlbuild,dune,make")
    ap.add_argument("--scenarios", default=",".join(scenarios.SCENARIOS))
    ap.add_argument("--libs", action="store_true", help="sub-folders as libraries (.mllib / dune libraries)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-limit", action="store_true", help="skip the physical-limit measurement")
    ap.add_argument("--no-scaling", action="store_true", help="skip the parallel-scaling checks")
    ap.add_argument("--limit-repeats", type=int, default=1, help="sequential limit builds (the minimum is kept)")
    ap.add_argument("--work", default=os.environ.get("BENCH_WORK", "/tmp/caravan-bench"), help="scratch folder")
    ap.add_argument("--caravan", default=os.environ.get("CARAVAN"), help="caravan binary")
    ap.add_argument("--baseline", default=None,
                    help="another caravan binary (an earlier commit), measured as the tool caravan-baseline")
    ap.add_argument("--write", dest="write", action="store_true", default=None, help="write docs/BENCHMARKS.md")
    ap.add_argument("--no-write", dest="write", action="store_false")
    a = ap.parse_args(argv)
    if a.quick:
        a.sizes, a.runs = "100", min(a.runs, 3)
    if a.write is None:
        a.write = not a.quick
    return a


def say(msg):
    print(msg, flush=True)


def main(argv):
    a = parse_args(argv)
    sizes = [int(s) for s in a.sizes.split(",") if s]
    all_tools = {t.name: t for t in tooling.all_tools(a.caravan or "caravan", a.baseline)}
    chosen = [all_tools[n] for n in a.tools.split(",") if n]
    chosen_scenarios = [s for s in scenarios.SCENARIOS if s in a.scenarios.split(",")]
    os.makedirs(a.work, exist_ok=True)
    command = "bench/run.sh " + " ".join(shlex.quote(x) for x in argv)
    results = {
        "command": command.strip(),
        "machine": machine.describe(REPO, chosen[0].path() if chosen[0].name == "caravan" else None),
        "tools": [t.name for t in chosen],
        "projects": [],
    }
    started = time.time()
    _scaling(a, results, "before")

    for n in sizes:
        workdir = os.path.join(a.work, f"p{n}{'-libs' if a.libs else ''}")
        say(f"== {n} modules, in {workdir}")
        manifest = generate.generate(workdir, n, seed=a.seed, libs=a.libs)
        say(f"  {manifest['mli_count']} .mli, {len(manifest['folders'])} sub-folders, {manifest['lines']} lines, "
            f"target {manifest['target_ml']} ({manifest['target_dependents']} dependents)")
        project = {"size": n, "runs": a.runs, "tools": {}, "limit": None,
                   "manifest": {k: v for k, v in manifest.items() if k not in ("params", "deps", "names", "paths",
                                                                                "has_mli", "tops")}}
        if not a.no_limit:
            try:
                project["limit"] = limit.measure_limit(workdir, manifest, tooling.JOBS, a.limit_repeats, say)
                c = project["limit"]["cold"]
                say(f"  limit: cold {c['bound']:.2f}s (work {c['total']:.2f}s, critical path {c['critical_path']:.2f}s), "
                    f"body edit {project['limit']['body']['bound']:.3f}s")
            except Exception as e:  # the limit is a bonus: report, carry on
                project["limit"] = {"error": str(e)}
                say(f"  limit failed: {e}")
        project["tools"] = scenarios.measure_project(workdir, manifest, chosen, a.runs, a.timeout, a.warmup,
                                                     chosen_scenarios, say)
        results["projects"].append(project)
        _save(a, results)

    _scaling(a, results, "after")
    if not a.no_scaling:
        speedups = [results[k]["cpu_loop"]["speedup"] for k in ("scaling_before", "scaling_after")]
        results["quiet"] = min(speedups) >= 1.8
    results["elapsed_s"] = round(time.time() - started)
    path = _save(a, results)
    text = report.render(results)
    print()
    print(text)
    say(f"(raw results: {path}; {results['elapsed_s']} s in all)")
    if a.write:
        report.write_doc(os.path.join(REPO, "docs", "BENCHMARKS.md"), text)
        os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
        with open(os.path.join(HERE, "results", "last.json"), "w") as f:
            json.dump(results, f, indent=1)
        say("written: docs/BENCHMARKS.md, bench/results/last.json")
    return 0


def _scaling(a, results, when):
    if a.no_scaling:
        return
    say(f"== parallel scaling, {when}")
    results[f"scaling_{when}"] = scaling.measure()
    say("  two jobs at once vs one: " + scaling.summary(results[f"scaling_{when}"]))


def _save(a, results):
    path = os.path.join(a.work, "results.json")
    with open(path, "w") as f:
        json.dump(results, f, indent=1)
    return path


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
