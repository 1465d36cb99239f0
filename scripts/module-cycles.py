#!/usr/bin/env python3
# Checks that no crate of the workspace has an import circle between its
# modules. For each crate under crates/*/src it builds the graph of
# module-level references: a file `a.rs` or `a/mod.rs` is a module, and
# module A has an edge to module B for each path to B (or to an item of B)
# that A names: `crate::…` and `super::…` paths (resolved relative to A) in
# `use` lines, `{…}` groups included, in fully qualified paths in code, and
# in doc links; a module imported by name (`use super::flags;`) then named
# in code (`flags::argv`) counts too. Not edges: a module's references to
# its own descendants (`mod child;`, `pub use child::X`, `self::child`),
# `#[cfg(test)]` items (`mod tests { … }`) and files compiled only for tests
# (`#[cfg(test)] mod testing;`). A name re-exported by a parent module
# (`crate::rules::RuleContext`, from `pub use context::RuleContext` in
# rules/mod.rs) counts as an edge to the module that defines it.
#
# It prints the strongly connected components of more than one module, each
# with the references that tie it (file:line), and exits 1 if there is any
# besides those listed in TOLERATED (circles known and not yet broken; one
# listed that no longer exists as listed is an error too, so the list only
# shrinks). `--edges` also prints every crate's graph.
#
# Usage: scripts/module-cycles.py [--edges] [workspace root]

import os
import re
import sys

# Circles known and not yet broken: (crate, its modules) -> why.
TOLERATED = {
    ("engine", ("rebuilder", "rule", "scheduler", "task")): (
        "the engine's core: the Task trait takes a TaskCx, which holds the "
        "scheduler's state and runs actions through the rebuilder, which "
        "reads both; breaking it means splitting the scheduler's state"
    ),
}

IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
PATH_RE = re.compile(r"(?<![\w$:])((?:crate|super)(?:\s*::\s*" + IDENT + r")+)")


def blank(text):
    """The text with comments and the contents of string and char literals
    replaced by spaces (newlines kept, so offsets and lines still match),
    and the doc comments as (offset, text) pairs."""
    out = list(text)
    docs = []
    i, n = 0, len(text)

    def wipe(a, b):
        for k in range(a, b):
            if out[k] != "\n":
                out[k] = " "

    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            body = text[i:j]
            if (body.startswith("///") and not body.startswith("////")) or body.startswith("//!"):
                docs.append((i, body[3:]))
            wipe(i, j)
            i = j
        elif text.startswith("/*", i):
            depth, j = 1, i + 2
            while j < n and depth:
                if text.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif text.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            if text.startswith("/**", i) or text.startswith("/*!", i):
                docs.append((i, text[i + 3 : j - 2]))
            wipe(i, j)
            i = j
        elif c == '"' or (c in "rb" and re.match(r'(?:b?r#*|b)"', text[i:]) and not re.match(r"\w", text[i - 1 : i] or " ")):
            m = re.match(r'(b?r)(#*)"', text[i:])
            if m:  # raw string
                end = '"' + m.group(2)
                start = i + len(m.group(0))
                j = text.find(end, start)
                j = n if j < 0 else j
                wipe(start, j)
                i = j + len(end)
            else:
                start = i + (2 if c == "b" else 1)
                j = start
                while j < n and text[j] != '"':
                    j += 2 if text[j] == "\\" else 1
                wipe(start, j)
                i = j + 1
        elif c == "'":
            m = re.match(r"'(?:\\(?:x[0-9a-fA-F]{2}|u\{[0-9a-fA-F]*\}|.)|[^\\'])'", text[i:])
            if m:
                wipe(i + 1, i + len(m.group(0)) - 1)
                i += len(m.group(0))
            else:  # a lifetime
                i += 1
        else:
            i += 1
    return "".join(out), docs


def test_ranges(code):
    """The (start, end) offsets of the items under `#[cfg(test)]`."""
    ranges = []
    for m in re.finditer(r"#\s*\[\s*cfg\s*\(\s*test\s*\)\s*\]", code):
        j, depth = m.end(), 0
        while j < len(code):
            ch = code[j]
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
                if depth == 0:
                    j += 1
                    break
            elif ch == ";" and depth == 0:
                j += 1
                break
            j += 1
        ranges.append((m.start(), j))
    return ranges


def cut(code, ranges):
    out = list(code)
    for a, b in ranges:
        for k in range(a, b):
            if out[k] != "\n":
                out[k] = " "
    return "".join(out)


def split_top(s, sep=","):
    parts, depth, cur = [], 0, ""
    for ch in s:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        if ch == sep and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    return [p.strip() for p in parts if p.strip()]


