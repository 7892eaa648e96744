"""Every block in the catalogue: documented, declared ports, rate rule, listed, packaged."""
import inspect
import re
import tomllib
from pathlib import Path

import pytest

import sdrflow.blocks as catalogue
from sdrflow.block import Block, Rate
from sdrflow.cli import describe_block

ROOT = Path(__file__).resolve().parents[2]
CLASSES = [getattr(catalogue, n) for n in catalogue.__all__]


def snake(name):
    name = name.replace("SigMF", "Sigmf")  # a product name, written as its makers write it
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).lower()


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_block_has_reference_entry(cls):
    assert issubclass(cls, Block)
    doc = inspect.getdoc(cls)
    assert doc and "Signature:" in doc and "Example:" in doc, f"{cls.__name__} docstring"
    if "__init__" in cls.__dict__ and inspect.signature(cls.__init__).parameters.keys() - {"self"}:
        assert "Parameters" in doc
    assert isinstance(cls.rate_rule, Rate)
    entry = describe_block(cls)
    assert entry.startswith(cls.__name__) and "Outputs:" in entry


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_one_class_per_file_named_after_it(cls):
    assert Path(inspect.getfile(cls)).stem == snake(cls.__name__)


def test_catalogue_lists_every_block_file():
    files = {p.stem for p in (ROOT / "blocks").glob("*.py") if not p.stem.startswith("_")}
    listed = {snake(n) for n in catalogue.__all__}
    assert files == listed
    for name in catalogue.__all__:
        assert name in catalogue.__doc__, f"{name} missing from the catalogue docstring"


def test_every_blocks_folder_is_packaged():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    packages = set(config["tool"]["setuptools"]["packages"])
    for folder in [ROOT / "blocks", *(p for p in (ROOT / "blocks").rglob("*") if p.is_dir())]:
        if folder.name == "__pycache__":
            continue
        rel = folder.relative_to(ROOT / "blocks").parts
        assert ".".join(("sdrflow", "blocks") + rel) in packages, f"{folder} not in the wheel"
    data = config["tool"]["setuptools"].get("package-data", {})
    for folder in (ROOT / "src" / "sdrflow").rglob("*"):
        if folder.is_dir() and folder.name != "__pycache__":
            rel = folder.relative_to(ROOT / "src").parts
            parent = ".".join(rel[:-1])
            as_data = f"{rel[-1]}/*" in data.get(parent, [])  # plain files: the page's static/
            assert ".".join(rel) in packages or as_data, f"{folder} not in the wheel"


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_entry_shows_the_constructor_and_ports_of_the_class(cls):
    entry = describe_block(cls)
    constructor = next(line for line in entry.splitlines() if line.startswith("Constructor:"))
    assert "args" not in constructor and "kwargs" not in constructor
    if cls.__init__ is not object.__init__:
        for name in inspect.signature(cls.__init__).parameters:
            if name != "self":
                assert name in constructor
    outputs = next(line for line in entry.splitlines() if line.startswith("Outputs:"))
    if outputs.endswith("none (a sink)"):  # only a real sink says so: its Signature ends at ->
        signature = next(line for line in inspect.getdoc(cls).splitlines() if line.startswith("Signature:"))
        assert all(not part.split("->", 1)[1].strip() or part.split("->", 1)[1].strip().startswith(",")
                   for part in signature.split("|") if "->" in part), signature
