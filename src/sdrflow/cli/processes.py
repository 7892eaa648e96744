"""``sdrflow run SCRIPT --processes N`` and ``--part NAME``: one flowgraph in several processes.

``--processes N``: this process starts N−1 child processes, builds the graph, cuts it
(``split.plan``) into N runs of blocks joined by ipc:// streams (``split.cut``), runs the first
run itself and hands the others to the children, each of which builds the same graph from the
script and keeps its own run. It watches them all:

- a child that fails (a block error: it prints the block's name) or dies stops all the others,
  and the run exits with 1;
- Ctrl-C, SIGTERM and SIGHUP here are passed on to every child, which stop as a graph does
  (sinks flush and close): the exit code is 130, 143 or 129;
- a child whose downstream has all ended (a ``Head``, a ``--seconds`` limit there) is stopped;
- a child whose parent dies (even by SIGKILL) is stopped by the kernel (``PR_SET_PDEATHSIG``):
  none is left behind;
- ``--stats`` prints every child's counters in one table, the worker column as PROCESS/WORKER.

``--part NAME``: only the blocks placed in that part (``Flowgraph.part``) run here; every edge
to another part is a CURVE-authenticated tcp:// stream, keys from ``--keys DIR``: this part's
``NAME.key_secret`` and every neighbouring part's public ``OTHER.key`` (``sdrflow keygen``).
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from .core import FAILED, OK, USAGE, interrupted_code, print_stats, run_graph

#: The child's instructions travel in this environment variable (JSON).
ENV = "SDRFLOW_SPLIT"
#: How long a stream's receiver waits for the sender's first frame (it learns the type from it).
WAIT_PROCESS, WAIT_HOST = 120.0, 600.0
#: Seconds a stopped child may take to flush and close before it is killed.
GRACE = 15.0


def _shape(fg) -> list:
    """The blocks' classes in order; naming them now numbers them alike in every process."""
    return [(type(b).__name__, b.name) for b in fg.blocks]


def run_processes(build, params: dict, n: int, stats: bool, threads) -> int:
    """Start the children for runs 1…n−1 at once (their start-up, mostly imports, overlaps
    this one's); build and cut the graph here, hand the cut to them in ``plan.json``, and run
    the first run here while watching them."""
    import inspect

    from ..errors import GraphError
    from ..split import cut, ipc_links, links_between, plan
    from .core import catch_signals

    catch_signals()  # SIGTERM and SIGHUP here stop the children as Ctrl-C does
    directory = tempfile.mkdtemp(prefix="sdrflow-")
    spec = {"script": os.path.abspath(inspect.getsourcefile(build)), "build": build.__name__,
            "params": params, "dir": directory, "threads": threads, "parent": os.getpid()}
    children, code, here = [], None, None
    t0 = time.perf_counter()
    try:
        for i in range(1, n if 1 <= n <= 64 else 0):
            env = dict(os.environ, **{ENV: json.dumps({**spec, "index": i})})
            # A session of its own: Ctrl-C on the terminal reaches this process only, which
            # passes it on once.
            children.append(subprocess.Popen([sys.executable, "-m", "sdrflow.cli.processes"],
                                             env=env, start_new_session=True))
        try:
            fg = build(**params)
            shape = _shape(fg)
            runs = plan(fg, n)
            part_of = {b: i for i, run in enumerate(runs) for b in run}
            links = links_between(fg, part_of)
            ipc_links(links, directory)
            mine = cut(fg, 0, part_of, links)
        except (GraphError, ValueError) as e:
            sys.stderr.write(f"error: {e}\n")
            return USAGE
        consumers = {i: {link.receiver for link in links if link.sender == i} for i in range(n)}
        with open(os.path.join(directory, "plan.tmp"), "w") as f:
            json.dump({"assign": [part_of[b] for b in fg.blocks], "shape": shape}, f)
        os.replace(os.path.join(directory, "plan.tmp"), os.path.join(directory, "plan.json"))
        for i, p in enumerate([None] + children):
            sys.stderr.write(f"process {i} (pid {p.pid if p else os.getpid()}): "
                             f"{', '.join(b.name for b in runs[i])}\n")
        if threads:
            mine.threads = threads
        try:
            here = _Here(mine)
        except (GraphError, ValueError) as e:
            sys.stderr.write(f"error: {e}\n")
            return USAGE
        code = _supervise([here] + children, consumers)
    finally:
        if here is not None and here.poll() is None:
            here.kill()
            here.wait()
        for p in children:  # whatever happened above, none is left behind
            if p.poll() is None:
                p.kill()
                p.wait()
        if stats and code is not None:
            rows = _worker_column(here.fg.stats(), 0)
            for i in range(1, n):
                try:
                    with open(os.path.join(directory, f"stats-{i}.json")) as f:
                        rows += json.load(f)
                except (OSError, ValueError):
                    sys.stderr.write(f"process {i} left no counters\n")
            print_stats(rows, time.perf_counter() - t0)
        shutil.rmtree(directory, ignore_errors=True)
    return code


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

    def wait(self, timeout=None):
        self.fg._runtime.wait(timeout, reraise=False)
        return self.poll()


