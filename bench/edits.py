# edits.py — the benchmark's source edits, applied to one tool's copy of a
# generated project, and the output the program must print afterwards.
#   body     the literal in the edit target's `transform` (inside a local
#            recursive function: never inlined, so the .cmx stays the same)
#   iface    renames `bench_iface_N` in the target's .mli and .ml: the .cmi
#            changes and every dependent must recompile
#   comment  rewrites the six digits of the .mli's first comment: same
#            length, same locations, so the .cmi comes out identical
# Every edit writes a new text (revision `rev`), never one seen before.

import os
import re

import model

BODY_RE = re.compile(r"\+ (\d{6}) \(\*BODY\*\)")
IFACE_RE = re.compile(r"bench_iface_\d+")
COMMENT_RE = re.compile(r"revision \d{6} \*\)")
KINDS = ("body", "iface", "comment")


def _rewrite(path, regex, replacement):
    with open(path) as f:
        text = f.read()
    new, n = regex.subn(replacement, text, count=1)
    if n != 1:
        raise RuntimeError(f"{path}: no match for {regex.pattern}")
    with open(path, "w") as f:
        f.write(new)


def apply(copy_dir, manifest, kind, rev):
    """Apply edit `kind` with revision number `rev` (>= 1) to `copy_dir`."""
    ml = os.path.join(copy_dir, manifest["target_ml"])
    mli = os.path.join(copy_dir, manifest["target_mli"])
    if kind == "body":
        # 6 digits, never the generated literal (which is below 200000)
        _rewrite(ml, BODY_RE, f"+ {200000 + rev % 800000:06d} (*BODY*)")
    elif kind == "iface":
        _rewrite(mli, IFACE_RE, f"bench_iface_{rev}")
        _rewrite(ml, IFACE_RE, f"bench_iface_{rev}")
    elif kind == "comment":
        _rewrite(mli, COMMENT_RE, f"revision {rev % 1000000:06d} *)")
    else:
        raise ValueError(kind)


def expected(copy_dir, manifest):
    """What the program built from `copy_dir` must print, given the current
    literal of the target's `transform`."""
    with open(os.path.join(copy_dir, manifest["target_ml"])) as f:
        literal = int(BODY_RE.search(f.read()).group(1))
    return model.expected_output(manifest, {manifest["target"]: literal})
