"""``sdrflow run SCRIPT``: a flowgraph script's ``build`` keywords become its options;
``sdrflow blocks [NAME]``: the catalogue."""
from __future__ import annotations

import argparse
import importlib.util
import inspect
import os
import re
import sys

from .core import USAGE, refused_code, run_graph

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
        return _number  # SI suffixes: --frequency 98.5M, --rate 2.4M
    return str


def _number(text: str) -> float:
    from ..units import si

    return si(text)


_number.__name__ = "number"  # argparse names the type in its error


#: The options ``parser_for`` adds to a script's own: how to run it, not what it builds.
RUN_OPTIONS = ("stats", "threads", "web", "processes", "part", "keys")


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
    ap.add_argument("--web", type=int, default=None, metavar="PORT",
                    help="serve the graph's web sinks (WebSink) on this port")
    ap.add_argument("--processes", type=int, default=1, metavar="N",
                    help="run the graph in N processes joined by ipc:// streams")
    ap.add_argument("--part", default=None, metavar="NAME",
                    help="run only this part of the graph (fg.part); other parts over tcp:// with CURVE")
    ap.add_argument("--keys", default=None, metavar="DIR",
                    help="with --part: this part's NAME.key_secret and the other parts' NAME.key")
    return ap


def run_flowgraph(build, argv=None, prog=None) -> int:
    """Parse options for ``build``, build the flowgraph, run it; exit code as in ``core``."""
    from ..errors import GraphError

    args = vars(parser_for(build, prog).parse_args(argv))
    stats, threads, web = args.pop("stats"), args.pop("threads"), args.pop("web")
    processes, part, keys = args.pop("processes"), args.pop("part"), args.pop("keys")
    if processes != 1 and (part or web is not None):
        sys.stderr.write("error: --processes runs the whole graph; it goes with neither --part nor --web\n")
        return USAGE
    try:
        if processes != 1:
            from .processes import run_processes

            return run_processes(build, args, processes, stats, threads)
        fg = build(**args)
        if part:
            from .processes import part_graph

            fg = part_graph(fg, part, keys)
    except (GraphError, ValueError) as e:
        sys.stderr.write(f"error: {e}\n")
        return USAGE
    if web is not None:
        sinks = [b for b in fg.blocks if type(b).__name__ == "WebSink"]
        if not sinks:
            sys.stderr.write("error: --web: this flowgraph has no WebSink to show\n")
            return USAGE
        for sink in sinks:  # all on one server, one page per sink (?sink=TITLE)
            sink.port = web
        try:
            fg.start()
        except (GraphError, ValueError) as e:  # the port taken (2), no dongle (1)
            sys.stderr.write(f"error: {e}\n")
            return refused_code(e)
        for sink in sinks:
            sys.stderr.write(f"{sink.title}: {sink.url}{'&' if '?' in sink.url else '?'}sink={sink.title}\n")
    try:
        return run_graph(fg, stats=stats, threads=threads)
    except (GraphError, ValueError) as e:  # refused at start: types, rates, parameters, devices
        sys.stderr.write(f"error: {e}\n")
        return refused_code(e)


def _load_script(path: str):
    """The script's module; a path that is no flowgraph script exits 2 (bad usage), saying why."""
    if not os.path.isfile(path):
        _refuse(f"no such flowgraph script: {path}")
    spec = importlib.util.spec_from_file_location("sdrflow_script", path)
    if spec is None:
        _refuse(f"cannot load {path}: is it a Python file?")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # the script's own errors show as they are
    if not callable(getattr(module, "build", None)):
        _refuse(f"{path} has no build(**params) function returning a Flowgraph")
    return module


def _refuse(message):
    sys.stderr.write(f"error: {message}\n")
    raise SystemExit(USAGE)


#: Example values for required parameters, so an entry can show a block's real ports.
_EXAMPLES = {"vlen": 4, "size": 1024, "count": 1, "decimation": 2, "interpolation": 2,
             "taps": [1.0], "frequency": 1e6, "rate": 1e6, "path": "example.out",
             "address": "tcp://127.0.0.1:5555"}  # nothing opens before start()


def _example(cls, params):
    """An instance made with default (or example) parameters, and how the entry says it."""
    try:
        return cls(), " (with default parameters)"
    except Exception:
        pass
    required = [p.name for p in params if p.default is inspect.Parameter.empty]
    if all(_EXAMPLES.get(name) is not None for name in required):
        values = {name: _EXAMPLES[name] for name in required}
        try:
            shown = ", ".join(f"{k}={v!r}" for k, v in values.items())
            return cls(**values), f" (with {shown})"
        except Exception:
            pass
    return cls, " (parameters may change them: see Signature)"


def describe_block(cls) -> str:
    """The reference entry of a block class: docstring, ports, rate rule, parameters."""
    from ..block import HierBlock

    doc = inspect.getdoc(cls) or "(no description)"
    lines = [cls.__name__, "=" * len(cls.__name__), doc, ""]
    params = []
    if cls.__init__ is not object.__init__:  # a block without __init__ takes no parameters
        params = [p for p in inspect.signature(cls.__init__).parameters.values()
                  if p.name != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    lines.append("Constructor: " + cls.__name__ + "(" + ", ".join(
        p.name if p.default is inspect.Parameter.empty else f"{p.name}={p.default!r}"
        for p in params) + ")")

    def ports(declared):
        return ", ".join(f"{p.name}: {p.describe()}" for p in declared) or None

    example, note = _example(cls, params)
    if isinstance(example, HierBlock):
        note = " (those of its inner blocks)"
    ins, outs = ports(example.inputs), ports(example.outputs)
    lines.append(f"Inputs{note}: {ins or ('none (a source)' if example.outputs else 'see Signature')}")
    if not outs:
        outs = ("messages only (below)" if example.message_outputs else
                "none (a sink)" if example.inputs and example is not cls else "see Signature")
    lines.append(f"Outputs: {outs}")
    if not isinstance(example, HierBlock):
        lines.append(f"Rate: {example.rate_rule}")
    if cls.message_inputs or cls.message_outputs:
        lines.append(f"Messages: in {list(cls.message_inputs)}, out {list(cls.message_outputs)}")
    return "\n".join(lines)


def main_run(rest) -> int:
    if not rest or rest[0].startswith("-"):
        print("usage: sdrflow run SCRIPT.py [options]   (SCRIPT.py --help lists them)")
        return USAGE
    module = _load_script(rest[0])
    return run_flowgraph(module.build, rest[1:], prog=f"sdrflow run {rest[0]}")


def main_blocks(rest) -> int:
    import sdrflow.blocks as catalogue

    if rest:
        cls = getattr(catalogue, rest[0], None)
        if cls is None:
            print(f"error: no block {rest[0]!r}; `sdrflow blocks` lists them", file=sys.stderr)
            return USAGE
        print(describe_block(cls))
    else:
        print(inspect.getdoc(catalogue))
    return 0
