# machine.py — describes the machine and the tools a benchmark ran with:
# cores, CPU model, RAM, kernel, OS, load, the versions of OCaml, dune,
# ocamlbuild and make, and the caravan binary and git commit.

import datetime
import os
import platform
import subprocess


def _first_line(argv, cwd=None):
    try:
        p = subprocess.run(argv, capture_output=True, text=True, timeout=30, cwd=cwd)
    except (OSError, subprocess.SubprocessError):
        return None
    text = (p.stdout or p.stderr).strip()
    return text.splitlines()[0] if p.returncode == 0 and text else None


def _proc_field(path, key):
    try:
        with open(path) as f:
            for line in f:
                if line.startswith(key):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def _os_name():
    try:
        with open("/etc/os-release") as f:
            for line in f:
                if line.startswith("PRETTY_NAME="):
                    return line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return platform.system()


def describe(repo, caravan_exe):
    mem_kib = _proc_field("/proc/meminfo", "MemTotal")
    ram = f"{int(mem_kib.split()[0]) / 1024 / 1024:.1f} GiB" if mem_kib else None
    commit = _first_line(["git", "rev-parse", "--short=12", "HEAD"], cwd=repo)
    dirty = _first_line(["git", "status", "--porcelain", "--", "crates", "Cargo.toml", "Cargo.lock"], cwd=repo)
    built = None
    if caravan_exe and os.path.exists(caravan_exe):
        built = datetime.datetime.fromtimestamp(os.path.getmtime(caravan_exe)).strftime("%Y-%m-%d %H:%M")
    return {
        "date": datetime.datetime.now().strftime("%Y-%m-%d %H:%M %Z").strip(),
        "nproc": os.cpu_count(),
        "cpu": _proc_field("/proc/cpuinfo", "model name"),
        "ram": ram,
        "kernel": platform.release(),
        "os": _os_name(),
        "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "ocaml": _first_line(["ocamlopt", "-version"]),
        "dune": _first_line(["dune", "--version"]),
        "ocamlbuild": _first_line(["ocamlbuild", "-version"]),
        "make": _first_line(["make", "--version"]),
        "python": platform.python_version(),
        "caravan_commit": (commit + (" + uncommitted changes in crates/" if dirty else "")) if commit else None,
        "caravan_binary": f"{caravan_exe} (built {built})" if built else caravan_exe,
    }
