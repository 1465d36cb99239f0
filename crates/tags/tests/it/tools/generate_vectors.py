#!/usr/bin/env python3
"""Regenerates the conformance tables of the tags crate by running the real
ocamlbuild (0.14.1 was used) on generated inputs.

    python3 generate_vectors.py show-tags > ../show_tags_vectors.txt
    python3 generate_vectors.py errors    > ../tags_file_vectors.txt

Record format (both files): a line `=== <kind>`, then `path: <path>`, then
the `_tags` content as `tags: <python repr of the bytes>`, then `exit: N`,
then `--- stdout` and the part of ocamlbuild's output that the test checks,
up to the next `===` line.
"""
import os, random, shutil, subprocess, sys, tempfile

SEED = 20240614
NAME_CHARS = "abcdefghijklmnopqrstuvwxyzABCXYZ0123456789_-.+@#~\"!$%&*;<=>?[]^`{|}/\\\t"


def run(tags_bytes, path, extra=()):
    d = tempfile.mkdtemp(prefix="obvec")
    try:
        with open(os.path.join(d, "_tags"), "wb") as f:
            f.write(tags_bytes)
        with open(os.path.join(d, "a.ml"), "w") as f:
            f.write("let () = ()\n")
        p = subprocess.run(["ocamlbuild", "-show-tags", path, *extra, "a.ml"], cwd=d,
                           capture_output=True)
        return p.returncode, p.stdout
    finally:
        shutil.rmtree(d)


def rand_name(r, lo=1, hi=12, chars=None):
    chars = chars or "abcdefghijklmnopqrstuvwxyz_0123456789-"
    return "".join(r.choice(chars) for _ in range(r.randint(lo, hi)))


def rand_tag(r):
    k = r.random()
    if k < 0.55:
        return rand_name(r, 1, r.choice([6, 12, 30]))
    if k < 0.85:
        return "%s(%s)" % (rand_name(r, 1, 10), rand_name(r, 0, 14, "abc XYZ,+-@.0123"))
    if k < 0.95:
        return "%s:%s" % (rand_name(r, 1, 6), rand_name(r, 1, 20, "abc./_-xyz"))
    return rand_name(r, 60, 90)


def show_tags_cases(r, n):
    for i in range(n):
        depth = r.randint(0, 4)
        parts = [rand_name(r, 1, r.choice([3, 10, 25])) for _ in range(depth)]
        base = rand_name(r, 1, r.choice([4, 12, 40])) + r.choice(["", ".ml", ".mli", ".cmo", ".native", ".x.y", ".d.byte"])
        path = "/".join(parts + [base])
        tags = sorted({rand_tag(r) for _ in range(r.randint(0, 25))})
        line = '"%s": %s\n' % (path, ", ".join(tags)) if tags else ""
        yield path, line.encode()


PATTERNS = ["<a.ml>", "true", "<*.ml> or <*.mli>", "\"a.ml\"", "not <b.ml>", "<**/*.ml>", "a.ml",
            "<a b>", "<**>", "<{a,b}.ml>", "(<a.ml>)", "<[a-c].ml> and true", "false | 1", "<a.ml", "",
            "  ", "<a.ml> ", "#<a.ml>", "<a\\.ml>", "\"a\\\"b\"", "~<x>", "<a/**/b>", "<*.ml> &"]
SEPS = [", ", ",", " ,", ",  ", ", \\\n ", " \\\n, ", "\t,\t", " ", "  ", ";", ",\\\r\n", ", ,"]
TAGS = ["debug", "-debug", "+debug", "foo", "-", "+", "--x", "file:a.ml", "a:b:c", "pp(a b, c)",
        "pp(unclosed", "warn(+a-4)", "x#y", "q\"t", "it's", "t\t", "(x)", "+(x)", "-(x)", "a\\",
        "package(unix)", "é", "x)", "~tilde", "@at"]
ENDS = ["\n", "\r\n", "\r", "", " \n", "\\\n", "\t\n"]


def clean_line(r):
    pat = r.choice(["<a.ml>", "true", "<*.ml> or <*.mli>", "\"a.ml\"", "not <b.ml>", "<**/*.ml>",
                    "<{a,b}.ml>", "(<a.ml>)", "false | 1", "~<x>", "<a/**/b>", "<[a-c]*>"])
    tags = [r.choice(TAGS[:4] + TAGS[7:8] + TAGS[9:10] + TAGS[11:13] + TAGS[20:21]) if r.random() < 0.5
            else rand_tag(r) for _ in range(r.randint(1, 8))]
    return pat + r.choice([": ", ":", " : "]) + ", ".join(tags) + r.choice(["\n", "\r\n", "\n"])


def rand_line(r):
    k = r.random()
    if k < 0.08:
        return " " * r.randint(0, 2) + "# comment: x, y" + r.choice(ENDS)
    if k < 0.14:
        return r.choice(["", " ", "\t"]) + r.choice(["\n", "\r\n", "\r"])
    if k < 0.18:
        return r.choice(["foo bar", ":x", "\\", "<a.ml> debug"]) + r.choice(ENDS)
    pat = r.choice(PATTERNS)
    colon = r.choice([":", ": ", " : ", ":\\\n ", " \\\n: ", ":\t"])
    n = r.randint(0, 4)
    out = pat + colon
    for j in range(n):
        if j:
            out += r.choice(SEPS) if r.random() < 0.3 else ", "
        out += r.choice(TAGS) if r.random() < 0.7 else rand_tag(r)
    return out + r.choice(ENDS)


def error_cases(r, n):
    for i in range(n):
        gen = clean_line if r.random() < 0.4 else rand_line
        text = "".join(gen(r) for _ in range(r.randint(1, 4)))
        yield "a.ml", text.encode("utf-8")


def main():
    kind = sys.argv[1]
    r = random.Random(SEED + (0 if kind == "show-tags" else 1))
    cases = show_tags_cases(r, 250) if kind == "show-tags" else error_cases(r, 1200)
    for path, tags in cases:
        code, out = run(tags, path)
        if code == 0:
            i = out.find(b"Tags for ")
            kept = out[i:] if i >= 0 else out
        else:
            kept = out
        head = "=== case\npath: %s\ntags: %r\nexit: %d\n--- stdout\n" % (path, tags, code)
        sys.stdout.buffer.write(head.encode() + kept)


if __name__ == "__main__":
    main()
