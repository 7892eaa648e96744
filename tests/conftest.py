import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REAL_DATA = Path(os.environ.get("SDRFLOW_REAL_DATA", ROOT.parent / "shared" / "data" / "real"))


@pytest.fixture
def real_data():
    """The folder of real off-air captures; tests skip only when it is absent."""
    if not REAL_DATA.is_dir():
        pytest.skip(f"real captures not found at {REAL_DATA} (set SDRFLOW_REAL_DATA)")
    return REAL_DATA
