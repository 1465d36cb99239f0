# blocks.py — the pieces of OCaml code a generated module is made of.
# Each block kind writes one `stage_K : int -> int` (with the types,
# recursive functions, functors... it needs) and has a Python twin that
# computes the same function, so the generator can predict the program's
# output.  Every integer stays below 2^45: no 63-bit overflow, no negatives.

MASK = 0xFFFFFF


def _tree_py(p, x):
    def go(depth, seed):
        if depth == 0:
            return seed & 1023
        if depth % 3 == 0:
            return (len("n" + str(seed)) + go(depth - 1, seed + p["a"])) & MASK
        return (go(depth - 1, seed * 3 + 1) * 31 + go(depth - 1, seed + p["b"])) & MASK

    return go(p["depth"], x)


def _tree_ml(k, p):
    return f"""type shape_{k} =
  | Leaf_{k} of int
  | Pair_{k} of shape_{k} * shape_{k}
  | Named_{k} of string * shape_{k}

let rec grow_{k} depth seed =
  if depth = 0 then Leaf_{k} (seed land 1023)
  else if depth mod 3 = 0 then Named_{k} ("n" ^ string_of_int seed, grow_{k} (depth - 1) (seed + {p["a"]}))
  else Pair_{k} (grow_{k} (depth - 1) ((seed * 3) + 1), grow_{k} (depth - 1) (seed + {p["b"]}))

let rec measure_{k} = function
  | Leaf_{k} n -> n
  | Pair_{k} (l, r) -> ((measure_{k} l * 31) + measure_{k} r) land mask
  | Named_{k} (s, t) -> (String.length s + measure_{k} t) land mask

let stage_{k} x = measure_{k} (grow_{k} {p["depth"]} x)
"""


def _records_py(p, x):
    acc = 0
    for i in range(p["n"]):
        key = x + i
        label = "even" if key % 2 == 0 else "odd"
        weight = key * (i + 1) % p["c"]
        if weight > p["a"]:
            r = weight - p["a"]
        elif label == "even":
            r = key * 2
        else:
            r = key + p["b"]
        acc = (acc * 7 + r) & MASK
    return acc


def _records_ml(k, p):
    return f"""type entry_{k} = {{ key_{k} : int; label_{k} : string; weight_{k} : int }}

let classify_{k} = function
  | {{ weight_{k}; _ }} when weight_{k} > {p["a"]} -> weight_{k} - {p["a"]}
  | {{ key_{k}; label_{k} = "even"; _ }} -> key_{k} * 2
  | {{ key_{k}; _ }} -> key_{k} + {p["b"]}

let stage_{k} x =
  let entries =
    List.init {p["n"]} (fun i ->
        let key = x + i in
        {{ key_{k} = key; label_{k} = (if key mod 2 = 0 then "even" else "odd"); weight_{k} = key * (i + 1) mod {p["c"]} }})
  in
  List.fold_left (fun acc e -> ((acc * 7) + classify_{k} e) land mask) 0 entries
"""


def _functor_py(p, x):
    for _ in range(p["reps"]):
        x = (x * p["a"] + len(p["name"])) & MASK
    return x


def _functor_ml(k, p):
    return f"""module type PARAM_{k} = sig
  val factor : int
  val name : string
end

module Make_{k} (P : PARAM_{k}) = struct
  let step x = ((x * P.factor) + String.length P.name) land mask
  let rec repeat n x = if n = 0 then x else repeat (n - 1) (step x)
end

module Inst_{k} = Make_{k} (struct
  let factor = {p["a"]}
  let name = "{p["name"]}"
end)

let stage_{k} x = Inst_{k}.repeat {p["reps"]} x
"""


