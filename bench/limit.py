#!/usr/bin/env python3
# limit.py — the physical limit of a build: in a scratch copy of a generated
# project, runs every compiler process any tool must run (ocamlopt -c per
# .mli and per .ml, one link; no dependency tool) once, sequentially, in a
# topological order, timing each.  From those durations and the dependency
# graph (one `ocamldep -modules` call, untimed) it computes, for `jobs`
# cores: total work, critical path, LB = max(critical path, total / jobs),
# and a greedy longest-path-first schedule (achievable).  Then it applies
# each edit, recompiles what is truly needed (a module whose source or
# inputs changed; its dependents only if its .cmi/.cmx came out different;
# the link only if a .cmx or .o changed) and gives the same figures.
# Usage: limit.py PROJECT_WORKDIR [--jobs 2] [--repeats 1]   (prints JSON)

import argparse
import hashlib
import heapq
import json
import os
import shutil
import subprocess
import sys
import time

import edits

FLAGS = ["-g"]


def _sources(root):
    out = []
    for d, _dirs, files in os.walk(root):
        for f in sorted(files):
            if f.endswith((".ml", ".mli")):
                out.append(os.path.relpath(os.path.join(d, f), root))
    return sorted(out)


def dependency_graph(root, includes):
    """Nodes 'intf:PATH.mli' / 'impl:PATH.ml' -> list of nodes they need."""
    files = _sources(root)
    text = subprocess.run(["ocamldep", "-modules", *includes, *files], cwd=root, check=True,
                          capture_output=True, text=True).stdout
    by_module = {}
    for f in files:
        name = os.path.basename(f).rsplit(".", 1)[0].capitalize()
        by_module.setdefault(name, set()).add(f)
    graph = {}
    for line in text.splitlines():
        path, _, mods = line.partition(":")
        kind = "intf" if path.endswith(".mli") else "impl"
        node = f"{kind}:{path}"
        needs = []
        own_mli = path[:-3] + ".mli" if kind == "impl" else None
        if own_mli and own_mli in files:
            needs.append(f"intf:{own_mli}")
        for mod in mods.split():
            for f in sorted(by_module.get(mod, ())):
                if f.endswith(".ml") and kind == "impl":
                    needs.append(f"impl:{f}")  # the .cmx (and the .cmi without .mli)
                elif f.endswith(".mli"):
                    needs.append(f"intf:{f}")
                elif f[:-3] + ".mli" not in files:
                    needs.append(f"impl:{f}")  # an .mli using a module without .mli
        graph[node] = sorted(set(needs))
    graph["link"] = sorted(n for n in graph if n.startswith("impl:"))
    return graph


def topological(graph):
    order, state = [], {}
    for start in sorted(graph):
        stack = [(start, iter(graph[start]))]
        if start in state:
            continue
        state[start] = 1
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                stack.pop()
                order.append(node)
                state[node] = 2
            elif nxt not in state:
                state[nxt] = 1
                stack.append((nxt, iter(graph[nxt])))
    return order


def _command(node, order, includes):
    if node == "link":
        cmxs = [n[5:-3] + ".cmx" for n in order if n.startswith("impl:")]
        return ["ocamlopt", *FLAGS, *includes, "-o", "main.native", *cmxs]
    return ["ocamlopt", *FLAGS, *includes, "-c", node.split(":", 1)[1]]


def _outputs(node):
    if node == "link":
        return ["main.native"]
    path = node.split(":", 1)[1]
    base = path.rsplit(".", 1)[0]
    return [base + ".cmi"] if node.startswith("intf:") else [base + ".cmi", base + ".cmx", base + ".o"]


def _digest(root, rel):
    try:
        with open(os.path.join(root, rel), "rb") as f:
            return hashlib.blake2b(f.read(), digest_size=16).hexdigest()
    except FileNotFoundError:
        return None


def _timed(root, argv):
    """(wall seconds, CPU seconds) of one compiler process."""
    t = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=root, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed")
    return wall, usage.ru_utime + usage.ru_stime


def bounds(graph, durations, nodes, jobs, cpu=None):
    """Total, critical path, LB and a greedy schedule for the subset `nodes`;
    with `cpu`, the same bound from CPU times (steadier on a busy machine)."""
    nodes = set(nodes)
    order = [n for n in topological(graph) if n in nodes]
    total, cp = _total_and_path(graph, durations, order)
    out = {
        "actions": len(nodes),
        "total": round(total, 4),
        "critical_path": round(cp, 4),
        "bound": round(max(cp, total / jobs), 4),
        "greedy": round(_greedy(graph, durations, order, jobs), 4),
    }
    if cpu:
        total, cp = _total_and_path(graph, cpu, order)
        out.update(cpu_total=round(total, 4), cpu_bound=round(max(cp, total / jobs), 4))
    return out


def _total_and_path(graph, durations, order):
    nodes, finish = set(order), {}
    for n in order:
        finish[n] = durations[n] + max((finish[d] for d in graph[n] if d in nodes), default=0.0)
    return sum(durations[n] for n in order), max(finish.values(), default=0.0)


