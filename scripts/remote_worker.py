#!/usr/bin/env python3
"""A test worker for BuildGrid, speaking the Remote Workers API.

Run with the Python of BuildGrid's venv (it uses the protobuf modules that
BuildGrid ships). scripts/remote-server.sh starts these workers.

The worker opens a bot session (Bots.CreateBotSession), then keeps it up to
date (Bots.UpdateBotSession) in a loop. Each lease BuildGrid hands out carries
an Action (or the digest of one). For each lease the worker:
  - fetches the Command and the input root from the CAS;
  - materialises the input root, and nothing else, into a fresh empty
    temporary directory (so an undeclared input makes the command fail);
  - runs Command.arguments there, with Command.environment_variables over a
    minimal PATH, in Command.working_directory;
  - uploads the declared outputs that exist, stdout and stderr;
  - reports the lease COMPLETED with an ActionResult.

The worker advertises the platform properties OSFamily=linux,
caravan-ocaml-version (`ocamlc -version`) and caravan-ocaml-config (the
SHA-256 of the output of `ocamlc -config`); BuildGrid only gives it actions
whose platform carries the same values.

  remote_worker.py --server HOST:PORT [--name NAME] [--capacity N]
                   [--cache DIR] [--ready FILE] [--instance NAME]
  remote_worker.py --check HOST:PORT     # exit 0 if the server answers
"""

import argparse
import hashlib
import os
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import uuid
from concurrent.futures import ThreadPoolExecutor

import grpc
from google.protobuf import timestamp_pb2

from buildgrid._protos.build.bazel.remote.execution.v2 import remote_execution_pb2 as re_pb2
from buildgrid._protos.build.bazel.remote.execution.v2 import remote_execution_pb2_grpc as re_grpc
from buildgrid._protos.google.bytestream import bytestream_pb2, bytestream_pb2_grpc
from buildgrid._protos.google.devtools.remoteworkers.v1test2 import bots_pb2, bots_pb2_grpc, worker_pb2
from buildgrid._protos.google.rpc import code_pb2, status_pb2

# Blobs up to this size go through the batch calls; larger ones through ByteStream.
BATCH_BLOB_LIMIT = 1 << 20
BATCH_TOTAL_LIMIT = 3 << 20
BYTESTREAM_CHUNK = 1 << 20
MINIMAL_PATH = "/usr/local/bin:/usr/bin:/bin"
# How long an UpdateBotSession may wait for work (BuildGrid holds it for 80 %).
LONG_POLL = 30.0
# A bot with work reports back at least this often (and learns of cancelled leases).
KEEPALIVE = 1.0
RPC_TIMEOUT = 60.0

STATE_PENDING = bots_pb2.LeaseState.Value("PENDING")
STATE_ACTIVE = bots_pb2.LeaseState.Value("ACTIVE")
STATE_COMPLETED = bots_pb2.LeaseState.Value("COMPLETED")
STATE_CANCELLED = bots_pb2.LeaseState.Value("CANCELLED")
BOT_OK = bots_pb2.BotStatus.Value("OK")


def log(*parts):
    t = time.time()
    print(time.strftime("%H:%M:%S", time.localtime(t)) + f".{int(t * 1000) % 1000:03d}", *parts, file=sys.stderr, flush=True)


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def digest_of(data):
    return re_pb2.Digest(hash=sha256(data), size_bytes=len(data))


def dkey(digest):
    return (digest.hash, digest.size_bytes)


def now_ts():
    ts = timestamp_pb2.Timestamp()
    ts.GetCurrentTime()
    return ts


