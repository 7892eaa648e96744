#!/usr/bin/env python3
"""Live reception, measured: CPU of `sdrflow listen` per mode on a paced stream, latency from a
sample entering the source to its audio leaving the sink, drops at 3.2 Msps.

    python benchmarks/bench_live.py [--seconds 20] [--json]

The stream comes from the simulated dongle (`--source rtl?sim=1`: librtlsdr's callback
pattern, USB-sized buffers at the real rate with jitter, the capture ring, the async thread),
so everything a dongle costs except the USB driver is in the figures. CPU is the process's
CPU time (all threads) over wall time, in % of one core. Latency: the station's audio is
silent, then a 1 kHz tone starts at a known sample; latency is the time from the USB buffer
holding that sample reaching the source to the audio chunk holding the onset leaving the sink
(written to a pipe), with the chunk sizes `listen` uses."""
import argparse
import json
import os
import time

import numpy as np

from sdrflow.blocks import PCMSink
from sdrflow.cli.listen import build
from sdrflow.testing import StandInDongle


def cpu_of(mode, stereo, seconds, rate=2.4e6, rds=None):
    fg, _ = build(98.5e6, mode=mode, stereo=stereo, rate=rate, source="rtl?sim=1",
                  output=os.devnull + ".raw", seconds=seconds, rds=rds)
    fg.listen_parts["sink"].path = os.devnull  # raw audio thrown away
    c0, t0 = time.process_time(), time.perf_counter()
    fg.run()
    cpu, wall = time.process_time() - c0, time.perf_counter() - t0
    src = next(r for r in fg.stats() if r["block"].startswith("RtlSdrSource"))
    return {"figure": "cpu", "rate": rate,
            "mode": mode + (" stereo" if stereo else "") + (" --rds" if rds else ""),
            "cpu_percent": 100 * cpu / wall, "seconds": wall,
            "samples_dropped": src["samples_dropped"]}


def cpu_paced_file(mode, stereo, seconds, rate=2.4e6):
    """The same receiver on a cu8 recording paced by Throttle to real time: the DSP alone,
    without the dongle's reader thread and capture ring."""
    import tempfile

    from sdrflow import Flowgraph
    from sdrflow.blocks import FileSource, Throttle
    from sdrflow.receivers import add_receiver

    with tempfile.NamedTemporaryFile(suffix=".cu8") as f:
        StandInDongle.fm_station(rate, 2.0, offset=-rate / 4,
                                 **({"right_tones": (3000.0,), "right_levels": (0.5,)} if stereo else {})).tofile(f.name)
        fg = Flowgraph(chunk=16384)
        src = FileSource(f.name, rate=rate, repeat=True)
        throttle = Throttle()
        fg.connect(src, throttle)
        rx = add_receiver(fg, throttle, rate, mode, offset=-rate / 4, stereo=stereo)
        sink = PCMSink(os.devnull, channels=len(rx.audio))
        for (blk, port), name in zip(rx.audio, ["in"] if len(rx.audio) == 1 else ["left", "right"]):
            fg.connect((blk, port), (sink, name))
        fg.start()
        time.sleep(1.0)  # past start-up
        c0, t0 = time.process_time(), time.perf_counter()
        time.sleep(seconds)
        cpu, wall = time.process_time() - c0, time.perf_counter() - t0
        fg.stop()
        fg.wait()
    return {"figure": "cpu_file", "mode": mode + (" stereo" if stereo else ""), "rate": rate,
            "cpu_percent": 100 * cpu / wall}


class OnsetSink(PCMSink):
    """PCMSink that notes when the first loud chunk leaves it."""

    def start(self, rate):
        super().start(rate)
        self.onset_at = None

    def work(self, *channels):
        before = self.frames
        super().work(*channels)
        # Past the filters' start-up (the first 0.5 s of audio is silence by construction).
        if self.onset_at is None and before > 24000 and np.max(np.abs(channels[0])) > 0.2:
            self.onset_at = time.monotonic()