def _supervise(children, consumers) -> int:
    """Wait for the children; returns the run's exit code."""
    codes, stopped, failure = {}, set(), None

    def stop(i, sig=signal.SIGTERM):
        if i not in codes and i not in stopped:
            stopped.add(i)
            try:
                children[i].send_signal(sig)
            except ProcessLookupError:
                pass

    try:
        while len(codes) < len(children):
            for i, p in enumerate(children):
                if i in codes or p.poll() is None:
                    continue
                codes[i] = rc = p.returncode
                if rc != OK and i not in stopped and failure is None:
                    failure = i
                    how = f"signal {signal.Signals(-rc).name}" if rc < 0 else f"exit code {rc}"
                    sys.stderr.write(f"error: process {i} ended with {how}; stopping the others\n")
                    for j in range(len(children)):
                        stop(j)
            for i in range(len(children)):  # nobody left to read what it sends
                if consumers[i] and consumers[i] <= set(codes):
                    stop(i)
            time.sleep(0.05)
    except KeyboardInterrupt as e:
        sig = signal.SIGINT if not hasattr(e, "code") else signal.Signals(e.code - 128)
        for j in range(len(children)):
            stop(j, sig)
        _reap(children)
        return interrupted_code(e)
    if failure is not None:
        return FAILED
    return OK


def _reap(children):
    deadline = time.monotonic() + GRACE
    for p in children:
        try:
            p.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
        if p.poll() is None:  # the first run, here, past its grace
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
        import threading

        def watch():
            while os.getppid() == parent:
                time.sleep(0.5)
            os.kill(os.getpid(), signal.SIGTERM)

        threading.Thread(target=watch, daemon=True).start()
    if os.getppid() != parent:  # died before the request took effect
        os.kill(os.getpid(), signal.SIGTERM)


def child_main() -> int:
    """One process of ``--processes``: build the graph, keep this process's run, run it."""
    from ..errors import GraphError
    from ..split import cut, ipc_links, links_between
    from .core import catch_signals
    from .run import _load_script

    spec = json.loads(os.environ[ENV])
    catch_signals()
    _die_with_parent(spec["parent"])
    i = spec["index"]
    try:
        try:
            build = getattr(_load_script(spec["script"]), spec["build"])
            fg, failed = build(**spec["params"]), None
        except (GraphError, ValueError) as e:
            fg, failed = None, e
        # The parent builds the same graph and cuts it; if it cannot, it says why and stops us.
        path = os.path.join(spec["dir"], "plan.json")
        while not os.path.exists(path):
            time.sleep(0.02)
        with open(path) as f:
            spec.update(json.load(f))
        if failed is not None:
            raise failed
        if _shape(fg) != [tuple(x) for x in spec["shape"]]:
            raise GraphError("the script built a different graph in this process: build() must "
                             "make the same blocks every time to run in several processes")
        part_of = dict(zip(fg.blocks, spec["assign"]))
        links = links_between(fg, part_of)
        ipc_links(links, spec["dir"])
        sub = cut(fg, i, part_of, links, learn_timeout=WAIT_PROCESS)
    except (GraphError, ValueError) as e:
        sys.stderr.write(f"error: process {i}: {e}\n")
        return USAGE
    except KeyboardInterrupt as e:
        return interrupted_code(e)
    try:
        return run_graph(sub, threads=spec["threads"])
    finally:
        rows = _worker_column(sub.stats(), i)
        with open(os.path.join(spec["dir"], f"stats-{i}.json"), "w") as f:
            json.dump(rows, f, default=float)


def part_graph(fg, name: str, keys: str):
    """The flowgraph of part ``name`` of ``fg``, its links to other parts over tcp:// with CURVE
    keys from the folder ``keys``."""
    from ..errors import GraphError
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


if __name__ == "__main__":
    sys.exit(child_main())
