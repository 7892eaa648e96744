"""``sdrflow run SCRIPT --processes N`` and ``--part NAME``: one flowgraph in several processes.

``--processes N``: this process builds the graph, cuts it (``split.plan``) into N runs of
blocks joined by ipc:// streams (``split.cut``), forks N−1 children — each inherits the built
graph and everything imported, so it starts at once — gives each one run, and runs the first
run itself. It watches them all:

- a process that fails (a block error: it prints the block's name) or dies stops all the
  others, and the run exits with 1;
- Ctrl-C, SIGTERM and SIGHUP here stop every process as a graph stops (sinks flush and close):
  the exit code is 130, 143 or 129;
- a process whose readers have all ended (a ``Head``, a ``--seconds`` limit there) is stopped;
- a child whose parent dies (even by SIGKILL) is stopped by the kernel (``PR_SET_PDEATHSIG``):
  none is left behind;
- ``--stats`` prints every process's counters in one table, the worker column as
  PROCESS/WORKER.

``--part NAME``: only the blocks placed in that part (``Flowgraph.part``) run here; every edge
to another part is a CURVE-authenticated tcp:// stream, keys from ``--keys DIR``: this part's
``NAME.key_secret`` and every neighbouring part's public ``OTHER.key`` (``sdrflow keygen``).
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import sys
import tempfile
import threading
import time

from ..errors import GraphError
from .core import FAILED, OK, USAGE, interrupted_code, print_stats, refused_code, run_graph

#: How long a stream's receiver between hosts waits for the sender's first frame (it learns
#: the type and rate from it).
WAIT_HOST = 600.0
#: Seconds a stopped process may take to flush and close before it is killed.
GRACE = 15.0


def run_processes(build, params: dict, n: int, stats: bool, threads) -> int:
    from ..split import cut, ipc_links, links_between, plan
    from .core import catch_signals

    if not hasattr(os, "fork"):
        sys.stderr.write("error: --processes needs fork() (Linux, macOS); run without it here\n")
        return USAGE
    catch_signals()  # SIGTERM and SIGHUP here stop the children as Ctrl-C does
    directory = tempfile.mkdtemp(prefix="sdrflow-")
    try:
        fg = build(**params)
        runs = plan(fg, n)
        part_of = {b: i for i, run in enumerate(runs) for b in run}
        links = links_between(fg, part_of)
        ipc_links(links, directory)
        known = fg.validate()[1]  # every stream's type and rate: nothing to learn from the wire
        parts = [cut(fg, i, part_of, links, known=known) for i in range(n)]
    except (GraphError, ValueError) as e:
        shutil.rmtree(directory, ignore_errors=True)
        sys.stderr.write(f"error: {e}\n")
        return USAGE
    opened = [b.name for b in fg.blocks if getattr(b, "_socket", None) is not None]
    if opened or threading.active_count() > 1:
        shutil.rmtree(directory, ignore_errors=True)
        why = (f"{', '.join(opened)} opened a socket while the graph was built (a ZeroMQ source "
               f"learning its stream: give it rate= and dtype=)" if opened else
               "threads were started while the graph was built")
        sys.stderr.write(f"error: --processes forks the built graph, and {why}; a fork takes "
                         f"neither along\n")
        return USAGE
    for sub in parts:
        sub.threads = threads or sub.threads
    consumers = {i: {link.receiver for link in links if link.sender == i} for i in range(n)}
    processes, code, t0 = [], None, time.perf_counter()
    try:
        parent = os.getpid()
        sys.stdout.flush()
        sys.stderr.flush()
        for i in range(1, n):
            pid = os.fork()
            if pid == 0:  # the child: run part i, never return into the parent's code
                _child(parts[i], i, parent, directory)
            processes.append(_Forked(pid))
        for i, run in enumerate(runs):
            pid = parent if i == 0 else processes[i - 1].pid
            sys.stderr.write(f"process {i} (pid {pid}): {', '.join(b.name for b in run)}\n")
        try:
            here = _Here(parts[0])
        except (GraphError, ValueError) as e:
            sys.stderr.write(f"error: {e}\n")
            return USAGE
        processes.insert(0, here)
        code = _supervise(processes, consumers)
    finally:
        _reap(processes, kill=True)
        if stats and code is not None:
            rows = _worker_column(parts[0].stats(), 0)
            for i in range(1, n):
                try:
                    with open(os.path.join(directory, f"stats-{i}.json")) as f:
                        rows += json.load(f)
                except (OSError, ValueError):
                    sys.stderr.write(f"process {i} left no counters\n")
            print_stats(rows, time.perf_counter() - t0)
        shutil.rmtree(directory, ignore_errors=True)
    return code


def _child(fg, i, parent, directory):
    code = FAILED
    try:
        os.setsid()  # Ctrl-C on the terminal reaches the supervisor only, which passes it on
        _die_with_parent(parent)
        try:
            code = run_graph(fg)
        finally:
            with open(os.path.join(directory, f"stats-{i}.json"), "w") as f:
                json.dump(_worker_column(fg.stats(), i), f, default=float)
    except KeyboardInterrupt as e:
        code = interrupted_code(e)
    except (GraphError, ValueError) as e:  # refused at start: a file, a port, a parameter, a device
        sys.stderr.write(f"error: {e}\n")
        code = refused_code(e)
    except BaseException as e:  # never unwind into the parent's code
        sys.stderr.write(f"error: process {i}: {e!r}\n")
    finally:
        # Sinks are closed and flushed at the end of the run; the interpreter's teardown (half a
        # second with Numba loaded) is skipped.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _worker_column(rows, i) -> list:
    for r in rows:
        r["worker"] = f"{i}/{'-' if r['worker'] is None else r['worker']}"
    return rows


class _Here:
    """The first run, in the supervisor's own threads, watched like a child process."""

    def __init__(self, fg):
        self.fg, self.pid, self.returncode = fg, os.getpid(), None
        fg.start()

    def poll(self):
        from ..errors import BlockError

        if self.returncode is None and not self.fg.running:
            try:
                self.fg.wait(0)
                self.returncode = OK
            except BlockError as e:
                sys.stderr.write(f"error: {e}\n")
                self.returncode = FAILED
        return self.returncode

    def send_signal(self, sig):
        self.fg.stop()

    kill = send_signal

    def wait(self, timeout=None) -> bool:
        self.fg._runtime.wait(timeout, reraise=False)
        return self.poll() is not None


