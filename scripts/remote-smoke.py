#!/usr/bin/env python3
"""Smoke test of the servers that scripts/remote-server.sh starts.

Run with the Python of BuildGrid's venv, after `scripts/remote-server.sh start`:
  ~/.cache/caravan/buildgrid-venv/bin/python scripts/remote-smoke.py [STATE]
It reads STATE/env (default /tmp/caravan-remote/env, or CARAVAN_REMOTE_STATE)
and checks, with REAPI calls made here:
  - an action runs on a worker and its outputs, stdout and stderr come back;
  - the worker's directory holds exactly the input root (an undeclared file
    is not there), executable bits survive both ways;
  - a missing output is absent from the result; a missing input blob ends the
    action with an error, and the worker keeps serving;
  - an action asking for another OCaml version is never executed;
  - the workers run as many actions at once as they have room for;
  - the round trip of a trivial Execute (printed);
and, on nginx, PUT/GET of /ac/<sha256> and /cas/<sha256>.
Exit status 0 when everything holds.
"""

import concurrent.futures
import hashlib
import os
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid

import grpc

from buildgrid._protos.build.bazel.remote.execution.v2 import remote_execution_pb2 as re_pb2
from buildgrid._protos.build.bazel.remote.execution.v2 import remote_execution_pb2_grpc as re_grpc
from buildgrid._protos.google.longrunning import operations_pb2, operations_pb2_grpc
from buildgrid._protos.google.rpc import code_pb2

failures = []


def check(condition, what):
    print(("ok   " if condition else "FAIL ") + what, flush=True)
    if not condition:
        failures.append(what)


def digest(data):
    return re_pb2.Digest(hash=hashlib.sha256(data).hexdigest(), size_bytes=len(data))


def read_env(state):
    env = {}
    with open(os.path.join(state, "env")) as f:
        for line in f:
            if "=" in line:
                key, value = line.strip().split("=", 1)
                env[key] = value
    return env


def toolchain_platform(version=None):
    out = subprocess.run(["ocamlc", "-version"], capture_output=True, check=True).stdout.decode().strip()
    config = subprocess.run(["ocamlc", "-config"], capture_output=True, check=True).stdout
    platform = re_pb2.Platform()
    # REAPI wants the properties sorted by name.
    for name, value in sorted(
        [
            ("OSFamily", "linux"),
            ("caravan-ocaml-config", hashlib.sha256(config).hexdigest()),
            ("caravan-ocaml-version", version or out),
        ]
    ):
        platform.properties.add(name=name, value=value)
    return platform


class Client:
    def __init__(self, target):
        self.channel = grpc.insecure_channel(target)
        self.cas = re_grpc.ContentAddressableStorageStub(self.channel)
        self.execution = re_grpc.ExecutionStub(self.channel)
        self.ac = re_grpc.ActionCacheStub(self.channel)
        self.operations = operations_pb2_grpc.OperationsStub(self.channel)

    def upload(self, blobs):
        reqs = [re_pb2.BatchUpdateBlobsRequest.Request(digest=digest(b), data=b) for b in blobs]
        resp = self.cas.BatchUpdateBlobs(re_pb2.BatchUpdateBlobsRequest(instance_name="", requests=reqs), timeout=30)
        assert all(r.status.code == 0 for r in resp.responses), resp

    def read(self, d):
        if d.size_bytes == 0:
            return b""
        resp = self.cas.BatchReadBlobs(re_pb2.BatchReadBlobsRequest(instance_name="", digests=[d]), timeout=30)
        assert resp.responses[0].status.code == 0, resp
        return resp.responses[0].data

    def action(self, argv, files, outputs=(), env=(), platform=None, upload=True, extra_blobs=(), timeout=None):
        """files: {path: (bytes, executable)} with paths of the form 'name' or 'dir/name'."""
        blobs = list(extra_blobs)
        tree = {}
        for path, (data, executable) in files.items():
            parts = path.split("/")
            node = tree
            for part in parts[:-1]:
                node = node.setdefault(part, {})
            node[parts[-1]] = (data, executable)
            blobs.append(data)

        def build(node):
            directory = re_pb2.Directory()
            for name in sorted(node):
                value = node[name]
                if isinstance(value, dict):
                    sub = build(value)
                    directory.directories.add(name=name, digest=digest(sub))
                else:
                    directory.files.add(name=name, digest=digest(value[0]), is_executable=value[1])
            data = directory.SerializeToString()
            blobs.append(data)
            return data

        root = build(tree)
        command = re_pb2.Command(arguments=argv, output_paths=sorted(outputs))
        for name, value in sorted(env):
            command.environment_variables.add(name=name, value=value)
        command_data = command.SerializeToString()
        blobs.append(command_data)
        action = re_pb2.Action(command_digest=digest(command_data), input_root_digest=digest(root))
        action.platform.CopyFrom(platform or toolchain_platform())
        if timeout:
            action.timeout.FromSeconds(timeout)
        action_data = action.SerializeToString()
        blobs.append(action_data)
        if upload:
            self.upload(blobs)
        return digest(action_data)

    def execute(self, action_digest, timeout=60):
        """Returns (ExecuteResponse or None, last Operation)."""
        req = re_pb2.ExecuteRequest(instance_name="", action_digest=action_digest, skip_cache_lookup=True)
        last = None
        for op in self.execution.Execute(req, timeout=timeout):
            last = op
            if op.done:
                break
        if last is None or not last.done:
            return None, last
        if last.HasField("error"):
            return None, last
        response = re_pb2.ExecuteResponse()
        last.response.Unpack(response)
        return response, last