def latency(rate=2.4e6, onset=1.0, seconds=1.5):
    n = int(seconds * rate)
    t = np.arange(n) / rate
    audio = np.where(t >= onset, np.sin(2 * np.pi * 1000 * t), 0.0)
    phase = 2 * np.pi * (-rate / 4) * t + 2 * np.pi * 75e3 * np.cumsum(audio) / rate
    x = np.exp(1j * phase)
    cu8 = np.empty(2 * n, np.uint8)
    cu8[0::2] = np.clip(np.rint(x.real * 127.5 + 127.5), 0, 255)
    cu8[1::2] = np.clip(np.rint(x.imag * 127.5 + 127.5), 0, 255)
    dongle = StandInDongle(data=cu8, unplug_after=n, jitter=0.0)
    # Same graph as `listen --source rtl`, with the stand-in playing the onset.
    from sdrflow import Flowgraph
    from sdrflow.blocks import RtlSdrSource
    from sdrflow.receivers import add_receiver

    fg = Flowgraph(chunk=16384)
    src = RtlSdrSource(98.5e6 + rate / 4, rate=rate, driver=dongle)
    rx = add_receiver(fg, src, rate, "wbfm", offset=-rate / 4)
    sink = OnsetSink(os.devnull)
    fg.connect(rx.audio[0], sink)
    try:
        fg.run()
    except Exception:  # the stand-in unplugs at the end of its data
        pass
    k0 = int(onset * rate)
    arrived = next(t for sent, t in dongle.arrivals if sent > k0)
    return {"figure": "latency", "rate": rate, "latency_ms": 1e3 * (sink.onset_at - arrived)}


class RetuneSink(PCMSink):
    """PCMSink that notes when audio from the new frequency (its rx_freq tag) leaves it."""

    def start(self, rate):
        super().start(rate)
        self.want, self.heard_at = None, None

    def work(self, *channels):
        tags = self.input_tags()
        super().work(*channels)
        if self.want and self.heard_at is None and any(
                k == "rx_freq" and v == self.want for _, k, v in tags):
            self.heard_at = time.monotonic()


def retune(rate=2.4e6, rounds=5):
    """Seconds from posting a retune to the source to the first audio chunk from the new
    frequency leaving the sink (the tagged sample travels the whole chain)."""
    from sdrflow import Flowgraph
    from sdrflow.blocks import RtlSdrSource
    from sdrflow.receivers import add_receiver

    dongle = StandInDongle(data=StandInDongle.fm_station(rate, 1.0, offset=-rate / 4))
    fg = Flowgraph(chunk=16384)
    src = RtlSdrSource(98.5e6 + rate / 4, rate=rate, driver=dongle)
    rx = add_receiver(fg, src, rate, "wbfm", offset=-rate / 4)
    sink = RetuneSink(os.devnull)
    fg.connect(rx.audio[0], sink)
    fg.start()
    dongle.when_sent(int(rate)).wait(30)
    results = []
    for i in range(rounds):
        sink.want, sink.heard_at = 98.5e6 + rate / 4 + (i + 1) * 200e3, None
        t0 = time.monotonic()
        fg.post(src, "ctrl", {"frequency": sink.want})
        while sink.heard_at is None:
            time.sleep(0.001)
        results.append(sink.heard_at - t0)
    fg.stop()
    fg.wait()
    return {"figure": "retune", "rate": rate, "retune_ms_median": 1e3 * float(np.median(results)),
            "retune_ms_max": 1e3 * max(results)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=20.0, help="length of each CPU run")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    rows = [latency(), retune()]
    for mode, stereo in (("wbfm", True), ("wbfm", False), ("fm", False), ("am", False)):
        rows.append(cpu_of(mode, stereo, args.seconds))
    rows.append(cpu_of("wbfm", False, args.seconds, rds="rds"))
    rows.append(cpu_of("wbfm", True, args.seconds, rate=3.2e6))
    for mode, stereo in (("wbfm", True), ("wbfm", False)):
        rows.append(cpu_paced_file(mode, stereo, args.seconds))
    for row in rows:
        if args.json:
            print(json.dumps(row))
        elif row["figure"] == "retune":
            print(f"retune → audio at the new frequency: {row['retune_ms_median']:.0f} ms median, "
                  f"{row['retune_ms_max']:.0f} ms worst of 5")
        elif row["figure"] == "cpu_file":
            print(f"the same, -M {row['mode']:12} on a cu8 file paced to real time: "
                  f"{row['cpu_percent']:5.1f} % of one core")
        elif row["figure"] == "latency":
            print(f"latency source → audio out at {row['rate'] / 1e6:g} Msps: {row['latency_ms']:.0f} ms")
        else:
            print(f"listen -M {row['mode']:12} at {row['rate'] / 1e6:g} Msps: "
                  f"{row['cpu_percent']:5.1f} % of one core, {row['samples_dropped']} samples dropped")


if __name__ == "__main__":
    main()