class _Forked:
    """A forked child, watched as ``subprocess.Popen`` watches one."""

    def __init__(self, pid):
        self.pid, self.returncode = pid, None

    def poll(self):
        if self.returncode is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def send_signal(self, sig):
        if self.returncode is None:
            try:
                os.kill(self.pid, sig)
            except ProcessLookupError:
                pass

    def kill(self):
        self.send_signal(signal.SIGKILL)

    def wait(self, timeout=None) -> bool:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() >= deadline:
                return False
            time.sleep(0.02)
        return True


def _supervise(processes, consumers) -> int:
    """Wait for the processes; returns the run's exit code."""
    codes, stopped, failure = {}, set(), None

    def stop(i, sig=signal.SIGTERM):
        if i not in codes and i not in stopped:
            stopped.add(i)
            processes[i].send_signal(sig)

    try:
        while len(codes) < len(processes):
            for i, p in enumerate(processes):
                if i in codes or p.poll() is None:
                    continue
                codes[i] = rc = p.returncode
                if rc != OK and i not in stopped and failure is None:
                    failure = i
                    how = f"signal {signal.Signals(-rc).name}" if rc < 0 else f"exit code {rc}"
                    sys.stderr.write(f"error: process {i} ended with {how}; stopping the others\n")
                    for j in range(len(processes)):
                        stop(j)
            for i in range(len(processes)):  # nobody left to read what it sends
                if consumers[i] and consumers[i] <= set(codes):
                    stop(i)
            time.sleep(0.05)
    except KeyboardInterrupt as e:
        sig = signal.SIGINT if not hasattr(e, "code") else signal.Signals(e.code - 128)
        for j in range(len(processes)):
            stop(j, sig)
        _reap(processes)
        return interrupted_code(e)
    if failure is None:
        return OK
    rc = processes[failure].returncode
    return rc if rc in (FAILED, USAGE) else FAILED  # as one process would have ended


def _reap(processes, kill=False):
    """Wait for every process (``GRACE`` s in all), then kill what is left."""
    deadline = time.monotonic() + (0 if kill else GRACE)
    for p in processes:
        if p.poll() is None and not p.wait(max(0.0, deadline - time.monotonic())):
            p.kill()
            p.wait()


def _die_with_parent(parent: int) -> None:
    """Be sent SIGTERM when the parent dies (Linux); elsewhere a thread watches for it."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(1, signal.SIGTERM, 0, 0, 0) != 0:  # PR_SET_PDEATHSIG
            raise OSError
    except (OSError, AttributeError):
        def watch():
            while os.getppid() == parent:
                time.sleep(0.5)
            os.kill(os.getpid(), signal.SIGTERM)

        threading.Thread(target=watch, daemon=True).start()
    if os.getppid() != parent:  # died before the request took effect
        os.kill(os.getpid(), signal.SIGTERM)


def part_graph(fg, name: str, keys: str):
    """The flowgraph of part ``name`` of ``fg``, its links to other parts over tcp:// with CURVE
    keys from the folder ``keys``."""
    from ..split import check_acyclic, cut, links_between, part_names, tcp_links

    if not fg.parts:
        raise GraphError("--part: this script places no blocks in parts (fg.part(NAME, ...))")
    if name not in fg.parts:
        raise GraphError(f"--part: no part {name!r}; this script has {', '.join(fg.parts)}")
    part_of = part_names(fg)
    links = links_between(fg, part_of)
    check_acyclic(links)
    tcp_links(links, fg.parts)
    if not keys:
        raise GraphError("--part needs --keys DIR: this part's NAME.key_secret and the other "
                         "parts' NAME.key (sdrflow keygen NAME --dir DIR for each part)")

    def key(who, secret=False):
        path = os.path.join(keys, f"{who}.key_secret" if secret else f"{who}.key")
        if not os.path.exists(path):
            raise GraphError(f"--keys: {path} is missing (sdrflow keygen {who} --dir {keys}, "
                             f"then copy {who}.key here)")
        return path

    def secure(block, link, sending):
        if sending:  # the listening side: the server, which accepts only its receivers
            block.secure(key(name, True), clients=[key(link.receiver)])
        else:
            block.secure(key(name, True), server_key=key(link.sender))

    return cut(fg, name, part_of, links, learn_timeout=WAIT_HOST, secure=secure)

