"""``sdrflow graph SCRIPT [--dot|--mermaid]``: a flowgraph script drawn as Graphviz dot or
Mermaid: blocks with their parameters, each edge with its stream type and sample rate.

    sdrflow graph flowgraphs/fm_receiver.py | dot -Tsvg > fm.svg
    sdrflow graph flowgraphs/fm_receiver.py --mermaid      # paste into a Markdown page
"""
from __future__ import annotations

import argparse
import inspect
import sys

from .core import USAGE
from ..units import si_format


def parameters(block) -> str:
    """``name=value`` for the constructor parameters the block keeps as attributes."""
    try:
        names = [p for p in inspect.signature(type(block).__init__).parameters if p != "self"]
    except (TypeError, ValueError):
        return ""
    shown = []
    for name in names:
        value = getattr(block, name, None)
        if value is None or callable(value) or hasattr(value, "__len__") and not isinstance(value, str) \
                and len(value) > 4:
            continue
        if isinstance(value, float):
            value = f"{value:g}"
        elif hasattr(value, "tolist"):  # numpy arrays and scalars
            value = value.tolist()
            value = [f"{v:g}" for v in value] if isinstance(value, list) else value
            value = f"[{', '.join(value)}]" if isinstance(value, list) else value
        shown.append(f"{name}={value}")
    return ", ".join(shown)


def describe(fg) -> tuple:
    """(nodes, edges): nodes as (id, name, parameters), edges as (from, to, label)."""
    order, info = fg.validate()
    ids = {b: f"b{i}" for i, b in enumerate(order)}
    nodes = [(ids[b], b.name, parameters(b)) for b in order]
    edges = []
    for src, o, dst, i in fg.streams:
        stype, rate = info[src][1][o], info[src][3]
        rate_text = si_format(rate, "S/s") if rate else "?"
        ports = f"{src.outputs[o].name}→{dst.inputs[i].name}: " if len(src.outputs) > 1 or len(dst.inputs) > 1 else ""
        edges.append((ids[src], ids[dst], f"{ports}{stype} @ {rate_text}"))
    for src, port, dst, dport in fg.messages:
        edges.append((ids[src], ids[dst], f"message {port}→{dport}"))
    return nodes, edges


def dot(fg) -> str:
    nodes, edges = describe(fg)
    lines = ["digraph flowgraph {", "  rankdir=LR;", "  node [shape=box, fontname=Helvetica];"]
    for nid, name, params in nodes:
        label = name + (f"\\n{params}" if params else "")
        lines.append(f'  {nid} [label="{_escape(label)}"];')
    for name, members in _parts(fg).items():
        lines.append(f'  subgraph "cluster_{name}" {{ label="part {name}"; {"; ".join(members)}; }}')
    for a, b, label in edges:
        style = ", style=dashed" if label.startswith("message") else ""
        lines.append(f'  {a} -> {b} [label="{_escape(label)}"{style}];')
    lines.append("}")
    return "\n".join(lines)


def mermaid(fg) -> str:
    nodes, edges = describe(fg)
    lines = ["flowchart LR"]
    for nid, name, params in nodes:
        label = name + (f"<br/>{params}" if params else "")
        lines.append(f'  {nid}["{label.replace(chr(34), "#quot;")}"]')
    for name, members in _parts(fg).items():
        lines += [f'  subgraph {name}["part {name}"]'] + [f"    {m}" for m in members] + ["  end"]
    for a, b, label in edges:
        arrow = "-.->" if label.startswith("message") else "-->"
        lines.append(f'  {a} {arrow}|"{label}"| {b}')
    return "\n".join(lines)


def _parts(fg) -> dict:
    """{part name: node ids} of the parts a script places its blocks in (``fg.part``)."""
    order, _ = fg.validate()
    ids = {b: f"b{i}" for i, b in enumerate(order)}
    return {name: [ids[b] for b in order if b in part.blocks] for name, part in fg.parts.items()}


def _escape(text: str) -> str:
    return text.replace('"', '\\"')


def main_graph(argv) -> int:
    from ..errors import GraphError
    from .run import RUN_OPTIONS, _load_script, parser_for

    ap = argparse.ArgumentParser(prog="sdrflow graph", description=__doc__.split("\n\n")[0])
    ap.add_argument("script")
    form = ap.add_mutually_exclusive_group()
    form.add_argument("--dot", action="store_true", help="Graphviz dot (the default)")
    form.add_argument("--mermaid", action="store_true", help="Mermaid")
    args, rest = ap.parse_known_args(argv)
    module = _load_script(args.script)
    options = vars(parser_for(module.build, f"sdrflow graph {args.script}").parse_args(rest))
    for name in RUN_OPTIONS:  # options of running, not of the graph
        options.pop(name)
    try:
        fg = module.build(**options)
        print(mermaid(fg) if args.mermaid else dot(fg))
    except (GraphError, ValueError) as e:
        sys.stderr.write(f"error: {e}\n")
        return USAGE
    return 0