def _variants_py(p, x):
    total = 0
    for i in range(p["a"] + 1):
        n = x + i
        if n % 3 == 0:
            if n > p["b"]:
                return (total + n) & MASK
            total = (total + n) & MASK
        elif n % 5 == 0:
            total = (total * 3 + n // 5) & MASK
        else:
            total = (total + n) & MASK
    return total


def _variants_ml(k, p):
    return f"""exception Found_{k} of int

let pick_{k} n = if n mod 3 = 0 then `Fizz n else if n mod 5 = 0 then `Buzz (n / 5) else `Num n

let stage_{k} x =
  let total = ref 0 in
  try
    for i = 0 to {p["a"]} do
      match pick_{k} (x + i) with
      | `Fizz n when n > {p["b"]} -> raise (Found_{k} ((!total + n) land mask))
      | `Fizz n | `Num n -> total := (!total + n) land mask
      | `Buzz n -> total := ((!total * 3) + n) land mask
    done;
    !total
  with Found_{k} v -> v
"""


def _tables_py(p, x):
    tbl = {}
    for i in range(p["a"] + 1):
        tbl[i % p["b"]] = (x + i * p["c"]) & MASK
    arr = [0] * p["b"]
    for key, v in tbl.items():
        arr[key] = v
    length = sum(len(str(v)) for v in arr)
    return (length * 1000 + sum(arr)) & MASK


def _tables_ml(k, p):
    return f"""let stage_{k} x =
  let tbl = Hashtbl.create 16 in
  for i = 0 to {p["a"]} do
    Hashtbl.replace tbl (i mod {p["b"]}) ((x + (i * {p["c"]})) land mask)
  done;
  let arr = Array.make {p["b"]} 0 in
  Hashtbl.iter (fun key v -> arr.(key) <- v) tbl;
  let buf = Buffer.create 64 in
  Array.iter (fun v -> Buffer.add_string buf (string_of_int v)) arr;
  ((Buffer.length buf * 1000) + Array.fold_left ( + ) 0 arr) land mask
"""


def _digits_py(p, x):
    ds = [int(c) for c in str(x)]
    woven = []
    while len(ds) >= 2:
        woven.append(ds[0] * p["a"] + ds[1])
        ds = ds[2:]
    if ds:
        woven.append(ds[0] + p["b"])
    acc = (len(str(x)))
    for d in woven:
        acc = (acc * 131 + d) & MASK
    return acc


def _digits_ml(k, p):
    return f"""let rec digits_{k} n acc = if n < 10 then n :: acc else digits_{k} (n / 10) ((n mod 10) :: acc)

let rec weave_{k} = function
  | a :: b :: rest -> ((a * {p["a"]}) + b) :: weave_{k} rest
  | [ a ] -> [ a + {p["b"]} ]
  | [] -> []

let stage_{k} x =
  let ds = digits_{k} x [] in
  List.fold_left (fun acc d -> ((acc * 131) + d) land mask) (List.length ds) (weave_{k} ds)
"""


def _params(kind, rng):
    if kind == "tree":
        return {"depth": rng.randint(3, 5), "a": rng.randint(1, 999), "b": rng.randint(1, 999)}
    if kind == "records":
        return {"n": rng.randint(3, 8), "a": rng.randint(10, 500), "b": rng.randint(1, 99), "c": rng.randint(50, 1000)}
    if kind == "functor":
        name = "".join(rng.choice("abcdefghij") for _ in range(rng.randint(3, 9)))
        return {"a": rng.randint(3, 999), "reps": rng.randint(2, 9), "name": name}
    if kind == "variants":
        return {"a": rng.randint(4, 30), "b": rng.randint(0, MASK), }
    if kind == "tables":
        return {"a": rng.randint(8, 40), "b": rng.randint(2, 7), "c": rng.randint(1, 9999)}
    if kind == "digits":
        return {"a": rng.randint(2, 97), "b": rng.randint(1, 50)}
    raise ValueError(kind)


OCAML = {
    "tree": _tree_ml,
    "records": _records_ml,
    "functor": _functor_ml,
    "variants": _variants_ml,
    "tables": _tables_ml,
    "digits": _digits_ml,
}
PYTHON = {
    "tree": _tree_py,
    "records": _records_py,
    "functor": _functor_py,
    "variants": _variants_py,
    "tables": _tables_py,
    "digits": _digits_py,
}
# Functors in roughly one module in five (with 4 blocks per module).
WEIGHTS = {"tree": 5, "records": 5, "functor": 1, "variants": 4, "tables": 4, "digits": 4}


def pick(rng, count):
    """`count` random blocks: a list of (kind, params)."""
    kinds = list(WEIGHTS)
    chosen = rng.choices(kinds, weights=[WEIGHTS[k] for k in kinds], k=count)
    return [(kind, _params(kind, rng)) for kind in chosen]


def ocaml(k, block):
    kind, params = block
    return OCAML[kind](k, params)


def run(block, x):
    kind, params = block
    return PYTHON[kind](params, x)
