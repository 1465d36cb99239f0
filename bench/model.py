# model.py — the per-module parameters of a generated project and the
# Python twin of its OCaml code: given the manifest (and the current literal
# of each edited `transform`), it predicts the line main.native prints.

import random

import blocks

MASK = blocks.MASK
BODY_BASE = 100000  # every `transform` literal has 6 digits: edits keep its length


def module_params(graph, seed, blocks_per_module=4):
    """Random parameters of every module's code, as JSON-able dicts."""
    rng = random.Random(seed * 7919 + 17)
    out = []
    for m in graph.modules:
        out.append(
            {
                "seed": rng.randrange(MASK),
                "blocks": blocks.pick(rng, blocks_per_module),
                "make": [rng.randint(2, 97), rng.randint(2, 97), rng.randint(0, 999)],
                "score": rng.randint(3, 99),
                "transform": [rng.randint(3, 99), rng.randint(2, 6), BODY_BASE + rng.randrange(100000)],
                "dep_keys": [rng.randint(0, 9999) for _ in m.deps],
            }
        )
    return out


def make_(p, n):
    a, b, c = p["make"]
    return (n & MASK, [n % a, n // b, n + c])


def score(p, r):
    ident, parts = r
    acc = ident
    for x in parts:
        acc = (acc * p["score"] + x) & MASK
    return acc


def transform(p, x, literal):
    factor, rounds, _ = p["transform"]
    acc = x
    for i in range(rounds, 0, -1):
        acc = (acc * factor + i + literal) & MASK
    return acc


def values(manifest, literals):
    """The `value` of every module; `literals` maps a module index to the
    current literal of its `transform` (default: the generated one)."""
    params = manifest["params"]
    deps = manifest["deps"]
    lit = [literals.get(i, p["transform"][2]) for i, p in enumerate(params)]
    vals = []
    for i, p in enumerate(params):
        base = p["seed"]
        for d, key in zip(deps[i], p["dep_keys"]):
            q = params[d]
            base += transform(q, vals[d], lit[d]) + score(q, make_(q, key))
        x = base & MASK
        for block in p["blocks"]:
            x = blocks.run(block, x)
        vals.append(x)
    return vals


def checksum(manifest, literals=None):
    vals = values(manifest, literals or {})
    acc = 0
    for t in manifest["tops"]:
        acc = (acc * 33 + vals[t]) & MASK
    return acc


def expected_output(manifest, literals=None):
    return f"checksum {checksum(manifest, literals)}\n"
