#!/usr/bin/env python3
# report.py — turns a results file (written by run.py) into markdown: the
# machine, the parallel scaling before and after, and per project a table
# of medians (min–max), each tool's ratio to caravan, and the physical
# limit; the same text goes between the markers of docs/BENCHMARKS.md.
# Usage: report.py RESULTS.json [--write docs/BENCHMARKS.md]

import argparse
import json
import statistics

import scaling

BEGIN = "<!-- results: written by bench/report.py, do not edit by hand -->"
END = "<!-- end of results -->"
SCENARIO_ROWS = [
    ("cold", "cold build (from clean)"),
    ("null", "null build"),
    ("body", "bottom implementation edit"),
    ("iface", "bottom interface edit"),
    ("comment", "comment-only `.mli` edit"),
]


def secs(x):
    if x >= 100:
        return f"{x:.0f}"
    if x >= 1:
        return f"{x:.2f}"
    return f"{x:.3f}"


def _ok_runs(tool, scenario):
    return [r for r in tool["runs"].get(scenario, []) if r["status"] == "ok"]


def _median(tool, scenario, key="seconds"):
    runs = _ok_runs(tool, scenario)
    return statistics.median(r[key] for r in runs) if runs else None


def _cell(tool, scenario, reference, key="seconds"):
    runs = _ok_runs(tool, scenario)
    if not runs:
        return tool["status"] if tool["status"] != "ok" else "not run"
    values = [r.get(key, 0.0) for r in runs]
    med = statistics.median(values)
    text = f"{secs(med)} ({secs(min(values))}–{secs(max(values))})"
    if len(runs) < len(tool["runs"][scenario]):
        text += f" [{len(runs)} ok]"
    if reference:
        text += f" ×{med / reference:.2f}"
    return text


def _mem_cell(tool, scenario, reference):
    med = _median(tool, scenario, "peak_kib")
    if med is None:
        return "–"
    text = f"{med / 1024:.1f}"
    if reference:
        text += f" ×{med / reference:.2f}"
    return text


def _ordered(tools, tool_names):
    """Tool columns: caravan first, then the others in the order asked."""
    names = [t for t in tool_names if t in tools]
    return sorted(names, key=lambda t: t != "caravan")


def project_table(p, tool_names):
    m = p["manifest"]
    limit = p.get("limit") or {}
    tools = p["tools"]
    car = tools.get("caravan")
    lines = [
        f"### {m['modules']} modules",
        "",
        f"{m['layers']} layers, {m['mli_count']} `.mli`, {len(m['folders'])} sub-folders"
        f"{' as libraries' if m['libs'] else ''}, {m['lines']:,} lines; the edits touch "
        f"`{m['target_ml']}`, which {m['target_dependents']} modules depend on. "
        f"Seconds, median (min–max) of {p['runs']} runs; ×R = the tool's median / caravan's.",
        "",
        "| scenario | limit, 2 cores | " + " | ".join(_ordered(tools, tool_names)) + " |",
        "|---|---" + "|---" * len(_ordered(tools, tool_names)) + "|",
    ]
    for key, label in SCENARIO_ROWS:
        if not any(tools[t]["runs"].get(key) for t in tool_names if t in tools) and key not in limit:
            continue
        ref = _median(car, key) if car else None
        bound = limit.get(key, {}).get("bound")
        lim = secs(bound) if bound is not None else "–"
        cells = []
        for t in _ordered(tools, tool_names):
            if t == "caravan":
                c = _cell(tools[t], key, None)
                if ref is not None and bound:
                    c += f" = {ref / bound:.2f}× limit"
                cells.append(c)
            else:
                cells.append(_cell(tools[t], key, ref))
        lines.append(f"| {label} | {lim} | " + " | ".join(cells) + " |")
    for key, label in (("cold", "tool's own peak RSS, cold build (MiB)"), ("null", "tool's own peak RSS, null build (MiB)")):
        ref = _median(car, key, "peak_kib") if car else None
        cells = [_mem_cell(tools[t], key, None if t == "caravan" else ref) for t in _ordered(tools, tool_names)]
        lines.append(f"| {label} | – | " + " | ".join(cells) + " |")
    lines.append("")
    lines += cpu_table(p, tool_names)
    if limit.get("error"):
        lines += [f"Limit not measured: {limit['error']}", ""]
    elif limit:
        lines += limit_table(limit)
    loads = [r["load"] for t in tools.values() for rs in t["runs"].values() for r in rs if "load" in r]
    if loads:
        lines += [f"Load average (1 min) seen after the runs: {min(loads):.2f}–{max(loads):.2f}.", ""]
    return lines