def reapi_checks(client, slots):
    nonce = uuid.uuid4().hex

    # 1. An action with an input file, an executable script in a sub-directory,
    #    environment variables, outputs (one missing), stdout and stderr.
    script = b"#!/bin/sh\ntr a-z A-Z < input.txt > out/upper.txt\ncp tools/run.sh out/run.sh\necho \"hello $GREETING\"\necho oops >&2\nexit 3\n"
    a = client.action(
        ["sh", "-c", f"# {nonce}\n./tools/run.sh"],
        {"input.txt": (b"caravan\n", False), "tools/run.sh": (script, True)},
        outputs=["out/upper.txt", "out/run.sh", "out/missing.o"],
        env=[("GREETING", "world")],
    )
    t0 = time.monotonic()
    resp, op = client.execute(a)
    elapsed = time.monotonic() - t0
    check(resp is not None and resp.status.code == 0, f"Execute completes ({elapsed:.3f} s): {op.error if resp is None else resp.status}")
    if resp is None:
        return
    result = resp.result
    check(result.exit_code == 3, f"exit code comes back (got {result.exit_code})")
    files = {f.path: f for f in result.output_files}
    check(sorted(files) == ["out/run.sh", "out/upper.txt"], f"existing outputs only (got {sorted(files)})")
    if "out/upper.txt" in files:
        check(client.read(files["out/upper.txt"].digest) == b"CARAVAN\n", "output content")
        check(not files["out/upper.txt"].is_executable, "plain output not executable")
    if "out/run.sh" in files:
        check(files["out/run.sh"].is_executable, "executable bit of an output")
        check(client.read(files["out/run.sh"].digest) == script, "content of the executable output")
    check(client.read(result.stdout_digest) == b"hello world\n", "stdout")
    check(client.read(result.stderr_digest) == b"oops\n", "stderr, kept apart")
    check(result.execution_metadata.worker != "", f"executed by {result.execution_metadata.worker}")

    # 2. Exactly the input root: the directory holds nothing else, and a file
    #    that is not declared is not there.
    a = client.action(
        ["sh", "-c", f"# {nonce}\nfind . | sort; cat ../secret 2>/dev/null; cat undeclared.ml"],
        {"a.ml": (b"let x = 1\n", False)},
    )
    resp, _ = client.execute(a)
    out = client.read(resp.result.stdout_digest) if resp else b""
    check(resp is not None and out == b".\n./a.ml\n", f"the directory holds exactly the input root (got {out!r})")
    check(resp is not None and resp.result.exit_code != 0, "an undeclared input makes the action fail")

    # An OCaml compilation, as caravan sends them.
    a = client.action(
        ["ocamlc", "-c", "-o", "src/m.cmo", "src/m.ml"],
        {"src/m.ml": (f"let nonce = {nonce!r}\n".replace("'", '"').encode(), False)},
        outputs=["src/m.cmi", "src/m.cmo"],
    )
    resp, _ = client.execute(a)
    names = sorted(f.path for f in resp.result.output_files) if resp else []
    check(resp is not None and resp.result.exit_code == 0 and names == ["src/m.cmi", "src/m.cmo"], f"ocamlc -c runs on a worker (outputs {names})")

    # An output directory comes back as a Tree.
    a = client.action(["sh", "-c", f"mkdir -p gen/sub && echo {nonce} > gen/sub/x && chmod +x gen/sub/x"], {}, outputs=["gen"])
    resp, _ = client.execute(a)
    ok = False
    if resp is not None and len(resp.result.output_directories) == 1:
        tree = re_pb2.Tree.FromString(client.read(resp.result.output_directories[0].tree_digest))
        sub = [c for c in tree.children if [f.name for f in c.files] == ["x"]]
        ok = (
            resp.result.output_directories[0].path == "gen"
            and [d.name for d in tree.root.directories] == ["sub"]
            and len(sub) == 1
            and sub[0].files[0].is_executable
            and client.read(sub[0].files[0].digest) == f"{nonce}\n".encode()
        )
    check(ok, "an output directory comes back as a Tree")

    # Large blobs (through ByteStream on the worker's side) both ways.
    big = os.urandom(2 << 20)
    a = client.action(["cp", "big.bin", "copy.bin"], {"big.bin": (big, False)}, outputs=["copy.bin"])
    resp, _ = client.execute(a)
    ok = resp is not None and len(resp.result.output_files) == 1 and client.read(resp.result.output_files[0].digest) == big
    check(ok, "a 2 MiB input and output go through")

    # 3. A missing input blob: the lease ends with an error, the worker survives.
    missing = b"never uploaded " + nonce.encode()
    a = client.action(["cat", "gone.txt"], {"gone.txt": (missing, False)}, upload=False)
    # Upload all but the missing file.
    files_root = re_pb2.Directory()
    files_root.files.add(name="gone.txt", digest=digest(missing))
    command = re_pb2.Command(arguments=["cat", "gone.txt"])
    action = re_pb2.Action(command_digest=digest(command.SerializeToString()), input_root_digest=digest(files_root.SerializeToString()))
    action.platform.CopyFrom(toolchain_platform())
    client.upload([files_root.SerializeToString(), command.SerializeToString(), action.SerializeToString()])
    resp, op = client.execute(digest(action.SerializeToString()))
    code = resp.status.code if resp else op.error.code
    check(code != 0, f"a missing input blob is an error ({code_pb2.Code.Name(code)})")
    a = client.action(["echo", "still", nonce], {})
    resp, _ = client.execute(a)
    check(resp is not None and client.read(resp.result.stdout_digest) == f"still {nonce}\n".encode(), "workers keep serving after a failed lease")

    # Action.timeout is enforced.
    marker = f"/tmp/caravan-smoke-timeout-{nonce}"
    a = client.action(["sh", "-c", f"sleep 5; touch {marker}"], {}, timeout=1)
    t0 = time.monotonic()
    resp, op = client.execute(a)
    elapsed = time.monotonic() - t0
    code = resp.status.code if resp else op.error.code
    check(code == code_pb2.DEADLINE_EXCEEDED and elapsed < 4, f"a 1 s timeout stops a 5 s action ({code_pb2.Code.Name(code)} after {elapsed:.1f} s)")
    time.sleep(4.5)
    check(not os.path.exists(marker), "... and kills its command")

    # A cancelled operation stops its command.
    marker = f"/tmp/caravan-smoke-cancel-{nonce}"
    a = client.action(["sh", "-c", f"sleep 4; touch {marker}"], {})
    stream = client.execution.Execute(re_pb2.ExecuteRequest(instance_name="", action_digest=a, skip_cache_lookup=True), timeout=30)
    first = next(stream)
    time.sleep(1.0)
    client.operations.CancelOperation(operations_pb2.CancelOperationRequest(name=first.name), timeout=5)
    stream.cancel()
    time.sleep(4.5)
    check(not os.path.exists(marker), "a cancelled operation's command is stopped")
    if os.path.exists(marker):
        os.remove(marker)

    # 4. Another OCaml version: never executed.
    marker = f"/tmp/caravan-smoke-wrong-platform-{nonce}"
    a = client.action(["touch", marker], {}, platform=toolchain_platform(version="0.0.0-not-this-one"))
    req = re_pb2.ExecuteRequest(instance_name="", action_digest=a, skip_cache_lookup=True)
    last, error = None, None
    try:
        for op in client.execution.Execute(req, timeout=4):
            last = op
            if op.done:
                break
    except grpc.RpcError as e:
        error = e
    if last is not None and last.done:
        response = re_pb2.ExecuteResponse()
        if last.HasField("response"):
            last.response.Unpack(response)
        refused = last.HasField("error") or response.status.code != 0
        check(refused, f"an action for another OCaml version is refused ({last.error if last.HasField('error') else response.status})")
    elif error is not None and error.code() != grpc.StatusCode.DEADLINE_EXCEEDED:
        check(True, f"an action for another OCaml version is refused ({error.code().name}: {error.details()})")
    else:
        check(True, "an action for another OCaml version stays queued (4 s)")
    check(not os.path.exists(marker), "... and never ran")
    if os.path.exists(marker):
        os.remove(marker)
    # Cancel it so that it does not stay queued.
    if last is not None and not last.done:
        try:
            client.operations.CancelOperation(operations_pb2.CancelOperationRequest(name=last.name), timeout=5)
        except grpc.RpcError as e:
            print(f"note: could not cancel the queued action ({e.code().name})")

    # 5. The workers run as many actions at once as they have room for.
    n = slots
    actions = [client.action(["sh", "-c", f"sleep 1 # {nonce} {i}"], {}) for i in range(n)]
    t0 = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(n) as pool:
        results = list(pool.map(client.execute, actions))
    elapsed = time.monotonic() - t0
    check(all(r is not None and r.result.exit_code == 0 for r, _ in results), f"{n} sleeps of 1 s complete")
    check(elapsed < 1.9, f"the workers run {n} actions at once ({elapsed:.2f} s for {n} × 1 s)")

    # 6. Round trip of a trivial Execute.
    times = []
    for i in range(15):
        a = client.action(["true", nonce, str(i)], {})
        t0 = time.monotonic()
        resp, _ = client.execute(a)
        times.append(time.monotonic() - t0)
        if resp is None or resp.result.exit_code != 0:
            check(False, "trivial Execute")
            break
    median = statistics.median(times)
    print(f"     trivial Execute round trip: median {median * 1000:.0f} ms, min {min(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms")
    check(median < 1.0, "trivial Execute well under a second")


