import os
import signal
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REAL_DATA = Path(os.environ.get("SDRFLOW_REAL_DATA", ROOT.parent / "shared" / "data" / "real"))

# Tests press Ctrl-C (SIGINT) on the commands they start. A shell that runs pytest in the
# background starts it with SIGINT ignored, the commands would inherit that, and a Python
# started so never raises KeyboardInterrupt: give them a terminal's default instead.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture
def real_data():
    """The folder of real off-air captures; tests skip only when it is absent."""
    if not REAL_DATA.is_dir():
        pytest.skip(f"real captures not found at {REAL_DATA} (set SDRFLOW_REAL_DATA)")
    return REAL_DATA


def undeclared_signatures() -> list:
    """Kernel signatures compiled in this process that the kernel does not declare (a call
    site passing a Python float for a float32, a strided view for a contiguous array...), or
    whose inferred return type is not the declared one."""
    import sys

    from numba import types
    from numba.core.sigutils import normalize_signature
    found, seen = [], set()
    for name, module in list(sys.modules.items()):
        if not name.startswith("sdrflow.kernels."):
            continue
        for attr, obj in vars(module).items():
            declared = getattr(obj, "declared", None)
            if declared is None or id(obj) in seen:
                continue
            seen.add(id(obj))
            allowed = dict(normalize_signature(s) for s in declared)  # args -> return type
            for sig in obj.signatures:  # a constant int argument in a kernel is a Literal
                args = tuple(types.unliteral(t) for t in sig)
                returns = obj.overloads[sig].signature.return_type
                if args not in allowed:
                    found.append(f"{name}.{attr}{tuple(map(str, sig))}")
                elif allowed[args] is not None and returns != allowed[args]:
                    found.append(f"{name}.{attr} returns {returns}, declared {allowed[args]}")
    return found


def pytest_sessionfinish(session, exitstatus):
    """Fail the run when a kernel was compiled for types it does not declare."""
    bad = undeclared_signatures()
    if bad:
        session.config.get_terminal_writer().line(
            "kernels compiled for undeclared types:\n  " + "\n  ".join(bad), red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