class LeaseError(Exception):
    """A failure that ends one lease with a given status code."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


# ------------------------------------------------------------------ platform


def platform_properties():
    props = [("OSFamily", "linux")]
    try:
        version = subprocess.run(["ocamlc", "-version"], capture_output=True, check=True).stdout
        config = subprocess.run(["ocamlc", "-config"], capture_output=True, check=True).stdout
        props.append(("caravan-ocaml-version", version.decode().strip()))
        props.append(("caravan-ocaml-config", sha256(config)))
    except (OSError, subprocess.CalledProcessError) as e:
        log("no ocamlc, advertising OSFamily only:", e)
    return props


# ----------------------------------------------------------------------- CAS


class Cas:
    """Reads and writes blobs of one instance, with a local blob cache."""

    def __init__(self, channel, instance, cache_dir):
        self.cas = re_grpc.ContentAddressableStorageStub(channel)
        self.bytestream = bytestream_pb2_grpc.ByteStreamStub(channel)
        self.instance = instance
        self.cache_dir = cache_dir

    def _cache_path(self, digest):
        if not self.cache_dir:
            return None
        return os.path.join(self.cache_dir, digest.hash[:2], f"{digest.hash}_{digest.size_bytes}")

    def _cache_put(self, digest, data):
        path = self._cache_path(digest)
        if path is None or os.path.exists(path):
            return
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tmp = f"{path}.{uuid.uuid4().hex}.tmp"
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, path)

    def _resource(self, digest):
        prefix = f"{self.instance}/" if self.instance else ""
        return f"{prefix}blobs/{digest.hash}/{digest.size_bytes}"

    def read_many(self, digests):
        """Returns {(hash, size): bytes} for the given digests; each is checked."""
        found = {}
        wanted = []
        seen = set()
        for d in digests:
            k = dkey(d)
            if k in seen:
                continue
            seen.add(k)
            if d.size_bytes == 0:
                found[k] = b""
                continue
            path = self._cache_path(d)
            if path and os.path.exists(path):
                with open(path, "rb") as f:
                    found[k] = f.read()
                continue
            wanted.append(d)
        batch, total = [], 0
        for d in wanted:
            if d.size_bytes > BATCH_BLOB_LIMIT:
                found[dkey(d)] = self._read_stream(d)
                continue
            if batch and total + d.size_bytes > BATCH_TOTAL_LIMIT:
                found.update(self._read_batch(batch))
                batch, total = [], 0
            batch.append(d)
            total += d.size_bytes
        if batch:
            found.update(self._read_batch(batch))
        return found

    def read(self, digest):
        return self.read_many([digest])[dkey(digest)]

    def _check(self, digest, data):
        if len(data) != digest.size_bytes or sha256(data) != digest.hash:
            raise LeaseError(code_pb2.DATA_LOSS, f"blob {digest.hash}/{digest.size_bytes} has another digest")
        self._cache_put(digest, data)
        return data

    def _read_batch(self, digests):
        req = re_pb2.BatchReadBlobsRequest(instance_name=self.instance, digests=digests)
        resp = self.cas.BatchReadBlobs(req, timeout=RPC_TIMEOUT)
        out = {}
        for r in resp.responses:
            if r.status.code != code_pb2.OK:
                raise LeaseError(
                    code_pb2.FAILED_PRECONDITION,
                    f"missing blob {r.digest.hash}/{r.digest.size_bytes}: {r.status.message}",
                )
            out[dkey(r.digest)] = self._check(r.digest, r.data)
        for d in digests:
            if dkey(d) not in out:
                raise LeaseError(code_pb2.FAILED_PRECONDITION, f"missing blob {d.hash}/{d.size_bytes}")
        return out

    def _read_stream(self, digest):
        req = bytestream_pb2.ReadRequest(resource_name=self._resource(digest))
        try:
            data = b"".join(r.data for r in self.bytestream.Read(req, timeout=RPC_TIMEOUT))
        except grpc.RpcError as e:
            if e.code() == grpc.StatusCode.NOT_FOUND:
                raise LeaseError(code_pb2.FAILED_PRECONDITION, f"missing blob {digest.hash}/{digest.size_bytes}")
            raise
        return self._check(digest, data)

    def write_many(self, blobs):
        """Uploads {(hash, size): bytes} blobs that the CAS does not have."""
        if not blobs:
            return
        digests = [re_pb2.Digest(hash=h, size_bytes=s) for (h, s) in blobs]
        missing = self.cas.FindMissingBlobs(
            re_pb2.FindMissingBlobsRequest(instance_name=self.instance, blob_digests=digests),
            timeout=RPC_TIMEOUT,
        ).missing_blob_digests
        batch, total = [], 0
        for d in missing:
            data = blobs[dkey(d)]
            if d.size_bytes > BATCH_BLOB_LIMIT:
                self._write_stream(d, data)
                continue
            if batch and total + d.size_bytes > BATCH_TOTAL_LIMIT:
                self._write_batch(batch)
                batch, total = [], 0
            batch.append(re_pb2.BatchUpdateBlobsRequest.Request(digest=d, data=data))
            total += d.size_bytes
        if batch:
            self._write_batch(batch)

    def _write_batch(self, requests):
        resp = self.cas.BatchUpdateBlobs(
            re_pb2.BatchUpdateBlobsRequest(instance_name=self.instance, requests=requests),
            timeout=RPC_TIMEOUT,
        )
        for r in resp.responses:
            if r.status.code != code_pb2.OK:
                raise LeaseError(code_pb2.INTERNAL, f"upload of {r.digest.hash} refused: {r.status.message}")

    def _write_stream(self, digest, data):
        prefix = f"{self.instance}/" if self.instance else ""
        name = f"{prefix}uploads/{uuid.uuid4()}/blobs/{digest.hash}/{digest.size_bytes}"

        def chunks():
            offset = 0
            while True:
                end = min(offset + BYTESTREAM_CHUNK, len(data))
                yield bytestream_pb2.WriteRequest(
                    resource_name=name if offset == 0 else "",
                    write_offset=offset,
                    finish_write=end == len(data),
                    data=data[offset:end],
                )
                offset = end
                if offset >= len(data):
                    return

        self.bytestream.Write(chunks(), timeout=RPC_TIMEOUT)


# ------------------------------------------------------------------- running


def safe_join(root, relative):
    """root/relative, refusing absolute paths and paths that leave root."""
    if os.path.isabs(relative):
        raise LeaseError(code_pb2.INVALID_ARGUMENT, f"absolute path {relative!r}")
    path = os.path.normpath(os.path.join(root, relative))
    if path != root and not path.startswith(root + os.sep):
        raise LeaseError(code_pb2.INVALID_ARGUMENT, f"path {relative!r} leaves the input root")
    return path


def check_name(name):
    if not name or name in (".", "..") or "/" in name:
        raise LeaseError(code_pb2.INVALID_ARGUMENT, f"bad name {name!r} in a Directory")


class Runner:
    def __init__(self, channel, worker_name, cache_dir):
        self.channel = channel
        self.worker_name = worker_name
        self.cache_dir = cache_dir
        self.processes = {}  # lease id -> Popen
        self.cancelled = set()
        self.lock = threading.Lock()

    def cancel(self, lease_id):
        with self.lock:
            self.cancelled.add(lease_id)
            proc = self.processes.get(lease_id)
        if proc is not None and proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except OSError:
                pass

    def run_lease(self, lease_id, instance, payload):
        """Returns (status, ActionResult or None). Never raises."""
        try:
            return status_pb2.Status(code=code_pb2.OK), self._run(lease_id, instance, payload)
        except LeaseError as e:
            log(f"lease {lease_id}: {e}")
            return status_pb2.Status(code=e.code, message=str(e)), None
        except grpc.RpcError as e:
            log(f"lease {lease_id}: CAS error {e.code()}: {e.details()}")
            return status_pb2.Status(code=code_pb2.UNAVAILABLE, message=f"CAS: {e.details()}"), None
        except Exception as e:  # noqa: BLE001 -- a lease must never kill the worker
            log(f"lease {lease_id}: {traceback.format_exc()}")
            return status_pb2.Status(code=code_pb2.UNKNOWN, message=f"worker: {e!r}"), None
        finally:
            with self.lock:
                self.processes.pop(lease_id, None)
                self.cancelled.discard(lease_id)

    def _action(self, cas, payload):
        if payload.Is(re_pb2.Action.DESCRIPTOR):
            action = re_pb2.Action()
            payload.Unpack(action)
            return action
        if payload.Is(re_pb2.Digest.DESCRIPTOR):
            digest = re_pb2.Digest()
            payload.Unpack(digest)
            action = re_pb2.Action()
            action.ParseFromString(cas.read(digest))
            return action
        raise LeaseError(code_pb2.INVALID_ARGUMENT, f"unknown lease payload {payload.type_url}")

    def _run(self, lease_id, instance, payload):
        cas = Cas(self.channel, instance, self.cache_dir)
        meta = re_pb2.ExecutedActionMetadata(worker=self.worker_name)
        meta.worker_start_timestamp.CopyFrom(now_ts())
        meta.input_fetch_start_timestamp.CopyFrom(now_ts())
        action = self._action(cas, payload)
        command = re_pb2.Command()
        command.ParseFromString(cas.read(action.command_digest))
        with tempfile.TemporaryDirectory(prefix="caravan-action-") as top:
            root = os.path.join(top, "root")
            os.mkdir(root)
            self._materialise(cas, action.input_root_digest, root)
            meta.input_fetch_completed_timestamp.CopyFrom(now_ts())
            cwd = safe_join(root, command.working_directory or ".")
            if not os.path.isdir(cwd):
                raise LeaseError(code_pb2.INVALID_ARGUMENT, f"no working directory {command.working_directory!r}")
            outputs = self._declared_outputs(command)
            for path in outputs:
                os.makedirs(os.path.dirname(safe_join(cwd, path)), exist_ok=True)
            env = {"PATH": MINIMAL_PATH}
            for var in command.environment_variables:
                env[var.name] = var.value
            stdout_path = os.path.join(top, "stdout")
            stderr_path = os.path.join(top, "stderr")
            timeout = None
            if action.HasField("timeout"):
                timeout = action.timeout.ToTimedelta().total_seconds() or None
            meta.execution_start_timestamp.CopyFrom(now_ts())
            exit_code, timed_out = self._execute(lease_id, list(command.arguments), cwd, env, stdout_path, stderr_path, timeout)
            meta.execution_completed_timestamp.CopyFrom(now_ts())
            meta.output_upload_start_timestamp.CopyFrom(now_ts())
            result = re_pb2.ActionResult(exit_code=exit_code)
            blobs = {}
            for name, field in ((stdout_path, "stdout_digest"), (stderr_path, "stderr_digest")):
                with open(name, "rb") as f:
                    data = f.read()
                d = digest_of(data)
                blobs[dkey(d)] = data
                getattr(result, field).CopyFrom(d)
            self._collect_outputs(cwd, command, result, blobs)
            cas.write_many(blobs)
            meta.output_upload_completed_timestamp.CopyFrom(now_ts())
            meta.worker_completed_timestamp.CopyFrom(now_ts())
            result.execution_metadata.CopyFrom(meta)
            if timed_out:
                raise LeaseError(code_pb2.DEADLINE_EXCEEDED, f"action timed out after {timeout} s")
            return result

    def _materialise(self, cas, root_digest, root):
        """Writes the tree of root_digest into the empty directory root."""
        directories = {}
        level = [root_digest]
        while level:
            blobs = cas.read_many(level)
            following = []
            for d in level:
                if dkey(d) in directories:
                    continue
                directory = re_pb2.Directory()
                directory.ParseFromString(blobs[dkey(d)])
                directories[dkey(d)] = directory
                following.extend(c.digest for c in directory.directories if dkey(c.digest) not in directories)
            level = following
        files = []

        def walk(digest, path):
            directory = directories[dkey(digest)]
            for f in directory.files:
                check_name(f.name)
                files.append((os.path.join(path, f.name), f))
            for s in directory.symlinks:
                check_name(s.name)
                os.symlink(s.target, os.path.join(path, s.name))
            for c in directory.directories:
                check_name(c.name)
                sub = os.path.join(path, c.name)
                os.mkdir(sub)
                walk(c.digest, sub)

        walk(root_digest, root)
        contents = cas.read_many([f.digest for _, f in files])
        for path, f in files:
            with open(path, "wb") as out:
                out.write(contents[dkey(f.digest)])
            os.chmod(path, 0o755 if f.is_executable else 0o644)

    def _declared_outputs(self, command):
        if command.output_paths:
            return list(command.output_paths)
        return list(command.output_files) + list(command.output_directories)

    def _execute(self, lease_id, argv, cwd, env, stdout_path, stderr_path, timeout):
        if not argv:
            raise LeaseError(code_pb2.INVALID_ARGUMENT, "empty Command.arguments")
        with open(stdout_path, "wb") as out, open(stderr_path, "wb") as err:
            try:
                proc = subprocess.Popen(
                    argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                    start_new_session=True,
                )
            except OSError as e:
                err.write(f"caravan worker: cannot run {argv[0]}: {e.strerror}\n".encode())
                return 127, False
            with self.lock:
                self.processes[lease_id] = proc
                cancelled = lease_id in self.cancelled
            if cancelled:
                self.cancel(lease_id)
            try:
                return proc.wait(timeout=timeout), False
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except OSError:
                    pass
                return proc.wait(), True
            finally:
                # Anything the command left running in its session goes too.
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except OSError:
                    pass

    def _collect_outputs(self, cwd, command, result, blobs):
        if command.output_paths:
            wanted = [(p, None) for p in command.output_paths]
        else:
            wanted = [(p, "file") for p in command.output_files] + [(p, "dir") for p in command.output_directories]
        for relative, kind in wanted:
            path = safe_join(cwd, relative)
            if not os.path.lexists(path) or os.path.islink(path):
                continue  # absent (or a symbolic link, not reported) outputs are left out
            if os.path.isfile(path) and kind in (None, "file"):
                with open(path, "rb") as f:
                    data = f.read()
                d = digest_of(data)
                blobs[dkey(d)] = data
                result.output_files.add(
                    path=relative, digest=d, is_executable=bool(os.stat(path).st_mode & stat.S_IXUSR)
                )
            elif os.path.isdir(path) and kind in (None, "dir"):
                tree = re_pb2.Tree()
                tree.root.CopyFrom(self._directory_message(path, tree, blobs))
                data = tree.SerializeToString()
                d = digest_of(data)
                blobs[dkey(d)] = data
                result.output_directories.add(path=relative, tree_digest=d)

    def _directory_message(self, path, tree, blobs):
        directory = re_pb2.Directory()
        for name in sorted(os.listdir(path)):
            full = os.path.join(path, name)
            if os.path.islink(full):
                directory.symlinks.add(name=name, target=os.readlink(full))
            elif os.path.isdir(full):
                child = self._directory_message(full, tree, blobs)
                tree.children.append(child)
                directory.directories.add(name=name, digest=digest_of(child.SerializeToString()))
            elif os.path.isfile(full):
                with open(full, "rb") as f:
                    data = f.read()
                d = digest_of(data)
                blobs[dkey(d)] = data
                directory.files.add(name=name, digest=d, is_executable=bool(os.stat(full).st_mode & stat.S_IXUSR))
        return directory


# ----------------------------------------------------------------------- bot


class Bot:
    def __init__(self, args):
        self.args = args
        self.channel = grpc.insecure_channel(
            args.server,
            options=[
                ("grpc.max_receive_message_length", 64 << 20),
                ("grpc.max_send_message_length", 64 << 20),
                ("grpc.initial_reconnect_backoff_ms", 100),
                ("grpc.max_reconnect_backoff_ms", 1000),
            ],
        )
        self.bots = bots_pb2_grpc.BotsStub(self.channel)
        self.runner = Runner(self.channel, args.name, args.cache)
        self.pool = ThreadPoolExecutor(max_workers=args.capacity)
        self.changed = threading.Condition()
        self.leases = {}  # id -> Lease we hold (ACTIVE while running, then COMPLETED)
        self.session = None
        self.properties = platform_properties()
        self.bot_id = f"{args.name}-{socket.gethostname()}-{os.getpid()}"

    def new_session(self):
        worker = worker_pb2.Worker()
        device = worker.devices.add(handle=self.bot_id)
        for key, value in self.properties:
            device.properties.add(key=key, value=value)
        worker.configs.add(key="capacity", value=str(self.args.capacity))
        session = bots_pb2.BotSession(bot_id=self.bot_id, status=BOT_OK, worker=worker)
        # A short deadline: BuildGrid then answers at once instead of waiting for work.
        self.session = self.bots.CreateBotSession(
            bots_pb2.CreateBotSessionRequest(parent=self.args.instance, bot_session=session), timeout=3.5
        )
        log(f"bot session {self.session.name} ({', '.join(f'{k}={v}' for k, v in self.properties)})")
        self.accept(self.session.leases)
        if self.args.ready:
            with open(self.args.ready, "w") as f:
                f.write(f"{self.session.name} {self.args.capacity}\n")

    def drop_all(self):
        with self.changed:
            for lease_id in list(self.leases):
                self.runner.cancel(lease_id)
            self.leases.clear()
        self.session = None

    def start_lease(self, lease):
        instance = lease.id.rsplit("/", 1)[0] if "/" in lease.id else self.args.instance
        held = bots_pb2.Lease(id=lease.id, state=STATE_ACTIVE)
        with self.changed:
            self.leases[lease.id] = held

        def job():
            started = time.monotonic()
            status, result = self.runner.run_lease(lease.id, instance, lease.payload)
            with self.changed:
                if self.leases.get(lease.id) is held:
                    held.state = STATE_COMPLETED
                    held.status.CopyFrom(status)
                    if result is not None:
                        held.result.Pack(result)
                    self.changed.notify_all()
            code = code_pb2.Code.Name(status.code)
            exit_code = result.exit_code if result is not None else "-"
            log(f"lease {lease.id}: {code}, exit {exit_code}, {time.monotonic() - started:.3f} s")

        self.pool.submit(job)

    def accept(self, leases):
        """Takes the leases of a session BuildGrid returned."""
        returned = set()
        for lease in leases:
            returned.add(lease.id)
            if lease.state == STATE_CANCELLED:
                self.runner.cancel(lease.id)
                with self.changed:
                    self.leases.pop(lease.id, None)
                continue
            if lease.state in (STATE_PENDING, STATE_ACTIVE) and lease.id not in self.leases:
                self.start_lease(lease)
        with self.changed:
            for lease_id, held in list(self.leases.items()):
                if lease_id not in returned and held.state == STATE_ACTIVE:
                    # BuildGrid dropped it: cancelled.
                    log(f"lease {lease_id} cancelled by the server")
                    self.runner.cancel(lease_id)
                    del self.leases[lease_id]

    def update(self):
        with self.changed:
            completed = [l for l in self.leases.values() if l.state == STATE_COMPLETED]
            running = len(self.leases) - len(completed)
            if not completed and running:
                # Wait for a lease to finish; poll for more work if there is room.
                wait = KEEPALIVE if running >= self.args.capacity else 0.1
                self.changed.wait(timeout=wait)
            sent = [bots_pb2.Lease().FromString(l.SerializeToString()) for l in self.leases.values()]
        sent_completed = {l.id for l in sent if l.state == STATE_COMPLETED}
        del self.session.leases[:]
        self.session.leases.extend(sent)
        self.session.status = BOT_OK
        has_work = any(l.state == STATE_ACTIVE for l in sent) or sent_completed
        reply = self.bots.UpdateBotSession(
            bots_pb2.UpdateBotSessionRequest(name=self.session.name, bot_session=self.session),
            timeout=RPC_TIMEOUT if has_work else LONG_POLL,
        )
        with self.changed:
            for lease_id in sent_completed:
                self.leases.pop(lease_id, None)
        self.session = reply
        self.accept(reply.leases)

    def run(self):
        failures = 0
        while True:
            try:
                if self.session is None:
                    self.new_session()
                self.update()
                failures = 0
            except grpc.RpcError as e:
                failures += 1
                code = e.code()
                transient = code in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED, grpc.StatusCode.CANCELLED)
                if self.session is not None and (not transient or failures > 20):
                    log(f"session lost ({code.name}: {e.details()}); opening a new one")
                    self.drop_all()
                elif failures in (1, 10) or failures % 100 == 0:
                    log(f"server: {code.name}: {e.details()} (retrying)")
                time.sleep(min(0.05 * failures, 1.0))


def check(server, instance, wait, pid):
    """Exit status 0 once the server answers GetCapabilities (within wait
    seconds, while process pid lives), 1 otherwise."""
    channel = grpc.insecure_channel(server)
    stub = re_grpc.CapabilitiesStub(channel)
    end = time.monotonic() + wait
    while True:
        try:
            caps = stub.GetCapabilities(re_pb2.GetCapabilitiesRequest(instance_name=instance), timeout=2)
            execution = caps.execution_capabilities
            print(f"{server}: execution {'on' if execution.exec_enabled else 'off'}, "
                  f"digest {re_pb2.DigestFunction.Value.Name(execution.digest_function)}")
            return 0
        except grpc.RpcError as e:
            if time.monotonic() >= end:
                print(f"{server}: {e.code().name}: {e.details()}", file=sys.stderr)
                return 1
        if pid:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                print(f"{server}: process {pid} exited", file=sys.stderr)
                return 1
        time.sleep(0.1)


def main():
    p = argparse.ArgumentParser(description="caravan's test worker for BuildGrid")
    p.add_argument("--server", help="HOST:PORT of BuildGrid")
    p.add_argument("--instance", default="", help="instance name (default: '')")
    p.add_argument("--name", default=f"caravan-worker-{os.getpid()}")
    p.add_argument("--capacity", type=int, default=1, help="leases run at once (default 1)")
    p.add_argument("--cache", help="folder for a local cache of input blobs")
    p.add_argument("--ready", help="file written once the bot session is open")
    p.add_argument("--check", metavar="HOST:PORT", help="only check that the server answers")
    p.add_argument("--check-wait", type=float, default=0, help="with --check: seconds to wait for an answer")
    p.add_argument("--check-pid", type=int, help="with --check: stop waiting when this process exits")
    args = p.parse_args()
    if args.check:
        return check(args.check, args.instance, args.check_wait, args.check_pid)
    if not args.server:
        p.error("--server is required")
    bot = Bot(args)

    def terminate(*_):
        # Commands still running go with the worker.
        for proc in list(bot.runner.processes.values()):
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except OSError:
                pass
        os._exit(0)

    signal.signal(signal.SIGTERM, terminate)
    signal.signal(signal.SIGINT, terminate)
    bot.run()


if __name__ == "__main__":
    sys.exit(main())