def use_leaves(tree, prefix=()):
    """The paths of a use tree, as (segments, alias); `*` leaves included."""
    tree = tree.strip()
    if tree.startswith("::"):
        tree = tree[2:]
    if tree.startswith("{") and tree.endswith("}"):
        out = []
        for part in split_top(tree[1:-1]):
            out += use_leaves(part, prefix)
        return out
    m = re.match(r"(" + IDENT + r"|\*)\s*(::)?\s*(.*)$", tree, re.S)
    if not m:
        return []
    head, more, rest = m.group(1), m.group(2), m.group(3)
    if more:
        return use_leaves(rest, prefix + (head,))
    alias = None
    a = re.match(r"as\s+(" + IDENT + r")", rest.strip())
    if a:
        alias = a.group(1)
    if head == "self":
        return [(prefix, alias or (prefix[-1] if prefix else None))]
    return [(prefix + (head,), alias or head)]


class Module:
    def __init__(self, path, file, dir_of_children):
        self.path = path  # tuple of names, () for the crate root
        self.file = file
        self.children_dir = dir_of_children
        self.children = {}
        self.reexports = {}  # name -> (segments of the use path)
        self.globs = []  # segments of `pub use x::*`
        self.uses = []  # (offset, segments, alias)
        self.code = ""
        self.docs = []
        self.text = ""


def load_crate(src):
    root_file = next(
        (os.path.join(src, f) for f in ("lib.rs", "main.rs") if os.path.exists(os.path.join(src, f))),
        None,
    )
    if root_file is None:
        return {}
    modules = {}

    def load(path, file, children_dir):
        mod = Module(path, file, children_dir)
        modules[path] = mod
        with open(file, encoding="utf-8") as f:
            mod.text = f.read()
        code, docs = blank(mod.text)
        ranges = test_ranges(code)
        mod.code = cut(code, ranges)
        mod.docs = [(o, d) for o, d in docs if not any(a <= o < b for a, b in ranges)]
        for m in re.finditer(
            r"(?<![\w:])(pub\s*(?:\([^)]*\))?\s*)?mod\s+(" + IDENT + r")\s*;", mod.code
        ):
            name = m.group(2)
            for cand in (
                os.path.join(children_dir, name + ".rs"),
                os.path.join(children_dir, name, "mod.rs"),
            ):
                if os.path.exists(cand):
                    sub_dir = (
                        os.path.dirname(cand)
                        if cand.endswith("mod.rs")
                        else os.path.join(children_dir, name)
                    )
                    mod.children[name] = load(path + (name,), cand, sub_dir)
                    break
        for m in re.finditer(
            r"(?<![\w:])(pub\s*(?:\([^)]*\))?\s*)?use\s+([^;]*);", mod.code
        ):
            public = m.group(1) is not None
            for segs, alias in use_leaves(m.group(2)):
                if not segs:
                    continue
                mod.uses.append((m.start(), segs, alias))
                if public:
                    if segs[-1] == "*":
                        mod.globs.append(segs[:-1])
                    elif alias:
                        mod.reexports[alias] = segs
        return mod

    load((), root_file, src)
    return modules


def start_of(modules, mod, segs):
    """Where a path begins: (module, remaining segments), or None when it
    names another crate."""
    if not segs:
        return None
    if segs[0] == "crate":
        return modules[()], segs[1:]
    if segs[0] == "self":
        return mod, segs[1:]
    if segs[0] == "super":
        path, i = mod.path, 0
        while i < len(segs) and segs[i] == "super":
            path, i = path[:-1], i + 1
        return modules[path], segs[i:]
    if segs[0] in mod.children:
        return mod.children[segs[0]], segs[1:]
    return None


def resolve(modules, mod, segs, seen=None):
    """The module that defines what `segs` (as written in `mod`) names,
    or None for another crate's."""
    seen = seen or set()
    s = start_of(modules, mod, list(segs))
    if s is None:
        return None
    cur, rest = s
    for i, seg in enumerate(rest):
        if seg in cur.children:
            cur = cur.children[seg]
            continue
        if seg == "*":
            return cur
        # An item of `cur`; a parent module (one with children) is a
        # namespace, so its re-exports lead to the defining module.
        if cur.children and (cur.path, seg) not in seen:
            seen.add((cur.path, seg))
            target = None
            if seg in cur.reexports:
                target = resolve(modules, cur, cur.reexports[seg], seen)
            else:
                for g in cur.globs:
                    t = resolve(modules, cur, g + [seg], seen)
                    if t is not None and t is not cur:
                        target = t
                        break
            if target is not None:
                return target
        return cur
    return cur


