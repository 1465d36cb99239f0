# scenarios.py — measures every tool on one generated project, alternating
# the tools run by run (run 1 of every tool, then run 2 of every tool...,
# the order rotated each round).  Scenarios, in this order:
#   cold     clean, then build
#   null     build again, nothing changed
#   body     edit the target's implementation (interface and .cmx unchanged)
#   iface    edit the target's interface (every dependent recompiles)
#   comment  same-length comment edit in the target's .mli
# Each tool works in its own copy; every copy gets the same edits.  After
# every build the program must print the predicted line, else the run counts
# as "wrong output".  A tool that fails, times out or is wrong is dropped
# for the rest of the project, and the harness carries on.

import os
import shutil
import sys

import edits
import measure
import tools as tooling

SCENARIOS = ("cold", "null", "body", "iface", "comment")


def _prepare(tool, copy, manifest, scenario, rev):
    if scenario == "cold":
        tool.clean(copy)
    elif scenario in edits.KINDS:
        edits.apply(copy, manifest, scenario, rev)


def _one_build(tool, copy, manifest, scenario, rev, timeout, logdir, label):
    _prepare(tool, copy, manifest, scenario, rev)
    log = os.path.join(logdir, f"{tool.name}-{label}.log")
    run = measure.run(tool.build_argv(manifest), copy, log, timeout, tooling.env())
    status = run.status
    if status == "ok":
        got = measure.output_of([os.path.join(copy, tool.program)], copy)
        if got != edits.expected(copy, manifest):
            status = "wrong output"
            with open(log, "a") as f:
                f.write(f"\nprogram printed {got!r}, expected {edits.expected(copy, manifest)!r}\n")
    result = {"seconds": round(run.seconds, 4), "cpu_seconds": round(run.cpu_seconds, 4), "status": status,
              "peak_kib": run.peak_kib, "load": round(os.getloadavg()[0], 2)}
    own = measure.own_cpu(log)
    if own is not None:
        result["own_cpu_seconds"] = own
    return result


def _rounds(scenario, scenarios, warmup, runs, first):
    """(kind, index) of each round: untimed warm-ups before an incremental
    scenario (index -1: the first build of copies whose cold runs were not
    asked for), then the timed runs."""
    rounds = []
    if scenario != "cold":
        if first and "cold" not in scenarios:
            rounds.append(("warmup", -1))
        rounds += [("warmup", w) for w in range(warmup)]
    return rounds + [("run", r) for r in range(runs)]


def _rotation(tools, r):
    """Round r starts with tool r mod n, so no tool always follows the same one."""
    k = r % len(tools) if r >= 0 else 0
    return tools[k:] + tools[:k]


def measure_project(workdir, manifest, tools, runs, timeout, warmup=1, scenarios=SCENARIOS, say=print):
    """Returns {tool: {"status": ..., "runs": {scenario: [run, ...]}}}."""
    src = os.path.join(workdir, "src")
    logdir = os.path.join(workdir, "logs")
    os.makedirs(logdir, exist_ok=True)
    results, copies, dropped = {}, {}, {}
    for tool in tools:
        results[tool.name] = {"status": "ok", "runs": {s: [] for s in scenarios}}
        if not tool.available():
            dropped[tool.name] = "missing"
            results[tool.name]["status"] = "missing"
            say(f"  {tool.name}: missing ({tool.exe} not found)")
            continue
        copy = os.path.join(workdir, tool.name)
        if os.path.exists(copy):
            shutil.rmtree(copy)
        shutil.copytree(src, copy, symlinks=True)
        copies[tool.name] = copy

    rev = 0
    for scenario in scenarios:
        for kind, r in _rounds(scenario, scenarios, warmup, runs, first=rev == 0):
            rev += 1
            for tool in _rotation(tools, r):
                if tool.name in dropped:
                    continue
                label = f"{scenario}-{kind}{r}"
                step = "null" if r < 0 else scenario  # r < 0: first build of a copy
                res = _one_build(tool, copies[tool.name], manifest, step, rev, timeout, logdir, label)
                if kind == "run":
                    results[tool.name]["runs"][scenario].append(res)
                if res["status"] != "ok":
                    dropped[tool.name] = results[tool.name]["status"] = f"{res['status']} ({scenario})"
                    log = os.path.join(logdir, f"{tool.name}-{label}.log")
                    say(f"  {tool.name}: {dropped[tool.name]}, dropped; log {log}")
                    say("    " + measure.tail(log, 8).replace("\n", "\n    "))
            if kind == "run":
                done = [(t.name, results[t.name]["runs"][scenario]) for t in tools]
                cells = [f"{name} {rs[-1]['seconds']:.3f}s" for name, rs in done if len(rs) == r + 1]
                say(f"  {scenario} run {r + 1}/{runs}: " + ", ".join(cells))
                sys.stdout.flush()
    return results
