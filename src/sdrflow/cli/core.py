"""What every command shares: numbers with SI suffixes, exit codes, and running a flowgraph
so that Ctrl-C, SIGTERM and SIGHUP stop it cleanly (sinks flush and close)."""
from __future__ import annotations

import os
import signal
import stat
import sys
import time

from ..units import si, si_format  # noqa: F401  (the commands' number parser)

#: Exit codes of every command.
OK, FAILED, USAGE, INTERRUPTED, HANGUP, TERMINATED = 0, 1, 2, 130, 129, 143

class Stopped(KeyboardInterrupt):
    """SIGTERM or SIGHUP, raised in the main thread where Ctrl-C would be, so every path that
    stops a graph on Ctrl-C also stops it on these."""

    def __init__(self, signum):
        super().__init__(signal.Signals(signum).name)
        self.code = 128 + signum


def _on_signal(signum, frame):
    raise Stopped(signum)


def catch_signals() -> None:
    """SIGTERM and SIGHUP stop like Ctrl-C (only possible from the main thread)."""
    for sig in (signal.SIGTERM, signal.SIGHUP):
        try:
            signal.signal(sig, _on_signal)
        except (ValueError, OSError):  # not the main thread
            pass


def refused_code(e: Exception) -> int:
    """Exit code of a graph refused at start, the same in every command: 1 when a device or
    connection failed (no dongle, a busy one, nobody listening, a sound card that cannot open:
    ``SourceFailed``), 2 for the graph or its parameters (an output that is a folder, a port
    already taken, a frequency beyond the dongle's tuner)."""
    from ..errors import SourceFailed

    return FAILED if isinstance(e.__cause__, SourceFailed) else USAGE


def interrupted_code(e: KeyboardInterrupt) -> int:
    return getattr(e, "code", INTERRUPTED)


def print_stats(rows, seconds: float, out=None) -> None:
    """The counters of Flowgraph.stats() as a table, plus any counters a block adds."""
    out = out or sys.stderr
    out.write(f"{'block':28}{'worker':>7}{'items in':>13}{'items out':>13}{'calls':>8}"
              f"{'work s':>9}{'Msps':>9}{'fill':>6}\n")
    extra = []
    for r in rows:
        rate = r["items_in"] / r["work_seconds"] / 1e6 if r["work_seconds"] > 0 and r["items_in"] else 0
        worker = "-" if r["worker"] is None else r["worker"]
        out.write(f"{r['block'][:27]:28}{worker:>7}{r['items_in']:>13}{r['items_out']:>13}"
                  f"{r['work_calls']:>8}{r['work_seconds']:>9.3f}{rate:>9.1f}{r['buffer_fill']:>6.2f}\n")
        for key, value in r.get("counters", {}).items():
            extra.append(f"{r['block']}: {key} = {value}")
    for line in extra:
        out.write(line + "\n")
    out.write(f"wall time {seconds:.3f} s\n")


def run_graph(fg, stats: bool = False, threads: int | None = None) -> int:
    """Run ``fg`` to its end; the exit code says how it ended (see the module's codes)."""
    from ..errors import BlockError

    if threads:
        fg.threads = threads
    catch_signals()
    t0 = time.perf_counter()
    try:
        fg.run()
        return OK
    except KeyboardInterrupt as e:
        sys.stderr.write(f"stopped ({str(e) or 'Ctrl-C'})\n")
        return interrupted_code(e)
    except BlockError as e:
        sys.stderr.write(f"error: {e}\n")
        return FAILED
    finally:
        if stats:
            print_stats(fg.stats(), time.perf_counter() - t0)
            plan = fg.plan()
            if plan:
                sys.stderr.write(f"workers: {plan['workers']} for DSP on {plan['cores']} cores "
                                 f"(estimated work {plan['work_per_sample']:.0f} per source "
                                 f"sample; a hand-over costs {plan['handover']:.0f})\n")


class progress:
    """A progress bar (tqdm, extra ``progress``) for finite work, on a terminal only: it follows
    ``block``'s output count towards ``total``. Nothing when quiet, piped or without tqdm."""

    def __init__(self, fg, block, total, unit="samples", quiet=False):
        self.fg, self.block, self.total, self.unit, self.quiet = fg, block, total, unit, quiet
        self._bar = self._thread = None

    def __enter__(self):
        import threading

        if self.quiet or not self.total or not sys.stderr.isatty():
            return self
        try:
            from tqdm import tqdm
        except ImportError:
            return self
        self._bar = tqdm(total=int(self.total), unit=self.unit[:-1] if self.unit.endswith("s") else self.unit,
                         unit_scale=True, file=sys.stderr, dynamic_ncols=True)
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._follow, daemon=True)
        self._thread.start()
        return self

    def _follow(self):
        shown = 0
        while not self._done.wait(0.2):
            count = next((r["items_out"] for r in self.fg.stats() if r["block"] == self.block.name), 0)
            count = min(count, self.total)
            self._bar.update(count - shown)
            shown = count

    def __exit__(self, *exc):
        if self._bar is not None:
            self._done.set()
            self._thread.join()
            self._bar.close()
        return False


def need_matplotlib(path: str) -> None:
    """Before anything runs, what a picture at ``path`` needs: the ``plot`` extra, a format
    matplotlib writes (from the extension) and a folder that exists; a ValueError saying
    which is missing."""
    try:
        from matplotlib.backend_bases import FigureCanvasBase
    except ImportError as e:
        raise ValueError("pictures need matplotlib: pip install 'sdrflow[plot]'") from e
    kinds = FigureCanvasBase.get_supported_filetypes()
    if os.path.splitext(path)[1].lstrip(".").lower() not in kinds:
        raise ValueError(f"{path}: a picture's name ends in one of "
                         f"{' '.join('.' + k for k in sorted(kinds))}")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise ValueError(f"{path}: folder {folder} does not exist; create it first")


def add_output(ap, help: str) -> None:
    """``-o FILE``, or ``FILE`` last on the line, where rtl_fm, rtl_sdr and rtl_power take it;
    ``output_of(ap, args)`` reads the two as one."""
    ap.add_argument("-o", "--output", default=None, help=help)
    ap.add_argument("filename", nargs="?", default=None,
                    help="as -o, last on the line as the rtl-sdr tools take it")


def output_of(ap, args, default: str | None = None) -> str | None:
    """The output ``add_output`` gave, ``default`` when neither form was used; both, naming
    different files, is a usage error (exit 2)."""
    if args.filename is not None and args.output not in (None, args.filename):
        ap.error(f"two outputs, -o {args.output} and {args.filename}: give one")
    given = args.output if args.output is not None else args.filename
    return default if given is None else given


def is_stream(path: str) -> bool:
    """Whether ``path`` is standard output (``-``) or a file that is not a regular one (a named
    pipe, ``/dev/null``): written as a raw stream, whatever its name."""
    if path == "-":
        return True
    try:
        return not stat.S_ISREG(os.stat(path).st_mode)
    except OSError:  # not there yet: a file to create
        return False


def add_dongle_letters(ap, ppm: str = "-p") -> None:
    """The rtl tools' ``-p`` ppm (rtl_tcp's ``-P``) and ``-d`` device; ``on_dongle`` applies
    them to the source."""
    ap.add_argument(ppm, "--ppm", type=int, default=None, help="crystal correction in ppm")
    ap.add_argument("-d", "--device", default=None,
                    help="the dongle, by index or serial (as --source rtl:D)")
