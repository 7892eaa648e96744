#!/usr/bin/env python3
"""CPU of `sdrflow view` at 2.4 Msps with one page open: a 2048-bin waterfall at 25 frames/s
and one WBFM receiver, the page being a WebSocket client in this process that reads every
frame (no browser: its own CPU would not be sdrflow's).

    python benchmarks/bench_view.py [--seconds 10]

Prints the process's CPU time over wall time in % of one core, frames and audio received."""
import argparse
import asyncio
import json
import time

import aiohttp

from sdrflow.cli.view import build


async def page(port, seconds, counts):
    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(f"http://127.0.0.1:{port}/ws") as ws:
            await ws.send_str(json.dumps({"fft": 2048}))
            await ws.send_str(json.dumps({"tune": -400000, "mode": "wbfm"}))
            end = time.monotonic() + seconds
            while time.monotonic() < end:
                try:
                    msg = await ws.receive(timeout=1)
                except asyncio.TimeoutError:
                    continue
                if msg.type == aiohttp.WSMsgType.BINARY:
                    kind = msg.data[0]
                    counts["frames" if kind == 1 else "audio_bytes"] += 1 if kind == 1 else len(msg.data) - 12


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=10.0)
    args = ap.parse_args()
    fg, sink = build("sim:band", frequency=100e6, rate=2.4e6, port=0)
    fg.start()
    counts = {"frames": 0, "audio_bytes": 0}
    time.sleep(1.0)  # the source and the server settle before measuring
    c0, t0 = time.process_time(), time.perf_counter()
    asyncio.run(page(sink.port, args.seconds, counts))
    cpu, wall = time.process_time() - c0, time.perf_counter() - t0
    fg.stop()
    fg.wait()
    print(f"sdrflow view at 2.4 Msps, 2048 bins, one WBFM receiver: {100 * cpu / wall:.1f} % of one "
          f"core; {counts['frames'] / wall:.1f} frames/s, {counts['audio_bytes'] / 2 / wall:.0f} "
          f"audio samples/s received")


if __name__ == "__main__":
    main()
