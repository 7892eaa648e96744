#!/usr/bin/env python3
"""ZeroMQ PUSH -> PULL throughput between two sdrflow processes (WORKLOADS.md, zmq workloads):
complex64, timed from the first sample received, sender start-up excluded.

    N=1e8 python benchmarks/bench_zmq.py [tcp|ipc]     -> one JSON line

Compare in the same run with ``N=1e8 /usr/bin/python3 ../shared/bench/gnuradio_zmq.py tcp``."""
import json
import os
import subprocess
import sys
import time

import numpy as np

N = int(float(os.environ.get("N", "1e8")))
ADDR = {"tcp": "tcp://127.0.0.1:5598", "ipc": "ipc:///tmp/sdrflow-zmq-bench.ipc"}


def send(address):
    from sdrflow import Flowgraph
    from sdrflow.blocks import Head, VectorSource, ZMQPushSink

    v = (np.random.default_rng(1).standard_normal(8192) + 1j).astype(np.complex64)
    fg = Flowgraph()
    fg.connect(VectorSource(v, rate=1e6, repeat=True), Head(N), ZMQPushSink(address))
    fg.run()


def receive(kind):
    from sdrflow import Flowgraph
    from sdrflow.blocks import Head, NullSink, ZMQPullSource

    fg = Flowgraph()
    head = Head(N)
    fg.connect(ZMQPullSource(ADDR[kind], rate=1e6, idle_timeout=5.0), head, NullSink())
    fg.start()
    sender = subprocess.Popen([sys.executable, __file__, "--send", ADDR[kind]])
    row = lambda: next(r for r in fg.stats() if r["block"] == head.name)
    while row()["items_out"] == 0:
        time.sleep(0.001)
    n0, t = row()["items_out"], time.perf_counter()
    fg.wait(120)
    dt, n = time.perf_counter() - t, row()["items_out"] - n0
    sender.wait(30)
    print(json.dumps({"peer": "sdrflow", "workload": f"zmq_push_pull_{kind}", "samples": n,
                      "seconds": round(dt, 4), "msps": round(n / dt / 1e6, 2)}), flush=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--send"]:
        send(sys.argv[2])
    else:
        receive(sys.argv[1] if len(sys.argv) > 1 else "tcp")