def _greedy(graph, durations, order, jobs):
    """Makespan of a list schedule on `jobs` workers, longest remaining path first."""
    nodes = set(order)
    users = {n: [] for n in order}
    waiting = {}
    for n in order:
        deps = [d for d in graph[n] if d in nodes]
        waiting[n] = len(deps)
        for d in deps:
            users[d].append(n)
    rest = {}
    for n in reversed(order):
        rest[n] = durations[n] + max((rest[u] for u in users[n]), default=0.0)
    ready = [(-rest[n], n) for n in order if waiting[n] == 0]
    heapq.heapify(ready)
    running, now, free = [], 0.0, jobs
    while ready or running:
        while ready and free:
            _, n = heapq.heappop(ready)
            heapq.heappush(running, (now + durations[n], n))
            free -= 1
        now, n = heapq.heappop(running)
        free += 1
        for u in users[n]:
            waiting[u] -= 1
            if waiting[u] == 0:
                heapq.heappush(ready, (-rest[u], u))
    return now


def _propagate(root, graph, order, includes, changed_sources):
    """Recompile what an edit truly needs, timing each compilation where it
    happens: with every output of the cold build beside it, which makes the
    compiler's scan of its include folders slower than during the cold
    pass, when those folders were filling up.  Returns {node: (wall, CPU)}
    for the actions run.  Compilations read .cmi and .cmx files; the link
    also reads .o files."""
    compile_inputs_changed, link_inputs_changed, ran = set(), set(), {}
    for node in order:
        if node == "link":
            if any(d in link_inputs_changed for d in graph[node]):
                ran[node] = _timed(root, _command(node, order, includes))
            continue
        dirty = node.split(":", 1)[1] in changed_sources
        if not dirty and not any(d in compile_inputs_changed for d in graph[node]):
            continue
        outputs = _outputs(node)
        before = [_digest(root, o) for o in outputs]
        ran[node] = _timed(root, _command(node, order, includes))
        after = [_digest(root, o) for o in outputs]
        changed = {o for o, b, a in zip(outputs, before, after) if a != b}
        if any(o.endswith((".cmi", ".cmx")) for o in changed):
            compile_inputs_changed.add(node)
        if changed:
            link_inputs_changed.add(node)
    return ran


def measure_limit(workdir, manifest, jobs=2, repeats=1, say=print):
    root = os.path.join(workdir, "limit")
    if os.path.exists(root):
        shutil.rmtree(root)
    shutil.copytree(os.path.join(workdir, "src"), root)
    includes = [a for f in manifest["folders"] for a in ("-I", f)]
    graph = dependency_graph(root, includes)
    order = topological(graph)
    durations, cpu = {}, {}
    for rep in range(repeats):
        for node in order:
            wall, used = _timed(root, _command(node, order, includes))
            if wall < durations.get(node, wall + 1):
                durations[node], cpu[node] = wall, used
        say(f"  limit: sequential compile {rep + 1}/{repeats}: {sum(durations.values()):.2f}s of work")
    got = subprocess.run(["./main.native"], cwd=root, capture_output=True, text=True).stdout
    if got != manifest["expected"]:
        raise RuntimeError(f"limit build printed {got!r}, expected {manifest['expected']!r}")
    kinds = {n.split(":")[0] for n in graph}
    per_kind = {k: round(sum(durations[n] for n in graph if n.split(":")[0] == k), 4) for k in kinds}
    out = {"jobs": jobs, "cold": bounds(graph, durations, graph, jobs, cpu), "work_by_kind": per_kind,
           "null": {"actions": 0, "total": 0.0, "critical_path": 0.0, "bound": 0.0, "greedy": 0.0,
                    "cpu_total": 0.0, "cpu_bound": 0.0}}
    edited = {"body": [manifest["target_ml"]], "iface": [manifest["target_ml"], manifest["target_mli"]],
              "comment": [manifest["target_mli"]]}
    for kind, sources in edited.items():
        edits.apply(root, manifest, kind, 999_000 + len(out))
        ran = _propagate(root, graph, order, includes, set(sources))
        needed = set(ran)
        wall_here = {**durations, **{n: w for n, (w, _) in ran.items()}}
        cpu_here = {**cpu, **{n: c for n, (_, c) in ran.items()}}
        out[kind] = bounds(graph, wall_here, needed, jobs, cpu_here)
        # The same actions at the cold pass's timings, as this script
        # reported them before 2026-12-07, for comparison.
        cold = bounds(graph, durations, needed, jobs, cpu)
        out[kind]["cold_pass_bound"] = cold["bound"]
        out[kind]["cold_pass_cpu_total"] = cold.get("cpu_total")
        out[kind]["needed"] = sorted(needed) if len(needed) <= 4 else f"{len(needed)} actions"
    got = subprocess.run(["./main.native"], cwd=root, capture_output=True, text=True).stdout
    if got != edits.expected(root, manifest):
        raise RuntimeError(f"limit build after edits printed {got!r}")
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("workdir")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=1)
    a = ap.parse_args()
    with open(os.path.join(a.workdir, "manifest.json")) as f:
        manifest = json.load(f)
    json.dump(measure_limit(a.workdir, manifest, a.jobs, a.repeats, say=lambda s: print(s, file=sys.stderr)),
              sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
