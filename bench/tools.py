# tools.py — the four build tools under test: how to build a generated
# project with 2 jobs, how to clean it, where the program ends up, and
# whether the tool is installed.  Every tool builds native code with -g.

import os
import shutil
from dataclasses import dataclass

JOBS = 2


@dataclass
class Tool:
    name: str
    exe: str  # looked up on PATH, or an absolute path
    program: str  # the built program, relative to the copy

    def path(self):
        if os.path.isabs(self.exe):
            return self.exe if os.access(self.exe, os.X_OK) else None
        return shutil.which(self.exe)

    def available(self):
        return self.path() is not None

    def build_argv(self, manifest):
        raise NotImplementedError

    def clean(self, copy_dir):
        for name in ("_build", "main.native"):
            path = os.path.join(copy_dir, name)
            if os.path.islink(path) or os.path.isfile(path):
                os.remove(path)
            elif os.path.isdir(path):
                shutil.rmtree(path)


def _ocamlbuild_args(manifest):
    """The command line caravan and ocamlbuild share."""
    args = ["-j", str(JOBS), "-cflag", "-g", "-lflag", "-g"]
    if manifest["folders"]:
        args += ["-Is", ",".join(manifest["folders"])]
    targets = ["main.native"]
    if manifest["libs"]:
        targets = [f"{f}/{f}.cmxa" for f in manifest["folders"]] + targets
    return args + targets


class Caravan(Tool):
    def build_argv(self, manifest):
        # Without the shared cache, as dune runs without its own: every
        # scenario measures building, not restoring (bench/remote.py
        # measures the caches).  Binaries older than the cache do not
        # know the option.
        no_cache = ["-no-cache"] if self._knows_no_cache() else []
        # -stats (an observer: not in the null-build key) prints caravan's
        # own CPU time apart from its commands' (measure.own_cpu reads it).
        return [self.path()] + no_cache + ["-stats"] + _ocamlbuild_args(manifest)

    def _knows_no_cache(self):
        if not hasattr(self, "_no_cache"):
            import subprocess
            help_text = subprocess.run([self.path(), "-help"], capture_output=True,
                                       text=True).stdout
            self._no_cache = "-no-cache" in help_text
        return self._no_cache


class Ocamlbuild(Tool):
    def build_argv(self, manifest):
        return [self.path()] + _ocamlbuild_args(manifest)


class Dune(Tool):
    def build_argv(self, manifest):
        return [self.path(), "build", "--root", ".", "-j", str(JOBS), "./main.exe"]


class Make(Tool):
    def build_argv(self, manifest):
        return [self.path(), "-s", f"-j{JOBS}", "main.native"]

    def clean(self, copy_dir):
        suffixes = (".cmi", ".cmo", ".cmx", ".cmxa", ".o", ".a", ".d")
        for root, _dirs, files in os.walk(copy_dir):
            for f in files:
                if f.endswith(suffixes):
                    os.remove(os.path.join(root, f))
        main = os.path.join(copy_dir, "main.native")
        if os.path.exists(main):
            os.remove(main)


def all_tools(caravan_exe, baseline_exe=None):
    tools = [
        Caravan("caravan", caravan_exe, "main.native"),
        Ocamlbuild("ocamlbuild", "ocamlbuild", "main.native"),
        Dune("dune", "dune", "_build/default/main.exe"),
        Make("make", "make", "main.native"),
    ]
    if baseline_exe:
        # An earlier caravan, to compare two commits in one run.
        tools.append(Caravan("caravan-baseline", baseline_exe, "main.native"))
    return tools


def env():
    """The environment every build runs in: no dune cache, C locale."""
    e = dict(os.environ)
    e["DUNE_CACHE"] = "disabled"
    e["LC_ALL"] = "C"
    e.pop("MAKEFLAGS", None)
    e.pop("OCAMLPARAM", None)
    e.pop("OCAMLRUNPARAM", None)
    return e