def module_named(modules, mod, segs):
    """The module `segs` names when every segment is a module, else None."""
    s = start_of(modules, mod, list(segs))
    if s is None:
        return None
    cur, rest = s
    for seg in rest:
        if seg not in cur.children:
            return None
        cur = cur.children[seg]
    return cur


def line_of(text, offset):
    return text.count("\n", 0, offset) + 1


def edges_of(modules, mod):
    """(target module path, line) for each reference of `mod`."""
    found = []

    def add(target, offset):
        if target is None or target is mod:
            return
        if target.path[: len(mod.path)] == mod.path:
            return  # a descendant
        found.append((target.path, line_of(mod.text, offset)))

    aliases = {}
    use_spans = []
    for m in re.finditer(r"(?<![\w:])(pub\s*(?:\([^)]*\))?\s*)?use\s+([^;]*);", mod.code):
        use_spans.append((m.start(), m.end()))
    for offset, segs, alias in mod.uses:
        if segs[-1] == "*":
            segs = segs[:-1]
        target = resolve(modules, mod, segs)
        add(target, offset)
        named = module_named(modules, mod, segs)
        if named is not None and alias and alias not in ("self", "super", "crate"):
            aliases[alias] = named  # an imported module, named later as `alias::item`
    code = cut(mod.code, use_spans)
    for m in PATH_RE.finditer(code):
        segs = [s.strip() for s in m.group(1).split("::")]
        add(resolve(modules, mod, segs), m.start())
    for alias, target in aliases.items():
        for m in re.finditer(
            r"(?<![\w$:])" + alias + r"((?:\s*::\s*" + IDENT + r")+)", code
        ):
            segs = [s.strip() for s in m.group(1).split("::") if s.strip()]
            add(resolve(modules, target, ["self"] + segs), m.start())
    for offset, doc in mod.docs:
        links = re.findall(r"\[`?([\w:]+)(?:\(\))?`?\]", doc)
        links += re.findall(r"\]\(([\w:]+)\)", doc)
        links += re.findall(r"^\s*\[[^\]]+\]:\s*([\w:]+)", doc)
        for link in links:
            segs = link.split("::")
            if segs[0] in ("crate", "super", "self") or (
                segs[0] in mod.children
            ):
                add(resolve(modules, mod, segs), offset)
            elif segs[0] in aliases and len(segs) > 1:
                add(resolve(modules, aliases[segs[0]], ["self"] + segs[1:]), offset)
    return found


def components(graph):
    """Tarjan's strongly connected components."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def name(path):
    return "::".join(path) if path else "crate"


def main(argv):
    show_edges = "--edges" in argv
    args = [a for a in argv if a != "--edges"]
    root = args[0] if args else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    crates_dir = os.path.join(root, "crates")
    circles = 0
    seen = set()
    for crate in sorted(os.listdir(crates_dir)):
        src = os.path.join(crates_dir, crate, "src")
        if not os.path.isdir(src):
            continue
        modules = load_crate(src)
        graph, where = {}, {}
        for path, mod in modules.items():
            graph[path] = set()
            for target, line in edges_of(modules, mod):
                graph[path].add(target)
                rel = os.path.relpath(mod.file, root)
                lines = where.setdefault((path, target), [])
                if f"{rel}:{line}" not in lines:
                    lines.append(f"{rel}:{line}")
        if show_edges:
            print(f"{crate}:")
            for path in sorted(graph):
                print(f"  {name(path)} -> {' '.join(name(t) for t in sorted(graph[path]))}")
        for comp in components(graph):
            if len(comp) < 2:
                continue
            members = set(comp)
            listed = (crate, tuple(name(p) for p in comp))
            if listed in TOLERATED:
                seen.add(listed)
                print(f"{crate}: tolerated circle between {', '.join(listed[1])}: {TOLERATED[listed]}")
                continue
            circles += 1
            print(f"{crate}: import circle between {', '.join(name(p) for p in comp)}")
            for a in comp:
                for b in sorted(graph[a] & members):
                    print(f"  {name(a)} -> {name(b)}: {', '.join(where[(a, b)])}")
    for listed in sorted(set(TOLERATED) - seen):
        circles += 1
        print(f"{listed[0]}: the tolerated circle between {', '.join(listed[1])} is gone "
              "or changed: update TOLERATED in scripts/module-cycles.py")
    if circles:
        print(f"module-cycles: {circles} import circle(s)")
        return 1
    print("module-cycles: no import circle between modules")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
