# graph.py — the shape of a synthetic project: a layered dependency DAG of
# modules, which modules get an .mli, which live in sub-folders, and which
# bottom module the edits target.  Pure data, no files, no OCaml text.

import math
import random
from dataclasses import dataclass, field


@dataclass
class Module:
    index: int
    name: str  # OCaml module name, lower-case file name (m0042)
    layer: int
    folder: str  # "" for the project root, else "libK"
    has_mli: bool
    deps: list = field(default_factory=list)  # indices of modules it uses


@dataclass
class Graph:
    modules: list
    layers: int
    folders: list  # sub-folder names, in dependency order
    target: int  # the bottom-layer module the edits touch
    tops: list  # modules nobody depends on (main.ml uses them)

    def path(self, m, ext):
        base = f"{m.name}.{ext}"
        return f"{m.folder}/{base}" if m.folder else base

    def dependents_closure(self, index):
        """Every module that depends on `index`, directly or not."""
        users = [[] for _ in self.modules]
        for m in self.modules:
            for d in m.deps:
                users[d].append(m.index)
        seen, todo = set(), [index]
        while todo:
            for u in users[todo.pop()]:
                if u not in seen:
                    seen.add(u)
                    todo.append(u)
        return seen


def default_layers(n):
    """About 10 layers for 100 modules, 20 for 1,000, 27 for 5,000."""
    return max(2, round(10 * math.log10(max(n, 10))) - 10)


def default_folders(n):
    """2 sub-folders for 100 modules, 4 for 1,000, 8 for 5,000."""
    return max(2, round(math.sqrt(n) / 9))


def make_graph(n, seed=1, layers=None, fanout=4, mli_ratio=0.3, folders=None, folder_share=0.35):
    rng = random.Random(seed)
    layers = layers or default_layers(n)
    layers = min(layers, n)
    nfolders = default_folders(n) if folders is None else folders
    width = max(4, len(str(n - 1)))
    layer_of = [i * layers // n for i in range(n)]
    by_layer = [[] for _ in range(layers)]
    for i, layer in enumerate(layer_of):
        by_layer[layer].append(i)

    mods = [Module(i, f"m{i:0{width}d}", layer_of[i], "", rng.random() < mli_ratio) for i in range(n)]

    # Each module above layer 0 uses one module of the layer just below (so
    # the graph is as deep as it has layers) and up to fanout-1 lower ones.
    first_of_layer = [by_layer[layer][0] for layer in range(layers)]
    for m in mods:
        if m.layer == 0:
            continue
        want = rng.randint(1, fanout)
        deps = [rng.choice(by_layer[m.layer - 1])]
        below = first_of_layer[m.layer]  # indices 0..below-1 are lower layers
        for _ in range(8 * want):
            if len(deps) >= want:
                break
            d = rng.randrange(below)
            if d not in deps:
                deps.append(d)
        m.deps = deps

    # Every module below the top layer gets a user, so that every tool
    # compiles every module (main.ml uses the modules nobody else uses).
    used = [False] * n
    for m in mods:
        for d in m.deps:
            used[d] = True
    for m in mods:
        if not used[m.index] and m.layer < layers - 1:
            above = [u for layer in range(m.layer + 1, layers) for u in by_layer[layer]]
            user = mods[rng.choice(above)]
            user.deps.append(m.index)
            used[m.index] = True
    tops = [m.index for m in mods if not used[m.index]]

    # The lowest `folder_share` of the modules (by index, so by layer) go to
    # sub-folders lib0..libK-1, in contiguous runs: a module only uses
    # modules of lower index, so folder k only uses folders <= k and the
    # folders can also be libraries.
    folder_names = [f"lib{k}" for k in range(nfolders)]
    in_folders = int(n * folder_share) if nfolders else 0
    for i in range(in_folders):
        mods[i].folder = folder_names[i * nfolders // in_folders]

    # The edit target: a layer-0 module with an .mli and the most dependents.
    bottom = [m for m in mods if m.layer == 0]
    if not any(m.has_mli for m in bottom):
        bottom[0].has_mli = True
    candidates = [m for m in bottom if m.has_mli]
    g = Graph(mods, layers, folder_names, 0, tops)
    g.target = max(candidates, key=lambda m: (len(g.dependents_closure(m.index)), -m.index)).index
    return g