def cpu_table(p, tool_names):
    """CPU seconds (user + sys of the tool and all it ran): robust to other
    work on the machine; compare with the limit's total work."""
    tools = p["tools"]
    if not any("cpu_seconds" in r for t in tools.values() for rs in t["runs"].values() for r in rs):
        return []
    limit = p.get("limit") or {}
    car = tools.get("caravan")
    others = [t for t in _ordered(tools, tool_names) if t != "caravan"]
    lines = [
        "CPU time, user + sys of the tool and every process it ran (seconds, median (min–max)); "
        "the limit column is the CPU time of the needed compilations:",
        "",
        "| scenario | limit, CPU | " + " | ".join(_ordered(tools, tool_names)) + " |",
        "|---|---" + "|---" * len(_ordered(tools, tool_names)) + "|",
    ]
    for key, label in SCENARIO_ROWS:
        if not any(tools[t]["runs"].get(key) for t in tools):
            continue
        ref = _median(car, key, "cpu_seconds") if car else None
        work = limit.get(key, {}).get("cpu_total")
        cells = [_cell(car, key, None, "cpu_seconds")] if car else []
        cells += [_cell(tools[t], key, ref, "cpu_seconds") for t in others]
        lines.append(f"| {label} | {secs(work) if work is not None else '–'} | " + " | ".join(cells) + " |")
    lines.append("")
    return lines + own_cpu_table(p)


def own_cpu_table(p):
    """caravan's CPU split: its own threads (from `-stats`) and the commands
    it ran (the rest of its total), against the limit's compilations."""
    car = p["tools"].get("caravan")
    if not car or not any("own_cpu_seconds" in r for rs in car["runs"].values() for r in rs):
        return []
    limit = p.get("limit") or {}
    lines = [
        "caravan's CPU split (seconds, median): its own threads (`-stats`), the commands it ran, "
        "and those commands against the limit's:",
        "",
        "| scenario | caravan's own | its commands | limit, CPU | commands / limit |",
        "|---|---|---|---|---|",
    ]
    for key, label in SCENARIO_ROWS:
        runs = [r for r in _ok_runs(car, key) if "own_cpu_seconds" in r]
        if not runs:
            continue
        own = statistics.median(r["own_cpu_seconds"] for r in runs)
        total = statistics.median(r["cpu_seconds"] for r in runs)
        work = limit.get(key, {}).get("cpu_total")
        children = max(total - own, 0.0)
        ratio = f"{children / work:.2f}×" if work else "–"
        lines.append(f"| {label} | {secs(own)} | {secs(children)} | "
                     f"{secs(work) if work is not None else '–'} | {ratio} |")
    lines.append("")
    return lines


def limit_table(limit):
    w = limit.get("work_by_kind", {})
    lines = [
        f"Physical limit: the compiler processes any tool must run, each timed once, sequentially "
        f"(`.mli` compiles {secs(w.get('intf', 0))} s, `.ml` compiles {secs(w.get('impl', 0))} s, "
        f"link {secs(w.get('link', 0))} s); limit = max(critical path, total / {limit['jobs']}).",
        "",
        "| scenario | actions | total work | critical path | limit | greedy 2-worker schedule | limit from CPU times |",
        "|---|---|---|---|---|---|---|",
    ]
    for key, label in SCENARIO_ROWS:
        b = limit.get(key)
        if b:
            cpu = secs(b["cpu_bound"]) if b.get("cpu_bound") is not None else "–"
            lines.append(f"| {label} | {b['actions']} | {secs(b['total'])} | {secs(b['critical_path'])} | "
                         f"{secs(b['bound'])} | {secs(b['greedy'])} | {cpu} |")
    lines.append("")
    return lines


def machine_lines(r):
    m = r["machine"]
    rows = [
        ("date", m["date"]), ("cores (nproc)", m["nproc"]), ("CPU", m["cpu"]), ("RAM", m["ram"]),
        ("OS, kernel", f"{m['os']}, {m['kernel']}"), ("load average at start", m["load"]),
        ("OCaml", m["ocaml"]), ("dune", m["dune"]), ("ocamlbuild", m["ocamlbuild"]), ("make", m["make"]),
        ("caravan", f"commit {m['caravan_commit']}, `{m['caravan_binary']}`"),
    ]
    lines = ["| | |", "|---|---|"] + [f"| {k} | {v} |" for k, v in rows]
    before, after = r.get("scaling_before"), r.get("scaling_after")
    lines += [
        "",
        "Two CPU-bound jobs at once vs one (2.00x = both cores free): "
        f"before {scaling.summary(before) if before else 'not measured'}; "
        f"after {scaling.summary(after) if after else 'not measured'}.",
    ]
    if r.get("quiet") is False:
        lines.append("**The machine was not quiet (other work ran): these figures are noisy.**")
    return lines


def render(r):
    names = r["tools"]
    lines = [
        f"Command: `{r['command']}`",
        "",
    ] + machine_lines(r) + [""]
    for p in r["projects"]:
        lines += project_table(p, names)
    return "\n".join(lines) + "\n"


def write_doc(path, text):
    try:
        with open(path) as f:
            doc = f.read()
    except FileNotFoundError:
        doc = f"# Benchmarks\n\n{BEGIN}\n{END}\n"
    if BEGIN not in doc or END not in doc:
        doc += f"\n{BEGIN}\n{END}\n"
    head, rest = doc.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    with open(path, "w") as f:
        f.write(f"{head}{BEGIN}\n\n{text}\n{END}{tail}")


def main():
    ap = argparse.ArgumentParser(description="Render a results file as markdown.")
    ap.add_argument("results")
    ap.add_argument("--write", metavar="DOC")
    a = ap.parse_args()
    with open(a.results) as f:
        text = render(json.load(f))
    print(text)
    if a.write:
        write_doc(a.write, text)


if __name__ == "__main__":
    main()
