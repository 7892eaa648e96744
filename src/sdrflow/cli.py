"""The ``sdrflow`` command: run flowgraph scripts, print the block catalogue.

    sdrflow run flowgraphs/fm_receiver.py --help
    sdrflow run flowgraphs/fm_receiver.py --output fm.wav --stats
    sdrflow blocks [NAME]
"""
from __future__ import annotations

import argparse
import importlib.util
import inspect
import logging
import re
import sys
import time

log = logging.getLogger("sdrflow")


def _param_help(doc: str) -> dict:
    """Descriptions of numpydoc ``Parameters`` entries: {name: first line of description}."""
    helps, current = {}, None
    for line in (doc or "").splitlines():
        m = re.match(r"^\s{0,8}(\w+)\s*:\s*(.*)$", line)
        if m:
            current = m.group(1)
            helps[current] = ""
        elif current and line.strip():
            helps[current] = (helps[current] + " " + line.strip()).strip()
        elif not line.strip():
            current = None
    return helps


def _arg_type(default):
    if isinstance(default, bool):
        return None
    if isinstance(default, int):
        return int
    if isinstance(default, float):
        return float
    return str


def parser_for(build, prog: str | None = None) -> argparse.ArgumentParser:
    """An argparse parser whose options are ``build``'s keyword parameters."""
    doc = inspect.getdoc(build) or ""
    ap = argparse.ArgumentParser(prog=prog, description=doc.split("\n\n")[0],
                                 formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    helps = _param_help(doc)
    for name, p in inspect.signature(build).parameters.items():
        flag = "--" + name.replace("_", "-")
        text = helps.get(name, "")
        if isinstance(p.default, bool):
            ap.add_argument(flag, dest=name, default=p.default,
                            action=argparse.BooleanOptionalAction, help=text)
        else:
            default = None if p.default is inspect.Parameter.empty else p.default
            ap.add_argument(flag, dest=name, default=default, type=_arg_type(default),
                            required=p.default is inspect.Parameter.empty, help=text)
    ap.add_argument("--stats", action="store_true", help="print per-block counters at the end")
    ap.add_argument("--threads", type=int, default=None, help="worker threads (default: the flowgraph's)")
    return ap


def print_stats(rows, seconds: float, out=sys.stdout) -> None:
    """The counters of Flowgraph.stats() as a table."""
    out.write(f"{'block':28}{'worker':>7}{'items in':>13}{'items out':>13}{'calls':>8}"
              f"{'work s':>9}{'Msps':>9}{'fill':>6}\n")
    for r in rows:
        rate = r["items_in"] / r["work_seconds"] / 1e6 if r["work_seconds"] > 0 and r["items_in"] else 0
        out.write(f"{r['block'][:27]:28}{r['worker']:>7}{r['items_in']:>13}{r['items_out']:>13}"
                  f"{r['work_calls']:>8}{r['work_seconds']:>9.3f}{rate:>9.1f}{r['buffer_fill']:>6.2f}\n")
    out.write(f"wall time {seconds:.3f} s\n")


def run_flowgraph(build, argv=None, prog=None) -> int:
    """Parse options for ``build``, build the flowgraph, run it; Ctrl-C stops it cleanly."""
    from .flowgraph import BlockError, GraphError

    args = vars(parser_for(build, prog).parse_args(argv))
    stats, threads = args.pop("stats"), args.pop("threads")
    try:
        fg = build(**args)
        if threads:
            fg.threads = threads
        t0 = time.perf_counter()
        try:
            fg.run()
        except KeyboardInterrupt:
            sys.stderr.write("stopped\n")
            return 130
        finally:
            if stats:
                print_stats(fg.stats(), time.perf_counter() - t0)
    except (GraphError, ValueError, BlockError) as e:
        sys.stderr.write(f"error: {e}\n")
        return 2
    return 0


def _load_script(path: str):
    spec = importlib.util.spec_from_file_location("sdrflow_script", path)
    if spec is None:
        raise SystemExit(f"error: cannot load {path}: is it a Python file?")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except FileNotFoundError:
        raise SystemExit(f"error: no such flowgraph script: {path}")
    if not callable(getattr(module, "build", None)):
        raise SystemExit(f"error: {path} has no build(**params) function returning a Flowgraph")
    return module


def describe_block(cls) -> str:
    """The reference entry of a block class: docstring, ports, rate rule, parameters."""
    from .block import HierBlock

    doc = inspect.getdoc(cls) or "(no description)"
    lines = [cls.__name__, "=" * len(cls.__name__), doc, ""]
    try:
        sig = inspect.signature(cls.__init__)
        params = [p for p in sig.parameters.values() if p.name != "self"]
        lines.append("Constructor: " + cls.__name__ + "(" + ", ".join(
            p.name if p.default is inspect.Parameter.empty else f"{p.name}={p.default!r}"
            for p in params) + ")")
    except (TypeError, ValueError):
        pass
    def ports(declared):
        return ", ".join(f"{p.name}: {p.describe()}" for p in declared) or None

    try:  # with its default parameters, when it has them, the block shows its real ports
        example, note = cls(), " (with default parameters)"
    except Exception:
        example, note = cls, " (parameters may change them: see Signature)"
    if isinstance(example, HierBlock):
        note = " (those of its inner blocks)"
    ins, outs = ports(example.inputs), ports(example.outputs)
    lines.append(f"Inputs{note}: {ins or ('none (a source)' if example.outputs else 'see Signature')}")
    lines.append(f"Outputs: {outs or ('none (a sink)' if example.inputs else 'see Signature')}")
    if not isinstance(example, HierBlock):
        lines.append(f"Rate: {example.rate_rule}")
    if cls.message_inputs or cls.message_outputs:
        lines.append(f"Messages: in {list(cls.message_inputs)}, out {list(cls.message_outputs)}")
    return "\n".join(lines)


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0
    cmd, rest = argv[0], argv[1:]
    if cmd == "run":
        if not rest or rest[0].startswith("-"):
            print("usage: sdrflow run SCRIPT.py [options]   (SCRIPT.py --help lists them)")
            return 2
        module = _load_script(rest[0])
        return run_flowgraph(module.build, rest[1:], prog=f"sdrflow run {rest[0]}")
    if cmd == "blocks":
        import sdrflow.blocks as catalogue

        if rest:
            cls = getattr(catalogue, rest[0], None)
            if cls is None:
                print(f"error: no block {rest[0]!r}; `sdrflow blocks` lists them", file=sys.stderr)
                return 2
            print(describe_block(cls))
        else:
            print(inspect.getdoc(catalogue))
        return 0
    print(f"error: unknown command {cmd!r}; use `sdrflow run SCRIPT.py` or `sdrflow blocks`",
          file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