def http_checks(base):
    def request(method, path, data=None):
        req = urllib.request.Request(base.rstrip("/") + path, data=data, method=method)
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            return e.code, b""

    blob = f"blob {uuid.uuid4()}".encode()
    sha = hashlib.sha256(blob).hexdigest()
    status, _ = request("GET", f"/cas/{sha}")
    check(status == 404, f"HTTP GET of an absent /cas/ entry is 404 (got {status})")
    status, _ = request("PUT", f"/cas/{sha}", blob)
    check(status in (200, 201, 204), f"HTTP PUT /cas/<sha> ({status})")
    status, body = request("GET", f"/cas/{sha}")
    check(status == 200 and body == blob, "HTTP GET /cas/<sha> returns the blob")
    result = re_pb2.ActionResult(exit_code=0)
    result.output_files.add(path="a.cmo", digest=re_pb2.Digest(hash=sha, size_bytes=len(blob)))
    ac_key = hashlib.sha256(b"action " + blob).hexdigest()
    status, _ = request("PUT", f"/ac/{ac_key}", result.SerializeToString())
    check(status in (200, 201, 204), f"HTTP PUT /ac/<sha> ({status})")
    status, body = request("GET", f"/ac/{ac_key}")
    check(status == 200 and re_pb2.ActionResult.FromString(body) == result, "HTTP GET /ac/<sha> returns the ActionResult")
    status, _ = request("PUT", f"/cas/{sha}", blob)
    check(status in (200, 201, 204), f"HTTP PUT of an existing entry is accepted ({status})")


def main():
    state = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("CARAVAN_REMOTE_STATE", "/tmp/caravan-remote")
    env = read_env(state)
    target = env["CARAVAN_TEST_REAPI"].removeprefix("grpc://")
    # Each worker's ready file says its session and how many actions it runs at once.
    workers = slots = 0
    for name in os.listdir(state):
        if name.startswith("worker-") and name.endswith(".ready"):
            with open(os.path.join(state, name)) as f:
                words = f.read().split()
            workers += 1
            slots += int(words[1]) if len(words) > 1 else 1
    print(f"REAPI {target}, {workers} worker(s) running {slots} action(s) at once; HTTP cache {env['CARAVAN_TEST_HTTP_CACHE']}")
    reapi_checks(Client(target), max(slots, 1))
    http_checks(env["CARAVAN_TEST_HTTP_CACHE"])
    if failures:
        print(f"{len(failures)} check(s) failed")
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
