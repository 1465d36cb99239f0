# measure.py — runs one command and measures it: wall time (perf_counter
# around start and exit), CPU time (user + sys of the command and every
# process it waited for, from wait4: far less sensitive than wall time to
# other work on the machine), exit status, a timeout that kills the whole
# process group, and the peak memory of the command's own process (VmHWM
# from /proc/PID/status, sampled by a thread every few milliseconds; the
# children it starts, the compilers, are not counted).

import os
import signal
import subprocess
import threading
import time
from dataclasses import dataclass

POLL_SECONDS = 0.004


@dataclass
class Run:
    seconds: float
    cpu_seconds: float
    status: str  # "ok", "failed", "timeout", "missing"
    returncode: int
    peak_kib: int  # VmHWM of the process itself, 0 if never sampled
    log_path: str


def _vmhwm(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class _Sampler(threading.Thread):
    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = 0
        self.stop = threading.Event()

    def run(self):
        while not self.stop.is_set():
            self.peak = max(self.peak, _vmhwm(self.pid))
            self.stop.wait(POLL_SECONDS)


def run(argv, cwd, log_path, timeout, env=None):
    """Run argv in cwd, stdout+stderr to log_path; never raises for a
    failing, hanging or missing command."""
    with open(log_path, "w") as log:
        start = time.perf_counter()
        try:
            proc = subprocess.Popen(
                argv, cwd=cwd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                env=env, start_new_session=True,
            )
        except OSError as e:
            log.write(f"cannot start {argv[0]}: {e}\n")
            return Run(0.0, 0.0, "missing", -1, 0, log_path)
        sampler = _Sampler(proc.pid)
        sampler.start()
        # A blocking wait (Popen.wait with a timeout polls with sleeps of up
        # to 50 ms); the timeout is a timer that kills the process group.
        expired = threading.Event()

        def kill():
            expired.set()
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

        timer = threading.Timer(timeout, kill)
        timer.start()
        _, wstatus, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        timer.cancel()
        rc = proc.returncode = os.waitstatus_to_exitcode(wstatus)
        status = "timeout" if expired.is_set() else "ok" if rc == 0 else "failed"
        sampler.stop.set()
        sampler.join()
    cpu = usage.ru_utime + usage.ru_stime
    return Run(seconds, cpu, status, rc, sampler.peak, log_path)


def own_cpu(log_path):
    """caravan's own CPU seconds (user + sys of its threads, not of the
    commands it ran), from the `caravan-stats: cpu ...` line `-stats`
    prints; None for other tools, or a caravan that does not print it."""
    try:
        with open(log_path, errors="replace") as f:
            for line in f:
                if line.startswith("caravan-stats: cpu "):
                    fields = dict(w.split("=", 1) for w in line.split()[2:] if "=" in w)
                    return round(float(fields["own-user"].rstrip("s"))
                                 + float(fields["own-sys"].rstrip("s")), 4)
    except (OSError, KeyError, ValueError):
        return None
    return None


def output_of(argv, cwd, timeout=60):
    """stdout of a short command (the built program), or None."""
    try:
        p = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.SubprocessError):
        return None
    return p.stdout if p.returncode == 0 else None


def tail(path, lines=15):
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-lines:])
    except OSError:
        return ""
