#!/usr/bin/env python3
"""ZeroMQ PUSH -> PULL throughput between two processes (WORKLOADS.md, zmq workloads):
complex64, timed from the first sample received, sender start-up excluded.

    N=1e8 python benchmarks/bench_zmq.py [tcp|ipc|curve]   -> one JSON line (sdrflow)
    N=1e8 python benchmarks/bench_zmq.py all               -> sdrflow tcp, ipc, CURVE over tcp,
                                                              and gr-zeromq tcp, ipc, in one run

``all`` also measures pyzmq alone (two threads, one copy a side: the ceiling under sdrflow on
this machine) and runs GNU Radio's peer (``../shared/bench/gnuradio_zmq.py`` with /usr/bin/python3) right
after sdrflow's, so the ratios come from one run. gr-zeromq has no CURVE: sdrflow's CURVE
figure stands beside GNU Radio's plain tcp. Issue 9's goals: plain ≥ gr-zeromq and ≥ 200 Msps;
CURVE ≥ 50 Msps."""
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

N = int(float(os.environ.get("N", "1e8")))
ADDR = {"tcp": "tcp://127.0.0.1:5598", "ipc": "ipc:///tmp/sdrflow-zmq-bench.ipc",
        "curve": "tcp://127.0.0.1:5597"}
PEER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "bench", "gnuradio_zmq.py")


def send(address, keys=None):
    from sdrflow import Flowgraph
    from sdrflow.blocks import Head, VectorSource, ZMQPushSink

    v = (np.random.default_rng(1).standard_normal(8192) + 1j).astype(np.complex64)
    fg = Flowgraph()
    sink = ZMQPushSink(address)
    if keys:
        sink.secure(os.path.join(keys, "server.key_secret"), clients=[os.path.join(keys, "client.key")])
    fg.connect(VectorSource(v, rate=1e6, repeat=True), Head(N), sink)
    fg.run()


def receive(kind):
    from sdrflow import Flowgraph
    from sdrflow.blocks import Head, NullSink, ZMQPullSource

    keys = None
    if kind == "curve":
        import zmq.auth

        keys = tempfile.mkdtemp(prefix="sdrflow-keys-")
        zmq.auth.create_certificates(keys, "server")
        zmq.auth.create_certificates(keys, "client")
    fg = Flowgraph()
    head = Head(N)
    source = ZMQPullSource(ADDR[kind], rate=1e6, idle_timeout=5.0)
    if keys:
        source.secure(os.path.join(keys, "client.key_secret"), server_key=os.path.join(keys, "server.key"))
    fg.connect(source, head, NullSink())
    fg.start()
    sender = subprocess.Popen([sys.executable, __file__, "--send", ADDR[kind]] + ([keys] if keys else []))
    row = lambda: next(r for r in fg.stats() if r["block"] == head.name)  # noqa: E731
    while row()["items_out"] == 0:
        time.sleep(0.001)
    n0, t = row()["items_out"], time.perf_counter()
    fg.wait(300)
    dt, n = time.perf_counter() - t, row()["items_out"] - n0
    sender.wait(30)
    result = {"peer": "sdrflow", "workload": f"zmq_push_pull_{kind}", "samples": n,
              "seconds": round(dt, 4), "msps": round(n / dt / 1e6, 2)}
    print(json.dumps(result), flush=True)
    return result


def ceiling(kind, frames=300):
    """pyzmq alone, PUSH -> PULL between two threads, 1 MB frames, one copy on each side: what
    the library under sdrflow does on this machine (libzmq's CURVE is one thread per link)."""
    import threading

    import zmq

    context = zmq.Context()
    push, pull = context.socket(zmq.PUSH), context.socket(zmq.PULL)
    if kind == "curve":
        server_public, server_secret = zmq.curve_keypair()
        client_public, client_secret = zmq.curve_keypair()
        push.curve_server, push.curve_secretkey, push.curve_publickey = True, server_secret, server_public
        pull.curve_serverkey, pull.curve_secretkey, pull.curve_publickey = server_public, client_secret, client_public
    address = ADDR[kind].replace("5598", "5596").replace("5597", "5595").replace(".ipc", "-raw.ipc")
    push.bind(address)
    pull.connect(address)
    x = np.zeros(131072, np.complex64)

    def send():
        for _ in range(frames + 1):
            push.send(x.tobytes(), copy=False)

    sender = threading.Thread(target=send)
    sender.start()
    out = np.empty_like(x)
    pull.recv(copy=False)
    t = time.perf_counter()
    for _ in range(frames):
        out[:] = np.frombuffer(pull.recv(copy=False).buffer, np.complex64)
    msps = frames * len(x) / (time.perf_counter() - t) / 1e6
    sender.join()
    push.close(0)
    pull.close(0)
    context.term()
    return round(msps)


def everything():
    rows = []
    for kind in ("tcp", "ipc", "curve"):
        rows.append(json.loads(subprocess.run([sys.executable, __file__, kind], capture_output=True,
                                              text=True, check=True).stdout.strip().splitlines()[-1]))
    for kind in ("tcp", "ipc"):
        p = subprocess.run(["/usr/bin/python3", PEER, kind], capture_output=True, text=True)
        if p.returncode == 0:
            rows.append(json.loads(p.stdout.strip().splitlines()[-1]))
    gr = {r["workload"].rsplit("_", 1)[1]: r["msps"] for r in rows if r["peer"] == "gnuradio"}
    print("\n| link | sdrflow Msps | gr-zeromq Msps | ratio | pyzmq alone Msps |\n|---|---:|---:|---:|---:|")
    for r in rows:
        if r["peer"] != "sdrflow":
            continue
        kind = r["workload"].rsplit("_", 1)[1]
        ref = gr.get("tcp" if kind == "curve" else kind)
        label = "tcp + CURVE (GNU Radio: plain tcp)" if kind == "curve" else kind
        ratio = f"{r['msps'] / ref:.2f}" if ref else "—"
        print(f"| {label} | {r['msps']:.0f} | {ref or '—'} | {ratio} | {ceiling(kind)} |")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--send"]:
        send(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None)
    elif sys.argv[1:2] == ["all"]:
        everything()
    else:
        receive(sys.argv[1] if len(sys.argv) > 1 else "tcp")
