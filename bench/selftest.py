#!/usr/bin/env python3
# selftest.py — checks the harness itself in a minute or two: on a
# 12-module project, with make as the reference, stand-ins for caravan that
# are missing, fail, hang, or leave a stale program must come out as
# missing / failed / timeout / wrong output, without stopping the harness;
# make itself must pass every scenario.  Usage: bench/selftest.py

import json
import os
import stat
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))

FAKES = {
    "failing": ("#!/bin/sh\necho boom >&2\nexit 3\n", "failed (cold)"),
    "hanging": ("#!/bin/sh\nsleep 60\n", "timeout (cold)"),
    # builds once, then never again: the first edit leaves a stale program
    "stale": ("#!/bin/sh\n[ -e main.native ] || exec make -s -j2 main.native\n", "wrong output (body)"),
}


def run_with(caravan, work):
    argv = [sys.executable, os.path.join(HERE, "run.py"), "--sizes", "12", "--runs", "1", "--warmup", "0",
            "--timeout", "5", "--no-limit", "--no-scaling", "--tools", "caravan,make", "--caravan", caravan,
            "--work", work, "--no-write"]
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    with open(os.path.join(work, "results.json")) as f:
        tools = json.load(f)["projects"][0]["tools"]
    return tools["caravan"]["status"], tools["make"]


def main():
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        cases = {"missing": (os.path.join(tmp, "no-such-caravan"), "missing")}
        for name, (script, want) in FAKES.items():
            path = os.path.join(tmp, name)
            with open(path, "w") as f:
                f.write(script)
            os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR)
            cases[name] = (path, want)
        for name, (exe, want) in cases.items():
            got, make = run_with(exe, os.path.join(tmp, "work-" + name))
            ok_runs = sum(r["status"] == "ok" for runs in make["runs"].values() for r in runs)
            verdict = "ok" if got == want and make["status"] == "ok" and ok_runs == 5 else "FAIL"
            if verdict != "ok":
                failures.append(name)
            print(f"{verdict}: caravan {name}: {got!r} (want {want!r}); make {make['status']}, {ok_runs}/5 runs ok")
    print("selftest:", "passed" if not failures else f"FAILED: {', '.join(failures)}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
